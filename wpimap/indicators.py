"""WPI indicators per country and per research center: papers, corrected Top10%/Top1%
papers and their shares, international co-authorship; whole and fractional counting.

Definitions (one row per period × span × entity × counting):

papers
    Works of the eligible document types (``indicators``' ``doc_types``, default
    article + review) published in the span. A paper counts for an entity when one of
    its authorship rows with a *known country* names it (the country, or the center).
    Authorship rows without a country are ignored everywhere, so a paper without any
    country is counted in no country and no center — but it still takes part in the
    (year × field) cells of the Top X% rule (it can be a Top paper of nobody).
addresses
    A paper's addresses are its distinct (address, country) pairs among its authorship
    rows with a known country; the address is the raw ``address``, else the
    ``institution``, else empty (then one address per country).
counting
    ``whole``: 1 per paper per entity. ``fractional``: a paper splits 1 over its
    addresses; a country's (center's) fraction is the share of the paper's addresses
    in that country (matched to that center). Fractions of all countries of a paper
    sum to 1.
topX, topX_share
    Σ of the papers' NISTEP-corrected Top X% weights (:mod:`wpimap.core`, cells =
    publication year × field, citations counted up to the period's end), times the
    paper's fraction under fractional counting; share = topX / papers.
intl_papers, intl_rate
    Papers with addresses in ≥ 2 countries (same counting); rate = intl_papers / papers.
domestic, bilateral, multilateral
    Papers with addresses in exactly 1, exactly 2, and ≥ 3 countries.
period, span
    ``period`` is the period whose end bounds the citation counts; ``span`` the years
    counted: the whole period (``span == period``) and, with ``single_years``, each of
    its years alone (``"2015-2015"``), still with the period's citation counts.

The centers table holds one row per center (``entity_type`` ``center``), the centers
together (entity ``"all centers"``, ``entity_type`` ``centers``: papers with an address
of any center; fractional = share of the paper's addresses matched to a center) and,
side by side, the focus country's average (``entity`` e.g. ``"JP (all)"``, ``entity_type``
``country``): the same numbers as that country's rows in the countries table.

Memory: the tables are computed in chunks of ``chunk_rows`` rows
(``indicators.chunk_rows``). Per work only compact arrays are kept (ids index 12
bytes, year 2, document type 1, cells ~4, citation counts 4 per period, the Top
papers' weights); the references (grouped by citing work) and the authorships
(grouped work by work in the works' order) are read block by block, each block's
sums added to the running sums in paper order, so the results are the same, to the
last bit, for any chunk size.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wpimap.core import DEFAULT_DOC_TYPES, TopCells, doc_type_mask, string_codes
from wpimap.periods import (
    DEFAULT_CHUNK_ROWS,
    HashIndex,
    Period,
    _positions_arrow,
    _Unordered,
    citation_counts,
    citation_counts_by_period,
    first_occurrence,
    hash_codes,
    positions,
    run_blocks,
    string_array,
    unique_sorted,
    work_years_compact,
)

ALL_CENTERS = "all centers"

COLUMNS = [
    "period",
    "span",
    "entity_type",
    "entity",
    "counting",
    "papers",
]


def _top_name(percent: float) -> str:
    return f"top{percent:g}"


def output_columns(top_percents: Sequence[float] = (10, 1)) -> list[str]:
    """Return the columns of the indicator tables, in order.

    Parameters
    ----------
    top_percents : sequence of float
        The X of the Top X% columns.

    Returns
    -------
    list of str
    """
    tops = []
    for x in top_percents:
        tops += [_top_name(x), f"{_top_name(x)}_share"]
    return [*COLUMNS, *tops, "intl_papers", "intl_rate", "domestic", "bilateral", "multilateral"]


def _str_array(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    arr = pa.array(values, from_pandas=True)
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.large_string())
    return arr.cast(pa.large_string())


def _sorted_names(values: pd.Series, chunk_rows: int) -> np.ndarray:
    """The distinct non-null values, sorted as :func:`wpimap.core.string_codes` sorts them."""
    seen: dict[Any, None] = {}
    for a in range(0, len(values), chunk_rows):
        arr = string_array(values.iloc[a : a + chunk_rows])
        if arr is None:  # not strings: one pass over the whole column
            return string_codes(values)[1]
        seen.update(dict.fromkeys(v for v in pc.unique(arr).to_pylist() if v is not None))
    names = np.asarray(list(seen), dtype=object)
    return names[np.argsort(names.astype(str), kind="stable")]


def _codes(values: pd.Series, names: np.ndarray) -> np.ndarray:
    """Codes of ``values`` among ``names`` (-1 for null or absent)."""
    arr = string_array(values)
    if arr is None:
        return pd.Index(names, dtype=object).get_indexer(pd.Index(values.astype(object), dtype=object)).astype(np.int64)
    vs = pa.array(names.tolist(), type=arr.type)
    return pc.fill_null(pc.index_in(arr, value_set=vs), -1).to_numpy(zero_copy_only=False).astype(np.int64)


class _Block:
    """Per (paper, entity) rows with the paper's fraction, for the papers of one block.

    Addresses are distinct (paper, address-or-institution, country) among the
    authorship rows with a known country (see the module docstring). All the
    authorship rows of a paper are in the same block; ``papers`` are the block's works
    (rows in ``works``, ascending) and the rows' ``pos`` index them.
    """

    def __init__(
        self, auth: pd.DataFrame, pos: np.ndarray, cnames: np.ndarray, knames: np.ndarray, has_center: bool
    ) -> None:
        ccode = _codes(auth["country"], cnames)
        rows = np.flatnonzero((ccode >= 0) & (pos >= 0))  # rows without country or work: ignored
        key = pc.coalesce(_str_array(auth["address"]), _str_array(auth["institution"]))
        enc = hash_codes(key)  # only distinctness within a paper matters
        acode = (enc[0] if enc is not None else string_codes(key)[0])[rows]
        kcode = _codes(auth["center"], knames)[rows] if has_center else np.full(len(rows), -1, dtype=np.int64)
        ccode = ccode[rows]
        self.papers, pl = np.unique(pos[rows], return_inverse=True)
        n = len(self.papers)
        nc = max(len(cnames), 1)
        na = int(acode.max()) + 2 if len(acode) else 1
        addr_key = (pl * na + (acode + 1)) * nc + ccode
        addr_first = first_occurrence(addr_key)
        n_addr = np.bincount(pl[addr_first], minlength=n)
        # countries: addresses per (paper, country)
        pc_key, pc_count = unique_sorted(pl[addr_first] * nc + ccode[addr_first], return_counts=True)
        c_pos, c_code = pc_key // nc, pc_key % nc
        self.n_countries = np.bincount(c_pos, minlength=n)
        self.country = (c_pos, c_code, pc_count / n_addr[c_pos])
        # centers: distinct addresses per (paper, center)
        has = kcode >= 0
        nk = max(len(knames), 1)
        kfirst = first_occurrence(addr_key[has] * nk + kcode[has])
        kp_key, kp_count = unique_sorted(pl[has][kfirst] * nk + kcode[has][kfirst], return_counts=True)
        k_pos, k_code = kp_key // nk, kp_key % nk
        # any center: distinct addresses matched to at least one center, per paper
        any_first = first_occurrence(addr_key[has])
        a_pos, a_count = unique_sorted(pl[has][any_first], return_counts=True)
        self.center = (
            np.concatenate([k_pos, a_pos]),
            np.concatenate([k_code, np.full(len(a_pos), len(knames))]),
            np.concatenate([kp_count / n_addr[k_pos], a_count / n_addr[a_pos]]),
        )


class _Sums:
    """The indicator sums of one period and one table, accumulated block by block.

    A bin's sum is accumulated in the order of the papers, as one ``np.bincount`` over
    all rows would: each block's bincount starts from the running sums (prepended), so
    the floating-point results do not depend on the block size.
    """

    def __init__(self, names: np.ndarray, period: Period, single_years: bool, top_names: list[str]) -> None:
        self.names = names
        self.period = period
        self.single_years = single_years
        self.ne = max(len(names), 1)
        self.size = (1 + (period.end - period.start + 1 if single_years else 0)) * self.ne
        self.values = ["papers", *top_names, "intl_papers", "domestic", "bilateral", "multilateral"]
        self.sums = {c: {v: np.zeros(self.size) for v in self.values} for c in ("whole", "fractional")}
        self.count = np.zeros(self.size, dtype=np.int64)
        self._bins = np.arange(self.size)

    def add(
        self,
        rows: tuple[np.ndarray, np.ndarray, np.ndarray],
        paper_ok: np.ndarray,
        years: np.ndarray,
        n_countries: np.ndarray,
        weights: dict[str, np.ndarray],
    ) -> None:
        """Add a block's rows (``pos`` indexes the block's papers)."""
        pos, code, frac = rows
        keep = paper_ok[pos]
        pos, code, frac = pos[keep], code[keep], frac[keep]
        keys = [code]
        if self.single_years:
            keys.append((1 + years[pos].astype(np.int64) - self.period.start) * self.ne + code)
        key = np.concatenate(keys)
        fr = np.concatenate([frac] * len(keys))
        pp = np.concatenate([pos] * len(keys))
        ncty = n_countries[pp]
        values = {
            "papers": np.ones(len(pp)),
            **{k: w[pp] for k, w in weights.items()},
            "intl_papers": (ncty >= 2).astype(np.float64),
            "domestic": (ncty == 1).astype(np.float64),
            "bilateral": (ncty == 2).astype(np.float64),
            "multilateral": (ncty >= 3).astype(np.float64),
        }
        allkey = np.concatenate([self._bins, key])
        for counting, mult in (("whole", None), ("fractional", fr)):
            acc = self.sums[counting]
            for k, v in values.items():
                acc[k] = np.bincount(allkey, weights=np.concatenate([acc[k], v if mult is None else v * mult]))
        self.count += np.bincount(key, minlength=self.size)

    def frame(self, entity_type: str) -> pd.DataFrame:
        """The rows of the entities present, both countings (as before ``_finish``)."""
        period = self.period
        spans = [period.label]
        if self.single_years:
            spans += [f"{y}-{y}" for y in range(period.start, period.end + 1)]
        idx = np.flatnonzero(self.count > 0)
        frames = []
        for counting in ("whole", "fractional"):
            df = pd.DataFrame({k: v[idx] for k, v in self.sums[counting].items()})
            df.insert(0, "counting", counting)
            df.insert(0, "entity", self.names[idx % self.ne] if len(self.names) else [])
            df.insert(0, "entity_type", entity_type)
            df.insert(0, "span", np.asarray(spans, dtype=object)[idx // self.ne])
            df.insert(0, "period", period.label)
            df["_order"] = idx // self.ne
            frames.append(df)
        return pd.concat(frames, ignore_index=True)


def _blocks_in_order(
    authorships: pd.DataFrame, lookup: Any, chunk_rows: int
) -> Any:
    """Yield (rows, pos) blocks whose papers increase from block to block.

    Authorships written work by work in the order of the works (as ingestion writes
    them) are read as row slices; otherwise (detected) the rows are sorted by work once
    (about 24 bytes per authorship row) and read in that order.
    """
    last = -1
    for s, e, (pos,) in run_blocks(lookup, len(authorships), chunk_rows):
        valid = pos[pos >= 0]
        if len(valid):
            if int(valid.min()) <= last:
                raise _Unordered
            last = int(valid.max())
        yield slice(s, e), pos


def _blocks_sorted(authorships: pd.DataFrame, lookup: Any, chunk_rows: int) -> Any:
    """Yield (rows, pos) blocks of the authorships sorted by work (the fallback)."""
    m = len(authorships)
    pos_all = np.concatenate([lookup(a, min(a + chunk_rows, m))[0] for a in range(0, m, chunk_rows)] or [np.empty(0, dtype=np.int64)])
    order = np.flatnonzero(pos_all >= 0)
    order = order[np.argsort(pos_all[order], kind="stable")]
    ps = pos_all[order]
    del pos_all
    for _, _, (pos, rows) in run_blocks(lambda a, b: (ps[a:b], order[a:b]), len(order), chunk_rows):
        yield rows, pos


def _finish(df: pd.DataFrame, top_percents: Sequence[float]) -> pd.DataFrame:
    """Add the shares and rates, order rows and columns."""
    cols = output_columns(top_percents)
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    papers = df["papers"].to_numpy()
    for x in top_percents:
        df[f"{_top_name(x)}_share"] = df[_top_name(x)].to_numpy() / papers
    df["intl_rate"] = df["intl_papers"].to_numpy() / papers
    df = df.sort_values(
        ["_period_order", "_order", "entity_type", "entity", "counting"],
        ascending=[True, True, True, True, False],
        kind="stable",
    )
    return df[cols].reset_index(drop=True)


def indicator_tables(
    works: pd.DataFrame,
    authorships: pd.DataFrame,
    periods: Iterable[Period | str],
    *,
    references: pd.DataFrame | None = None,
    citation_source: str = "corpus",
    window: int | None = None,
    top_percents: Sequence[float] = (10, 1),
    doc_types: Iterable[str] = DEFAULT_DOC_TYPES,
    focus_country: str = "JP",
    single_years: bool = True,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the indicator tables per country and per center (see the module docstring).

    Parameters
    ----------
    works : pandas.DataFrame
        Works table (``work_id``, ``year``, ``doc_type``, ``fields``,
        ``cited_by_count`` for ``citation_source="input"``).
    authorships : pandas.DataFrame
        Authorships table (``work_id``, ``address``, ``institution``, ``country``,
        ``center``).
    periods : iterable of Period or str
        The periods (``periods_from_config``).
    references : pandas.DataFrame, optional
        References table; required for ``citation_source="corpus"``.
    citation_source : {'corpus', 'input'}
        ``citations.source``.
    window : int, optional
        ``citations.window`` (years after publication; ``None``: up to the period end).
    top_percents : sequence of float
        ``indicators.top_percents``: one ``topX`` and ``topX_share`` column pair each.
    doc_types : iterable of str
        ``core.doc_types``: the papers counted and ranked.
    focus_country : str
        ``indicators.focus_country``: its average is added to the centers table as
        entity ``"<CC> (all)"``.
    single_years : bool
        ``indicators.single_years``: also one span per year of each period.
    chunk_rows : int
        ``indicators.chunk_rows``: works, authorships and references are processed this
        many rows at a time. The working memory above the input tables is then a
        few compact arrays per work (ids index, years, Top weights of the Top papers)
        plus a part proportional to the chunk; the results do not depend on it.
        Authorships and references are expected grouped work by work (as ingestion
        writes them); otherwise (detected) they are sorted once, which costs memory
        proportional to their rows.

    Returns
    -------
    countries, centers : pandas.DataFrame
        Long tables with columns :func:`output_columns` (``period``, ``span``,
        ``entity_type``, ``entity``, ``counting``, ``papers``, ``top10``,
        ``top10_share``, ``top1``, ``top1_share``, ``intl_papers``, ``intl_rate``,
        ``domestic``, ``bilateral``, ``multilateral``); entities with no paper in a span
        have no row. Written to ``results/tables/indicators_countries.csv`` and
        ``indicators_centers.csv``.
    """
    periods = [Period.parse(p) if isinstance(p, str) else p for p in periods]
    top_percents = list(top_percents)
    chunk_rows = max(int(chunk_rows), 1)
    n = len(works)
    years = work_years_compact(works, chunk_rows)
    allowed = np.zeros(n, dtype=bool)
    for a in range(0, n, chunk_rows):
        allowed[a : a + chunk_rows] = doc_type_mask(works["doc_type"].iloc[a : a + chunk_rows], doc_types)
    try:  # the works' ids hashed once, for the references and the authorships
        index = HashIndex(works["work_id"])
    except LookupError:
        index = None
    if citation_source == "corpus":
        if references is None:
            raise ValueError("indicator_tables: citations.source corpus needs the references table")
        cits = citation_counts_by_period(
            works, references, periods, window, index=index, years=years, chunk_rows=chunk_rows
        )
    elif periods:  # the input's counts do not depend on the period
        cits = [citation_counts(works, references, periods[0], window, citation_source).to_numpy()] * len(periods)
    else:
        cits = []
    # the Top X% weights of each period, kept for the Top papers only (row, weight)
    cells = TopCells(works, doc_types, ("year", "field"), chunk_rows=chunk_rows)
    tops: list[dict[str, tuple[np.ndarray, np.ndarray]]] = []
    for k, period in enumerate(periods):
        inside = allowed & (years >= period.start) & (years <= period.end)
        tops.append({})
        for x in top_percents:
            pos, w, _ = cells.top_weights(cits[k], x, mask=inside)
            tops[k][_top_name(x)] = (pos.astype(np.int32) if n < 2**31 else pos, w)
        del inside
    del cells, cits

    cnames = _sorted_names(authorships["country"], chunk_rows)
    has_center = "center" in authorships.columns
    knames = _sorted_names(authorships["center"], chunk_rows) if has_center else np.array([], dtype=object)
    center_names = np.asarray([*knames, ALL_CENTERS], dtype=object)
    work_col = authorships["work_id"]
    if index is None:  # non-string or duplicate ids: one exact look-up of all rows
        pos_all = positions(work_col, works["work_id"])

        def lookup(s: int, e: int) -> tuple[np.ndarray]:
            return (pos_all[s:e],)
    else:

        def lookup(s: int, e: int) -> tuple[np.ndarray]:
            try:
                return (index.get(work_col.iloc[s:e]),)
            except LookupError:  # a hash collision: exact pyarrow look-up of this block
                return (_positions_arrow(work_col.iloc[s:e], works["work_id"]),)

    def accumulate(blocks: Any) -> tuple[list[_Sums], list[_Sums]]:
        cs = [_Sums(cnames, p, single_years, [_top_name(x) for x in top_percents]) for p in periods]
        zs = [_Sums(center_names, p, single_years, [_top_name(x) for x in top_percents]) for p in periods]
        for rows, pos in blocks:
            blk = _Block(authorships.iloc[rows], pos, cnames, knames, has_center)
            papers = blk.papers
            if len(papers) == 0:
                continue
            y = years[papers]
            for k, period in enumerate(periods):
                ok = allowed[papers] & (y >= period.start) & (y <= period.end)
                weights = {name: _lookup_weights(tp, papers) for name, tp in tops[k].items()}
                common = dict(paper_ok=ok, years=y, n_countries=blk.n_countries, weights=weights)
                cs[k].add(blk.country, **common)
                zs[k].add(blk.center, **common)
        return cs, zs

    try:
        cs, zs = accumulate(_blocks_in_order(authorships, lookup, chunk_rows))
    except _Unordered:
        cs, zs = accumulate(_blocks_sorted(authorships, lookup, chunk_rows))
    countries, centers = [], []
    for k in range(len(periods)):
        c = cs[k].frame("country")
        c["_period_order"] = k
        countries.append(c)
        z = zs[k].frame("center")
        z.loc[z["entity"] == ALL_CENTERS, "entity_type"] = "centers"
        focus = c[c["entity"] == focus_country].assign(entity=f"{focus_country} (all)")
        z = pd.concat([z, focus], ignore_index=True)
        z["_period_order"] = k
        centers.append(z)
    cat = (lambda fr: pd.concat(fr, ignore_index=True)) if periods else (lambda fr: pd.DataFrame())
    return _finish(cat(countries), top_percents), _finish(cat(centers), top_percents)


def _lookup_weights(top: tuple[np.ndarray, np.ndarray], papers: np.ndarray) -> np.ndarray:
    """Weights of ``papers`` (ascending rows) from the Top papers' (rows, weights); 0 elsewhere."""
    pos, w = top
    out = np.zeros(len(papers))
    if len(pos):
        at = np.minimum(np.searchsorted(pos, papers), len(pos) - 1)
        hit = pos[at] == papers
        out[hit] = w[at[hit]]
    return out
