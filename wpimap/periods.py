"""Periods (time windows) of the science map and citation counts per window."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass(frozen=True, slots=True)
class Period:
    """A closed year window ``start``-``end``, labelled ``"start-end"``."""

    start: int
    end: int

    @property
    def label(self) -> str:
        """The period's label, e.g. ``"2013-2018"``."""
        return f"{self.start}-{self.end}"

    @classmethod
    def parse(cls, label: str) -> Period:
        """Parse a ``"YYYY-YYYY"`` label.

        Parameters
        ----------
        label : str

        Returns
        -------
        Period
        """
        a, b = label.split("-")
        start, end = int(a), int(b)
        if end < start:
            raise ValueError(f"period {label}: end year before start year")
        return cls(start, end)


def make_periods(first_year: int, last_year: int, window: int, step: int) -> list[Period]:
    """Return windows of ``window`` years whose ends step by ``step``, ending at ``last_year``.

    The last window ends at ``last_year``; earlier windows end ``step`` years apart; the
    first window is the earliest one that starts at or after ``first_year``.

    Parameters
    ----------
    first_year, last_year : int
        Year range covered.
    window : int
        Years per window.
    step : int
        Years between window ends.

    Returns
    -------
    list of Period
        In chronological order; empty when the range is shorter than one window.

    Examples
    --------
    >>> [p.label for p in make_periods(2009, 2020, 6, 2)]
    ['2009-2014', '2011-2016', '2013-2018', '2015-2020']
    """
    out = []
    end = last_year
    while end - window + 1 >= first_year:
        out.append(Period(end - window + 1, end))
        end -= step
    return out[::-1]


def periods_from_config(config: Mapping[str, Any]) -> list[Period]:
    """Return the periods of a (validated) configuration.

    Parameters
    ----------
    config : mapping
        The full configuration; reads ``periods``.

    Returns
    -------
    list of Period
    """
    p = config["periods"]
    if p.get("list"):
        return [Period.parse(label) for label in p["list"]]
    return make_periods(p["first_year"], p["last_year"], p["window"], p["step"])


def _arrow(values: Any) -> pa.Array | pa.ChunkedArray:
    """Return ``values`` (a pandas Series or array) as a pyarrow array, nulls kept."""
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype(object)
    return pa.array(values, from_pandas=True)


_M0 = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)


_CHUNK = 1 << 18  # rows per vectorized block: bounds the temporaries of the hashing passes
_SAMPLE, _FEW = 1 << 16, 1 << 12  # hash_codes: a sample with at most _FEW values -> pyarrow

DEFAULT_CHUNK_ROWS = 250_000
"""Rows per chunk of the streamed passes (``indicators.chunk_rows``): works, authorships
and references are processed this many rows at a time, so the working memory above the
input tables is a few compact arrays per work plus a part proportional to the chunk."""


def string_array(values: Any) -> pa.StringArray | pa.LargeStringArray | None:
    """Return ``values`` as one contiguous pyarrow string (or large-string) array.

    Parameters
    ----------
    values : pandas.Series, pyarrow array or array-like
        Strings (nulls allowed; dictionary/categorical values are decoded).

    Returns
    -------
    pyarrow.StringArray or pyarrow.LargeStringArray or None
        None when the values are not strings (e.g. integers).
    """
    arr = _arrow(values)
    if isinstance(arr, pa.ChunkedArray):
        if arr.num_chunks == 1:
            arr = arr.chunk(0)
        else:
            arr = (arr.cast(pa.large_string()) if pa.types.is_string(arr.type) else arr).combine_chunks()
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.large_string())
    if pa.types.is_dictionary(arr.type):
        arr = arr.cast(arr.type.value_type)
    if pa.types.is_string_view(arr.type):
        arr = arr.cast(pa.large_string())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    return arr


def _hash_block(arr: pa.StringArray | pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`string_hash` of one block of rows."""
    n = len(arr)
    valid = np.ones(n, dtype=bool) if arr.null_count == 0 else pc.is_valid(arr).to_numpy(zero_copy_only=False)
    bufs = arr.buffers()
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    off = np.frombuffer(bufs[1], dtype=width)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.empty(0, dtype=np.uint8)
    start = off[:-1]
    length = np.where(valid, off[1:] - start, 0)
    h = length.astype(np.uint64) * _M0
    longest = int(length.max()) if n else 0
    if longest == 0:
        return h, valid
    lo, hi = int(start.min()), int((start + length).max())
    pad = np.zeros(hi - lo + 8, dtype=np.uint8)
    pad[: hi - lo] = data[lo:hi]
    words = np.ndarray(shape=(len(pad) - 7,), dtype="<u8", buffer=pad, strides=(1,))  # unaligned 8-byte loads
    start = start - lo
    rows = None  # all rows
    for j in range(0, longest, 8):
        if rows is None and int(length.min()) <= j:
            rows = np.arange(n)
        if rows is not None:
            rows = rows[length[rows] > j]  # strings still having bytes at j
        ln = length if rows is None else length[rows]
        rem = np.minimum(ln - j, 8).astype(np.uint64) * np.uint64(8)
        mask = np.where(rem >= 64, _ALL, (np.uint64(1) << (rem & np.uint64(63))) - np.uint64(1))
        x = (h if rows is None else h[rows]) ^ (words[(start if rows is None else start[rows]) + j] & mask)
        x *= _M1
        x ^= x >> np.uint64(31)
        x *= _M2
        x ^= x >> np.uint64(29)
        if rows is None:
            h = x
        else:
            h[rows] = x
    return h, valid


def string_hash(arr: pa.StringArray | pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """Hash each string to 64 bits with vectorized numpy over the Arrow buffers.

    Eight bytes of every string are mixed per step (a splitmix64-style finalizer), so
    the cost is a few numpy passes per 8 characters of the longest string, without a
    Python object or a hash-table insert per row; rows are processed in blocks of
    ``_CHUNK`` so the temporaries stay small. Equal strings get equal hashes; the
    callers verify that different strings did not collide. Hand-written because the
    library routes cost more than the rest of the indicators: ``pandas.util.hash_array``
    needs a Python object per string and pyarrow's hash-based ``dictionary_encode`` took
    two thirds of the CPU time at 1e6 papers (benchmarks/bench_indicators.py).

    Parameters
    ----------
    arr : pyarrow.StringArray or pyarrow.LargeStringArray

    Returns
    -------
    hashes : numpy.ndarray of uint64
    valid : numpy.ndarray of bool
        False for nulls (their hash is meaningless).
    """
    if len(arr) <= _CHUNK:
        return _hash_block(arr)
    parts = [_hash_block(arr.slice(i, _CHUNK)) for i in range(0, len(arr), _CHUNK)]
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _same_strings(a: pa.Array, b: pa.Array) -> bool:
    """True when two equally long string arrays are equal element by element."""
    if len(a) == 0:
        return True
    if a.type != b.type:
        a, b = a.cast(pa.large_string()), b.cast(pa.large_string())
    eq = pc.equal(a, b)
    return bool(pc.all(eq).as_py()) and eq.null_count == 0


class HashIndex:
    """Unique string identifiers (e.g. ``works.work_id``) prepared for exact look-ups.

    The ids are hashed once (:func:`string_hash`) and kept sorted with their rows; a
    look-up hashes the values, finds them with :func:`numpy.searchsorted` and
    verifies that every matched value equals its id (so a hash collision can never
    produce a wrong match: it raises :class:`LookupError` and the caller falls back to
    an exact pyarrow look-up).

    Parameters
    ----------
    ids : pandas.Series or array-like of str

    Raises
    ------
    LookupError
        When ``ids`` are not strings or their hashes are not unique (duplicate ids or a
        collision).
    """

    def __init__(self, ids: Any) -> None:
        arr = string_array(ids)
        if arr is None:
            raise LookupError("ids are not strings")
        if arr.null_count:
            raise LookupError("null ids")
        # Sorted hashes and their rows (12 bytes per id) instead of a hash table (pandas'
        # engine needs ~35 bytes per id): look-ups sort each block of hashes and use
        # np.searchsorted, about as fast and a third of the memory. Built without a
        # global argsort (which would need 24 more bytes per id): the ids are hashed
        # block by block twice, first to count the hashes per bucket (their top bits),
        # then to place each hash in its bucket; each bucket (about _CHUNK ids) is then
        # sorted on its own.
        n = len(arr)
        blocks = [(a, min(a + _CHUNK, n)) for a in range(0, n, _CHUNK)]
        bits = max(int(np.ceil(np.log2(max(n / _CHUNK, 1)))), 0)
        shift = np.uint64(64 - bits)
        nb = 1 << bits

        def bucket(h: np.ndarray) -> np.ndarray:
            return (h >> shift).astype(np.int64) if bits else np.zeros(len(h), dtype=np.int64)

        counts = np.zeros(nb, dtype=np.int64)
        for a, b in blocks:
            counts += np.bincount(bucket(string_hash(arr.slice(a, b - a))[0]), minlength=nb)
        starts = np.r_[0, np.cumsum(counts)]
        cursor = starts[:-1].copy()
        self._sorted = np.empty(n, dtype=np.uint64)
        self._rows = np.empty(n, dtype=np.int32 if n < 2**31 else np.int64)
        for a, b in blocks:
            h = string_hash(arr.slice(a, b - a))[0]
            bk = bucket(h)
            o = np.argsort(bk)  # any order: each bucket is sorted below
            bs = bk[o]
            c = np.bincount(bk, minlength=nb)
            first = np.r_[0, np.cumsum(c)][:-1]
            dest = cursor[bs] + (np.arange(len(o)) - first[bs])
            self._sorted[dest] = h[o]
            self._rows[dest] = a + o
            cursor += c
        for i in range(nb):
            lo, hi = int(starts[i]), int(starts[i + 1])
            o = np.argsort(self._sorted[lo:hi])
            self._sorted[lo:hi] = self._sorted[lo:hi][o]
            self._rows[lo:hi] = self._rows[lo:hi][o]
            if hi - lo > 1 and bool((self._sorted[lo + 1 : hi] == self._sorted[lo : hi - 1]).any()):
                raise LookupError("ids are not unique")
        self.ids = arr

    def _get_block(self, arr: pa.Array) -> np.ndarray:
        n = len(arr)
        # consecutive repeats (e.g. the authorships or references of one work) are looked
        # up once: comparing neighbours is much cheaper than hashing
        head = np.ones(n, dtype=bool)
        if n > 1:
            diff = pc.fill_null(pc.not_equal(arr.slice(1), arr.slice(0, n - 1)), True)
            head[1:] = diff.to_numpy(zero_copy_only=False)
        run = None
        if not head.all():
            run = np.cumsum(head) - 1
            arr = arr.filter(pa.array(head))
        h, valid = string_hash(arr)
        pos = np.full(len(h), -1, dtype=np.int64)
        if len(self._sorted):
            qo = np.argsort(h)  # equal hashes get the same answer in any order
            hs = h[qo]
            at = np.minimum(np.searchsorted(self._sorted, hs), len(self._sorted) - 1)
            found = self._sorted[at] == hs
            pos[qo[found]] = self._rows[at[found]]
        pos[~valid] = -1
        hit = np.flatnonzero(pos >= 0)
        got = arr if len(hit) == len(arr) else arr.take(pa.array(hit))
        if not _same_strings(got, self.ids.take(pa.array(pos[hit]))):
            raise LookupError("hash collision")
        return pos if run is None else pos[run]

    def get(self, values: Any) -> np.ndarray:
        """Return the position of each value among the ids (``-1`` when absent or null).

        Parameters
        ----------
        values : pandas.Series or array-like of str

        Returns
        -------
        numpy.ndarray of int64

        Raises
        ------
        LookupError
            When the values are not strings or a hash collision was detected.
        """
        arr = string_array(values)
        if arr is None:
            raise LookupError("values are not strings")
        if len(arr) <= _CHUNK:
            return self._get_block(arr)
        return np.concatenate([self._get_block(arr.slice(i, _CHUNK)) for i in range(0, len(arr), _CHUNK)])


def hash_codes(values: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """Encode strings as int codes in order of first appearance (exact, hash based).

    Parameters
    ----------
    values : pandas.Series or array-like of str

    Returns
    -------
    (codes, first) or None
        ``codes`` (int64, -1 for null; 0, 1, ... in order of first appearance) and
        the row of each code's first occurrence; None when the values are not strings
        or two strings collided (the caller then uses
        :func:`pyarrow.compute.dictionary_encode`).
    """
    arr = string_array(values)
    if arr is None:
        return None
    if len(pc.unique(arr.slice(0, _SAMPLE))) <= _FEW:
        # few distinct values (countries, centers, document types, fields): pyarrow's
        # dictionary encoding is exact and fastest (its memo table stays tiny); it also
        # numbers the values in order of first appearance
        enc = pc.dictionary_encode(arr)
        codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
        seen = np.maximum.accumulate(np.r_[-1, codes[:-1]]) if len(codes) else codes
        return codes, np.flatnonzero(codes > seen)
    h, valid = string_hash(arr)
    if valid.all():
        codes = pd.factorize(h)[0].astype(np.int64)
    else:
        codes = np.full(len(h), -1, dtype=np.int64)
        codes[valid] = pd.factorize(h[valid])[0]
    seen = np.maximum.accumulate(np.r_[-1, codes[:-1]]) if len(codes) else codes
    first = np.flatnonzero(codes > seen)
    reps = arr.take(pa.array(first))  # one string per code
    for i in range(0, len(arr), _CHUNK):  # every string equals its code's first string
        c = codes[i : i + _CHUNK]
        part = arr.slice(i, _CHUNK)
        ok = c >= 0
        if not ok.all():
            part, c = part.filter(pa.array(ok)), c[ok]
        if not _same_strings(part, reps.take(pa.array(c))):
            return None
    return codes, first


def positions(values: Any, ids: Any) -> np.ndarray:
    """Return the position of each of ``values`` in ``ids`` (``-1`` when absent or null).

    An exact hashed look-up (:class:`HashIndex`; :func:`pyarrow.compute.index_in` for
    non-string or duplicate ids), the fast way to join string identifiers to row numbers.

    Parameters
    ----------
    values : pandas.Series or array-like of str
        The identifiers to look up (e.g. ``references.cited_id``).
    ids : pandas.Series or array-like of str
        The unique identifiers, in row order (e.g. ``works.work_id``).

    Returns
    -------
    numpy.ndarray of int64
        One position per value.
    """
    try:
        return HashIndex(ids).get(values)
    except LookupError:
        return _positions_arrow(values, ids)


def _positions_arrow(values: Any, ids: Any) -> np.ndarray:
    """:func:`positions` with :func:`pyarrow.compute.index_in` (first occurrence wins)."""
    vals = _arrow(values)
    keys = _arrow(ids)
    if len(vals) == 0:
        return np.empty(0, dtype=np.int64)
    if isinstance(keys, pa.ChunkedArray):
        keys = keys.combine_chunks()
    if pa.types.is_large_string(keys.type) != pa.types.is_large_string(vals.type):
        vals = vals.cast(keys.type)
    pos = pc.index_in(vals, value_set=keys)
    return pc.fill_null(pos, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def work_years(works: pd.DataFrame) -> np.ndarray:
    """Return the works' publication years as int64, ``-1`` where unknown.

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (column ``year``).

    Returns
    -------
    numpy.ndarray of int64
    """
    return pd.to_numeric(works["year"], errors="coerce").fillna(-1).to_numpy(dtype=np.int64)


def work_years_compact(works: pd.DataFrame, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> np.ndarray:
    """:func:`work_years` in int16 (wider when a year does not fit), converted by chunks.

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (column ``year``).
    chunk_rows : int
        Rows converted at a time (bounds the temporaries).

    Returns
    -------
    numpy.ndarray of int16, int32 or int64
        ``-1`` where unknown.
    """
    n = len(works)
    parts = []
    for a in range(0, n, max(int(chunk_rows), 1)):
        y = work_years(works.iloc[a : a + chunk_rows])
        for dt in (np.int16, np.int32, np.int64):  # years fit int16: 2 bytes per work
            if len(y) == 0 or (np.iinfo(dt).min <= y.min() and y.max() <= np.iinfo(dt).max):
                parts.append(y.astype(dt))
                break
    if not parts:
        return np.empty(0, dtype=np.int16)
    dtype = np.result_type(*parts)
    return np.concatenate([q.astype(dtype, copy=False) for q in parts])


def run_blocks(
    lookup: Any, m: int, chunk_rows: int
) -> Any:
    """Yield blocks of about ``chunk_rows`` rows that never split a run of equal keys.

    ``lookup(start, end)`` returns a tuple of arrays for rows ``start:end`` whose first
    array is the grouping key (e.g. the row of the work each authorship belongs to). A
    block ends before the run of its last key, which starts the next block (those few
    rows are looked up twice); a block that is one single run is doubled until it ends.

    Parameters
    ----------
    lookup : callable
        ``lookup(start, end) -> tuple of numpy.ndarray``.
    m : int
        Number of rows.
    chunk_rows : int
        Target rows per block.

    Yields
    ------
    start, end : int
        The block's rows.
    arrays : tuple of numpy.ndarray
        ``lookup``'s arrays for these rows.
    """
    s = 0
    chunk_rows = max(int(chunk_rows), 1)
    while s < m:
        size = chunk_rows
        while True:
            e = min(s + size, m)
            arrays = lookup(s, e)
            if e < m:
                key = arrays[0]
                change = np.flatnonzero(key[1:] != key[:-1])
                if len(change) == 0:  # one run fills the block: take a larger block
                    size *= 2
                    continue
                t = int(change[-1]) + 1
                arrays = tuple(a[:t] for a in arrays)
                e = s + t
            yield s, e, arrays
            s = e
            break


def unique_sorted(keys: np.ndarray, return_counts: bool = False) -> Any:
    """Sorted distinct integer keys (and their counts), by sorting (no hash table).

    Parameters
    ----------
    keys : numpy.ndarray of int
    return_counts : bool

    Returns
    -------
    numpy.ndarray or (numpy.ndarray, numpy.ndarray)
    """
    k = np.sort(np.asarray(keys))  # values: stability irrelevant, quicksort is faster
    start = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.empty(0, dtype=np.int64)
    if not return_counts:
        return k[start]
    return k[start], np.diff(np.r_[start, len(k)])


def first_occurrence(keys: np.ndarray) -> np.ndarray:
    """Mark the first occurrence of each integer key (in array order).

    Parameters
    ----------
    keys : numpy.ndarray of int

    Returns
    -------
    numpy.ndarray of bool
    """
    keys = np.asarray(keys)
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    first_sorted = np.r_[True, k[1:] != k[:-1]] if len(k) else np.empty(0, dtype=bool)
    out = np.empty(len(keys), dtype=bool)
    out[order] = first_sorted
    return out


def reference_positions(works: pd.DataFrame, references: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Rows of the citing and cited works of each resolved, in-corpus reference.

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id`` unique).
    references : pandas.DataFrame
        References table (``citing_id``, ``cited_id``).

    Returns
    -------
    citing, cited : numpy.ndarray of int64
        Positions in ``works``; references whose ``cited_id`` is null or whose citing or
        cited work is absent, and self-citations, are dropped.
    """
    return reference_positions_indexed(works, references, None)


def reference_positions_indexed(
    works: pd.DataFrame, references: pd.DataFrame, index: HashIndex | None
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`reference_positions` reusing a :class:`HashIndex` of ``works.work_id``.

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id`` unique).
    references : pandas.DataFrame
        References table (``citing_id``, ``cited_id``).
    index : HashIndex or None
        ``HashIndex(works["work_id"])`` when already built (None: built here).

    Returns
    -------
    citing, cited : numpy.ndarray of int64
    """
    n, m = len(works), len(references)
    try:  # exact hash join (the usual case: string ids)
        if index is None:
            index = HashIndex(works["work_id"])
        citing, cited = index.get(references["citing_id"]), index.get(references["cited_id"])
        keep = (cited >= 0) & (citing >= 0) & (cited != citing)
        return citing[keep], cited[keep]
    except LookupError:  # duplicate or non-string ids: pyarrow (raises on duplicates)
        pass
    parts = [works["work_id"], references["citing_id"], references["cited_id"]]
    both = pa.chunked_array([_arrow(x).cast(pa.large_string()) for x in parts])
    # one hash pass: the works' ids come first, so a unique id gets its row as code
    enc = pc.dictionary_encode(both.combine_chunks())
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    if not np.array_equal(codes[:n], np.arange(n)):
        bad = int(np.flatnonzero(codes[:n] != np.arange(n))[0])
        raise ValueError(f"works.work_id is not unique (e.g. {works['work_id'].iloc[bad]!r})")
    pos = np.where(codes < n, codes, -1)[n:]
    citing, cited = pos[:m], pos[m:]
    keep = (cited >= 0) & (citing >= 0) & (cited != citing)
    return citing[keep], cited[keep]


def count_citations(
    years: np.ndarray, citing: np.ndarray, cited: np.ndarray, period: Period, window: int | None = None
) -> np.ndarray:
    """Citation counts at the end of ``period`` from reference positions (see :func:`citation_counts`).

    Parameters
    ----------
    years : numpy.ndarray of int64
        Publication year per work, -1 when unknown (:func:`work_years`).
    citing, cited : numpy.ndarray of int64
        From :func:`reference_positions`.
    period : Period
    window : int, optional

    Returns
    -------
    numpy.ndarray of int64
        One count per work.
    """
    n = len(years)
    if window is not None and window < 0:
        raise ValueError(f"citation_counts: negative citation window {window}")
    keep = _period_mask(years, citing, cited, period, window)
    pairs = unique_sorted(citing[keep] * np.int64(max(n, 1)) + cited[keep])
    return np.bincount(pairs % max(n, 1), minlength=n).astype(np.int64)


def citing_works(works: pd.DataFrame | None, period: Period | None, citing_years: str = "period") -> pd.Series | None:
    """The works whose references count for one period's co-citation (``cocitation.citing_years``).

    Parameters
    ----------
    works : pandas.DataFrame or None
        ``work_id``, ``year``.
    period : Period or None
    citing_years : {'period', 'all'}

    Returns
    -------
    pandas.Series or None
        The ``work_id`` of the works published in the period; None (every work cites)
        with ``all`` or without works or period.
    """
    if citing_years != "period" or works is None or period is None:
        return None
    yr = pd.to_numeric(works["year"], errors="coerce")
    return works.loc[(yr >= period.start) & (yr <= period.end), "work_id"]


class _Unordered(Exception):
    """A streamed pass found its rows not grouped as it needs (the caller falls back)."""


def _period_mask(years: np.ndarray, citing: np.ndarray, cited: np.ndarray, period: Period, window: int | None) -> np.ndarray:
    """Which (citing, cited) pairs count at the end of ``period`` (see :func:`count_citations`)."""
    cy = years[citing].astype(np.int64)
    keep = (cy >= 0) & (cy <= period.end)
    if window is not None:
        y0 = years[cited].astype(np.int64)
        keep &= (y0 >= 0) & (cy <= y0 + window)
    return keep


def _pair_keys(citing: np.ndarray, cited: np.ndarray, nn: np.int64) -> np.ndarray:
    """Distinct ``citing * nn + cited`` keys of the resolved, non-self references."""
    keep = (cited >= 0) & (citing >= 0) & (cited != citing)
    return unique_sorted(citing[keep] * nn + cited[keep])


def _streamed_counts(
    years: np.ndarray,
    references: pd.DataFrame,
    periods: list[Period],
    window: int | None,
    index: HashIndex,
    chunk_rows: int,
) -> list[np.ndarray]:
    """Count citations block by block of references (each citing work's references in one block)."""
    n = len(years)
    nn = np.int64(max(n, 1))
    counts = [np.zeros(n, dtype=np.int32) for _ in periods]
    citing_col, cited_col = references["citing_id"], references["cited_id"]

    def lookup(s: int, e: int) -> tuple[np.ndarray, np.ndarray]:
        return index.get(citing_col.iloc[s:e]), index.get(cited_col.iloc[s:e])

    seen = np.zeros(n, dtype=bool)  # citing works met in earlier blocks
    for _, _, (citing, cited) in run_blocks(lookup, len(references), chunk_rows):
        pairs = _pair_keys(citing, cited, nn)  # a pair counts once
        citing, cited = pairs // nn, pairs % nn
        heads = citing[np.r_[True, citing[1:] != citing[:-1]]] if len(citing) else citing
        if seen[heads].any():  # a work's references are spread over blocks
            raise _Unordered
        seen[heads] = True
        for k, period in enumerate(periods):
            hit = cited[_period_mask(years, citing, cited, period, window)]
            np.add.at(counts[k], hit, np.ones(len(hit), dtype=counts[k].dtype))  # same dtype: numpy's fast path
    return counts


def _global_counts(
    years: np.ndarray,
    references: pd.DataFrame,
    periods: list[Period],
    window: int | None,
    index: HashIndex,
    chunk_rows: int,
) -> list[np.ndarray]:
    """Counts when the references are not grouped by citing work: all pairs deduplicated at once."""
    n = len(years)
    nn = np.int64(max(n, 1))
    m = len(references)
    keys = []
    for s in range(0, m, max(int(chunk_rows), 1)):
        citing = index.get(references["citing_id"].iloc[s : s + chunk_rows])
        cited = index.get(references["cited_id"].iloc[s : s + chunk_rows])
        keys.append(_pair_keys(citing, cited, nn))
    pairs = unique_sorted(np.concatenate(keys) if keys else np.empty(0, dtype=np.int64))
    del keys
    citing, cited = pairs // nn, pairs % nn
    del pairs
    return [
        np.bincount(cited[_period_mask(years, citing, cited, p, window)], minlength=n).astype(np.int32)
        for p in periods
    ]


def citation_counts_by_period(
    works: pd.DataFrame,
    references: pd.DataFrame,
    periods: list[Period],
    window: int | None = None,
    *,
    index: HashIndex | None = None,
    years: np.ndarray | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> list[np.ndarray]:
    """Corpus citation counts at the end of each period, in one pass over the references.

    The rule of :func:`citation_counts` (``source="corpus"``). The references are read
    in blocks of ``chunk_rows`` rows; when each citing work's references are
    consecutive (as ingestion writes them) a (citing, cited) pair is deduplicated within
    its block and the memory above the tables is a few bytes per work (ids index 12,
    years 2, counts 4 per period) plus a part proportional to the block. Otherwise (detected, exact) the
    distinct pairs of the whole table are sorted once (about 24 bytes per reference).

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id`` unique, ``year``).
    references : pandas.DataFrame
        References table (``citing_id``, ``cited_id``).
    periods : list of Period
    window : int, optional
        Citation window (see :func:`citation_counts`).
    index : HashIndex, optional
        ``HashIndex(works["work_id"])`` when already built.
    years : numpy.ndarray, optional
        :func:`work_years` of ``works`` when already computed.
    chunk_rows : int
        References per block.

    Returns
    -------
    list of numpy.ndarray of int32
        One count per work, per period.

    Raises
    ------
    ValueError
        Duplicate work ids, or a negative window.
    """
    if window is not None and window < 0:
        raise ValueError(f"citation_counts: negative citation window {window}")
    if years is None:
        years = work_years_compact(works, chunk_rows)
    try:
        if index is None:
            index = HashIndex(works["work_id"])
        try:
            return _streamed_counts(years, references, periods, window, index, chunk_rows)
        except _Unordered:
            return _global_counts(years, references, periods, window, index, chunk_rows)
    except LookupError:  # non-string or duplicate ids, or a hash collision: exact pyarrow path
        citing, cited = reference_positions_indexed(works, references, None)
        y = np.asarray(years, dtype=np.int64)
        return [count_citations(y, citing, cited, p, window).astype(np.int32) for p in periods]


def citation_counts(
    works: pd.DataFrame,
    references: pd.DataFrame | None,
    period: Period | str,
    window: int | None = None,
    source: str = "corpus",
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> pd.Series:
    """Count the citations each work received, as seen at the end of ``period``.

    ``source="corpus"``: the references with a resolved ``cited_id`` (a work of the
    corpus) from citing works published in or before ``period.end`` are counted; with
    ``window=N`` only citing works published at most ``N`` years after the cited work
    (``citing year <= cited year + N``; a cited work of unknown year then gets 0).
    Each (citing, cited) pair counts once (duplicate reference rows do not inflate
    counts); a work citing itself does not count; citing works of unknown year are not
    counted (they cannot be placed in time). ``source="input"``: the count the database
    carried (``works.cited_by_count``; null counts as 0), whatever the period.

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id`` unique, ``year``, ``cited_by_count`` for ``input``).
    references : pandas.DataFrame or None
        References table (``citing_id``, ``cited_id``); unused for ``input``.
    period : Period or str
        The period (or its ``"YYYY-YYYY"`` label) whose end bounds the citing years.
    window : int, optional
        Citation window in years after publication; ``None`` counts up to the period end.
    source : {'corpus', 'input'}
        Where the counts come from.
    chunk_rows : int
        References per block (:func:`citation_counts_by_period`).

    Returns
    -------
    pandas.Series of int64
        Indexed by ``work_id`` in the order of ``works``, named ``citations``; 0 for
        uncited works.
    """
    if isinstance(period, str):
        period = Period.parse(period)
    index = pd.Index(works["work_id"], name="work_id")
    if source == "input":
        if "cited_by_count" not in works.columns:
            raise ValueError("citation_counts: works has no cited_by_count column (citations.source: input)")
        counts = pd.to_numeric(works["cited_by_count"], errors="coerce").fillna(0).to_numpy(dtype=np.int64)
        return pd.Series(counts, index=index, name="citations")
    if source != "corpus":
        raise ValueError(f"citation_counts: unknown citation source {source!r} (corpus|input)")
    if references is None:
        raise ValueError("citation_counts: citations.source corpus needs the references table")
    try:
        (counts,) = citation_counts_by_period(works, references, [period], window, chunk_rows=chunk_rows)
    except ValueError as exc:
        msg = str(exc)
        raise ValueError(msg if msg.startswith("citation_counts") else f"citation_counts: {msg}") from None
    return pd.Series(counts.astype(np.int64), index=index, name="citations")
