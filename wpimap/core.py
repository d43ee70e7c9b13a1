"""Highly cited papers: NISTEP-corrected Top X% weights and the core papers of a period.

The rule (NISTEP's corrected Top X%, "補正 Top X%"), implemented as weights per paper
so that whole counting, fractional counting and any grouping use the same numbers:

1. *Eligible papers*: document type in ``doc_types`` (compared in lower case), a known
   publication year and at least one field. A paper with ``n`` distinct fields takes
   part in each of its fields' (year × field) cells with the share ``1/n``.
2. *Cell size* ``S`` = Σ of the shares of the cell's papers; the target is
   ``T = X/100 · S``.
3. Rank the cell's papers by citations, descending. The *threshold* ``c*`` is the
   citation count of the first paper at which the running sum of shares reaches ``T``
   (with equal shares: the paper at rank ``ceil(X% · S)``).
4. The cell's *Top papers* are all papers with ``citations >= c*`` (ties at the
   threshold are all kept) and ``citations > 0`` (an uncited paper is never Top).
   With ``A`` = Σ of their shares, each gets the weight ``share · min(1, T / A)``.
   When ``c* > 0`` then ``A >= T`` and the cell's Top weights sum to exactly ``T``
   (X% of the cell's weighted size): e.g. 100 papers, 7 at or above the Top10% line
   → each counts 10/7. When ``c* = 0`` (fewer cited papers than X% of the cell, e.g.
   all uncited) the cited papers are all Top with their unscaled share and the cell
   sums to ``A < T`` (0 when nothing in the cell is cited): the correction never
   inflates a paper above its share.
5. A paper's weight is the sum of its weights over its cells (at most 1).

:func:`select_core` takes the Top ``top_percent`` papers of each year of a period (the
core of the science map, ``results/periods/{period}/core.parquet``);
:func:`select_core_references` is the core of a topical export whose records are the
citing papers (``core.mode: references``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import reduce

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wpimap.periods import Period, first_occurrence, hash_codes, positions, string_array, unique_sorted

DEFAULT_DOC_TYPES = ("article", "review")

# Integer share units are exact in float64 while the sums stay below 2**53.
_EXACT_LIMIT = 2.0**52


def _list_array(values: pd.Series) -> pa.ListArray:
    """Return a list-of-strings column as one pyarrow ListArray (null lists allowed)."""
    try:
        arr = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array([None if v is None else list(v) for v in values], type=pa.list_(pa.string()))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_null(arr.type):
        arr = pa.array([None] * len(arr), type=pa.list_(pa.string()))
    if not (pa.types.is_list(arr.type) or pa.types.is_large_list(arr.type)):
        raise ValueError(f"works.fields must hold lists of field names, got {arr.type}")
    return arr


def doc_type_mask(doc_type: pd.Series, doc_types: Iterable[str]) -> np.ndarray:
    """Return which rows have a document type in ``doc_types`` (case-insensitive).

    Parameters
    ----------
    doc_type : pandas.Series of str
        ``works.doc_type``.
    doc_types : iterable of str
        The allowed types.

    Returns
    -------
    numpy.ndarray of bool
    """
    allowed = {str(t).strip().lower() for t in doc_types}
    enc = hash_codes(doc_type)
    if enc is not None:
        codes, first = enc
        uniques = string_array(doc_type).take(pa.array(first)).to_pylist()
    else:
        codes, uniques = pd.factorize(doc_type)
    ok = np.array([str(u).strip().lower() in allowed for u in uniques], dtype=bool)
    return np.append(ok, False)[codes]  # code -1 (null) -> the appended False


def string_codes(values: pd.Series | pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Dictionary-encode strings with pyarrow (hashing, no Python objects per row).

    Parameters
    ----------
    values : pandas.Series or pyarrow array of str
        The strings (nulls allowed).

    Returns
    -------
    codes : numpy.ndarray of int64
        Position of each value in ``names``; -1 for null.
    names : numpy.ndarray of object
        The distinct values, sorted (so codes are deterministic).
    """
    enc = hash_codes(values)
    if enc is not None:  # exact vectorized hashing (the usual case)
        raw, first = enc
        names = np.asarray(string_array(values).take(pa.array(first)).to_pylist(), dtype=object)
        codes = raw
    else:
        arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values, from_pandas=True)
        if isinstance(arr, pa.ChunkedArray):
            if pa.types.is_string(arr.type):
                arr = arr.cast(pa.large_string())
            arr = arr.combine_chunks()
        if pa.types.is_null(arr.type):
            return np.full(len(arr), -1, dtype=np.int64), np.array([], dtype=object)
        enc = pc.dictionary_encode(arr)
        names = np.asarray(enc.dictionary.to_pylist(), dtype=object)
        codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    order = np.argsort(names.astype(str), kind="stable")
    rank = np.empty(len(order) + 1, dtype=np.int64)
    rank[order] = np.arange(len(order))
    rank[-1] = -1
    return rank[codes], names[order]


class TopCells:
    """The (year × field) cells of the eligible papers, prepared once.

    Citation counts and percents change per period and indicator; the exploded fields,
    the cells and the shares do not, so they are computed here once and
    :meth:`weights` / :meth:`rows` evaluate the corrected Top X% rule of the module
    docstring for any citation counts.

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id``, ``doc_type``, ``fields`` and the ``cell`` columns).
    doc_types : iterable of str
        Eligible document types (lower-case comparison).
    cell : sequence of str
        Columns defining a cell; ``"field"`` stands for each of the paper's fields
        (share ``1/n``); other names are columns of ``works`` (null → not eligible).
    """

    def __init__(
        self,
        works: pd.DataFrame,
        doc_types: Iterable[str] = DEFAULT_DOC_TYPES,
        cell: Sequence[str] = ("year", "field"),
    ) -> None:
        n = len(works)
        self.n_works = n
        self.cell_columns = tuple(cell)
        ok = doc_type_mask(works["doc_type"], doc_types)
        codes = np.zeros(n, dtype=np.int64)
        for col in self.cell_columns:
            if col == "field":
                continue
            c, u = pd.factorize(works[col], sort=True)
            ok &= c >= 0
            codes = codes * max(len(u), 1) + np.maximum(c, 0)  # mixed radix over cell columns
        if "field" in self.cell_columns:
            lists = _list_array(works["fields"])
            flat = pc.list_flatten(lists)
            parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
            fcode, funiq = string_codes(flat)
            keep = fcode >= 0
            parent, fcode = parent[keep], fcode[keep]
            # distinct fields per paper, first occurrence kept (list order preserved)
            nf = max(len(funiq), 1)
            first = first_occurrence(parent * nf + fcode)
            parent, fcode = parent[first], fcode[first]
            self.field_names = np.asarray(funiq, dtype=object)
        else:
            parent = np.arange(n, dtype=np.int64)
            fcode = np.zeros(n, dtype=np.int64)
            nf = 1
            self.field_names = np.array([None], dtype=object)
        n_fields = np.bincount(parent, minlength=n)
        ok &= n_fields > 0
        sel = ok[parent]
        self.parent = parent[sel]
        self.field = fcode[sel]
        self.eligible = ok
        self.n_fields = n_fields
        self.cell = codes[self.parent] * nf + self.field
        nrow = n_fields[self.parent]
        uniq_n = unique_sorted(nrow)
        lcm = reduce(math.lcm, (int(v) for v in uniq_n), 1)
        if lcm * max(len(self.parent), 1) < _EXACT_LIMIT:
            self.units = (lcm // nrow).astype(np.float64)  # exact integer shares
            self.unit = float(lcm)
        else:  # pathological numbers of fields: float shares
            self.units = 1.0 / nrow
            self.unit = 1.0
        self.share = 1.0 / nrow

    def _evaluate(
        self, citations: np.ndarray, percent: float, mask: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (row index, row weight, cell size, threshold, citations) per kept row."""
        if not 0 < percent <= 100:
            raise ValueError(f"top percent must be in (0, 100], got {percent}")
        rows = np.arange(len(self.parent))
        if mask is not None:
            rows = rows[np.asarray(mask, dtype=bool)[self.parent]]
        if len(rows) == 0:
            e = np.empty(0)
            return rows, e, e, e, e.astype(np.int64)
        cit = citations[self.parent[rows]]
        cell = self.cell[rows]
        units = self.units[rows]
        cmax = int(cit.max()) + 1
        order = np.argsort(cell * cmax + (cmax - 1 - cit), kind="stable")
        cell_s, cit_s, units_s = cell[order], cit[order], units[order]
        starts = np.flatnonzero(np.r_[True, cell_s[1:] != cell_s[:-1]])
        gid = np.cumsum(np.r_[False, cell_s[1:] != cell_s[:-1]])
        cum = np.cumsum(units_s)
        before = np.r_[0.0, cum][starts]
        cum_in = cum - before[gid]
        size = np.add.reduceat(units_s, starts)
        target = percent * size / 100.0
        reached = cum_in >= target[gid] * (1.0 - 1e-12) - 1e-12
        ends = np.r_[starts[1:], len(cum_in)] - 1
        cand = np.where(reached, np.arange(len(cum_in)), len(cum_in))
        first_reached = np.minimum(np.minimum.reduceat(cand, starts), ends)
        thresh = cit_s[first_reached]
        top = (cit_s >= thresh[gid]) & (cit_s > 0)
        a = np.bincount(gid, weights=np.where(top, units_s, 0.0), minlength=len(starts))
        scale = np.minimum(1.0, np.divide(target, a, out=np.ones_like(target), where=a > 0))
        w_s = np.where(top, (units_s / self.unit) * scale[gid], 0.0)
        weight = np.empty_like(w_s)
        weight[order] = w_s
        size_row = np.empty_like(w_s)
        size_row[order] = size[gid] / self.unit
        thr_row = np.empty(len(rows), dtype=np.int64)
        thr_row[order] = thresh[gid]
        return rows, weight, size_row, thr_row, cit

    def weights(self, citations: np.ndarray, percent: float, mask: np.ndarray | None = None) -> np.ndarray:
        """Return each work's corrected Top ``percent`` weight (summed over its cells).

        Parameters
        ----------
        citations : numpy.ndarray
            Citation counts aligned with the works' rows.
        percent : float
            X of Top X%, in (0, 100].
        mask : numpy.ndarray of bool, optional
            Only these works take part (e.g. the years of a period).

        Returns
        -------
        numpy.ndarray of float64
            One weight per work (0 for non-Top and ineligible works).
        """
        cit = np.asarray(citations, dtype=np.int64)
        rows, w, _, _, _ = self._evaluate(cit, percent, mask)
        return np.bincount(self.parent[rows], weights=w, minlength=self.n_works)

    def rows(self, citations: np.ndarray, percent: float, mask: np.ndarray | None = None) -> pd.DataFrame:
        """Return one row per (eligible work, cell) with the evaluated rule.

        Parameters
        ----------
        citations : numpy.ndarray
            Citation counts aligned with the works' rows.
        percent : float
            X of Top X%.
        mask : numpy.ndarray of bool, optional
            Only these works take part.

        Returns
        -------
        pandas.DataFrame
            Columns ``pos`` (row of the work in ``works``), ``field``, ``cell`` (int
            code), ``share`` (1/n), ``citations``, ``cell_size`` (Σ shares),
            ``threshold`` (c*), ``weight`` (0 unless Top).
        """
        cit = np.asarray(citations, dtype=np.int64)
        rows, w, size, thr, c = self._evaluate(cit, percent, mask)
        return pd.DataFrame(
            {
                "pos": self.parent[rows],
                "field": self.field_names[self.field[rows]],
                "cell": self.cell[rows],
                "share": self.share[rows],
                "citations": c,
                "cell_size": size,
                "threshold": thr,
                "weight": w,
            }
        )


def _citation_array(works: pd.DataFrame, citations: pd.Series | np.ndarray) -> np.ndarray:
    """Align citation counts with the rows of ``works`` (missing works count 0)."""
    if isinstance(citations, pd.Series):
        if citations.index.equals(pd.Index(works["work_id"])):
            vals = citations.to_numpy()
        else:
            pos = positions(works["work_id"], pd.Series(citations.index, dtype=object))
            src = pd.to_numeric(citations, errors="coerce").fillna(0).to_numpy()
            vals = np.where(pos >= 0, src[np.maximum(pos, 0)], 0)
    else:
        vals = np.asarray(citations)
        if len(vals) != len(works):
            raise ValueError(f"citations: {len(vals)} counts for {len(works)} works")
    vals = np.nan_to_num(np.asarray(vals, dtype=np.float64), nan=0.0)
    if (vals < 0).any():
        raise ValueError("citations: negative citation counts")
    return vals.astype(np.int64)


def top_weights(
    works: pd.DataFrame,
    citations: pd.Series | np.ndarray,
    percent: float,
    doc_types: Iterable[str] = DEFAULT_DOC_TYPES,
    cell: Sequence[str] = ("year", "field"),
    per_cell: bool = False,
) -> pd.DataFrame:
    """Return the NISTEP-corrected Top ``percent`` % papers as weights.

    See the module docstring for the rule: cells (year × field), shares ``1/n`` for a
    paper with ``n`` fields, cell size = Σ shares, threshold = citations of the paper
    where the running share reaches X% of the cell size, all ties at the threshold kept,
    weights scaled so each cell holds exactly X% of its size; an uncited paper is never
    Top, so a cell whose threshold is 0 holds only its cited papers, unscaled (Σ < X%,
    0 when all are uncited).

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id``, ``year``, ``doc_type``, ``fields``).
    citations : pandas.Series or numpy.ndarray
        Citation counts: a Series indexed by ``work_id`` (missing works count 0) or an
        array aligned with ``works``.
    percent : float
        X of Top X%, in (0, 100].
    doc_types : iterable of str
        Eligible document types (lower-case comparison).
    cell : sequence of str
        Cell columns; ``"field"`` means each of the paper's fields.
    per_cell : bool
        Return one row per (eligible work, cell) instead of one per Top work.

    Returns
    -------
    pandas.DataFrame
        Default: the Top works (weight > 0) in the order of ``works``, columns
        ``work_id``, ``year``, ``field`` (the first of the paper's fields in which it is
        Top), ``weight`` (total over its cells). With ``per_cell``: ``work_id``,
        ``year``, ``field``, ``share``, ``citations``, ``cell_size``, ``threshold``,
        ``weight`` for every eligible (work, cell), also non-Top ones (weight 0).
    """
    cells = TopCells(works, doc_types, cell)
    cit = _citation_array(works, citations)
    years = works["year"].to_numpy() if "year" in works.columns else np.full(len(works), None)
    if per_cell:
        rows = cells.rows(cit, percent)
        ids = works["work_id"].to_numpy()
        out = rows.assign(work_id=ids[rows["pos"].to_numpy()], year=years[rows["pos"].to_numpy()])
        return out[
            ["work_id", "year", "field", "share", "citations", "cell_size", "threshold", "weight"]
        ].reset_index(drop=True)
    idx, w, _, _, _ = cells._evaluate(cit, percent, None)
    top = w > 0
    pos, field, w = cells.parent[idx[top]], cells.field[idx[top]], w[top]
    total = np.bincount(pos, weights=w, minlength=len(works))
    # rows are in (work, field-list) order: the first row of a work is its first Top field
    first = ~pd.Series(pos).duplicated().to_numpy()
    upos = pos[first]
    return pd.DataFrame(
        {
            "work_id": works["work_id"].iloc[upos].to_numpy(),  # only the Top works' ids
            "year": years[upos],
            "field": cells.field_names[field[first]],
            "weight": total[upos],
        }
    )


def select_core(
    works: pd.DataFrame,
    citations: pd.Series | np.ndarray,
    period: Period | str,
    top_percent: float = 1.0,
    doc_types: Iterable[str] = DEFAULT_DOC_TYPES,
) -> pd.DataFrame:
    """Return the core papers of a period: the corrected Top ``top_percent`` % per (year × field).

    Each year of the period is ranked separately (cells are single years); the
    citations should be counted up to the period end
    (:func:`wpimap.periods.citation_counts`).

    Parameters
    ----------
    works : pandas.DataFrame
        Works table.
    citations : pandas.Series or numpy.ndarray
        Citation counts (Series indexed by ``work_id`` or array aligned with ``works``).
    period : Period or str
        The period.
    top_percent : float
        X of Top X% (``core.top_percent``).
    doc_types : iterable of str
        Eligible document types (``core.doc_types``).

    Returns
    -------
    pandas.DataFrame
        ``work_id``, ``year``, ``field`` (first field in which the paper is Top),
        ``fields`` (all its fields), ``citations``, ``weight`` (> 0); one row per work,
        sorted by ``work_id``. The clustering stage adds ``front`` and ``area``.
    """
    if isinstance(period, str):
        period = Period.parse(period)
    cit = _citation_array(works, citations)
    year = pd.to_numeric(works["year"], errors="coerce")
    inside = ((year >= period.start) & (year <= period.end)).fillna(False).to_numpy(dtype=bool)
    cells = TopCells(works, doc_types, ("year", "field"))
    rows = cells.rows(cit, top_percent, mask=inside)
    top = rows[rows["weight"] > 0]
    pos = top["pos"].to_numpy()
    total = np.bincount(pos, weights=top["weight"].to_numpy(), minlength=len(works))
    first = ~top["pos"].duplicated().to_numpy()
    upos = pos[first]
    out = pd.DataFrame(
        {
            "work_id": works["work_id"].to_numpy()[upos],
            "year": year.to_numpy()[upos],
            "field": top["field"].to_numpy()[first],
            "fields": works["fields"].to_numpy()[upos],
            "citations": cit[upos],
            "weight": total[upos],
        }
    )
    out["year"] = out["year"].astype("Int32")
    return out.sort_values("work_id", kind="stable").reset_index(drop=True)


def _key_year(keys: pd.Series) -> pd.Series:
    """Year parsed from a cited-reference key ``AUTHOR|YEAR|...`` (null when absent)."""
    part = keys.astype("string").str.split("|", n=2, regex=False).str[1]
    year = part.where(part.str.fullmatch(r"\d{4}", na=False))
    return pd.to_numeric(year, errors="coerce").astype("Int32")


def select_core_references(references: pd.DataFrame, top_n: int, min_citations: int) -> pd.DataFrame:
    """Return the core of a topical export: its most-cited references (``core.mode: references``).

    Every ``cited_key`` (resolved or not) is ranked by the number of distinct citing
    records; keys cited fewer than ``min_citations`` times are dropped; the ``top_n``
    most cited are kept, and every key tied with the ``top_n``-th is kept too.

    Parameters
    ----------
    references : pandas.DataFrame
        References table (``citing_id``, ``cited_key``, ``cited_id``).
    top_n : int
        Number of references taken (``core.references_top``).
    min_citations : int
        Minimum citations (``core.references_min_citations``).

    Returns
    -------
    pandas.DataFrame
        ``work_id`` (``cited_id`` when resolved, else the ``cited_key``), ``cited_key``,
        ``citations``, ``year`` (parsed from an ``AUTHOR|YEAR|...`` key, else null),
        ``field`` (null), ``fields`` (null), ``weight`` (1.0); sorted by ``work_id``.
    """
    if top_n < 1:
        raise ValueError(f"select_core_references: top_n must be >= 1, got {top_n}")
    refs = references[references["cited_key"].notna()]
    pairs = refs.drop_duplicates(["citing_id", "cited_key"])
    counts = pairs.groupby("cited_key", sort=True).size().rename("citations")
    counts = counts[counts >= min_citations]
    cols = ["work_id", "cited_key", "citations", "year", "field", "fields", "weight"]
    if counts.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    ranked = counts.sort_values(ascending=False, kind="stable")
    cut = ranked.iloc[min(top_n, len(ranked)) - 1]
    kept = counts[counts >= cut]
    resolved = refs.loc[refs["cited_id"].notna(), ["cited_key", "cited_id"]].drop_duplicates("cited_key")
    ids = resolved.set_index("cited_key")["cited_id"].reindex(kept.index)
    keys = pd.Series(kept.index, index=kept.index)
    out = pd.DataFrame(
        {
            "work_id": ids.fillna(keys).astype(object).to_numpy(),
            "cited_key": kept.index.to_numpy(dtype=object),
            "citations": kept.to_numpy(dtype=np.int64),
            "year": _key_year(keys).to_numpy(),
            "field": pd.Series([None] * len(kept), dtype=object).to_numpy(),
            "fields": pd.Series([None] * len(kept), dtype=object).to_numpy(),
            "weight": np.ones(len(kept)),
        }
    )
    out["year"] = out["year"].astype("Int32")
    return out.sort_values(["work_id", "cited_key"], kind="stable").reset_index(drop=True)
