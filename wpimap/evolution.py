"""Across periods: continuity of areas, Sci-GEO types, transitions, emergence and bursts.

Rules (every threshold is a config key):

* **Links to the previous map** (:func:`link_areas`): area *A* of period *t* is linked to
  area *B* of period *t-1* by shared core papers, ``overlap = |core(A) ∩ core(B)| /
  |core(A)|`` (``link_type="shared"``). An area sharing no core paper with the previous
  map is linked by co-citation instead: the number of citing papers that cite both a core
  paper of *A* and one of *B*, normalized as ``c_AB / sqrt(c_A c_B)`` (``c_A`` = citing
  papers of *A*), kept when ``c_AB >= min_count``; that cosine is its ``overlap``
  (``link_type="cocitation"``).
* **Continuous** = has a predecessor with ``overlap >= continuity.min_overlap``; **new**
  = not continuous. The first period has no previous map: continuity, Sci-GEO type and
  emergence are unknown there (``<NA>``, ``<NA>``, ``False``).
* **Link strength** = summed co-citation strength between the area's core papers and
  those of the other areas of the same period; **strong** = above the period's median
  (``continuity.strong_link: median``) or above a number.
* **Sci-GEO**: continent (continuous, strong), island (continuous, weak), peninsula (new,
  strong), small_island (new, weak).
* **Transitions** (:func:`transitions`): each area of *t-1* goes to the type of its main
  successor in *t* (the area linked to it with ``overlap >= min_overlap`` sharing most
  core papers, then highest overlap, then lowest id) or to ``"vanished"``.
* **Currency** = mean core-paper year − window end (≤ 0; 0 = youngest).
* **Growth** = least-squares slope of ``ln(1 + n_y)`` over the window years *y*, with
  ``n_y`` the citing papers published in year *y* that cite at least one core paper of the
  area (a per-year growth rate, robust to zero years).
* **Emerging** = new, currency at or above the ``1 - emergence.currency_quantile``
  quantile of the period's areas (youngest quartile), and growth above the
  ``emergence.growth_quantile`` quantile (the median area).
* **Bursts** (:func:`kleinberg_bursts`): Kleinberg's two-state automaton for batched
  arrivals on the yearly citing counts of the area, against the yearly citing papers of
  the whole map; the strongest burst's start year and weight are reported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import gammaln, xlog1py, xlogy

from wpimap.diversity import area_diversity, field_distances, flag_interdisciplinary
from wpimap.periods import Period, citing_works

__all__ = [
    "SCIGEO_TYPES",
    "area_links",
    "citing_counts",
    "continuity",
    "currency",
    "emerging",
    "evolve",
    "growth",
    "kleinberg_bursts",
    "link_areas",
    "link_strength",
    "predecessors_column",
    "scigeo",
    "transitions",
    "vanish_rates",
]

SCIGEO_TYPES = ("continent", "island", "peninsula", "small_island")
TOTAL = -1  # row of citing_counts holding the whole map's citing papers per year


def _assigned(core: pd.DataFrame) -> pd.DataFrame:
    return core.loc[core["area"] >= 0]


# --------------------------------------------------------------------------- links
def area_links(core: pd.DataFrame, cocit: pd.DataFrame) -> pd.DataFrame:
    """Area graph of one period: summed co-citation strength between areas' core papers.

    Parameters
    ----------
    core : pandas.DataFrame
        ``work_id, area``.
    cocit : pandas.DataFrame
        ``a, b, count, strength`` (core work ids).

    Returns
    -------
    pandas.DataFrame
        ``area_a < area_b, weight`` (summed strength), ``count`` (summed co-citations);
        edges within an area and to unassigned papers are dropped.
    """
    from wpimap.cluster import area_graph

    return area_graph(_assigned(core).drop_duplicates("work_id"), cocit)[["area_a", "area_b", "weight", "count"]]


def area_citing_links(
    core: pd.DataFrame,
    references: pd.DataFrame,
    citing: pd.Series | np.ndarray | None = None,
) -> pd.DataFrame:
    """Area graph of one period from every citing paper, before any pair threshold.

    The co-citation pairs kept for clustering (``cocitation.min_count``,
    ``min_strength``) are those inside areas: a pair across two areas has a low count
    next to its papers' citations, so the thresholds drop nearly all of them and the
    areas look unlinked. Here each citing paper ``p`` counts ``n_pX`` = the distinct core
    papers of area ``X`` it cites; with ``B`` the citing × area matrix of these counts,
    ``count = (BᵀB)_XY`` (= the summed co-citation counts of every core-paper pair across
    ``X`` and ``Y``) and ``weight = count / sqrt((BᵀB)_XX (BᵀB)_YY)``, the cosine of the
    two areas' citation vectors (in [0, 1]).

    Parameters
    ----------
    core : pandas.DataFrame
        ``work_id, area`` (areas < 0 are left out).
    references : pandas.DataFrame
        ``citing_id, cited_id``.
    citing : array-like, optional
        The citing papers that count (e.g. those of the period); all when None.

    Returns
    -------
    pandas.DataFrame
        ``area_a < area_b, weight, count``, sorted by (area_a, area_b).
    """
    import scipy.sparse as sp

    c = _assigned(core).drop_duplicates("work_id")
    empty = pd.DataFrame({"area_a": np.empty(0, np.int64), "area_b": np.empty(0, np.int64),
                          "weight": np.empty(0, float), "count": np.empty(0, np.int64)})
    if c.empty or references.empty:
        return empty
    pos = pd.Index(c["work_id"]).get_indexer(references["cited_id"])
    keep = pos >= 0
    if citing is not None:
        keep &= references["citing_id"].isin(citing).to_numpy()
    r = pd.DataFrame({"p": references["citing_id"].to_numpy()[keep], "core": pos[keep]}).drop_duplicates()
    if r.empty:
        return empty
    area_codes, area_ids = pd.factorize(c["area"].to_numpy(dtype=np.int64), sort=True)
    p_codes, _ = pd.factorize(r["p"])
    B = sp.csr_matrix((np.ones(len(r)), (p_codes, area_codes[r["core"].to_numpy()])),
                      shape=(int(p_codes.max()) + 1, len(area_ids)))  # duplicates summed: n_pX
    C = (B.T @ B).tocoo()
    diag = C.diagonal()
    upper = C.row < C.col
    i, j, v = C.row[upper], C.col[upper], C.data[upper]
    out = pd.DataFrame({"area_a": area_ids[i].astype(np.int64), "area_b": area_ids[j].astype(np.int64),
                        "weight": v / np.sqrt(diag[i] * diag[j]), "count": np.rint(v).astype(np.int64)})
    return out.sort_values(["area_a", "area_b"], ignore_index=True)


def link_strength(areas: Sequence[int] | pd.Index, area_graph: pd.DataFrame) -> pd.Series:
    """Total link strength of each area to the other areas of its period.

    Parameters
    ----------
    areas : sequence of int
        The period's areas (those without links get 0).
    area_graph : pandas.DataFrame
        ``area_a, area_b, weight`` (as from :func:`area_links` or ``wpimap.cluster.area_graph``);
        ``a, b, strength`` is accepted too.

    Returns
    -------
    pandas.Series
        Indexed by area.
    """
    g = area_graph
    if "area_a" not in g.columns and {"a", "b", "strength"} <= set(g.columns):
        g = g.rename(columns={"a": "area_a", "b": "area_b", "strength": "weight"})
    g = g[g["area_a"] != g["area_b"]]
    both = pd.concat(
        [
            g[["area_a", "weight"]].rename(columns={"area_a": "area"}),
            g[["area_b", "weight"]].rename(columns={"area_b": "area"}),
        ]
    )
    s = both.groupby("area")["weight"].sum()
    return s.reindex(pd.Index(areas, name="area"), fill_value=0.0).astype(float).rename("link_strength")


def link_areas(
    prev_core: pd.DataFrame,
    core: pd.DataFrame,
    references: pd.DataFrame | None = None,
    min_count: int = 2,
) -> pd.DataFrame:
    """Link each area to the previous period's areas (shared core papers, else co-citation).

    Parameters
    ----------
    prev_core, core : pandas.DataFrame
        Core papers (``work_id, area``) of the previous and of this period.
    references : pandas.DataFrame, optional
        ``citing_id, cited_id``; without it areas with no shared paper stay unlinked.
    min_count : int
        Minimum number of citing papers co-citing the two areas for a co-citation link.

    Returns
    -------
    pandas.DataFrame
        ``area, predecessor, overlap, shared, link_type`` sorted by area, decreasing
        overlap, predecessor. See the module docstring for the rules.
    """
    cols = ["area", "predecessor", "overlap", "shared", "link_type"]
    cur = _assigned(core)[["work_id", "area"]].drop_duplicates("work_id")
    prev = (
        _assigned(prev_core)[["work_id", "area"]]
        .drop_duplicates("work_id")
        .rename(columns={"area": "predecessor"})
    )
    n_core = cur.groupby("area").size()
    sh = cur.merge(prev, on="work_id").groupby(["area", "predecessor"], as_index=False).size()
    sh = sh.rename(columns={"size": "shared"})
    sh["overlap"] = sh["shared"] / sh["area"].map(n_core)
    sh["link_type"] = "shared"
    parts = [sh]
    orphans = n_core.index.difference(pd.Index(sh["area"].unique()))
    if references is not None and len(orphans) and len(prev):
        o = cur[cur["area"].isin(orphans)]
        refs = references[["citing_id", "cited_id"]].dropna()
        refs = refs[refs["cited_id"].isin(pd.Index(o["work_id"]).union(pd.Index(prev["work_id"])))]
        ca = refs.merge(o, left_on="cited_id", right_on="work_id")[["citing_id", "area"]].drop_duplicates()
        cb = refs.merge(prev, left_on="cited_id", right_on="work_id")[
            ["citing_id", "predecessor"]
        ].drop_duplicates()
        c_a = ca.groupby("area").size()
        c_b = cb.groupby("predecessor").size()
        cb = cb[cb["citing_id"].isin(pd.Index(ca["citing_id"]))]
        pair = ca.merge(cb, on="citing_id").groupby(["area", "predecessor"], as_index=False).size()
        pair = pair[pair["size"] >= min_count]
        pair = pair.assign(
            overlap=pair["size"]
            / np.sqrt(pair["area"].map(c_a).to_numpy(float) * pair["predecessor"].map(c_b).to_numpy(float)),
            shared=0,
            link_type="cocitation",
        )
        parts.append(pair.drop(columns="size"))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(
            {
                "area": pd.Series(dtype=np.int64),
                "predecessor": pd.Series(dtype=np.int64),
                "overlap": pd.Series(dtype=float),
                "shared": pd.Series(dtype=np.int64),
                "link_type": pd.Series(dtype=object),
            }
        )
    out = pd.concat(parts, ignore_index=True)[cols]
    out["shared"] = out["shared"].astype(np.int64)
    return out.sort_values(
        ["area", "overlap", "predecessor"], ascending=[True, False, True], ignore_index=True
    )


def predecessors_column(areas: Sequence[int] | pd.Index, links: pd.DataFrame | None) -> pd.Series:
    """The ``predecessors`` column: ``"area:overlap"`` entries joined by ``;``.

    Parameters
    ----------
    areas : sequence of int
        Areas of the period.
    links : pandas.DataFrame or None
        From :func:`link_areas`.

    Returns
    -------
    pandas.Series
        Indexed by area, e.g. ``"3:0.5000;7:0.1250"`` (decreasing overlap); ``""`` when
        none.
    """
    idx = pd.Index(areas, name="area")
    if links is None or links.empty:
        return pd.Series("", index=idx, dtype=object, name="predecessors")
    txt = links["predecessor"].astype(str) + ":" + links["overlap"].map(lambda v: f"{v:.4f}")
    s = txt.groupby(links["area"].to_numpy(), sort=False).agg(";".join)
    return s.reindex(idx).fillna("").astype(object).rename("predecessors")


def continuity(areas: Sequence[int] | pd.Index, links: pd.DataFrame | None, min_overlap: float) -> pd.Series:
    """Whether each area has a predecessor with ``overlap >= min_overlap``.

    Parameters
    ----------
    areas : sequence of int
    links : pandas.DataFrame or None
        From :func:`link_areas`; ``None`` (no previous map) gives ``<NA>`` everywhere.
    min_overlap : float

    Returns
    -------
    pandas.Series
        Nullable boolean, indexed by area.
    """
    idx = pd.Index(areas, name="area")
    if links is None:
        return pd.Series(pd.NA, index=idx, dtype="boolean", name="continuous")
    ok = set(links.loc[links["overlap"] >= min_overlap - 1e-12, "area"])
    return pd.Series([a in ok for a in idx], index=idx, dtype="boolean", name="continuous")


def scigeo(
    areas: pd.DataFrame,
    links: pd.DataFrame | None,
    area_graph: pd.DataFrame,
    min_overlap: float = 0.1,
    strong_link: str | float = "median",
) -> pd.Series:
    """Sci-GEO type of each area.

    Parameters
    ----------
    areas : pandas.DataFrame
        The period's areas (column ``area``).
    links : pandas.DataFrame or None
        :func:`link_areas` output (``None`` for the first period: types are ``<NA>``).
    area_graph : pandas.DataFrame
        ``area_a, area_b, weight`` of the period.
    min_overlap : float
        ``continuity.min_overlap``.
    strong_link : 'median' or float
        Strong = link strength above the period's median, or above this number.

    Returns
    -------
    pandas.Series
        ``continent``, ``island``, ``peninsula``, ``small_island`` (or ``<NA>``), indexed
        by area.
    """
    idx = pd.Index(areas["area"], name="area")
    strength = link_strength(idx, area_graph)
    if isinstance(strong_link, str):
        if strong_link != "median":
            raise ValueError(f"continuity.strong_link={strong_link!r}: expected 'median' or a number")
        thr = float(strength.median()) if len(strength) else 0.0
    else:
        thr = float(strong_link)
    strong = strength.to_numpy() > thr + 1e-12
    cont = continuity(idx, links, min_overlap)
    types = np.where(
        cont.fillna(False).to_numpy(bool),
        np.where(strong, "continent", "island"),
        np.where(strong, "peninsula", "small_island"),
    ).astype(object)
    types[cont.isna().to_numpy()] = None
    return pd.Series(types, index=idx, name="scigeo", dtype=object)


def transitions(
    types_by_period: Mapping[str, pd.Series],
    links: Mapping[str, pd.DataFrame | None],
    min_overlap: float = 0.1,
) -> pd.DataFrame:
    """How Sci-GEO types move from one map to the next.

    Parameters
    ----------
    types_by_period : mapping of str to pandas.Series
        Period label → type per area (index = area), in chronological order.
    links : mapping of str to pandas.DataFrame
        Period label → :func:`link_areas` output linking that period to the previous one.
    min_overlap : float
        A link counts as continuation when its overlap reaches this.

    Returns
    -------
    pandas.DataFrame
        ``from_period, to_period, from_type, to_type, count, share`` where ``to_type`` may
        be ``"vanished"`` and ``share`` = count / areas of ``from_type`` in ``from_period``.
        Areas of unknown type (first map) are skipped.
    """
    labels = list(types_by_period)
    rows = []
    for prev_p, p in zip(labels[:-1], labels[1:], strict=False):
        t_prev = types_by_period[prev_p].dropna()
        t_cur = types_by_period[p]
        lk = links.get(p)
        if lk is None or t_prev.empty:
            continue
        lk = lk[lk["overlap"] >= min_overlap - 1e-12]
        main = lk.sort_values(
            ["predecessor", "shared", "overlap", "area"], ascending=[True, False, False, True]
        )
        main = main.drop_duplicates("predecessor").set_index("predecessor")["area"]
        succ = pd.Series(t_prev.index.map(main), index=t_prev.index)
        to_type = succ.map(t_cur).where(succ.notna(), "vanished").fillna("unknown")
        frame = pd.DataFrame({"from_type": t_prev.to_numpy(), "to_type": to_type.to_numpy()})
        cnt = frame.groupby(["from_type", "to_type"], as_index=False).size().rename(columns={"size": "count"})
        cnt["share"] = cnt["count"] / cnt.groupby("from_type")["count"].transform("sum")
        cnt.insert(0, "to_period", p)
        cnt.insert(0, "from_period", prev_p)
        rows.append(cnt)
    cols = ["from_period", "to_period", "from_type", "to_type", "count", "share"]
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return pd.concat(rows, ignore_index=True)[cols]


def vanish_rates(trans: pd.DataFrame) -> pd.DataFrame:
    """Share of each type's areas that vanish by the next map, pooled over period pairs.

    Parameters
    ----------
    trans : pandas.DataFrame
        :func:`transitions` output.

    Returns
    -------
    pandas.DataFrame
        ``from_type, areas, vanished, share`` (NISTEP's figure: ~60% of small islands vanish).
    """
    tot = trans.groupby("from_type")["count"].sum()
    van = trans[trans["to_type"] == "vanished"].groupby("from_type")["count"].sum()
    out = pd.DataFrame({"areas": tot, "vanished": van.reindex(tot.index, fill_value=0)})
    out["share"] = out["vanished"] / out["areas"]
    return out.reset_index()


# --------------------------------------------------------------------------- emergence
def currency(core: pd.DataFrame, window_end: int) -> pd.Series:
    """Mean core-paper year of each area minus the window's last year (≤ 0).

    Parameters
    ----------
    core : pandas.DataFrame
        ``area, year``.
    window_end : int

    Returns
    -------
    pandas.Series
        Indexed by area.
    """
    return (_assigned(core).groupby("area")["year"].mean() - window_end).rename("currency")


def citing_counts(
    core: pd.DataFrame, references: pd.DataFrame, works: pd.DataFrame, years: Sequence[int]
) -> pd.DataFrame:
    """Citing papers per area and year.

    Parameters
    ----------
    core : pandas.DataFrame
        ``work_id, area``.
    references : pandas.DataFrame
        ``citing_id, cited_id``.
    works : pandas.DataFrame
        ``work_id, year`` (the citing papers' years).
    years : sequence of int
        The years (columns); citing papers of other years are ignored.

    Returns
    -------
    pandas.DataFrame
        Areas × years of distinct citing papers that cite ≥ 1 core paper of the area; an
        extra row ``-1`` (``TOTAL``) holds the distinct citing papers of any area that year.
    """
    cur = _assigned(core)[["work_id", "area"]].drop_duplicates("work_id")
    refs = references.loc[references["cited_id"].isin(pd.Index(cur["work_id"])), ["citing_id", "cited_id"]]
    yr = works[["work_id", "year"]].dropna().drop_duplicates("work_id").set_index("work_id")["year"]
    m = refs.merge(cur, left_on="cited_id", right_on="work_id")[["citing_id", "area"]].drop_duplicates()
    m["year"] = m["citing_id"].map(yr)
    m = m[m["year"].isin(list(years))]
    cols = pd.Index(list(years), name="year")
    areas = pd.Index(np.sort(cur["area"].unique()), name="area")
    table = (
        m.groupby(["area", "year"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=areas, columns=cols, fill_value=0)
    )
    total = m.drop_duplicates("citing_id").groupby("year").size().reindex(cols, fill_value=0)
    table.loc[TOTAL] = total.to_numpy()
    return table.astype(np.int64)


def growth(counts: pd.DataFrame) -> pd.Series:
    """Least-squares slope of ``ln(1 + count)`` over the columns (years) of each row.

    Parameters
    ----------
    counts : pandas.DataFrame
        Rows = areas, columns = consecutive years (as from :func:`citing_counts`).

    Returns
    -------
    pandas.Series
        Growth per row (0 with fewer than two years).
    """
    x = np.asarray(counts.columns, dtype=float)
    y = np.log1p(counts.to_numpy(float))
    if len(x) < 2:
        return pd.Series(0.0, index=counts.index, name="growth")
    xc = x - x.mean()
    slope = (y - y.mean(axis=1, keepdims=True)) @ xc / float(xc @ xc)
    return pd.Series(slope, index=counts.index, name="growth")


def emerging(
    new: pd.Series,
    currency_values: pd.Series,
    growth_values: pd.Series,
    currency_quantile: float = 0.25,
    growth_quantile: float = 0.5,
) -> pd.Series:
    """Emerging areas: new, young (top ``currency_quantile`` of currency) and fast-growing.

    Parameters
    ----------
    new : pandas.Series
        Nullable boolean per area (``<NA>`` counts as not new).
    currency_values, growth_values : pandas.Series
        Per area (same index as ``new``); quantiles are taken over all of them.
    currency_quantile : float
        Youngest share of areas (0.25: currency ≥ the 0.75 quantile).
    growth_quantile : float
        Growth must exceed this quantile (0.5: above the median area).

    Returns
    -------
    pandas.Series
        Boolean per area.
    """
    cur = currency_values.reindex(new.index)
    gro = growth_values.reindex(new.index)
    if len(new) == 0:
        return pd.Series(dtype=bool, name="emerging")
    c_thr = float(np.nanquantile(cur.to_numpy(float), 1.0 - currency_quantile))
    g_thr = float(np.nanquantile(gro.to_numpy(float), growth_quantile))
    flag = (
        new.fillna(False).to_numpy(bool)
        & (cur.to_numpy(float) >= c_thr - 1e-12)
        & (gro.to_numpy(float) > g_thr + 1e-12)
    )
    return pd.Series(flag, index=new.index, name="emerging")


def _binom_logpmf(r: np.ndarray, d: np.ndarray, p: float) -> np.ndarray:
    # scipy.stats.binom.logpmf without its per-call overhead (called once per area)
    return gammaln(d + 1) - gammaln(r + 1) - gammaln(d - r + 1) + xlogy(r, p) + xlog1py(d - r, -p)


def _poisson_logpmf(r: np.ndarray, lam: float) -> np.ndarray:
    return xlogy(r, lam) - lam - gammaln(r + 1)


def kleinberg_bursts(
    counts: Sequence[int],
    totals: Sequence[int] | None = None,
    s: float = 2.0,
    gamma: float = 1.0,
) -> list[tuple[int, int, float]]:
    """Kleinberg's two-state burst automaton on batched counts.

    With ``totals`` (Kleinberg 2003, §4 "enumerating" model for batched arrivals): batch
    *t* has ``totals[t]`` documents of which ``counts[t]`` are relevant; the base state
    emits relevant documents with probability ``p0 = Σcounts/Σtotals``, the burst state
    with ``p1 = min(s·p0, 0.9999)``; the cost of a state is ``-ln Binomial(counts[t];
    totals[t], p)``. Without ``totals`` the costs are ``-ln Poisson(counts[t]; λ)`` with
    ``λ0 = mean(counts)``, ``λ1 = s·λ0``. Entering the burst state costs ``gamma·ln(n)``
    (*n* batches), leaving it is free; the minimum-cost state sequence (Viterbi, starting
    in the base state) gives the bursts.

    Parameters
    ----------
    counts : sequence of int
        Relevant documents per batch (e.g. citing papers of an area per year).
    totals : sequence of int, optional
        All documents per batch (e.g. citing papers of the whole map per year).
    s : float
        Rate ratio of the burst state (> 1; config ``emergence.burst_s``).
    gamma : float
        Transition cost factor (config ``emergence.burst_gamma``).

    Returns
    -------
    list of (start, end, strength)
        Batch indices (inclusive) of each maximal run in the burst state, and its weight
        ``Σ_t (cost_0(t) - cost_1(t))`` over the run; empty when there is none.
    """
    r = np.asarray(counts, dtype=float)
    n = len(r)
    if s <= 1:
        raise ValueError(f"kleinberg_bursts: s={s} must be > 1")
    if n == 0 or r.sum() <= 0:
        return []
    if np.any(r < 0):
        raise ValueError("kleinberg_bursts: negative counts")
    if totals is not None:
        d = np.asarray(totals, dtype=float)
        if len(d) != n:
            raise ValueError(f"kleinberg_bursts: {n} counts but {len(d)} totals")
        if np.any(r > d):
            raise ValueError("kleinberg_bursts: a count exceeds its batch total")
        p0 = r.sum() / d.sum()
        p1 = min(s * p0, 0.9999)
        if p1 <= p0:
            return []
        cost = np.vstack([-_binom_logpmf(r, d, p0), -_binom_logpmf(r, d, p1)])
    else:
        lam0 = r.mean()
        cost = np.vstack([-_poisson_logpmf(r, lam0), -_poisson_logpmf(r, s * lam0)])
    tau = gamma * math.log(n) if n > 1 else 0.0
    # Viterbi over 2 states; trans[i, j] = cost of moving from i to j
    trans = np.array([[0.0, tau], [0.0, 0.0]])
    acc = cost[:, 0] + trans[0]
    back = np.zeros((n, 2), dtype=np.int64)
    for t in range(1, n):
        cand = acc[:, None] + trans  # from i (rows) to j (cols)
        back[t] = np.argmin(cand, axis=0)
        acc = cand[back[t], [0, 1]] + cost[:, t]
    q = np.zeros(n, dtype=np.int64)
    q[-1] = int(np.argmin(acc))
    for t in range(n - 1, 0, -1):
        q[t - 1] = back[t, q[t]]
    out = []
    t = 0
    while t < n:
        if q[t] == 1:
            start = t
            while t + 1 < n and q[t + 1] == 1:
                t += 1
            out.append((start, t, float((cost[0, start : t + 1] - cost[1, start : t + 1]).sum())))
        t += 1
    return out


# --------------------------------------------------------------------------- pipeline entry
def _section(cfg: Mapping[str, Any] | None, name: str, defaults: dict[str, Any]) -> dict[str, Any]:
    out = dict(defaults)
    if cfg and name in cfg and cfg[name]:
        out.update(cfg[name])
    return out


def _encode_ids(
    works: pd.DataFrame,
    references: pd.DataFrame,
    cores: Mapping[str, pd.DataFrame],
    cocits: Mapping[str, pd.DataFrame],
    periods: Sequence[str],
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Replace every work id by an int64 code (one hashing pass; later joins are on integers)."""
    refs = references.loc[references["cited_id"].notna(), ["citing_id", "cited_id"]]
    cols: list[tuple[str, str, str]] = [
        ("works", "", "work_id"),
        ("refs", "", "citing_id"),
        ("refs", "", "cited_id"),
    ]
    arrays = [
        works["work_id"].to_numpy(),
        refs["citing_id"].to_numpy(),
        refs["cited_id"].to_numpy(),
    ]
    for p in periods:
        cols.append(("core", p, "work_id"))
        arrays.append(cores[p]["work_id"].to_numpy())
        for c in ("a", "b"):
            cols.append(("cocit", p, c))
            arrays.append(cocits[p][c].to_numpy())
    codes, _ = pd.factorize(np.concatenate(arrays) if arrays else np.array([], dtype=object))
    bounds = np.cumsum([0] + [len(a) for a in arrays])
    w = works.copy()
    r = refs.copy()
    new_cores = {p: cores[p].copy() for p in periods}
    new_cocits = {p: cocits[p].copy() for p in periods}
    for (kind, p, col), lo, hi in zip(cols, bounds[:-1], bounds[1:], strict=True):
        target = (
            {"works": w, "refs": r}.get(kind)
            if kind in ("works", "refs")
            else (new_cores[p] if kind == "core" else new_cocits[p])
        )
        target[col] = codes[lo:hi].astype(np.int64)
    return w, r, new_cores, new_cocits


def evolve(
    periods: Sequence[str],
    cores: Mapping[str, pd.DataFrame],
    cocits: Mapping[str, pd.DataFrame],
    areas: Mapping[str, pd.DataFrame],
    works: pd.DataFrame,
    references: pd.DataFrame,
    cfg: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Add interdisciplinarity, continuity, Sci-GEO, emergence and bursts to every period's areas.

    Parameters
    ----------
    periods : sequence of str
        Period labels ``"YYYY-YYYY"`` in chronological order.
    cores, cocits, areas : mapping of str to pandas.DataFrame
        Per period: core papers (``work_id, year, fields, area``), co-citation edges
        (``a, b, count, strength``) and areas (``area, ...``).
    works : pandas.DataFrame
        ``work_id, year, fields``.
    references : pandas.DataFrame
        ``citing_id, cited_id``.
    cfg : mapping, optional
        The validated configuration (sections ``interdisciplinarity``, ``continuity``,
        ``emergence``; defaults as in ``config/config.yaml``).

    Returns
    -------
    dict
        One updated areas frame per period label (added columns ``rao_stirling, shannon,
        effective_fields, dominant_field, dominant_share, n_fields, interdisciplinary,
        interdisciplinary_rule, predecessors, continuous, link_strength, scigeo, currency,
        growth, emerging, burst_start, burst_end, burst_strength``), plus
        ``"transitions"`` (:func:`transitions`), ``"vanish_rates"`` (:func:`vanish_rates`)
        and ``"links"`` (all :func:`link_areas` rows with a ``period`` column); the same
        areas frames are also under ``"areas"`` (a dict period → frame).
    """
    icfg = _section(cfg, "interdisciplinarity", {"quantile": 0.75, "max_dominant_share": 0.5})
    ccfg = _section(cfg, "continuity", {"min_overlap": 0.1, "strong_link": "median"})
    ecfg = _section(
        cfg,
        "emergence",
        {"currency_quantile": 0.25, "growth_quantile": 0.5, "burst_s": 2.0, "burst_gamma": 1.0},
    )
    strong = ccfg["strong_link"]
    area_source = ccfg.get("area_links", "citing")
    if area_source not in ("citing", "pairs"):
        raise ValueError(f"continuity.area_links={area_source!r}: expected 'citing' or 'pairs'")
    if (cfg or {}).get("core", {}).get("mode", "database") == "references":
        area_source = "pairs"  # core ids are cited keys: the citing links are the co-citation pairs
    citing_years = (cfg or {}).get("cocitation", {}).get("citing_years", "period")
    lay = (cfg or {}).get("layout", {})
    if isinstance(strong, str) and strong != "median":
        strong = float(strong)
    for label in periods:
        for frame, what, cols in (
            (cores.get(label), "core", ("work_id", "year", "area")),
            (cocits.get(label), "cocitation", ("a", "b", "count", "strength")),
            (areas.get(label), "areas", ("area",)),
        ):
            if frame is None:
                raise ValueError(f"period {label}: no {what} table")
            missing = [c for c in cols if c not in frame.columns]
            if missing:
                raise ValueError(f"period {label}, {what}: missing column(s) {', '.join(missing)}")
    for frame, what, cols in (
        (works, "works", ("work_id", "year")),
        (references, "references", ("citing_id", "cited_id")),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")
    works, references, cores, cocits = _encode_ids(works, references, cores, cocits, periods)
    dist = field_distances(works, references)
    out: dict[str, Any] = {}
    types: dict[str, pd.Series] = {}
    links_by: dict[str, pd.DataFrame | None] = {}
    prev_label: str | None = None
    for label in periods:
        period = Period.parse(label)
        core = cores[label]
        base = areas[label].copy()
        idx = pd.Index(base["area"], name="area")
        div = flag_interdisciplinary(area_diversity(core, dist), icfg["quantile"], icfg["max_dominant_share"])
        div = div.set_index("area").reindex(idx)
        has_prev = prev_label is not None and bool((cores[prev_label]["area"] >= 0).any())
        # no previous map (first period, or an empty one): continuity is unknown
        links = link_areas(cores[prev_label], core, references) if has_prev else None
        links_by[label] = links
        if area_source == "citing":
            graph = area_citing_links(core, references, citing_works(works, period, citing_years))
        else:
            graph = area_links(core, cocits[label])
        cont = continuity(idx, links, ccfg["min_overlap"])
        geo = scigeo(base, links, graph, ccfg["min_overlap"], strong)
        types[label] = geo
        years = list(range(period.start, period.end + 1))
        counts = citing_counts(core, references, works, years)
        totals = counts.loc[TOTAL].to_numpy()
        per_area = counts.drop(index=TOTAL).reindex(idx, fill_value=0)
        cur = currency(core, period.end).reindex(idx)
        gro = growth(per_area)
        new = ~cont
        emg = emerging(new, cur, gro, ecfg["currency_quantile"], ecfg["growth_quantile"])
        b_start, b_end, b_str = [], [], []
        for row in per_area.to_numpy():  # loops over areas: small
            bursts = kleinberg_bursts(row, totals, ecfg["burst_s"], ecfg["burst_gamma"])
            if bursts:
                st, en, w = max(bursts, key=lambda b: (b[2], -b[0]))
                b_start.append(years[st])
                b_end.append(years[en])
                b_str.append(w)
            else:
                b_start.append(pd.NA)
                b_end.append(pd.NA)
                b_str.append(0.0)
        res = base
        for col in (
            "rao_stirling",
            "shannon",
            "effective_fields",
            "dominant_field",
            "dominant_share",
            "n_fields",
            "interdisciplinary",
            "interdisciplinary_rule",
        ):
            res[col] = div[col].to_numpy()
        res["interdisciplinary"] = res["interdisciplinary"].fillna(False).astype(bool)
        res["interdisciplinary_rule"] = res["interdisciplinary_rule"].fillna("")
        res["predecessors"] = predecessors_column(idx, links).to_numpy()
        res["continuous"] = cont.to_numpy()
        res["link_strength"] = link_strength(idx, graph).to_numpy()
        if area_source == "citing" and {"x", "y"} <= set(res.columns):
            # the map drawn from the same links as the link strength
            from wpimap.layout import layout_areas

            xy = layout_areas(graph, idx.to_numpy(), int(lay.get("seed", 42)), int(lay.get("iterations", 500)))
            xy = xy.set_index("area").reindex(idx)
            res["x"], res["y"] = xy["x"].to_numpy(), xy["y"].to_numpy()
        res["scigeo"] = geo.to_numpy()
        res["currency"] = cur.to_numpy()
        res["growth"] = gro.to_numpy()
        res["emerging"] = emg.to_numpy(bool)
        res["burst_start"] = pd.array(b_start, dtype="Int64")
        res["burst_end"] = pd.array(b_end, dtype="Int64")
        res["burst_strength"] = np.asarray(b_str, dtype=float)
        out[label] = res
        prev_label = label
    trans = transitions(types, links_by, ccfg["min_overlap"])
    out["transitions"] = trans
    out["vanish_rates"] = (
        vanish_rates(trans)
        if len(trans)
        else pd.DataFrame(columns=["from_type", "areas", "vanished", "share"])
    )
    all_links = [lk.assign(period=p) for p, lk in links_by.items() if lk is not None and len(lk)]
    out["links"] = (
        pd.concat(all_links, ignore_index=True)
        if all_links
        else pd.DataFrame(columns=["area", "predecessor", "overlap", "shared", "link_type", "period"])
    )
    out["areas"] = {label: out[label] for label in periods}
    return out
