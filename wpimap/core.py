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
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wpimap.periods import (
    DEFAULT_CHUNK_ROWS,
    Period,
    first_occurrence,
    hash_codes,
    positions,
    string_array,
    unique_sorted,
)

DEFAULT_DOC_TYPES = ("article", "review")

# Integer share units are exact in float64 while the sums stay below 2**53.
_EXACT_LIMIT = 2.0**52
# The (cell, citations) histogram is a dense array up to max(chunk_rows, this) entries.
_DENSE_LIMIT = 1 << 20


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


def _compact(values: np.ndarray) -> np.ndarray:
    """Return integer ``values`` in the smallest signed dtype that holds them."""
    if len(values) == 0:
        return values.astype(np.int8)
    lo, hi = int(values.min()), int(values.max())
    for dt in (np.int8, np.int16, np.int32):
        info = np.iinfo(dt)
        if info.min <= lo and hi <= info.max:
            return values.astype(dt)
    return values.astype(np.int64)


def _remap(local_names: np.ndarray, names: pd.Index) -> np.ndarray:
    """Codes of ``local_names`` among ``names`` (with a trailing -1 for the null code -1)."""
    return np.append(names.get_indexer(pd.Index(local_names, dtype=object)), -1).astype(np.int64)


def _cell_thresholds(
    cell: np.ndarray, cit: np.ndarray, units: np.ndarray, percent: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Top X% line of each cell from rows grouped by cell, most cited first within a cell.

    Returns the cells (in row order), the threshold citation count c* (the count at which
    the running sum of units reaches X% of the cell), the NISTEP scale (X% of the cell over
    the units at or above c*, at most 1) and the cell size in units.
    """
    new = np.r_[True, cell[1:] != cell[:-1]]
    starts = np.flatnonzero(new)
    gid = np.cumsum(new) - 1
    cum = np.cumsum(units)
    cum_in = cum - np.r_[0.0, cum][starts][gid]
    size = np.add.reduceat(units, starts)
    target = percent * size / 100.0
    reached = cum_in >= target[gid] * (1.0 - 1e-12) - 1e-12
    ends = np.r_[starts[1:], len(cum_in)] - 1
    cand = np.where(reached, np.arange(len(cum_in)), len(cum_in))
    first_reached = np.minimum(np.minimum.reduceat(cand, starts), ends)
    thresh = cit[first_reached]
    top = (cit >= thresh[gid]) & (cit > 0)
    a = np.bincount(gid, weights=np.where(top, units, 0.0), minlength=len(starts))
    scale = np.minimum(1.0, np.divide(target, a, out=np.ones_like(target), where=a > 0))
    return cell[starts], thresh, scale, size


class _Table:
    """The evaluated rule per (year × field) cell: sorted cell codes, c*, scale, size."""

    def __init__(self, cells: np.ndarray, thresh: np.ndarray, scale: np.ndarray, size: np.ndarray) -> None:
        self.cells, self.thresh, self.scale, self.size = cells, thresh, scale, size


class TopCells:
    """The (year × field) cells of the eligible papers, prepared once, in compact form.

    Citation counts and percents change per period and indicator; the eligible papers,
    their distinct fields, cells and shares do not, so they are computed here once and
    :meth:`weights` / :meth:`rows` evaluate the corrected Top X% rule of the module
    docstring for any citation counts.

    Memory is bounded by chunks: the works are read ``chunk_rows`` at a time and kept as
    a few small integers per paper (cell code, number of fields, field codes). A rule is
    evaluated in two passes over the chunks: the first sums the shares per (cell,
    citation count), a table whose size depends on the distinct citation counts, not on
    the number of papers, from which each cell's threshold ``c*`` and scale follow; the
    second gives each chunk's rows their weights. With integer share units (exact
    sums, the usual case) the results equal a global sort bit for bit; with
    pathological numbers of fields (float shares) the cells are evaluated by the
    global sort, as before, with memory proportional to the papers.

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id``, ``doc_type``, ``fields`` and the ``cell`` columns).
    doc_types : iterable of str
        Eligible document types (lower-case comparison).
    cell : sequence of str
        Columns defining a cell; ``"field"`` stands for each of the paper's fields
        (share ``1/n``); other names are columns of ``works`` (null → not eligible).
    chunk_rows : int
        Works per chunk.
    """

    def __init__(
        self,
        works: pd.DataFrame,
        doc_types: Iterable[str] = DEFAULT_DOC_TYPES,
        cell: Sequence[str] = ("year", "field"),
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
    ) -> None:
        n = len(works)
        self.n_works = n
        self.cell_columns = tuple(cell)
        self.chunk_rows = max(int(chunk_rows), 1)
        cols = [c for c in self.cell_columns if c != "field"]
        has_field = "field" in self.cell_columns
        self.bounds = [(a, min(a + self.chunk_rows, n)) for a in range(0, n, self.chunk_rows)]
        col_codes: list[list[np.ndarray]] = [[] for _ in cols]
        col_names: list[list[Any]] = [[] for _ in cols]
        f_codes: list[Any] = []
        f_names, nrows = [], []
        for a, b in self.bounds:
            sub = works.iloc[a:b]
            ok = doc_type_mask(sub["doc_type"], doc_types)
            for j, col in enumerate(cols):
                c, u = pd.factorize(sub[col], sort=True)
                ok &= c >= 0
                col_codes[j].append(_compact(c))
                col_names[j].append(u)
            if has_field:
                lists = _list_array(sub["fields"])
                flat = pc.list_flatten(lists)
                parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False).astype(np.int64)
                fcode, funiq = string_codes(flat)
                keep = fcode >= 0
                parent, fcode = parent[keep], fcode[keep]
                # distinct fields per paper, first occurrence kept (list order preserved)
                first = first_occurrence(parent * max(len(funiq), 1) + fcode)
                parent, fcode = parent[first], fcode[first]
                nfield = np.bincount(parent, minlength=b - a)
                ok &= nfield > 0
                f_codes.append(_compact(fcode[ok[parent]]))
                f_names.append(funiq)
            else:
                nfield = np.ones(b - a, dtype=np.int64)
            nrows.append(_compact(np.where(ok, nfield, 0)))  # small per chunk: memory ~ a few bytes per work
        # global codes: sorted names (the same codes as one pass over all works)
        if has_field:
            allf = np.concatenate([*f_names, np.array([], dtype=object)])
            names = np.asarray(pd.unique(pd.Series(allf, dtype=object)), dtype=object)
            self.field_names = names[np.argsort(names.astype(str), kind="stable")]
            fidx = pd.Index(self.field_names, dtype=object)
            self._fields = []
            for i, u in enumerate(f_names):
                self._fields.append(_compact(_remap(u, fidx)[f_codes[i]]))
                f_codes[i] = None  # freed chunk by chunk
        else:
            self.field_names = np.array([None], dtype=object)
            self._fields = [np.zeros(int((r > 0).sum()), dtype=np.int8) for r in nrows]
        self.n_field_names = max(len(self.field_names), 1) if has_field else 1
        radix = []
        remaps: list[list[np.ndarray]] = []
        for j in range(len(cols)):
            u_all = pd.concat([pd.Series(u) for u in col_names[j]], ignore_index=True) if col_names[j] else pd.Series([])
            uidx = pd.Index(pd.factorize(u_all, sort=True)[1])  # the sorted uniques of the whole column
            radix.append(max(len(uidx), 1))
            remaps.append([np.append(uidx.get_indexer(pd.Index(u)), -1).astype(np.int64) for u in col_names[j]])
        self._base, self._nrow = [], []
        for i in range(len(self.bounds)):
            base = np.zeros(len(nrows[i]), dtype=np.int64)
            for j in range(len(cols)):
                base = base * radix[j] + np.maximum(remaps[j][i][col_codes[j][i]], 0)  # mixed radix
            self._base.append(_compact(base))
            self._nrow.append(_compact(nrows[i]))
        del col_codes, nrows
        self.n_rows = int(sum(int(r.sum()) for r in self._nrow))
        uniq_n = unique_sorted(np.concatenate([np.unique(r) for r in self._nrow] or [np.zeros(0, dtype=np.int8)]))
        uniq_n = uniq_n[uniq_n > 0]
        lcm = reduce(math.lcm, (int(v) for v in uniq_n), 1)
        self.exact = lcm * max(self.n_rows, 1) < _EXACT_LIMIT
        self.unit = float(lcm) if self.exact else 1.0  # exact integer shares, else float shares
        self._lcm = lcm

    @property
    def eligible(self) -> np.ndarray:
        """Which works take part in the cells (eligible type, known cell columns, fields)."""
        return np.concatenate([r > 0 for r in self._nrow] or [np.zeros(0, dtype=bool)])

    def _chunk(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Rows of chunk ``i``: work row, field code, cell code, share units (float)."""
        a, _ = self.bounds[i]
        nrow = self._nrow[i].astype(np.int64)
        parent = a + np.repeat(np.arange(len(nrow), dtype=np.int64), nrow)
        field = self._fields[i].astype(np.int64)
        cell = self._base[i].astype(np.int64)[parent - a] * self.n_field_names + field
        nr = nrow[parent - a]
        units = (self._lcm // nr).astype(np.float64) if self.exact else 1.0 / nr
        return parent, field, cell, units

    def _rows_of(self, i: int, mask: np.ndarray | None) -> tuple[np.ndarray, ...]:
        parent, field, cell, units = self._chunk(i)
        if mask is not None:
            keep = mask[parent]
            parent, field, cell, units = parent[keep], field[keep], cell[keep], units[keep]
        return parent, field, cell, units

    def _table(self, cit: np.ndarray, percent: float, mask: np.ndarray | None) -> _Table:
        """Evaluate the rule per cell (see the class docstring)."""
        if not 0 < percent <= 100:
            raise ValueError(f"top percent must be in (0, 100], got {percent}")
        if not self.exact:
            return self._table_global(cit, percent, mask)
        cmax = int(cit.max()) + 1 if len(cit) else 1
        ncell = max(int(max((int(b.max()) for b in self._base if len(b)), default=0)) + 1, 1) * self.n_field_names
        dense = ncell * cmax <= max(self.chunk_rows, _DENSE_LIMIT) and _DENSE_LIMIT > 0  # small: dense
        acc = np.zeros(ncell * cmax) if dense else None
        keys, sums = np.empty(0, dtype=np.int64), np.empty(0)
        for i in range(len(self.bounds)):
            parent, _, cell, units = self._rows_of(i, mask)
            key = cell * cmax + cit[parent].astype(np.int64)
            if dense:  # integer units: float sums are exact, order does not matter
                acc += np.bincount(key, weights=units, minlength=len(acc))
            else:
                k, inv = np.unique(np.concatenate([keys, key]), return_inverse=True)
                sums = np.bincount(inv, weights=np.concatenate([sums, units]), minlength=len(k))
                keys = k
        if dense:
            keys = np.flatnonzero(acc)
            sums = acc[keys]
        # each cell's (citations, units) from the most cited down: the running sum of units
        # reaching the target gives c* exactly as the sorted rows would (integer units)
        keys, sums = keys[::-1], sums[::-1]
        cell_r, cit_r = keys // cmax, keys % cmax
        if len(keys) == 0:
            e = np.empty(0)
            return _Table(np.empty(0, dtype=np.int64), e.astype(np.int64), e, e)
        cells, thresh, scale, size = _cell_thresholds(cell_r, cit_r, sums, percent)
        return _Table(cells[::-1].copy(), thresh[::-1].copy(), scale[::-1].copy(), size[::-1].copy())

    def _table_global(self, cit: np.ndarray, percent: float, mask: np.ndarray | None) -> _Table:
        """The rule by one global sort of the rows (float shares: summation order matters)."""
        parts = [self._rows_of(i, mask) for i in range(len(self.bounds))]
        if not parts or sum(len(p[0]) for p in parts) == 0:
            e = np.empty(0)
            return _Table(np.empty(0, dtype=np.int64), e.astype(np.int64), e, e)
        parent = np.concatenate([p[0] for p in parts])
        cell = np.concatenate([p[2] for p in parts])
        units = np.concatenate([p[3] for p in parts])
        c = cit[parent].astype(np.int64)
        cmax = int(c.max()) + 1
        order = np.argsort(cell * cmax + (cmax - 1 - c), kind="stable")
        cell_s, cit_s, units_s = cell[order], c[order], units[order]
        return _Table(*_cell_thresholds(cell_s, cit_s, units_s, percent))

    def _evaluate_chunks(self, citations: np.ndarray, percent: float, mask: np.ndarray | None) -> Any:
        """Yield per chunk: work row, field code, cell, units, citations, cell index, weight."""
        cit = _as_counts(citations)
        mask = None if mask is None else np.asarray(mask, dtype=bool)
        table = self._table(cit, percent, mask)
        for i in range(len(self.bounds)):
            parent, field, cell, units = self._rows_of(i, mask)
            c = cit[parent].astype(np.int64)
            g = np.searchsorted(table.cells, cell)
            top = (c >= table.thresh[g]) & (c > 0) if len(g) else np.zeros(0, dtype=bool)
            w = np.where(top, (units / self.unit) * table.scale[g], 0.0) if len(g) else np.empty(0)
            yield parent, field, cell, units, c, g, w, table

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
        out = np.zeros(self.n_works)
        for (a, b), (parent, _, _, _, _, _, w, _) in zip(
            self.bounds, self._evaluate_chunks(citations, percent, mask), strict=True
        ):
            out[a:b] = np.bincount(parent - a, weights=w, minlength=b - a)
        return out

    def top_weights(
        self, citations: np.ndarray, percent: float, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the Top works only: rows, weights and the first field in which each is Top.

        Parameters
        ----------
        citations : numpy.ndarray
            Citation counts aligned with the works' rows.
        percent : float
            X of Top X%, in (0, 100].
        mask : numpy.ndarray of bool, optional
            Only these works take part.

        Returns
        -------
        pos : numpy.ndarray of int64
            Rows of the Top works (weight > 0), ascending.
        weight : numpy.ndarray of float64
            Their weights (summed over their cells).
        field : numpy.ndarray of int64
            Code (in ``field_names``) of the first of the work's fields in which it is Top.
        """
        pos, wts, fld = [], [], []
        for (a, b), (parent, field, _, _, _, _, w, _) in zip(
            self.bounds, self._evaluate_chunks(citations, percent, mask), strict=True
        ):
            top = w > 0
            p, f, w = parent[top], field[top], w[top]
            total = np.bincount(p - a, weights=w, minlength=b - a)
            # rows are in (work, field-list) order: a work's first row is its first Top field
            first = np.r_[True, p[1:] != p[:-1]] if len(p) else np.zeros(0, dtype=bool)
            pos.append(p[first])
            wts.append(total[p[first] - a])
            fld.append(f[first])
        if not pos:
            return np.empty(0, dtype=np.int64), np.empty(0), np.empty(0, dtype=np.int64)
        return np.concatenate(pos), np.concatenate(wts), np.concatenate(fld)

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
        cols: dict[str, list[np.ndarray]] = {k: [] for k in ("pos", "field", "cell", "share", "citations", "cell_size", "threshold", "weight")}
        for parent, field, cell, _units, c, g, w, table in self._evaluate_chunks(citations, percent, mask):
            cols["pos"].append(parent)
            cols["field"].append(field)
            cols["cell"].append(cell)
            cols["share"].append(1.0 / self._nrows_of(parent))
            cols["citations"].append(c)
            cols["cell_size"].append(table.size[g] / self.unit)
            cols["threshold"].append(table.thresh[g].astype(np.int64))
            cols["weight"].append(w)
        cat = {k: (np.concatenate(v) if v else np.empty(0)) for k, v in cols.items()}
        for k in ("pos", "field", "cell", "citations", "threshold"):
            cat[k] = cat[k].astype(np.int64)
        cat["field"] = self.field_names[cat["field"]]
        return pd.DataFrame(cat)

    def _nrows_of(self, parent: np.ndarray) -> np.ndarray:
        """Number of distinct fields (cells) of the works at rows ``parent`` (one chunk)."""
        if len(parent) == 0:
            return np.empty(0, dtype=np.int64)
        i = int(np.searchsorted([b for _, b in self.bounds], parent[0], side="right"))
        a, _ = self.bounds[i]
        return self._nrow[i].astype(np.int64)[parent - a]


def _as_counts(citations: np.ndarray) -> np.ndarray:
    """Citation counts as an integer array (int32/int64 kept, other types as int64)."""
    cit = np.asarray(citations)
    if cit.dtype.kind not in "iu":
        cit = cit.astype(np.int64)
    return cit


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
    vals = np.asarray(vals)
    if vals.dtype.kind not in "iu":  # floats (NaN -> 0) and objects
        vals = np.nan_to_num(np.asarray(vals, dtype=np.float64), nan=0.0)
    if (vals < 0).any():
        raise ValueError("citations: negative citation counts")
    return vals.astype(np.int64, copy=False)


def _take_ids(values: pd.Series, rows: np.ndarray) -> Any:
    """``values.iloc[rows].to_numpy()`` as a DataFrame column holds it, built in Arrow.

    Arrow-backed strings become the ``str`` column a DataFrame infers from Python
    strings, without making a Python string per row (1 s and 90 MB for 1.25e6 ids).
    """
    sub = values.iloc[rows]
    dtype = sub.dtype
    arrow_str = isinstance(dtype, pd.StringDtype) or (
        isinstance(dtype, pd.ArrowDtype) and (pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype))
    )
    inferred = pd.Series(np.array(["x"], dtype=object)).dtype  # what pandas makes of Python strings
    if arrow_str and isinstance(inferred, pd.StringDtype) and not sub.isna().all():  # empty/all-null: object
        return sub.astype(inferred).array
    return sub.to_numpy()


def _take_numpy(values: pd.Series, rows: np.ndarray) -> np.ndarray:
    """``values.to_numpy()[rows]`` without converting the whole column (same dtype)."""
    out = values.iloc[rows].to_numpy()
    if values.hasnans:  # the whole column's dtype, e.g. float64 for Int32 with missing values
        at = int(np.flatnonzero(values.isna().to_numpy())[0])
        dtype = values.iloc[[at]].to_numpy().dtype
        if out.dtype != dtype:
            out = out.astype(dtype)
    return out


def top_weights(
    works: pd.DataFrame,
    citations: pd.Series | np.ndarray,
    percent: float,
    doc_types: Iterable[str] = DEFAULT_DOC_TYPES,
    cell: Sequence[str] = ("year", "field"),
    per_cell: bool = False,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
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
    chunk_rows : int
        Works per chunk (``indicators.chunk_rows``; bounds the working memory).

    Returns
    -------
    pandas.DataFrame
        Default: the Top works (weight > 0) in the order of ``works``, columns
        ``work_id``, ``year``, ``field`` (the first of the paper's fields in which it is
        Top), ``weight`` (total over its cells). With ``per_cell``: ``work_id``,
        ``year``, ``field``, ``share``, ``citations``, ``cell_size``, ``threshold``,
        ``weight`` for every eligible (work, cell), also non-Top ones (weight 0).
    """
    cells = TopCells(works, doc_types, cell, chunk_rows=chunk_rows)
    cit = _citation_array(works, citations)
    has_year = "year" in works.columns
    if per_cell:
        rows = cells.rows(cit, percent)
        pos = rows["pos"].to_numpy()
        year = _take_numpy(works["year"], pos) if has_year else np.full(len(pos), None)
        out = rows.assign(work_id=_take_ids(works["work_id"], pos), year=year)
        return out[
            ["work_id", "year", "field", "share", "citations", "cell_size", "threshold", "weight"]
        ].reset_index(drop=True)
    pos, weight, field = cells.top_weights(cit, percent)
    return pd.DataFrame(
        {
            "work_id": _take_ids(works["work_id"], pos),  # only the Top works' ids
            "year": _take_numpy(works["year"], pos) if has_year else np.full(len(pos), None),
            "field": cells.field_names[field],
            "weight": weight,
        }
    )


def select_core(
    works: pd.DataFrame,
    citations: pd.Series | np.ndarray,
    period: Period | str,
    top_percent: float = 1.0,
    doc_types: Iterable[str] = DEFAULT_DOC_TYPES,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
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
    chunk_rows : int
        Works per chunk (``indicators.chunk_rows``; bounds the working memory).

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
    n = len(works)
    step = max(int(chunk_rows), 1)
    inside = np.zeros(n, dtype=bool)
    for a in range(0, n, step):
        year = pd.to_numeric(works["year"].iloc[a : a + step], errors="coerce")
        inside[a : a + step] = ((year >= period.start) & (year <= period.end)).fillna(False).to_numpy(dtype=bool)
    cells = TopCells(works, doc_types, ("year", "field"), chunk_rows=chunk_rows)
    pos, weight, field = cells.top_weights(cit, top_percent, mask=inside)
    out = pd.DataFrame(
        {
            "work_id": _take_ids(works["work_id"], pos),
            "year": pd.to_numeric(works["year"].iloc[pos], errors="coerce").to_numpy(),
            "field": cells.field_names[field],
            "fields": works["fields"].iloc[pos].to_numpy(),
            "citations": cit[pos],
            "weight": weight,
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
