"""Participation of countries and research centers in research areas.

Counting rules (documented in the report):

* A paper's *addresses* are the distinct ``(address or institution, country)`` pairs of
  its authorship rows that have a country (rows without a country are no address).
* An entity (country, or center) *participates* in an area when at least one of the
  area's papers has an address in it (whole counting).
* Fractional counting splits each paper into 1 over its addresses: a country gets
  ``k/n`` of a paper with ``n`` addresses of which ``k`` are in the country; a center
  gets the share of the addresses matched to it.
* An entity *leads* an area when its fractional count is at least ``led_share`` of the
  area's papers (all of them, including papers with no address).
* Papers of unassigned areas (``area == -1``) are ignored.

The same function works on citing papers: pass the membership from
:func:`citing_membership` (one row per citing paper and area it cites).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "PARTICIPATION_COLUMNS",
    "citing_membership",
    "paper_addresses",
    "participation",
    "participation_tables",
]

PARTICIPATION_COLUMNS = [
    "period",
    "entity",
    "areas",
    "area_share",
    "core_whole",
    "core_fractional",
    "led_areas",
    "emerging_areas",
    "interdisciplinary_areas",
]


def _require(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}")


def paper_addresses(authorships: pd.DataFrame, work_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Distinct addresses of papers, with their fractional weight.

    Parameters
    ----------
    authorships : pandas.DataFrame
        Columns ``work_id, country`` and ``address`` and/or ``institution``; ``center``
        optional.
    work_ids : iterable of str, optional
        Keep only these papers (filter first: the authorships table is large).

    Returns
    -------
    pandas.DataFrame
        Columns ``work_id, addr, country, center, frac`` where ``frac = 1 / n`` with
        ``n`` the paper's number of distinct addresses. When one address appears in
        several rows, its center is the first non-null one (sorted).
    """
    _require(authorships, ["work_id", "country"], "authorships")
    au = authorships
    if work_ids is not None:
        au = au[au["work_id"].isin(pd.Index(work_ids))]
    au = au[au["country"].notna() & (au["country"].astype(str) != "")]
    addr = pd.Series(pd.NA, index=au.index, dtype=object)
    for col in ("institution", "address"):
        if col in au.columns:
            addr = au[col].astype(object).where(au[col].notna() & (au[col].astype(str) != ""), addr)
    addr = addr.fillna("")
    center = (
        au["center"].astype(object)
        if "center" in au.columns
        else pd.Series(None, index=au.index, dtype=object)
    )
    frame = pd.DataFrame(
        {
            "work_id": au["work_id"].to_numpy(),
            "addr": addr.to_numpy(),
            "country": au["country"].astype(str).to_numpy(),
            "center": center.to_numpy(),
        }
    )
    frame = frame.sort_values(["work_id", "addr", "country", "center"], na_position="last", kind="stable")
    frame = frame.drop_duplicates(["work_id", "addr", "country"], keep="first").reset_index(drop=True)
    frame["frac"] = 1.0 / frame.groupby("work_id")["work_id"].transform("size")
    return frame


def citing_membership(
    core: pd.DataFrame,
    references: pd.DataFrame,
    works: pd.DataFrame | None = None,
    years: tuple[int, int] | None = None,
) -> pd.DataFrame:
    """Citing papers of each area: one row per (citing paper, area cited).

    Parameters
    ----------
    core : pandas.DataFrame
        Core papers with ``work_id`` and ``area``.
    references : pandas.DataFrame
        ``citing_id, cited_id``.
    works : pandas.DataFrame, optional
        ``work_id, year``; needed with ``years``.
    years : (int, int), optional
        Keep citing papers published in this closed year range (e.g. the period).

    Returns
    -------
    pandas.DataFrame
        Columns ``work_id`` (the citing paper), ``area``; usable as the first argument of
        :func:`participation`.
    """
    core = core.loc[core["area"] >= 0, ["work_id", "area"]]
    refs = references.loc[references["cited_id"].isin(pd.Index(core["work_id"])), ["citing_id", "cited_id"]]
    if years is not None:
        if works is None:
            raise ValueError("citing_membership: years given without works (need works.year)")
        ok = works.loc[works["year"].between(years[0], years[1]), "work_id"]
        refs = refs[refs["citing_id"].isin(pd.Index(ok))]
    mem = refs.merge(core, left_on="cited_id", right_on="work_id")[["citing_id", "area"]]
    mem = mem.drop_duplicates().rename(columns={"citing_id": "work_id"})
    return mem.sort_values(["area", "work_id"], ignore_index=True)


def participation(
    core_with_area: pd.DataFrame,
    authorships: pd.DataFrame,
    areas_flags: pd.DataFrame | None = None,
    entity: str = "country",
    led_share: float = 0.5,
    period: str | None = None,
    exclude_centers: bool = False,
) -> pd.DataFrame:
    """Areas, papers and led areas of each country or center in one period's map.

    Parameters
    ----------
    core_with_area : pandas.DataFrame
        ``work_id, area`` (core papers, or citing papers from :func:`citing_membership`).
        Rows with ``area == -1`` are ignored. A paper may belong to several areas (citing
        papers); it then counts in each.
    authorships : pandas.DataFrame
        ``work_id, country, address/institution, center``.
    areas_flags : pandas.DataFrame, optional
        ``area, emerging, interdisciplinary`` (bool); missing flags count as False.
    entity : {'country', 'center'}
        What to count.
    led_share : float
        Fractional share of an area's papers at or above which the entity leads it.
    period : str, optional
        Label written in the ``period`` column.
    exclude_centers : bool
        Drop the addresses matched to a center before counting (the counterfactual of
        :mod:`wpimap.wpi`); the remaining addresses keep their original ``1/n`` weight.

    Returns
    -------
    pandas.DataFrame
        Columns ``period, entity, areas, area_share, core_whole, core_fractional,
        led_areas, emerging_areas, interdisciplinary_areas`` (then ``n_areas``), sorted by
        decreasing areas, then entity. ``area_share`` = areas / number of areas of the map.
    """
    if entity not in ("country", "center"):
        raise ValueError(f"participation: entity={entity!r}, expected 'country' or 'center'")
    _require(core_with_area, ["work_id", "area"], f"core papers{f' ({period})' if period else ''}")
    mem = core_with_area.loc[core_with_area["area"] >= 0, ["work_id", "area"]].drop_duplicates()
    n_areas = int(mem["area"].nunique())
    if areas_flags is not None and len(areas_flags):
        n_areas = int(pd.Index(mem["area"].unique()).union(pd.Index(areas_flags["area"])).nunique())
    addrs = paper_addresses(authorships, mem["work_id"].unique())
    if exclude_centers:
        addrs = addrs[addrs["center"].isna()]
    addrs = addrs[addrs[entity].notna()]
    # per (paper, entity): fractional weight of the paper for the entity
    pe = addrs.groupby(["work_id", entity], as_index=False)["frac"].sum().rename(columns={entity: "entity"})
    # whole / fractional paper counts (each paper once, whatever its number of areas)
    papers = pe.groupby("entity").agg(core_whole=("work_id", "size"), core_fractional=("frac", "sum"))
    # per (area, entity)
    ae = mem.merge(pe, on="work_id").groupby(["area", "entity"], as_index=False)["frac"].sum()
    area_size = mem.groupby("area").size()
    ae["area_share_of_papers"] = ae["frac"] / ae["area"].map(area_size)
    ae["led"] = ae["area_share_of_papers"] >= led_share - 1e-12
    flags = pd.DataFrame({"area": pd.Series(dtype=mem["area"].dtype)})
    if areas_flags is not None:
        flags = areas_flags.copy()
    for col in ("emerging", "interdisciplinary"):
        if col not in flags.columns:
            flags[col] = False
    flags = flags[["area", "emerging", "interdisciplinary"]].drop_duplicates("area")
    ae = ae.merge(flags, on="area", how="left")
    ae[["emerging", "interdisciplinary"]] = ae[["emerging", "interdisciplinary"]].fillna(False).astype(bool)
    per = ae.groupby("entity").agg(
        areas=("area", "size"),
        led_areas=("led", "sum"),
        emerging_areas=("emerging", "sum"),
        interdisciplinary_areas=("interdisciplinary", "sum"),
    )
    out = per.join(papers, how="outer").reset_index()
    for col in ("areas", "led_areas", "emerging_areas", "interdisciplinary_areas", "core_whole"):
        out[col] = out[col].fillna(0).astype(np.int64)
    out["core_fractional"] = out["core_fractional"].fillna(0.0).astype(float)
    out["area_share"] = out["areas"] / n_areas if n_areas else 0.0
    out["period"] = period
    out["n_areas"] = n_areas
    out = out.sort_values(["areas", "entity"], ascending=[False, True], ignore_index=True)
    return out[[*PARTICIPATION_COLUMNS, "n_areas"]]


def _flags(areas: pd.DataFrame | None) -> pd.DataFrame | None:
    if areas is None or "area" not in areas.columns:
        return None
    cols = ["area", *[c for c in ("emerging", "interdisciplinary") if c in areas.columns]]
    return areas[cols]


def participation_tables(
    periods: Sequence[str],
    cores: Mapping[str, pd.DataFrame],
    areas: Mapping[str, pd.DataFrame] | None,
    authorships: pd.DataFrame,
    references: pd.DataFrame | None = None,
    cfg: Mapping[str, Any] | None = None,
    works: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Participation tables of countries and centers over all periods (pipeline entry).

    Parameters
    ----------
    periods : sequence of str
        Period labels ``"YYYY-YYYY"``.
    cores : mapping of str to pandas.DataFrame
        Core papers per period (``work_id, area``).
    areas : mapping of str to pandas.DataFrame, optional
        Areas per period with ``emerging`` and ``interdisciplinary`` (from
        :func:`wpimap.evolution.evolve`).
    authorships : pandas.DataFrame
        The normalized authorships.
    references : pandas.DataFrame, optional
        Needed when ``cfg["citing"]`` is true.
    cfg : mapping, optional
        The ``participation`` config section (``led_share``, ``citing``).
    works : pandas.DataFrame, optional
        ``work_id, year``: with it, citing papers are restricted to the period's years.

    Returns
    -------
    dict
        ``"countries"`` and ``"centers"``: the :data:`PARTICIPATION_COLUMNS` per period and
        entity; with ``citing: true`` extra columns ``areas_citing, area_share_citing,
        citing_whole, citing_fractional, led_areas_citing`` (participation on the papers
        citing the areas' core papers).
    """
    pcfg = {"led_share": 0.5, "citing": False, **(dict(cfg) if cfg else {})}
    if pcfg["citing"] and references is None:
        raise ValueError("participation.citing is true but no references table was given")
    out: dict[str, list[pd.DataFrame]] = {"country": [], "center": []}
    for label in periods:
        core = cores[label]
        flags = _flags(areas.get(label) if areas else None)
        mem_citing = None
        if pcfg["citing"]:
            lo, hi = (int(x) for x in label.split("-"))
            mem_citing = citing_membership(core, references, works, (lo, hi) if works is not None else None)
        for entity in ("country", "center"):
            t = participation(core, authorships, flags, entity, pcfg["led_share"], period=label)
            if mem_citing is not None:
                c = participation(mem_citing, authorships, flags, entity, pcfg["led_share"], period=label)
                c = c[["entity", "areas", "area_share", "core_whole", "core_fractional", "led_areas"]].rename(
                    columns={
                        "areas": "areas_citing",
                        "area_share": "area_share_citing",
                        "core_whole": "citing_whole",
                        "core_fractional": "citing_fractional",
                        "led_areas": "led_areas_citing",
                    }
                )
                t = t.merge(c, on="entity", how="outer")
                t["period"] = label
                for col in (
                    "areas",
                    "core_whole",
                    "led_areas",
                    "emerging_areas",
                    "interdisciplinary_areas",
                    "areas_citing",
                    "citing_whole",
                    "led_areas_citing",
                ):
                    t[col] = t[col].fillna(0).astype(np.int64)
                for col in ("area_share", "core_fractional", "area_share_citing", "citing_fractional"):
                    t[col] = t[col].fillna(0.0)
                t["n_areas"] = t["n_areas"].ffill().bfill().fillna(0).astype(np.int64)
                t = t.sort_values(["areas", "entity"], ascending=[False, True], ignore_index=True)
            out[entity].append(t)
    res = {}
    for entity, key in (("country", "countries"), ("center", "centers")):
        frames = [f for f in out[entity] if len(f)]
        res[key] = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame({c: pd.Series(dtype=object) for c in [*PARTICIPATION_COLUMNS, "n_areas"]})
        )
    return res
