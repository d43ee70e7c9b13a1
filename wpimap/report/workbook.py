"""The Excel workbook of the report (``results/report/tables.xlsx``).

One sheet per table, a README sheet first describing every column of every sheet,
frozen header rows, number formats (shares ``0.0%``, counts ``#,##0``, fractional
numbers ``0.00``) and column widths fitted to the content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

__all__ = ["COLUMN_DOCS", "SHEET_DOCS", "column_kind", "describe_column", "write_workbook"]

FORMATS = {"share": "0.0%", "count": "#,##0", "fraction": "0.00"}

#: What each sheet holds.
SHEET_DOCS = {
    "participation_countries": "Areas each country takes part in, per period (tables/participation_countries.csv).",
    "participation_centers": "Areas each research center takes part in, per period (tables/participation_centers.csv).",
    "indicators_countries": "Papers, Top10%/Top1% and co-authorship per country (tables/indicators_countries.csv).",
    "indicators_centers": "The same indicators per center, all centers and the focus country's average "
    "(tables/indicators_centers.csv).",
    "areas": "Research areas of every period with labels, Sci-GEO type and flags (periods/*/areas.parquet).",
    "wpi_contribution": "WPI centers' contribution to the focus country's participation (tables/wpi_contribution.csv).",
    "transitions": "How Sci-GEO types move from one period's map to the next (tables/transitions.csv).",
    "center_fields": "Field distribution of each center's papers (tables/center_fields.csv).",
}

#: Description of every known column (any other column gets a generic description).
COLUMN_DOCS = {
    "data": "synthetic: computed on the synthetic world; input: on the input records",
    "period": "Period (window of publication years) 'YYYY-YYYY'",
    "span": "Years counted: the whole period, or a single year 'YYYY-YYYY' with the period's citation counts",
    "entity": "Country (ISO 3166-1 alpha-2) or research center",
    "entity_type": "center, centers (all centers together) or country (the focus country's average)",
    "center": "Research center (or 'all centers')",
    "counting": "whole: 1 per paper per entity; fractional: a paper split over its addresses",
    "areas": "Research areas in which the entity takes part (a core paper with an address there)",
    "area_share": "areas / all areas of the period",
    "core_whole": "Core papers with an address of the entity (whole counting)",
    "core_fractional": "Core papers of the entity, fractional counting",
    "led_areas": "Areas where the entity's fractional share of core papers is at least participation.led_share",
    "emerging_areas": "Emerging areas the entity takes part in",
    "interdisciplinary_areas": "Interdisciplinary areas the entity takes part in",
    "papers": "Papers (article, review) of the entity in the span; fractional under fractional counting",
    "top10": "NISTEP-corrected Top10% papers (per publication year x field)",
    "top10_share": "top10 / papers",
    "top1": "NISTEP-corrected Top1% papers",
    "top1_share": "top1 / papers",
    "intl_papers": "Papers with addresses in two or more countries",
    "intl_rate": "intl_papers / papers (international co-authorship rate)",
    "domestic": "Papers with addresses in exactly one country",
    "bilateral": "Papers with addresses in exactly two countries",
    "multilateral": "Papers with addresses in three or more countries",
    "area": "Area id within its period",
    "n_core": "Core papers of the area",
    "n_fronts": "Research fronts merged into the area",
    "label": "Distinctive title terms and dominant field",
    "x": "Map x coordinate (force-directed layout, in [-1, 1])",
    "y": "Map y coordinate",
    "year_mean": "Mean publication year of the core papers",
    "dominant_field": "Field with the largest share of the area's core papers",
    "dominant_share": "Share of the dominant field",
    "rao_stirling": "Rao-Stirling diversity of the core papers' fields",
    "shannon": "Shannon entropy of the core papers' fields",
    "entropy": "Shannon entropy of the core papers' fields",
    "effective_fields": "Effective number of fields (1 / (1 - Rao-Stirling))",
    "interdisciplinary": "Flagged interdisciplinary (Rao-Stirling quantile or low dominant share)",
    "scigeo": "Sci-GEO type: continent, island, peninsula, small_island (empty in the first period)",
    "continuous": "Has a predecessor in the previous period's map",
    "emerging": "New, young (currency) and fast-growing area",
    "currency": "Mean core-paper year minus the window's last year (0 = youngest)",
    "growth": "Yearly growth rate of the area's citing papers",
    "predecessors": "Previous period's areas linked to this one ('area:overlap' joined by ';')",
    "link_strength": "Summed co-citation strength to the other areas of the period",
    "burst_start": "Start year of the strongest citation burst",
    "burst_weight": "Weight of the strongest citation burst",
    "from_period": "Earlier period",
    "to_period": "Later period",
    "from_type": "Sci-GEO type in the earlier period",
    "to_type": "Type of the main successor in the later period ('vanished' if none)",
    "count": "Areas making this transition",
    "share": "Share of the row's group (areas of from_type; papers of the center)",
    "field": "Field (subject category)",
    "jp_areas": "Areas the focus country takes part in",
    "focus_areas": "Areas the focus country takes part in",
    "focus_emerging_areas": "Emerging areas the focus country takes part in",
    "focus_interdisciplinary_areas": "Interdisciplinary areas the focus country takes part in",
    "area_contribution": "Share of the focus country's areas in which the center takes part",
    "emerging_contribution": "Share of the focus country's emerging areas in which the center takes part",
    "interdisciplinary_contribution": "Share of the focus country's interdisciplinary areas in which the center takes part",
    "core_share_whole": "Center's share of the focus country's core papers (whole counting)",
    "core_share_fractional": "Center's share of the focus country's core papers (fractional counting)",
    "only_via_areas": "Areas the focus country takes part in only through the center",
    "only_via_emerging": "Emerging areas the focus country takes part in only through the center",
    "only_via_interdisciplinary": "Interdisciplinary areas the focus country takes part in only through the center",
    "focus_areas_without": "Areas the focus country would take part in without the center",
}

_SHARE_WORDS = ("share", "rate", "contribution")
_COUNT_NAMES = {"areas", "papers", "count", "records", "normalized", "duplicates", "rejected", "references",
                "resolved", "countries", "n_core", "n_fronts", "core_whole", "intl_papers", "domestic",
                "bilateral", "multilateral", "top10", "top1"}


def describe_column(name: str) -> str:
    """Description of a column for the README sheet.

    Parameters
    ----------
    name : str

    Returns
    -------
    str
    """
    if name in COLUMN_DOCS:
        return COLUMN_DOCS[name]
    if name.endswith("_share"):
        return f"{name[:-6]} as a share"
    return f"{name} (column of the stage's table, see docs)"


def column_kind(name: str, values: pd.Series) -> str:
    """How a column is formatted: ``share``, ``count``, ``fraction`` or ``text``.

    Parameters
    ----------
    name : str
        Column name (shares: names with share / rate / contribution).
    values : pandas.Series
        The column (non-numeric columns are ``text``).

    Returns
    -------
    str
    """
    if values.dtype == bool or not pd.api.types.is_numeric_dtype(values.dtype):
        return "text"
    if name in {"area", "x", "y", "year", "year_mean", "burst_start"}:
        return "fraction" if pd.api.types.is_float_dtype(values.dtype) and name != "area" else "text"
    if any(w in name for w in _SHARE_WORDS) and name != "shared":
        return "share"
    if pd.api.types.is_integer_dtype(values.dtype):
        return "count"
    v = values.dropna().to_numpy(dtype=float)
    if name in _COUNT_NAMES and (v.size == 0 or np.allclose(v, np.round(v))):
        return "count"
    return "fraction"


def _cell(v: object) -> object:
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, list | tuple | np.ndarray | dict):
        return str(list(v) if isinstance(v, np.ndarray) else v)
    return v


def write_workbook(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write the tables to an xlsx workbook with a README sheet.

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        Sheet name (at most 31 characters) → table, in sheet order.
    path : str or pathlib.Path
        Output file, e.g. ``results/report/tables.xlsx``.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    readme = wb.active
    readme.title = "README"
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDDDDD")
    readme.append(["sheet", "column", "description"])
    for sheet, frame in tables.items():
        readme.append([sheet, "", SHEET_DOCS.get(sheet, "")])
        for c in frame.columns:
            readme.append([sheet, str(c), describe_column(str(c))])
    for cell in readme[1]:
        cell.font = bold
        cell.fill = head_fill
    readme.freeze_panes = "A2"
    for letter, width in (("A", 26), ("B", 32), ("C", 100)):
        readme.column_dimensions[letter].width = width
    for sheet, frame in tables.items():
        if len(sheet) > 31:
            raise ValueError(f"workbook sheet name {sheet!r}: longer than Excel's 31 characters")
        ws = wb.create_sheet(sheet)
        cols = [str(c) for c in frame.columns]
        ws.append(cols)
        for row in frame.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
        for j, c in enumerate(frame.columns, start=1):
            kind = column_kind(str(c), frame[c])
            letter = get_column_letter(j)
            head = ws.cell(row=1, column=j)
            head.font = bold
            head.fill = head_fill
            head.alignment = Alignment(wrap_text=False)
            if kind in FORMATS:
                for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                    cell.number_format = FORMATS[kind]
            sample = frame[c].head(200).map(lambda v: len(str(v)))
            width = max([len(str(c)), *(sample.tolist() or [0])])
            ws.column_dimensions[letter].width = min(max(8, width + 2), 60)
        ws.freeze_panes = "A2"
        if len(frame):
            ws.auto_filter.ref = f"A1:{get_column_letter(max(len(cols), 1))}{len(frame) + 1}"
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.creator = "wpimap"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    tmp = path.with_name(path.name + ".tmp")
    wb.save(tmp)
    tmp.replace(path)
    return path
