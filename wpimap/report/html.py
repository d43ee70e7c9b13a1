"""The HTML report: one self-contained page (figures beside it, no network) that policy
staff open from disk.

Sections, in reading order (their ``id`` attributes are :data:`SECTION_IDS`): summary
numbers, figures with captions, main tables (sortable by a few lines of inline script),
the run's parameters, the input summary and the versions. All text is escaped; the same
inputs give the same bytes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from wpimap.report.workbook import column_kind

__all__ = ["SECTION_IDS", "FigureEntry", "format_value", "render_html", "table_html", "write_html"]

SECTION_IDS = ("summary", "figures", "tables", "parameters", "inputs", "versions")

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK JP",sans-serif;
margin:0 auto;max-width:1100px;padding:1em 2em;color:#222;line-height:1.45}
h1{margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
.banner{background:#fff3cd;border:2px solid #d39e00;color:#5c4400;padding:.8em 1em;font-weight:bold;
font-size:1.1em;margin:1em 0}
.cards{display:flex;flex-wrap:wrap;gap:1em}.card{border:1px solid #ddd;border-radius:6px;padding:.6em 1em;
min-width:12em}.card .v{font-size:1.5em;font-weight:bold}.card .k{color:#555;font-size:.9em}
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#333;font-size:.95em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}
th,td{border:1px solid #ddd;padding:.2em .5em;text-align:left}td.n{text-align:right}
th{background:#f4f4f4;cursor:pointer;position:sticky;top:0}
.scroll{max-height:28em;overflow:auto}pre{background:#f8f8f8;padding:1em;overflow:auto;font-size:.85em}
.note{color:#666;font-size:.9em}
"""

_JS = """
document.querySelectorAll("table.sortable th").forEach(function (th) {
  th.addEventListener("click", function () {
    var table = th.closest("table"), body = table.tBodies[0];
    var i = Array.prototype.indexOf.call(th.parentNode.children, th);
    var asc = th.getAttribute("data-dir") !== "asc";
    th.setAttribute("data-dir", asc ? "asc" : "desc");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[i].getAttribute("data-v"), y = b.cells[i].getAttribute("data-v");
      var nx = parseFloat(x), ny = parseFloat(y);
      var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
      return asc ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


@dataclass(frozen=True)
class FigureEntry:
    """A figure of the report.

    Parameters
    ----------
    key : str
        Stem of the figure files (also the ``id`` of its ``<figure>``).
    title : str
        Heading above the figure.
    src : str
        Path of the PNG relative to the HTML file.
    caption : str
        One sentence generated from the numbers.
    svg : str or None
        Relative path of the SVG version (linked).
    """

    key: str
    title: str
    src: str
    caption: str
    svg: str | None = None


def format_value(value: Any, kind: str) -> str:
    """Format a cell for display.

    Parameters
    ----------
    value : Any
        Cell value.
    kind : {"share", "count", "fraction", "text"}
        From :func:`wpimap.report.workbook.column_kind`.

    Returns
    -------
    str
        ``""`` for missing values; shares as percentages, counts with thousands
        separators, fractional numbers with two decimals.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return ""
    if kind == "share":
        return f"{float(value):.1%}"
    if kind == "count":
        return f"{float(value):,.0f}"
    if kind == "fraction":
        return f"{float(value):,.2f}"
    return str(value)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def table_html(frame: pd.DataFrame, table_id: str, max_rows: int = 300) -> str:
    """Render a data frame as an escaped, sortable HTML table.

    Parameters
    ----------
    frame : pandas.DataFrame
    table_id : str
        ``id`` attribute of the table.
    max_rows : int
        Rows shown (a note says how many were left out; the workbook has all).

    Returns
    -------
    str
    """
    kinds = {c: column_kind(str(c), frame[c]) for c in frame.columns}
    head = "".join(f"<th>{_esc(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.head(max_rows).itertuples(index=False):
        cells = []
        for c, v in zip(frame.columns, row, strict=True):
            k = kinds[c]
            missing = v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))
            raw = "" if missing else (repr(float(v)) if k != "text" else str(v))
            cls = ' class="n"' if k != "text" else ""
            cells.append(f'<td{cls} data-v="{_esc(raw)}">{_esc(format_value(v, k))}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if len(frame) > max_rows:
        note = f'<p class="note">First {max_rows:,} of {len(frame):,} rows; all rows are in tables.xlsx.</p>'
    return (
        f'<div class="scroll"><table class="sortable" id="{_esc(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{note}"
    )


def _plain(obj: Any) -> Any:
    """Config values as plain YAML-able types."""
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, str | int | float | bool) or obj is None:
        return obj
    return str(obj)


def render_html(
    *,
    title: str,
    synthetic: bool,
    summary: Sequence[tuple[str, str]],
    figures: Sequence[FigureEntry],
    tables: Mapping[str, pd.DataFrame],
    config: Mapping[str, Any],
    ingest: pd.DataFrame | None,
    versions: Mapping[str, str],
    notes: Sequence[str] = (),
    language: str = "en",
    max_rows: int = 300,
) -> str:
    """Return the report page as a string.

    Parameters
    ----------
    title : str
        Page title.
    synthetic : bool
        Show the synthetic-data banner.
    summary : sequence of (str, str)
        (label, formatted value) summary cards.
    figures : sequence of FigureEntry
    tables : mapping of str to pandas.DataFrame
        Heading → table shown in the tables section.
    config : mapping
        The run's parameters (shown as YAML).
    ingest : pandas.DataFrame or None
        ``ingest_summary.csv`` (None: a note says it is absent).
    versions : mapping of str to str
    notes : sequence of str
        Lines shown under the summary (e.g. skipped figures).
    language : str
        ``lang`` attribute of the page.
    max_rows : int
        Rows shown per table.

    Returns
    -------
    str
    """
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{_esc(language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_esc(title)}</h1>",
    ]
    if synthetic:
        out.append(
            '<div class="banner" id="synthetic-banner">SYNTHETIC DATA — this report was produced from the '
            "synthetic world generated by wpimap, not from real publication records. "
            "Its numbers describe no real country or center.</div>"
        )
    out.append('<nav><p class="note">' + " · ".join(
        f'<a href="#{s}">{_esc(s.capitalize())}</a>' for s in SECTION_IDS) + "</p></nav>")
    # summary
    out.append('<section id="summary"><h2>Summary</h2><div class="cards">')
    for k, v in summary:
        out.append(f'<div class="card"><div class="v">{_esc(v)}</div><div class="k">{_esc(k)}</div></div>')
    out.append("</div>")
    for n in notes:
        out.append(f'<p class="note">{_esc(n)}</p>')
    out.append("</section>")
    # figures
    out.append('<section id="figures"><h2>Figures</h2>')
    if not figures:
        out.append('<p class="note">No figure could be drawn: the tables they need are absent.</p>')
    for f in figures:
        link = f' <a href="{_esc(f.svg)}">SVG</a>' if f.svg else ""
        out.append(
            f'<figure id="fig-{_esc(f.key)}"><h3>{_esc(f.title)}</h3>'
            f'<img src="{_esc(f.src)}" alt="{_esc(f.title)}" loading="eager">'
            f"<figcaption>{_esc(f.caption)}{link}</figcaption></figure>"
        )
    out.append("</section>")
    # tables
    out.append('<section id="tables"><h2>Main tables</h2>'
               '<p class="note">Click a column heading to sort. All tables, with every row, are in '
               '<a href="tables.xlsx">tables.xlsx</a>.</p>')
    if not tables:
        out.append('<p class="note">No table is available yet.</p>')
    for i, (name, frame) in enumerate(tables.items()):
        out.append(f"<h3>{_esc(name)}</h3>")
        out.append(table_html(frame, f"table-{i}", max_rows=max_rows))
    out.append("</section>")
    # parameters
    cfg = yaml.safe_dump(_plain(config), sort_keys=True, allow_unicode=True, default_flow_style=False)
    out.append(f'<section id="parameters"><h2>Run parameters</h2><pre>{_esc(cfg)}</pre></section>')
    # inputs
    out.append('<section id="inputs"><h2>Input summary</h2>')
    if ingest is None or ingest.empty:
        out.append('<p class="note">No ingest summary (normalized/ingest_summary.csv) was found.</p>')
    else:
        tot = ingest[ingest.iloc[:, 0].astype(str) == "TOTAL"]
        r = tot.iloc[0] if not tot.empty else ingest.select_dtypes("number").sum()
        parts = []
        for col, text in (("records", "records read"), ("normalized", "normalized"), ("duplicates", "duplicates"),
                          ("rejected", "rejected")):
            if col in r.index and pd.notna(r[col]):
                parts.append(f"{float(r[col]):,.0f} {text}")
        if "resolved_share" in r.index and pd.notna(r["resolved_share"]):
            parts.append(f"{float(r['resolved_share']):.1%} of references resolved to a work of the corpus")
        if parts:
            out.append(f"<p>{_esc('; '.join(parts))}.</p>")
        out.append(table_html(ingest, "table-ingest", max_rows=max_rows))
    out.append("</section>")
    # versions
    out.append('<section id="versions"><h2>Versions</h2><table><tbody>')
    for k in sorted(versions):
        out.append(f"<tr><th>{_esc(k)}</th><td>{_esc(versions[k])}</td></tr>")
    out.append("</tbody></table></section>")
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out) + "\n"


def write_html(path: str | Path, **kwargs: Any) -> Path:
    """Render the report (see :func:`render_html`) and write it atomically.

    Parameters
    ----------
    path : str or pathlib.Path
        Output file, e.g. ``results/report/index.html``.
    **kwargs
        Passed to :func:`render_html`.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_html(**kwargs), encoding="utf-8")
    tmp.replace(path)
    return path
