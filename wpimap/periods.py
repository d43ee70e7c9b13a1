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


def positions(values: Any, ids: Any) -> np.ndarray:
    """Return the position of each of ``values`` in ``ids`` (``-1`` when absent or null).

    A hashed look-up (:func:`pyarrow.compute.index_in`), the fast way to join string
    identifiers to row numbers.

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
    k = np.sort(np.asarray(keys), kind="stable")
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
    n, m = len(works), len(references)
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
    cy = years[citing]
    keep = (cy >= 0) & (cy <= period.end)
    if window is not None:
        if window < 0:
            raise ValueError(f"citation_counts: negative citation window {window}")
        y0 = years[cited]
        keep &= (y0 >= 0) & (cy <= y0 + window)
    pairs = unique_sorted(citing[keep] * np.int64(max(n, 1)) + cited[keep])
    return np.bincount(pairs % max(n, 1), minlength=n).astype(np.int64)


def citation_counts(
    works: pd.DataFrame,
    references: pd.DataFrame | None,
    period: Period | str,
    window: int | None = None,
    source: str = "corpus",
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
        citing, cited = reference_positions(works, references)
    except ValueError as exc:
        raise ValueError(f"citation_counts: {exc}") from None
    counts = count_citations(work_years(works), citing, cited, period, window)
    return pd.Series(counts, index=index, name="citations")
