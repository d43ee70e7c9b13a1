"""Figure functions of the report on small frames: marks, axes labels, 300 dpi, languages."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.patches import PathPatch, Rectangle
from PIL import Image

from wpimap.report import entity_areas, fonts
from wpimap.report import figures as F

AREAS = pd.DataFrame({
    "area": [0, 1, 2, 3, 4, 5],
    "n_core": [50, 10, 30, 5, 20, 8],
    "label": ["alpha", "beta", "gamma", "delta", "eps", "zeta"],
    "x": [0.0, 0.5, -0.5, 0.2, -0.9, 0.9],
    "y": [0.0, 0.5, 0.3, -0.7, 0.1, -0.2],
    "dominant_field": ["phys", "chem", "phys", "bio", "bio", "chem"],
    "scigeo": ["continent", "island", "peninsula", "small_island", "continent", None],
    "emerging": [False, False, True, True, False, None],
    "interdisciplinary": [True, False, False, True, True, False],
    "currency": [-3.0, -2.0, -0.5, -0.2, -4.0, np.nan],
    "growth": [0.0, 0.1, 0.4, 0.5, -0.1, 0.2],
    "rao_stirling": [0.5, 0.1, 0.2, 0.6, 0.7, 0.05],
})


def _labelled(ax) -> None:
    assert ax.get_xlabel() and ax.get_ylabel()


def test_participation_over_time_lines_follow_table():
    rows = [(p, c, n, n / 20) for p, base in (("2011-2016", 0), ("2013-2018", 1))
            for c, n in (("US", 15 + base), ("JP", 6 - base), ("GB", 11 + base), ("CN", 9 + 3 * base))]
    part = pd.DataFrame(rows, columns=["period", "entity", "areas", "area_share"])
    fig = F.participation_over_time(part, ["US", "JP", "GB", "XX"])  # XX absent: skipped
    ax_n, ax_s = fig.axes[:2]
    assert len(ax_n.lines) == 3 and len(ax_s.lines) == 3
    jp_n = next(line for line in ax_n.lines if line.get_label() == "JP")
    jp_s = next(line for line in ax_s.lines if line.get_label() == "JP")
    assert list(jp_n.get_ydata()) == [6, 5]
    np.testing.assert_allclose(jp_s.get_ydata(), [6 / 20, 5 / 20])
    assert [t.get_text() for t in ax_n.get_xticklabels()] == ["2011-2016", "2013-2018"]
    _labelled(ax_n)
    _labelled(ax_s)


def test_science_map_points_colours_and_labels():
    fig = F.science_map(AREAS, color_by="scigeo", n_labels=3, period="2013-2018")
    ax = fig.axes[0]
    assert len(ax.collections) == 1
    pts = ax.collections[0]
    np.testing.assert_allclose(pts.get_offsets(), AREAS[["x", "y"]].to_numpy())
    colours = pts.get_facecolors()
    cont = to_rgba(F.SCIGEO_COLORS["continent"], 0.75)
    assert sum(np.allclose(c, cont) for c in colours) == 2  # areas 0 and 4
    sizes = pts.get_sizes()
    assert sizes[0] == sizes.max() and sizes[3] == sizes.min()  # ∝ n_core
    assert sorted(t.get_text() for t in ax.texts) == ["alpha", "eps", "gamma"]  # 3 largest
    assert "2013-2018" in ax.get_title()
    _labelled(ax)
    by_field = F.science_map(AREAS, color_by="field", n_labels=0)
    assert len(by_field.axes[0].texts) == 0
    assert len({tuple(c) for c in by_field.axes[0].collections[0].get_facecolors()}) == 3  # 3 fields


def test_science_map_highlight_layers():
    fig = F.science_map_highlight(AREAS, focus_areas={0, 2, 3, 99}, center_areas={2}, focus="JP")
    ax = fig.axes[0]
    assert [len(c.get_offsets()) for c in ax.collections] == [6, 3, 1]
    np.testing.assert_allclose(ax.collections[2].get_offsets(), [[-0.5, 0.3]])
    _labelled(ax)


def test_entity_areas_and_scigeo_composition():
    core = pd.DataFrame({"work_id": ["a", "b", "c", "d", "e", "f"], "area": [0, 1, 2, 3, 4, -1]})
    auth = pd.DataFrame({"work_id": ["a", "b", "c", "d", "a", "e", "e", "f"],
                         "country": ["JP", "JP", "JP", "JP", "US", "US", "US", "US"],
                         "center": [None, "iCeMS", None, None, None, None, None, None]})
    ea = entity_areas(core, auth, "country", ["JP", "US"])
    assert ea.to_dict("list") == {"entity": ["JP"] * 4 + ["US"] * 2, "area": [0, 1, 2, 3, 0, 4]}
    assert entity_areas(core, auth, "center")["area"].tolist() == [1]
    fig = F.scigeo_composition(ea, AREAS, ["US", "JP", "DE"])
    ax = fig.axes[0]
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == 2 * 4  # 2 countries present × 4 types
    widths = {}
    for p in bars:
        widths.setdefault(p.get_facecolor(), []).append(round(p.get_width(), 9))
    # US: areas 0, 4 both continent; JP: one area of each type
    assert sorted(widths[to_rgba(F.SCIGEO_COLORS["continent"])]) == [0.25, 1.0]
    assert sorted(widths[to_rgba(F.SCIGEO_COLORS["island"])]) == [0.0, 0.25]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["US", "JP"]
    _labelled(ax)


def test_transitions_flow_ribbons_and_nodes():
    trans = pd.DataFrame({
        "from_period": ["A", "A", "A", "A", "B", "B"], "to_period": ["B", "B", "B", "B", "C", "C"],
        "from_type": ["continent", "continent", "island", "peninsula", "continent", "island"],
        "to_type": ["continent", "vanished", "island", "continent", "island", "vanished"],
        "count": [4, 1, 2, 3, 5, 0], "share": [0.8, 0.2, 1, 1, 1, 0],
    })
    fig = F.transitions_flow(trans)
    ax = fig.axes[0]
    ribbons = [p for p in ax.patches if isinstance(p, PathPatch) and p.get_gid() == "ribbon"]
    nodes = [p for p in ax.patches if p.get_gid() == "node"]
    assert len(ribbons) == 5  # rows with count > 0
    # nodes: pair A→B: 3 from-types + 3 to-types (continent, island, vanished); B→C: 1 + 1
    assert len(nodes) == 8
    heights = sorted(round(n.get_height(), 9) for n in nodes[:3])
    assert heights == [2, 3, 5]  # continent 4+1, island 2, peninsula 3
    _labelled(ax)


def _centers_table() -> pd.DataFrame:
    rows = []
    vals = {"A": (0.30, 0.25, 100), "B": (0.70, 0.10, 400), "C": (0.55, 0.20, 250), "JP (all)": (0.35, 0.08, 9000)}
    for p, shift in (("2011-2016", 0.0), ("2013-2018", 0.01)):
        for span in [p, *(f"{y}-{y}" for y in range(int(p[:4]), int(p[5:]) + 1))]:
            for e, (ir, ts, n) in vals.items():
                et = "country" if e.startswith("JP") else "center"
                for counting, f in (("whole", 1.0), ("fractional", 0.5)):
                    rows.append((p, span, et, e, counting, n * f, ir + shift, ts + shift))
    return pd.DataFrame(rows, columns=["period", "span", "entity_type", "entity", "counting", "papers",
                                       "intl_rate", "top10_share"])


def test_q_value_chart_points_and_reference_lines():
    fig = F.q_value_chart(_centers_table(), focus="JP")
    ax = fig.axes[0]
    assert len(ax.collections) == 1
    np.testing.assert_allclose(ax.collections[0].get_offsets(), [[0.31, 0.26], [0.71, 0.11], [0.56, 0.21]])
    sizes = ax.collections[0].get_sizes()
    assert sizes[1] > sizes[2] > sizes[0]  # papers 400 > 250 > 100
    assert len(ax.lines) == 2
    xs = {round(float(v), 9) for line in ax.lines for v in line.get_xdata()}
    ys = {round(float(v), 9) for line in ax.lines for v in line.get_ydata()}
    assert 0.36 in xs and 0.09 in ys  # JP average of the latest period
    assert "2013-2018" in ax.get_title()
    _labelled(ax)
    older = F.q_value_chart(_centers_table(), period="2011-2016")
    np.testing.assert_allclose(older.axes[0].collections[0].get_offsets()[0], [0.30, 0.25])


def test_center_trends_one_line_per_center():
    fig = F.center_trends(_centers_table(), focus="JP")
    for ax in fig.axes[:2]:
        assert len(ax.lines) == 4  # 3 centers + JP average
        assert all(len(line.get_xdata()) == 8 for line in ax.lines)  # years 2011..2018
        assert [t.get_text() for t in ax.get_xticklabels()][0] == "2011"
        _labelled(ax)


def test_center_fields_chart_stacks_to_one():
    cf = pd.DataFrame({"center": ["K", "K", "K", "I", "I"], "field": ["phys", "chem", "bio", "chem", "bio"],
                       "papers": [30.0, 10.0, 5.0, 2.0, 6.0]})
    fig = F.center_fields_chart(cf, max_fields=2)  # phys (30) and chem (12) kept, bio (11) pooled
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 3
    by_y: dict[float, float] = {}
    for p in ax.patches:
        by_y[p.get_y()] = by_y.get(p.get_y(), 0.0) + p.get_width()
    np.testing.assert_allclose(sorted(by_y.values()), [1.0, 1.0])
    phys = [p.get_width() for p in ax.patches[:2]]  # first field drawn: phys, rows sorted I, K
    np.testing.assert_allclose(sorted(phys), [0.0, 30 / 45])
    _labelled(ax)


def test_emerging_chart_marks():
    fig = F.emerging_chart(AREAS, center_areas={2, 4})
    ax_l, ax_r = fig.axes[:2]
    # left: areas with currency and growth (5); emerging = 2, 3; centers' areas 2, 4
    assert [len(c.get_offsets()) for c in ax_l.collections] == [3, 2, 2]
    # right: all 6 areas; interdisciplinary 0, 3, 4; centers' 2, 4
    assert [len(c.get_offsets()) for c in ax_r.collections] == [3, 3, 2]
    _labelled(ax_l)
    _labelled(ax_r)


def test_save_png_300_dpi_svg_and_same_bytes(tmp_path):
    fig = F.science_map(AREAS, n_labels=6)  # every label: adjustText runs (fixed iterations)
    png, svg = F.save(fig, tmp_path / "a" / "map")
    with Image.open(png) as im:
        dpi = im.info["dpi"]
        size = im.size
    assert dpi == pytest.approx((300, 300), abs=0.01)
    w, h = fig.get_size_inches()
    assert size == (round(w * 300), round(h * 300))
    assert svg.read_text().lstrip().startswith("<?xml")
    png2, svg2 = F.save(F.science_map(AREAS, n_labels=6), tmp_path / "b" / "map")
    assert png.read_bytes() == png2.read_bytes()
    assert svg.read_bytes() == svg2.read_bytes()


def test_japanese_labels_with_a_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: "DejaVu Sans")  # stands in for Noto Sans CJK JP
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # DejaVu has no Japanese glyphs
        part = pd.DataFrame({"period": ["2011-2016"], "entity": ["JP"], "areas": [3], "area_share": [0.3]})
        fig = F.participation_over_time(part, ["JP"], language="ja")
    texts = F.figure_texts(fig)
    assert "参画領域数" in texts and "期間" in texts
    assert fig.wpimap_rc["font.sans-serif"][0] == "DejaVu Sans"
    assert fig.axes[0].xaxis.label.get_fontfamily()[0] == "DejaVu Sans"
    en = F.figure_texts(F.participation_over_time(part, ["JP"]))
    assert "Areas participated" in en and "参画領域数" not in en


def test_japanese_without_cjk_font_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "find_cjk_font", lambda: None)
    with pytest.raises(fonts.MissingFontError, match="fonts-noto-cjk"):
        F.science_map(AREAS, language="ja")
    from wpimap.report import build_report

    (tmp_path / "tables").mkdir()
    with pytest.raises(fonts.MissingFontError, match="apt-get install fonts-noto-cjk"):
        build_report({"results": str(tmp_path), "report": {"language": "ja"}})


def _overlap_area(boxes) -> float:
    total = 0.0
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            a, b = boxes[i], boxes[j]
            w = min(a.x1, b.x1) - max(a.x0, b.x0)
            h = min(a.y1, b.y1) - max(a.y0, b.y0)
            total += max(w, 0.0) * max(h, 0.0)
    return total


def test_science_map_moves_labels_apart_on_a_crowded_map():
    # six labelled areas within 0.02 of each other: placed at their points, the labels
    # would cover each other; the map moves them apart (adjustText, a fixed iteration count)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.transforms import Bbox

    crowded = AREAS.assign(x=[0.0, 0.01, 0.02, 0.0, 0.01, 0.02], y=[0.0, 0.0, 0.0, 0.01, 0.01, 0.01],
                           label=[f"a long area label number {i}" for i in range(6)])
    fig = F.science_map(pd.concat([crowded, AREAS.assign(area=AREAS["area"] + 6, label=None, n_core=1)]), n_labels=6)
    ax = fig.axes[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    moved = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(moved) == 6
    at_points = []  # the same boxes, put back where plain labels would be: at their points
    for t, box in zip(ax.texts, moved, strict=True):
        x, y = ax.transData.transform(crowded.loc[crowded["label"] == t.get_text(), ["x", "y"]].to_numpy()[0])
        at_points.append(Bbox.from_bounds(x, y, box.width, box.height))
    assert _overlap_area(at_points) > 0
    assert _overlap_area(moved) <= 0.05 * _overlap_area(at_points)
