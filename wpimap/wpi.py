"""The WPI centers' contribution to Japan's presence in emerging and interdisciplinary areas.

Per period and center (and for all centers together, ``center == "all centers"``):

* ``areas``, ``emerging_areas``, ``interdisciplinary_areas``: areas the center takes part in;
* ``focus_areas``, ``focus_emerging_areas``, ``focus_interdisciplinary_areas``: the same
  for the focus country (Japan by default);
* ``emerging_contribution`` / ``interdisciplinary_contribution`` / ``area_contribution``:
  share of the focus country's (emerging / interdisciplinary / all) participations that
  involve the center, i.e. areas where the center participates ∩ areas where the focus
  country participates, over the latter;
* ``center_whole`` / ``center_fractional``: the center's core papers (whole: with at least
  one address of the center; fractional: its addresses' 1/n shares);
* ``core_share_whole`` / ``core_share_fractional``: the center's share of the focus
  country's core papers (whole: papers with a center address over papers with a
  focus-country address; fractional: center addresses' weight over the country's);
* counterfactual: the focus country's participation recomputed without the center's
  addresses: ``only_via_areas``, ``only_via_emerging``, ``only_via_interdisciplinary`` are
  the areas (emerging, interdisciplinary) the country takes part in only through the center.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from wpimap.participation import paper_addresses

__all__ = ["ALL_CENTERS", "center_fields", "wpi_contribution", "wpi_contribution_tables"]

ALL_CENTERS = "all centers"


def _area_sets(mem: pd.DataFrame, addrs: pd.DataFrame, key: str) -> pd.DataFrame:
    """Distinct (key value, area) pairs where a paper of the area has such an address."""
    x = addrs[addrs[key].notna()][["work_id", key]].drop_duplicates()
    return x.merge(mem, on="work_id")[[key, "area"]].drop_duplicates()


def wpi_contribution(
    participation_centers: pd.DataFrame | None,
    core_with_area: pd.DataFrame,
    authorships: pd.DataFrame,
    areas_flags: pd.DataFrame | None,
    focus: str = "JP",
    period: str | None = None,
) -> pd.DataFrame:
    """Centers' participation compared with the focus country's, and the counterfactual.

    Parameters
    ----------
    participation_centers : pandas.DataFrame or None
        Output of :func:`wpimap.participation.participation` with ``entity="center"`` for
        this period; its ``led_areas`` column is carried over (``None``: omitted).
    core_with_area : pandas.DataFrame
        ``work_id, area`` (area -1 ignored).
    authorships : pandas.DataFrame
        ``work_id, country, address/institution, center``.
    areas_flags : pandas.DataFrame or None
        ``area, emerging, interdisciplinary``.
    focus : str
        ISO-2 country (config ``indicators.focus_country``).
    period : str, optional
        Label written in the ``period`` column.

    Returns
    -------
    pandas.DataFrame
        One row per center (sorted), then the ``"all centers"`` row; columns described in
        the module docstring.
    """
    mem = core_with_area.loc[core_with_area["area"] >= 0, ["work_id", "area"]].drop_duplicates()
    flags = pd.DataFrame({"area": mem["area"].unique()})
    if areas_flags is not None:
        flags = flags.merge(areas_flags, on="area", how="left")
    for col in ("emerging", "interdisciplinary"):
        if col not in flags.columns:
            flags[col] = False
        flags[col] = flags[col].fillna(False).astype(bool)
    emerging = set(flags.loc[flags["emerging"], "area"])
    inter = set(flags.loc[flags["interdisciplinary"], "area"])

    addrs = paper_addresses(authorships, mem["work_id"].unique())
    focus_addrs = addrs[addrs["country"] == focus]
    centers_addrs = addrs[addrs["center"].notna()]
    center_ids = sorted(centers_addrs["center"].astype(str).unique())

    focus_areas = set(_area_sets(mem, focus_addrs, "country")["area"])
    focus_papers = focus_addrs.groupby("work_id")["frac"].sum()
    n_focus_whole = len(focus_papers)
    n_focus_frac = float(focus_papers.sum())

    c_sets = _area_sets(mem, centers_addrs, "center")
    by_center = {c: set(g["area"]) for c, g in c_sets.groupby("center")}
    all_areas = set(c_sets["area"])

    def row(name: str, cset: set, center_mask: pd.Series) -> dict:
        # counterfactual: the focus country's addresses without this center's (these centers')
        rest = focus_addrs[~center_mask.reindex(focus_addrs.index, fill_value=False)]
        rest_areas = set(_area_sets(mem, rest, "country")["area"])
        only = focus_areas - rest_areas
        involved = cset & focus_areas
        cpapers = addrs[center_mask].groupby("work_id")["frac"].sum()
        fe, fi = focus_areas & emerging, focus_areas & inter
        return {
            "period": period,
            "center": name,
            "areas": len(cset),
            "emerging_areas": len(cset & emerging),
            "interdisciplinary_areas": len(cset & inter),
            "focus_areas": len(focus_areas),
            "focus_emerging_areas": len(fe),
            "focus_interdisciplinary_areas": len(fi),
            "area_contribution": len(involved) / len(focus_areas) if focus_areas else np.nan,
            "emerging_contribution": len(involved & emerging) / len(fe) if fe else np.nan,
            "interdisciplinary_contribution": len(involved & inter) / len(fi) if fi else np.nan,
            "core_share_whole": len(cpapers.index.intersection(focus_papers.index)) / n_focus_whole
            if n_focus_whole
            else np.nan,
            "core_share_fractional": float(addrs.loc[center_mask & (addrs["country"] == focus), "frac"].sum())
            / n_focus_frac
            if n_focus_frac
            else np.nan,
            "center_whole": len(cpapers),
            "center_fractional": float(cpapers.sum()),
            "only_via_areas": len(only),
            "only_via_emerging": len(only & emerging),
            "only_via_interdisciplinary": len(only & inter),
            "focus_areas_without": len(rest_areas),
        }

    rows = [row(c, by_center.get(c, set()), addrs["center"].astype(object) == c) for c in center_ids]
    rows.append(row(ALL_CENTERS, all_areas, addrs["center"].notna()))
    out = pd.DataFrame(rows)
    if participation_centers is not None and len(participation_centers):
        extra = participation_centers[["entity", "led_areas"]].rename(columns={"entity": "center"})
        out = out.merge(extra, on="center", how="left")
    return out


def center_fields(works: pd.DataFrame, authorships: pd.DataFrame) -> pd.DataFrame:
    """Field distribution of each center's papers.

    Parameters
    ----------
    works : pandas.DataFrame
        ``work_id, fields`` (list of str).
    authorships : pandas.DataFrame
        ``work_id, center``.

    Returns
    -------
    pandas.DataFrame
        Columns ``center, field, papers, share``: a paper with at least one address of the
        center counts once for it, split 1/n over its n fields; ``share`` = papers over the
        center's total. Sorted by center, decreasing papers, field.
    """
    cw = authorships.loc[authorships["center"].notna(), ["work_id", "center"]].drop_duplicates()
    fw = works.loc[works["work_id"].isin(pd.Index(cw["work_id"])), ["work_id", "fields"]].explode("fields")
    fw = fw.dropna(subset=["fields"]).drop_duplicates().rename(columns={"fields": "field"})
    fw["frac"] = 1.0 / fw.groupby("work_id")["work_id"].transform("size")
    out = cw.merge(fw, on="work_id").groupby(["center", "field"], as_index=False)["frac"].sum()
    out = out.rename(columns={"frac": "papers"})
    out["share"] = out["papers"] / out.groupby("center")["papers"].transform("sum")
    return out.sort_values(["center", "papers", "field"], ascending=[True, False, True], ignore_index=True)


def wpi_contribution_tables(
    periods: Sequence[str],
    cores: Mapping[str, pd.DataFrame],
    areas: Mapping[str, pd.DataFrame] | None,
    authorships: pd.DataFrame,
    participation_centers: pd.DataFrame | None = None,
    focus: str = "JP",
) -> pd.DataFrame:
    """:func:`wpi_contribution` for every period, concatenated (pipeline entry).

    Parameters
    ----------
    periods : sequence of str
        Period labels.
    cores : mapping of str to pandas.DataFrame
        Core papers per period (``work_id, area``).
    areas : mapping of str to pandas.DataFrame, optional
        Areas per period with ``emerging`` and ``interdisciplinary``.
    authorships : pandas.DataFrame
        The normalized authorships.
    participation_centers : pandas.DataFrame, optional
        The centers' participation table of all periods (column ``period``).
    focus : str
        Config ``indicators.focus_country``.

    Returns
    -------
    pandas.DataFrame
        One row per period and center, plus an ``"all centers"`` row per period.
    """
    frames = []
    for label in periods:
        pc = None
        if participation_centers is not None and "period" in participation_centers.columns:
            pc = participation_centers[participation_centers["period"] == label]
        a = areas.get(label) if areas else None
        flags = None
        if a is not None and "area" in a.columns:
            flags = a[["area", *[c for c in ("emerging", "interdisciplinary") if c in a.columns]]]
        frames.append(wpi_contribution(pc, cores[label], authorships, flags, focus=focus, period=label))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
