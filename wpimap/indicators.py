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
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wpimap.core import DEFAULT_DOC_TYPES, TopCells, doc_type_mask, string_codes
from wpimap.periods import (
    HashIndex,
    Period,
    citation_counts,
    count_citations,
    first_occurrence,
    hash_codes,
    positions,
    reference_positions_indexed,
    unique_sorted,
    work_years,
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


class _Entities:
    """Per (paper, entity) rows with the paper's fraction, for countries and centers.

    Addresses are distinct (paper, address-or-institution, country) among the
    authorship rows with a known country (see the module docstring).
    """

    def __init__(self, works: pd.DataFrame, authorships: pd.DataFrame, index: HashIndex | None = None) -> None:
        n = len(works)
        ccode_all, cnames = string_codes(authorships["country"])
        rows = np.flatnonzero(ccode_all >= 0)
        subset = len(rows) < len(ccode_all)  # rows without a country are dropped
        if index is None:
            pos_all = positions(authorships["work_id"], works["work_id"])
        else:
            try:
                pos_all = index.get(authorships["work_id"])
            except LookupError:
                pos_all = positions(authorships["work_id"], works["work_id"])
        pos = pos_all[rows] if subset else pos_all
        ccode = ccode_all[rows] if subset else ccode_all
        key = pc.coalesce(_str_array(authorships["address"]), _str_array(authorships["institution"]))
        enc = hash_codes(key)  # only distinctness matters: codes in order of first appearance
        acode_all = enc[0] if enc is not None else string_codes(key)[0]
        acode = acode_all[rows] if subset else acode_all  # null (no address, no institution): one per country
        if "center" in authorships.columns:
            kcode_all, knames = string_codes(authorships["center"])
            kcode = kcode_all[rows] if subset else kcode_all
        else:
            kcode, knames = np.full(len(rows), -1, dtype=np.int64), np.array([], dtype=object)
        ok = pos >= 0  # authorships of works absent from the works table are ignored
        pos, ccode, acode, kcode = pos[ok], ccode[ok], acode[ok], kcode[ok]
        nc = max(len(cnames), 1)
        na = int(acode.max()) + 2 if len(acode) else 1
        addr_key = (pos * na + (acode + 1)) * nc + ccode
        addr_first = first_occurrence(addr_key)
        n_addr = np.bincount(pos[addr_first], minlength=n)
        # countries: addresses per (paper, country)
        pc_key, pc_count = unique_sorted(pos[addr_first] * nc + ccode[addr_first], return_counts=True)
        c_pos, c_code = pc_key // nc, pc_key % nc
        self.n_countries = np.bincount(c_pos, minlength=n)
        self.country_names = cnames
        self.country = (c_pos, c_code, pc_count / n_addr[c_pos])
        # centers: distinct addresses per (paper, center)
        has = kcode >= 0
        nk = max(len(knames), 1)
        kfirst = first_occurrence(addr_key[has] * nk + kcode[has])
        kp_key, kp_count = unique_sorted(pos[has][kfirst] * nk + kcode[has][kfirst], return_counts=True)
        k_pos, k_code = kp_key // nk, kp_key % nk
        # any center: distinct addresses matched to at least one center, per paper
        any_first = first_occurrence(addr_key[has])
        a_pos, a_count = unique_sorted(pos[has][any_first], return_counts=True)
        self.center_names = np.asarray([*knames, ALL_CENTERS], dtype=object)
        self.center = (
            np.concatenate([k_pos, a_pos]),
            np.concatenate([k_code, np.full(len(a_pos), len(knames))]),
            np.concatenate([kp_count / n_addr[k_pos], a_count / n_addr[a_pos]]),
        )

def _aggregate(
    rows: tuple[np.ndarray, np.ndarray, np.ndarray],
    names: np.ndarray,
    entity_type: str,
    paper_ok: np.ndarray,
    years: np.ndarray,
    period: Period,
    single_years: bool,
    n_countries: np.ndarray,
    weights: dict[float, np.ndarray],
) -> pd.DataFrame:
    """Sum the indicators per (span, entity) with bincounts; both countings."""
    pos, code, frac = rows
    keep = paper_ok[pos]
    pos, code, frac = pos[keep], code[keep], frac[keep]
    ne = max(len(names), 1)
    nspan = 1 + (period.end - period.start + 1 if single_years else 0)
    keys = [code]
    if single_years:
        keys.append((1 + years[pos] - period.start) * ne + code)
    key = np.concatenate(keys)
    fr = np.concatenate([frac] * len(keys))
    pp = np.concatenate([pos] * len(keys))
    ncty = n_countries[pp]
    values = {
        "papers": np.ones(len(pp)),
        **{_top_name(x): w[pp] for x, w in weights.items()},
        "intl_papers": (ncty >= 2).astype(np.float64),
        "domestic": (ncty == 1).astype(np.float64),
        "bilateral": (ncty == 2).astype(np.float64),
        "multilateral": (ncty >= 3).astype(np.float64),
    }
    size = nspan * ne
    spans = [period.label]
    if single_years:
        spans += [f"{y}-{y}" for y in range(period.start, period.end + 1)]
    frames = []
    for counting, mult in (("whole", None), ("fractional", fr)):
        sums = {
            k: np.bincount(key, weights=v if mult is None else v * mult, minlength=size) for k, v in values.items()
        }
        present = np.bincount(key, minlength=size) > 0
        idx = np.flatnonzero(present)
        df = pd.DataFrame({k: v[idx] for k, v in sums.items()})
        df.insert(0, "counting", counting)
        df.insert(0, "entity", names[idx % ne] if len(names) else [])
        df.insert(0, "entity_type", entity_type)
        df.insert(0, "span", np.asarray(spans, dtype=object)[idx // ne])
        df.insert(0, "period", period.label)
        df["_order"] = idx // ne
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


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
    years = work_years(works)
    allowed = doc_type_mask(works["doc_type"], doc_types)
    cells = TopCells(works, doc_types, ("year", "field"))
    try:  # the works' ids hashed once, for the authorships and the references
        index = HashIndex(works["work_id"])
    except LookupError:
        index = None
    ent = _Entities(works, authorships, index)
    countries, centers = [], []
    if citation_source == "corpus":
        if references is None:
            raise ValueError("indicator_tables: citations.source corpus needs the references table")
        ref_pos = reference_positions_indexed(works, references, index)  # once for all periods
    for k, period in enumerate(periods):
        if citation_source == "corpus":
            cit = count_citations(years, *ref_pos, period, window)
        else:
            cit = citation_counts(works, references, period, window, citation_source).to_numpy()
        inside = allowed & (years >= period.start) & (years <= period.end)
        weights = {x: cells.weights(cit, x, mask=inside) for x in top_percents}
        common = dict(
            paper_ok=inside,
            years=years,
            period=period,
            single_years=single_years,
            n_countries=ent.n_countries,
            weights=weights,
        )
        c = _aggregate(ent.country, ent.country_names, "country", **common)
        c["_period_order"] = k
        countries.append(c)
        z = _aggregate(ent.center, ent.center_names, "center", **common)
        z.loc[z["entity"] == ALL_CENTERS, "entity_type"] = "centers"
        focus = c[c["entity"] == focus_country].assign(entity=f"{focus_country} (all)")
        z = pd.concat([z, focus], ignore_index=True)
        z["_period_order"] = k
        centers.append(z)
    cat = (lambda fr: pd.concat(fr, ignore_index=True)) if periods else (lambda fr: pd.DataFrame())
    return _finish(cat(countries), top_percents), _finish(cat(centers), top_percents)
