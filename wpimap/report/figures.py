"""Figures of the report: one function per figure, data frames in, a matplotlib Figure out.

Every function builds a :class:`matplotlib.figure.Figure` directly (no pyplot state, the
Agg canvas), with English labels or Japanese ones (``language="ja"``, which needs a CJK
font, see :mod:`wpimap.report.fonts`). :func:`save` writes PNG (300 dpi) and SVG with
fixed metadata and hash salt, so the same data gives the same bytes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as MPath

from wpimap.report import fonts

__all__ = [
    "DPI",
    "SCIGEO_COLORS",
    "center_fields_chart",
    "center_trends",
    "emerging_chart",
    "figure_texts",
    "label",
    "participation_over_time",
    "q_value_chart",
    "save",
    "science_map",
    "science_map_highlight",
    "scigeo_composition",
    "transitions_flow",
]

DPI = 300
SCIGEO_TYPES = ("continent", "island", "peninsula", "small_island")
SCIGEO_COLORS = {
    "continent": "#1b9e77",
    "island": "#7570b3",
    "peninsula": "#d95f02",
    "small_island": "#e7298a",
    "unknown": "#bbbbbb",
    "vanished": "#888888",
    "new": "#444444",
}
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)

_LABELS: dict[str, tuple[str, str]] = {
    "period": ("Period", "期間"),
    "year": ("Year", "年"),
    "areas_participated": ("Areas participated", "参画領域数"),
    "area_share": ("Share of areas", "参画領域の割合"),
    "participation_title": ("Participation in research areas", "研究領域への参画"),
    "map_x": ("Map x", "マップ x"),
    "map_y": ("Map y", "マップ y"),
    "map_title": ("Science map {period}", "サイエンスマップ {period}"),
    "highlight_title": ("Where {focus} and WPI centers take part, {period}", "{focus} と WPI 拠点の参画 {period}"),
    "other_areas": ("Other areas", "その他の領域"),
    "focus_areas": ("{focus} takes part", "{focus} が参画"),
    "center_areas": ("WPI center takes part", "WPI 拠点が参画"),
    "country": ("Country", "国"),
    "share_of_areas": ("Share of participated areas", "参画領域に占める割合"),
    "scigeo_title": ("Sci-GEO types of participated areas, {period}", "参画領域の Sci-GEO タイプ {period}"),
    "transitions_title": ("Transitions between Sci-GEO types", "Sci-GEO タイプの遷移"),
    "areas": ("Areas", "領域数"),
    "intl_rate": ("International co-authorship rate", "国際共著率"),
    "top10_share": ("Top10% paper share", "Top10% 論文割合"),
    "q_title": ("Centers: Top10% share vs international co-authorship, {period}",
                "拠点：Top10% 割合と国際共著率 {period}"),
    "focus_average": ("{focus} average", "{focus} 平均"),
    "trends_title": ("Centers over time", "拠点の推移"),
    "center": ("Center", "拠点"),
    "field_share": ("Share of papers", "論文の割合"),
    "fields_title": ("Fields of the centers' papers", "拠点論文の分野構成"),
    "currency": ("Currency (mean core year − window end)", "カレンシー（コア論文平均年 − 期間末）"),
    "growth": ("Growth of citing papers (per year)", "被引用論文の伸び（年率）"),
    "rao_stirling": ("Rao–Stirling diversity", "Rao–Stirling 多様性"),
    "n_core": ("Core papers", "コア論文数"),
    "emerging": ("Emerging", "萌芽的"),
    "interdisciplinary": ("Interdisciplinary", "学際的"),
    "not_emerging": ("Other", "その他"),
    "center_marked": ("WPI center takes part", "WPI 拠点が参画"),
    "emerging_title": ("Emerging and interdisciplinary areas, {period}", "萌芽的・学際的領域 {period}"),
    "other": ("other", "その他"),
    "continent": ("continent", "大陸型"),
    "island": ("island", "島型"),
    "peninsula": ("peninsula", "半島型"),
    "small_island": ("small island", "小島型"),
    "vanished": ("vanished", "消滅"),
    "unknown": ("unknown", "不明"),
}


def label(key: str, language: str = "en", **fmt: Any) -> str:
    """Return a figure label in English or Japanese.

    Parameters
    ----------
    key : str
        Label key (unknown keys are returned unchanged, formatted).
    language : {"en", "ja"}
        Label language.
    **fmt
        Values for the label's ``{placeholders}``.

    Returns
    -------
    str
    """
    en, ja = _LABELS.get(key, (key, key))
    return (ja if language == "ja" else en).format(**fmt)


def _rc(language: str) -> dict[str, Any]:
    rc: dict[str, Any] = {
        "svg.hashsalt": "wpimap",
        "svg.fonttype": "path",
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    if "svg.id" in mpl.rcParams:
        rc["svg.id"] = "wpimap"
    if language == "ja":
        family = fonts.require_cjk_font()
        rc["font.family"] = [family, "sans-serif"]
        rc["font.sans-serif"] = [family, "DejaVu Sans"]
        rc["axes.unicode_minus"] = False
    return rc


@contextlib.contextmanager
def _style(language: str) -> Iterator[dict[str, Any]]:
    rc = _rc(language)
    with mpl.rc_context(rc):
        yield rc


def _new(language: str, rc: dict[str, Any], nrows: int = 1, ncols: int = 1,
         size: tuple[float, float] = (7.0, 4.5)) -> tuple[Figure, Any]:
    fig = Figure(figsize=size, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    fig.wpimap_rc = dict(rc)  # reused by save() so text is drawn with the same fonts
    fig.wpimap_language = language
    return fig, axes


def save(fig: Figure, stem: str | Path) -> list[Path]:
    """Write the figure as ``{stem}.png`` (300 dpi) and ``{stem}.svg``, deterministically.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A figure from this module.
    stem : str or pathlib.Path
        Output path without suffix; parent folders are created.

    Returns
    -------
    list of pathlib.Path
        The PNG and SVG paths.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    rc = getattr(fig, "wpimap_rc", None) or _rc("en")
    out = []
    with mpl.rc_context(rc):
        for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
            path = stem.with_suffix(f".{ext}")
            tmp = path.with_name(path.name + ".tmp")
            fig.savefig(tmp, format=ext, dpi=DPI, metadata=meta)
            tmp.replace(path)
            if ext == "png" and fig.get_layout_engine() is not None:
                fig.set_layout_engine("none")  # keep the layout just computed; do not solve it again
            out.append(path)
    return out


def _ordered_periods(values: pd.Series) -> list[str]:
    return sorted(pd.unique(values.astype(str)))


# --------------------------------------------------------------------------- 1. participation


def participation_over_time(part: pd.DataFrame, countries: Sequence[str], language: str = "en") -> Figure:
    """Areas participated per period (left) and share of areas (right), one line per country.

    Parameters
    ----------
    part : pandas.DataFrame
        ``participation_countries.csv``: ``period, entity, areas, area_share``.
    countries : sequence of str
        Countries drawn (those absent from the table are skipped), in legend order.
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        Two axes, each with one line per drawn country.
    """
    with _style(language) as rc:
        fig, axes = _new(language, rc, 1, 2, (8.0, 3.6))
        ax_n, ax_s = axes[0]
        periods = _ordered_periods(part["period"])
        pos = {p: i for i, p in enumerate(periods)}
        for i, c in enumerate(countries):
            d = part[part["entity"].astype(str) == c]
            if d.empty:
                continue
            d = d.assign(_x=d["period"].astype(str).map(pos)).sort_values("_x")
            color = PALETTE[i % len(PALETTE)]
            ax_n.plot(d["_x"], d["areas"], marker="o", color=color, label=c)
            ax_s.plot(d["_x"], d["area_share"], marker="o", color=color, label=c)
        for ax in (ax_n, ax_s):
            ax.set_xticks(range(len(periods)), periods, rotation=30, ha="right")
            ax.set_xlabel(label("period", language))
        ax_n.set_ylabel(label("areas_participated", language))
        ax_s.set_ylabel(label("area_share", language))
        ax_s.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax_s.set_ylim(0, 1)
        ax_s.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
        fig.suptitle(label("participation_title", language))
    return fig


# --------------------------------------------------------------------------- 2. science map


def _category(areas: pd.DataFrame, color_by: str) -> pd.Series:
    col = "scigeo" if color_by == "scigeo" else "dominant_field"
    if col not in areas.columns:
        return pd.Series("unknown", index=areas.index)
    return areas[col].astype(object).where(areas[col].notna(), "unknown").astype(str)


def _sizes(n: pd.Series, smax: float = 400.0) -> np.ndarray:
    v = np.asarray(n, dtype=float)
    if v.size == 0 or np.nanmax(v) <= 0:
        return np.full(v.shape, 20.0)
    return 10.0 + smax * v / np.nanmax(v)


def _label_largest(ax: Any, areas: pd.DataFrame, n_labels: int, points: Any = None) -> None:
    """Label the ``n_labels`` largest areas; adjustText moves labels off each other and
    off the points (a fixed number of iterations, not its default time limit, and its only
    random step seeded, so the figure stays byte-stable).
    Call it after the axes' limits and aspect are set."""
    if n_labels <= 0 or "label" not in areas.columns:
        return
    top = areas.sort_values(["n_core", "area"], ascending=[False, True]).head(n_labels)
    texts = [
        ax.text(r["x"], r["y"], (str(r["label"]) if pd.notna(r["label"]) else str(r["area"]))[:40], fontsize=6)
        for _, r in top.iterrows()
    ]
    if len(texts) > 1:
        from adjustText import adjust_text

        adjust_text(texts, target_x=top["x"].to_numpy(float), target_y=top["y"].to_numpy(float),
                    objects=points, ax=ax, iter_lim=1000, arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.4})


def science_map(
    areas: pd.DataFrame,
    color_by: str = "scigeo",
    n_labels: int = 10,
    period: str = "",
    language: str = "en",
) -> Figure:
    """The science map of one period: areas at ``x, y``, size ∝ core papers, coloured by type.

    Parameters
    ----------
    areas : pandas.DataFrame
        ``areas.parquet``: ``area, n_core, x, y`` and ``scigeo`` or ``dominant_field``,
        optionally ``label``.
    color_by : {"scigeo", "field"}
        Colour by Sci-GEO type or by dominant field.
    n_labels : int
        The largest areas labelled.
    period : str
        Period shown in the title.
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        One scatter collection with one point per area.
    """
    with _style(language) as rc:
        fig, axes = _new(language, rc, size=(6.5, 6.0))
        ax = axes[0, 0]
        cat = _category(areas, color_by)
        if color_by == "scigeo":
            cats = [c for c in (*SCIGEO_TYPES, "unknown") if (cat == c).any()]
            cmap = {c: SCIGEO_COLORS[c] for c in cats}
        else:
            cats = sorted(cat.unique())
            cmap = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(cats)}
        points = ax.scatter(areas["x"], areas["y"], s=_sizes(areas["n_core"]), c=[cmap[c] for c in cat],
                            alpha=0.75, edgecolors="white", linewidths=0.5)
        handles = [Line2D([], [], marker="o", ls="", color=cmap[c], label=label(c, language)) for c in cats]
        if handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
        ax.set_xlabel(label("map_x", language))
        ax.set_ylabel(label("map_y", language))
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(label("map_title", language, period=period))
        _label_largest(ax, areas, n_labels, points)
    return fig


def science_map_highlight(
    areas: pd.DataFrame,
    focus_areas: Collection[int],
    center_areas: Collection[int],
    focus: str = "JP",
    period: str = "",
    n_labels: int = 10,
    language: str = "en",
) -> Figure:
    """The science map highlighting the areas where the focus country and WPI centers take part.

    Parameters
    ----------
    areas : pandas.DataFrame
        ``area, n_core, x, y`` (``label`` optional).
    focus_areas, center_areas : collection of int
        Areas with a core paper addressed in a focus country / in a WPI center.
    focus : str
        Focus country name shown in the legend.
    period : str
        Period shown in the title.
    n_labels : int
        The largest highlighted areas labelled.
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        Three scatter collections: all areas (grey), focus-country areas (filled),
        center areas (rings).
    """
    with _style(language) as rc:
        fig, axes = _new(language, rc, size=(6.5, 6.0))
        ax = axes[0, 0]
        s = pd.Series(_sizes(areas["n_core"]), index=areas.index)
        in_focus = areas["area"].isin(list(focus_areas))
        in_center = areas["area"].isin(list(center_areas))
        points = ax.scatter(areas["x"], areas["y"], s=s, color="#d0d0d0", edgecolors="none",
                            label=label("other_areas", language))
        ax.scatter(areas.loc[in_focus, "x"], areas.loc[in_focus, "y"], s=s[in_focus], color="#c0392b",
                   alpha=0.7, edgecolors="none", label=label("focus_areas", language, focus=focus))
        ax.scatter(areas.loc[in_center, "x"], areas.loc[in_center, "y"], s=s[in_center] * 1.3,
                   facecolors="none", edgecolors="#1f3a93", linewidths=1.2,
                   label=label("center_areas", language))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
        ax.set_xlabel(label("map_x", language))
        ax.set_ylabel(label("map_y", language))
        ax.set_aspect("equal", adjustable="datalim")
        ax.set_title(label("highlight_title", language, focus=focus, period=period))
        _label_largest(ax, areas[in_focus | in_center], n_labels, points)
    return fig


# --------------------------------------------------------------------------- 3. Sci-GEO


def scigeo_composition(entity_areas: pd.DataFrame, areas: pd.DataFrame, countries: Sequence[str],
                       period: str = "", language: str = "en") -> Figure:
    """Stacked shares of Sci-GEO types among each country's participated areas.

    Parameters
    ----------
    entity_areas : pandas.DataFrame
        ``entity, area``: the areas each country takes part in (one period).
    areas : pandas.DataFrame
        ``area, scigeo`` of the same period.
    countries : sequence of str
        Countries drawn, top to bottom (absent ones are skipped).
    period : str
        Period shown in the title.
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        Horizontal stacked bars: one rectangle per (country, type), 4 types.
    """
    m = entity_areas[["entity", "area"]].drop_duplicates().merge(areas[["area", "scigeo"]], on="area", how="left")
    m["scigeo"] = m["scigeo"].astype(object).where(m["scigeo"].notna(), "unknown")
    tab = pd.crosstab(m["entity"].astype(str), m["scigeo"])
    rows = [c for c in countries if c in tab.index]
    types = [t for t in (*SCIGEO_TYPES, "unknown") if t in tab.columns or t in SCIGEO_TYPES]
    tab = tab.reindex(index=rows, columns=types, fill_value=0)
    share = tab.div(tab.sum(axis=1).where(lambda v: v > 0, 1), axis=0)
    if "unknown" in share.columns and not share["unknown"].any():
        share = share.drop(columns="unknown")
    with _style(language) as rc:
        fig, axes = _new(language, rc, size=(7.0, 0.6 + 0.45 * max(len(rows), 1)))
        ax = axes[0, 0]
        y = np.arange(len(rows))[::-1]
        left = np.zeros(len(rows))
        for t in share.columns:
            ax.barh(y, share[t].to_numpy(), left=left, color=SCIGEO_COLORS[t], label=label(t, language))
            left += share[t].to_numpy()
        ax.set_yticks(y, rows)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_xlabel(label("share_of_areas", language))
        ax.set_ylabel(label("country", language))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
        ax.set_title(label("scigeo_title", language, period=period))
    return fig


def _ribbon(x0: float, y0: tuple[float, float], x1: float, y1: tuple[float, float], color: str) -> PathPatch:
    """A band from [y0] at x0 to [y1] at x1 with cubic Bézier edges."""
    xm = (x0 + x1) / 2
    verts = [
        (x0, y0[0]), (xm, y0[0]), (xm, y1[0]), (x1, y1[0]),
        (x1, y1[1]), (xm, y1[1]), (xm, y0[1]), (x0, y0[1]), (x0, y0[0]),
    ]
    codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4,
             MPath.LINETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.CLOSEPOLY]
    p = PathPatch(MPath(verts, codes), facecolor=color, edgecolor="none", alpha=0.45)
    p.set_gid("ribbon")
    return p


def _type_order(t: str) -> int:
    order = [*SCIGEO_TYPES, "unknown", "new", "vanished"]
    return order.index(t) if t in order else len(order)


def transitions_flow(trans: pd.DataFrame, language: str = "en") -> Figure:
    """Alluvial chart of Sci-GEO types from one period to the next.

    Each period pair is a block: stacked type bars of the earlier map on the left, of the
    later map (incl. ``vanished``) on the right, and one ribbon per table row whose width
    is the row's ``count``.

    Parameters
    ----------
    trans : pandas.DataFrame
        ``transitions.csv``: ``from_period, to_period, from_type, to_type, count``.
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        Ribbons are :class:`~matplotlib.patches.PathPatch` with gid ``"ribbon"`` (one per
        row with count > 0); type bars are rectangles with gid ``"node"``.
    """
    t = trans[trans["count"] > 0].copy()
    t["from_type"] = t["from_type"].astype(str)
    t["to_type"] = t["to_type"].astype(str)
    pairs = t[["from_period", "to_period"]].drop_duplicates().sort_values(["from_period", "to_period"])
    gap_frac, bar_w = 0.02, 0.08
    with _style(language) as rc:
        fig, axes = _new(language, rc, size=(max(4.5, 3.2 * len(pairs)), 4.5))
        ax = axes[0, 0]
        ticks, ticklabels = [], []
        for k, (fp, tp) in enumerate(pairs.itertuples(index=False)):
            d = t[(t["from_period"] == fp) & (t["to_period"] == tp)]
            total = float(d["count"].sum())
            gap = gap_frac * total
            x0, x1 = 1.6 * k, 1.6 * k + 1.0
            spans: dict[tuple[str, str], list[float]] = {}
            for side, col, x in (("L", "from_type", x0), ("R", "to_type", x1)):
                sizes = d.groupby(col)["count"].sum()
                y = 0.0
                for typ in sorted(sizes.index, key=lambda s: (_type_order(s), s)):
                    h = float(sizes[typ])
                    r = Rectangle((x - bar_w / 2, y), bar_w, h, color=SCIGEO_COLORS.get(typ, "#999999"))
                    r.set_gid("node")
                    ax.add_patch(r)
                    ax.text(x + (-bar_w if side == "L" else bar_w), y + h / 2, label(typ, language),
                            ha="right" if side == "L" else "left", va="center", fontsize=6)
                    spans[(side, typ)] = [y, y]  # running top of the used part of the bar
                    y += h + gap
            d = d.assign(_fo=d["from_type"].map(_type_order), _to=d["to_type"].map(_type_order))
            for r in d.sort_values(["_fo", "from_type", "_to", "to_type"]).itertuples(index=False):
                c = float(r.count)
                ls, rs = spans[("L", r.from_type)], spans[("R", r.to_type)]
                ax.add_patch(_ribbon(x0 + bar_w / 2, (ls[1], ls[1] + c), x1 - bar_w / 2, (rs[1], rs[1] + c),
                                     SCIGEO_COLORS.get(r.from_type, "#999999")))
                ls[1] += c
                rs[1] += c
            ticks += [x0, x1]
            ticklabels += [str(fp), str(tp)]
        ax.autoscale_view()
        ax.set_xlim(-0.5, 1.6 * max(len(pairs), 1) - 0.1)
        ax.set_xticks(ticks, ticklabels, rotation=30, ha="right")
        ax.set_xlabel(label("period", language))
        ax.set_ylabel(label("areas", language))
        ax.set_title(label("transitions_title", language))
    return fig


# --------------------------------------------------------------------------- 4. centers


def _whole_period_rows(ind: pd.DataFrame, counting: str) -> pd.DataFrame:
    d = ind
    if "counting" in d.columns:
        d = d[d["counting"].astype(str) == counting]
    if "span" in d.columns:
        d = d[d["span"].astype(str) == d["period"].astype(str)]
    return d


def _split_centers(d: pd.DataFrame, focus: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of individual centers, and the focus country's average row(s)."""
    if "entity_type" in d.columns:
        et = d["entity_type"].astype(str)
        centers = d[et == "center"]
        ref = d[et == "country"]
    else:
        ent = d["entity"].astype(str)
        is_ref = (ent == focus) | ent.str.startswith(f"{focus} ")
        centers = d[~is_ref & (ent != "all centers")]
        ref = d[is_ref]
    return centers, ref


def q_value_chart(ind_centers: pd.DataFrame, period: str | None = None, counting: str = "whole",
                  focus: str = "JP", language: str = "en") -> Figure:
    """The "Q value" chart: international co-authorship rate vs Top10% share, size = papers.

    Parameters
    ----------
    ind_centers : pandas.DataFrame
        ``indicators_centers.csv``: ``period, entity, counting, papers, top10_share,
        intl_rate`` (``span``, ``entity_type`` optional). The focus country's average
        row (``entity_type == "country"``, or entity ``JP`` / ``"JP (all)"``) gives the
        reference lines.
    period : str, optional
        Period drawn (default: the latest).
    counting : {"whole", "fractional"}
    focus : str
        Focus country (legend text, and to find its row without ``entity_type``).
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        One scatter collection (one point per center) and two reference lines.
    """
    d = _whole_period_rows(ind_centers, counting)
    if period is None and not d.empty:
        period = _ordered_periods(d["period"])[-1]
    d = d[d["period"].astype(str) == str(period)]
    centers, ref = _split_centers(d, focus)
    centers = centers.sort_values("entity")
    with _style(language) as rc:
        fig, axes = _new(language, rc, size=(6.5, 5.0))
        ax = axes[0, 0]
        ax.scatter(centers["intl_rate"], centers["top10_share"], s=_sizes(centers["papers"], 800.0),
                   color="#4e79a7", alpha=0.6, edgecolors="#1f3a93")
        for _, r in centers.iterrows():
            ax.annotate(str(r["entity"]), (r["intl_rate"], r["top10_share"]), fontsize=7,
                        xytext=(4, 4), textcoords="offset points")
        if not ref.empty:
            r = ref.iloc[0]
            lab = label("focus_average", language, focus=focus)
            ax.axvline(float(r["intl_rate"]), color="#c0392b", ls="--", lw=1, label=lab)
            ax.axhline(float(r["top10_share"]), color="#c0392b", ls="--", lw=1)
            ax.legend(loc="lower right", frameon=False, fontsize=7)
        ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_xlabel(label("intl_rate", language))
        ax.set_ylabel(label("top10_share", language))
        ax.set_title(label("q_title", language, period=period or ""))
    return fig


def center_trends(ind_centers: pd.DataFrame, counting: str = "whole", focus: str = "JP",
                  language: str = "en") -> Figure:
    """Top10% share (left) and international co-authorship rate (right) per center over time.

    Uses single-year rows (``span`` with start = end) when the table has them, else the
    whole-period rows; the focus country's average is drawn dashed.

    Parameters
    ----------
    ind_centers : pandas.DataFrame
        ``indicators_centers.csv``.
    counting : {"whole", "fractional"}
    focus : str
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        Two axes with one line per center (+ one for the focus country's average).
    """
    d = ind_centers
    if "counting" in d.columns:
        d = d[d["counting"].astype(str) == counting]
    xcol = "period"
    if "span" in d.columns:
        sp = d["span"].astype(str).str.split("-", expand=True)
        single = d[(sp[0] == sp[1]) & (d["span"].astype(str) != d["period"].astype(str))]
        if not single.empty:
            # one value per year: the latest period's citation counts
            d = single.sort_values("period").drop_duplicates(["entity", "span"], keep="last")
            xcol = "span"
        else:
            d = d[d["span"].astype(str) == d["period"].astype(str)]
    centers, ref = _split_centers(d, focus)
    xs = _ordered_periods(d[xcol])
    pos = {p: i for i, p in enumerate(xs)}
    xt = [x.split("-")[0] if xcol == "span" else x for x in xs]
    with _style(language) as rc:
        fig, axes = _new(language, rc, 1, 2, (8.5, 3.6))
        for ax, col in zip(axes[0], ("top10_share", "intl_rate"), strict=True):
            for i, (name, g) in enumerate(centers.groupby("entity", sort=True)):
                g = g.assign(_x=g[xcol].astype(str).map(pos)).sort_values("_x")
                ax.plot(g["_x"], g[col], marker="o", ms=3, color=PALETTE[i % len(PALETTE)], label=str(name))
            if not ref.empty:
                first = ref["entity"].iloc[0]
                g = ref[ref["entity"] == first]
                g = g.assign(_x=g[xcol].astype(str).map(pos)).sort_values("_x")
                ax.plot(g["_x"], g[col], ls="--", color="#c0392b",
                        label=label("focus_average", language, focus=focus))
            ax.set_xticks(range(len(xs)), xt, rotation=30, ha="right")
            ax.set_xlabel(label("year" if xcol == "span" else "period", language))
            ax.set_ylabel(label(col, language))
            ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        axes[0][1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=7)
        fig.suptitle(label("trends_title", language))
    return fig


# --------------------------------------------------------------------------- 5. fields


def center_fields_chart(center_fields: pd.DataFrame, max_fields: int = 9, language: str = "en") -> Figure:
    """Field distribution of each center's papers as stacked horizontal bars.

    Parameters
    ----------
    center_fields : pandas.DataFrame
        ``center_fields.csv``: ``center, field, papers`` (``share`` recomputed).
    max_fields : int
        Fields with the most papers overall kept; the rest pooled as "other".
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        One rectangle per (center, drawn field).
    """
    cf = center_fields.copy()
    totals = cf.groupby("field")["papers"].sum().sort_values(ascending=False, kind="stable")
    keep = sorted(totals.index[:max_fields], key=lambda f: (-totals[f], str(f)))
    other = label("other", language)
    cf["field"] = cf["field"].where(cf["field"].isin(keep), other)
    tab = cf.pivot_table(index="center", columns="field", values="papers", aggfunc="sum", fill_value=0.0)
    cols = [*keep, *([other] if other in tab.columns else [])]
    tab = tab.reindex(columns=cols, fill_value=0.0).sort_index()
    share = tab.div(tab.sum(axis=1).where(lambda v: v > 0, 1), axis=0)
    with _style(language) as rc:
        fig, axes = _new(language, rc, size=(7.5, 0.8 + 0.4 * max(len(share), 1)))
        ax = axes[0, 0]
        y = np.arange(len(share))[::-1]
        left = np.zeros(len(share))
        for i, f in enumerate(share.columns):
            color = "#cccccc" if f == other else PALETTE[i % len(PALETTE)]
            ax.barh(y, share[f].to_numpy(), left=left, color=color, label=str(f))
            left += share[f].to_numpy()
        ax.set_yticks(y, [str(c) for c in share.index])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        ax.set_xlabel(label("field_share", language))
        ax.set_ylabel(label("center", language))
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=6)
        ax.set_title(label("fields_title", language))
    return fig


# --------------------------------------------------------------------------- 6. emerging


def emerging_chart(areas: pd.DataFrame, center_areas: Collection[int] = (), period: str = "",
                   language: str = "en") -> Figure:
    """Currency vs growth (left) and Rao–Stirling vs size (right), centers' areas ringed.

    Parameters
    ----------
    areas : pandas.DataFrame
        ``area, n_core, currency, growth, rao_stirling, emerging, interdisciplinary``
        (missing flags count as False; rows without currency/growth are not drawn left).
    center_areas : collection of int
        Areas where a WPI center takes part (ringed in both panels).
    period : str
    language : {"en", "ja"}

    Returns
    -------
    matplotlib.figure.Figure
        Left axes: two scatters (other, emerging) + one ring scatter; right axes: two
        scatters (other, interdisciplinary) + one ring scatter.
    """
    a = areas.copy()
    for col in ("emerging", "interdisciplinary"):
        a[col] = a[col].fillna(False).astype(bool) if col in a.columns else False
    for col in ("currency", "growth", "rao_stirling"):
        if col not in a.columns:
            a[col] = np.nan
    ring = a["area"].isin(list(center_areas))
    with _style(language) as rc:
        fig, axes = _new(language, rc, 1, 2, (9.0, 4.0))
        ax_l, ax_r = axes[0]
        left = a.dropna(subset=["currency", "growth"])
        lring = ring[left.index]
        for ax, d, flag, xcol, ycol, r in (
            (ax_l, left, "emerging", "currency", "growth", lring),
            (ax_r, a.dropna(subset=["rao_stirling"]), "interdisciplinary", "n_core", "rao_stirling", ring),
        ):
            r = r.reindex(d.index, fill_value=False)
            f = d[flag]
            ax.scatter(d.loc[~f, xcol], d.loc[~f, ycol], s=14, color="#bbbbbb", label=label("not_emerging", language))
            ax.scatter(d.loc[f, xcol], d.loc[f, ycol], s=18, color="#d95f02" if flag == "emerging" else "#7570b3",
                       label=label(flag, language))
            ax.scatter(d.loc[r, xcol], d.loc[r, ycol], s=60, facecolors="none", edgecolors="#1f3a93",
                       linewidths=1.0, label=label("center_marked", language))
            ax.set_xlabel(label(xcol, language))
            ax.set_ylabel(label(ycol, language))
            ax.legend(loc="best", frameon=False, fontsize=6)
        if a["n_core"].max() > 0:
            ax_r.set_xscale("log")
        fig.suptitle(label("emerging_title", language, period=period))
    return fig


def figure_texts(fig: Figure) -> list[str]:
    """All label, title and tick texts of a figure (for checks of the language).

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    list of str
    """
    out = [t.get_text() for t in fig.findobj(mpl.text.Text)]
    return [t for t in out if t]
