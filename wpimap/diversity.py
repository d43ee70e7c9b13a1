"""Interdisciplinarity of research areas: Rao–Stirling diversity, Shannon entropy, effective fields.

The field distances come from the corpus itself: the citation profile of field *i* is the
vector of citations from papers of field *i* to papers of each field (a paper with *n*
fields counts 1/n for each, on both the citing and the cited side), and
``d_ij = 1 - cosine(profile_i, profile_j)``. An area's field shares ``p_i`` come from its
core papers (1/n per field of a multi-field paper). Then

* Rao–Stirling ``Δ = Σ_{i≠j} p_i p_j d_ij``;
* Shannon entropy ``H = -Σ p_i ln p_i`` (natural log);
* effective number of fields ``1 / (1 - Δ)`` (Leinster–Cobbold order 2 with the
  similarity ``1 - d``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = ["area_diversity", "field_distances", "field_shares", "flag_interdisciplinary"]


def _fields_long(frame: pd.DataFrame, id_col: str) -> pd.DataFrame:
    """One row per (id, field) with the fractional weight 1/n of the row's n distinct fields."""
    if "fields" in frame.columns:
        long = frame[[id_col, "fields"]].explode("fields").rename(columns={"fields": "field"})
    elif "field" in frame.columns:
        long = frame[[id_col, "field"]]
    else:
        raise ValueError(f"table with {id_col}: needs a 'fields' (list) or 'field' column")
    long = long.dropna(subset=["field"])
    long = long[long["field"].astype(str) != ""].drop_duplicates()
    long = long.assign(frac=1.0 / long.groupby(id_col, sort=False)[id_col].transform("size"))
    return long.reset_index(drop=True)


def field_distances(works: pd.DataFrame, references: pd.DataFrame) -> pd.DataFrame:
    """Distances between fields from their citation profiles in the corpus.

    Parameters
    ----------
    works : pandas.DataFrame
        Columns ``work_id`` and ``fields`` (list of str; or a single ``field`` column).
    references : pandas.DataFrame
        Columns ``citing_id`` and ``cited_id`` (null when unresolved; those rows are
        ignored, as are links whose ends have no field).

    Returns
    -------
    pandas.DataFrame
        Square, fields × fields (sorted), ``d_ij = 1 - cos(profile_i, profile_j)`` where
        ``profile_i[j]`` = (fractional) citations from papers of field *i* to papers of
        field *j*, computed as the sparse product ``Wᵀ L W`` (W: works × fields fractional
        membership, L: citing × cited links). The diagonal is 0; a field with an empty
        profile (its papers cite nothing resolved) is at distance 1 from every other field.
    """
    long = _fields_long(works, "work_id")
    fields = np.sort(long["field"].astype(str).unique())
    nf = len(fields)
    if nf == 0:
        return pd.DataFrame(np.zeros((0, 0)))
    refs = references[["citing_id", "cited_id"]].dropna()
    # one hashing pass over every id (string ids are slow to look up one column at a time)
    n_long, n_ref = len(long), len(refs)
    codes, uniques = pd.factorize(
        np.concatenate(
            [
                long["work_id"].to_numpy(),
                refs["citing_id"].to_numpy(),
                refs["cited_id"].to_numpy(),
            ]
        )
    )
    n_ids = len(uniques)
    wi, ci, cj = codes[:n_long], codes[n_long : n_long + n_ref], codes[n_long + n_ref :]
    fi = pd.Index(fields).get_indexer(long["field"].astype(str))
    w_mat = sp.csr_matrix((long["frac"].to_numpy(float), (wi, fi)), shape=(n_ids, nf))
    ok = (ci >= 0) & (cj >= 0)
    links = sp.csr_matrix((np.ones(int(ok.sum())), (ci[ok], cj[ok])), shape=(n_ids, n_ids))
    profile = (w_mat.T @ links @ w_mat).toarray()  # fields × fields
    norms = np.linalg.norm(profile, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(norms[:, None] > 0, profile / np.where(norms > 0, norms, 1.0)[:, None], 0.0)
    cos = unit @ unit.T
    dist = np.clip(1.0 - cos, 0.0, 1.0)
    np.fill_diagonal(dist, 0.0)
    return pd.DataFrame(dist, index=pd.Index(fields, name="field"), columns=pd.Index(fields, name="field"))


def field_shares(core: pd.DataFrame) -> pd.DataFrame:
    """Field shares ``p_i`` of each area's core papers.

    Parameters
    ----------
    core : pandas.DataFrame
        Columns ``work_id``, ``area`` and ``fields`` (list) or ``field``; rows with
        ``area == -1`` (unassigned) are ignored.

    Returns
    -------
    pandas.DataFrame
        Columns ``area, field, share`` (shares of an area sum to 1), sorted by area, field.
    """
    core = core[core["area"] >= 0]
    long = _fields_long(core, "work_id").merge(
        core[["work_id", "area"]].drop_duplicates("work_id"), on="work_id"
    )
    agg = long.groupby(["area", "field"], as_index=False)["frac"].sum()
    agg["share"] = agg["frac"] / agg.groupby("area")["frac"].transform("sum")
    return agg[["area", "field", "share"]].sort_values(["area", "field"], ignore_index=True)


def area_diversity(core: pd.DataFrame, distances: pd.DataFrame) -> pd.DataFrame:
    """Rao–Stirling diversity, Shannon entropy and effective number of fields per area.

    Parameters
    ----------
    core : pandas.DataFrame
        Core papers with ``work_id``, ``area`` and ``fields`` (list) or ``field``.
    distances : pandas.DataFrame
        Square field distance matrix from :func:`field_distances`. A field of the core
        papers that is missing from it is taken at distance 1 from every other field.

    Returns
    -------
    pandas.DataFrame
        Columns ``area, rao_stirling, shannon, effective_fields, dominant_field,
        dominant_share, n_fields``, one row per area (sorted). The dominant field is the
        one with the largest share (ties: alphabetically first).
    """
    shares = field_shares(core)
    cols = [
        "area",
        "rao_stirling",
        "shannon",
        "effective_fields",
        "dominant_field",
        "dominant_share",
        "n_fields",
    ]
    if shares.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    fields = pd.Index(sorted(set(shares["field"]) | set(distances.index.astype(str))))
    dmat = distances.reindex(index=fields, columns=fields).to_numpy(float)
    dmat = np.where(np.isnan(dmat), 1.0, dmat)
    np.fill_diagonal(dmat, 0.0)
    areas = pd.Index(np.sort(shares["area"].unique()))
    ai = areas.get_indexer(shares["area"])
    fi = fields.get_indexer(shares["field"])
    p = sp.csr_matrix((shares["share"].to_numpy(float), (ai, fi)), shape=(len(areas), len(fields)))
    rao = np.asarray((p @ dmat) * p.toarray()).sum(axis=1) if len(fields) else np.zeros(len(areas))
    rao = np.clip(rao, 0.0, 1.0)
    s = shares["share"].to_numpy(float)
    ent = (-s * np.log(s)).astype(float)
    shannon = pd.Series(ent).groupby(shares["area"].to_numpy()).sum().reindex(areas).to_numpy()
    dom = shares.sort_values(["area", "share", "field"], ascending=[True, False, True]).drop_duplicates(
        "area"
    )
    dom = dom.set_index("area").reindex(areas)
    n_fields = shares.groupby("area").size().reindex(areas).to_numpy()
    with np.errstate(divide="ignore"):
        eff = np.where(rao < 1.0, 1.0 / (1.0 - rao), np.inf)
    return pd.DataFrame(
        {
            "area": areas.to_numpy(),
            "rao_stirling": rao,
            "shannon": np.where(np.abs(shannon) < 1e-15, 0.0, shannon),
            "effective_fields": eff,
            "dominant_field": dom["field"].to_numpy(),
            "dominant_share": dom["share"].to_numpy(float),
            "n_fields": n_fields.astype(np.int64),
        }
    )


def flag_interdisciplinary(
    div: pd.DataFrame, quantile: float = 0.75, max_dominant_share: float = 0.5
) -> pd.DataFrame:
    """Flag interdisciplinary areas.

    An area is interdisciplinary when its Rao–Stirling Δ is at or above the ``quantile``
    of Δ over the areas of ``div`` (and above 0, so a map of single-field areas flags
    none), or when its dominant field holds at most ``max_dominant_share``.

    Parameters
    ----------
    div : pandas.DataFrame
        Output of :func:`area_diversity` (one period: the quantile is taken over its rows).
    quantile : float
        Quantile of Δ (config ``interdisciplinarity.quantile``).
    max_dominant_share : float
        Config ``interdisciplinarity.max_dominant_share``.

    Returns
    -------
    pandas.DataFrame
        ``div`` with ``interdisciplinary`` (bool) and ``interdisciplinary_rule``
        (``"rao_stirling"``, ``"dominant_share"``, ``"both"`` or ``""``).
    """
    if not 0.0 <= quantile <= 1.0:
        raise ValueError(f"interdisciplinarity.quantile={quantile}: must be in [0, 1]")
    out = div.copy()
    if out.empty:
        out["interdisciplinary"] = pd.Series(dtype=bool)
        out["interdisciplinary_rule"] = pd.Series(dtype=object)
        return out
    thr = float(np.quantile(out["rao_stirling"].to_numpy(float), quantile))
    by_rao = (out["rao_stirling"] >= thr - 1e-12) & (out["rao_stirling"] > 0)
    by_dom = out["dominant_share"] <= max_dominant_share + 1e-12
    out["interdisciplinary"] = (by_rao | by_dom).to_numpy(bool)
    rule = np.select([by_rao & by_dom, by_rao, by_dom], ["both", "rao_stirling", "dominant_share"], "")
    out["interdisciplinary_rule"] = rule
    return out
