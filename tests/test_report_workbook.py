"""Workbook of the report: sheets, columns, values equal to the CSVs, formats, README.

Also holds :func:`write_fixture_run`, a small finished run (tables written as the
pipeline's stages write them) reused by the browser test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from wpimap.report import build_report, figures, load_run, report_sheets
from wpimap.report.workbook import COLUMN_DOCS, column_kind, write_workbook

PERIODS = ("2011-2016", "2013-2018")
COUNTRIES = ("US", "CN", "GB", "DE", "JP", "FR")
CENTERS = ("Kavli IPMU", "iCeMS", "WPI-AIMR")
TYPES = ("continent", "island", "peninsula", "small_island")


def fixture_frames(seed: int = 3) -> dict[str, pd.DataFrame]:
    """Small tables shaped like a finished run's (values random but fixed by the seed)."""
    rng = np.random.default_rng(seed)
    out: dict[str, pd.DataFrame] = {}
    areas, cores, auths = {}, [], []
    wid = 0
    for k, p in enumerate(PERIODS):
        n = 12
        a = pd.DataFrame({
            "area": np.arange(n),
            "n_core": rng.integers(3, 40, n),
            "n_fronts": rng.integers(1, 5, n),
            "label": [f"term{i} & <b>x</b> / field{i % 3}" for i in range(n)],
            "x": rng.uniform(-1, 1, n),
            "y": rng.uniform(-1, 1, n),
            "dominant_field": [f"field{i % 3}" for i in range(n)],
            "rao_stirling": rng.uniform(0, 0.8, n),
            "interdisciplinary": rng.random(n) < 0.3,
            "scigeo": [None] * n if k == 0 else [TYPES[i % 4] for i in range(n)],
            "emerging": [False] * n if k == 0 else list(rng.random(n) < 0.3),
            "currency": rng.uniform(-5, 0, n),
            "growth": rng.normal(0.1, 0.1, n),
            "predecessors": ["" for _ in range(n)],
        })
        areas[p] = a
        for _, r in a.iterrows():
            for _ in range(int(r["n_core"])):
                cores.append((p, f"W{wid}", int(r["area"])))
                for c in rng.choice(COUNTRIES, size=rng.integers(1, 3), replace=False):
                    center = CENTERS[rng.integers(0, 3)] if c == "JP" and rng.random() < 0.4 else None
                    auths.append((f"W{wid}", str(c), center))
                wid += 1
    out["core"] = pd.DataFrame(cores, columns=["period", "work_id", "area"])
    out["authorships"] = pd.DataFrame(auths, columns=["work_id", "country", "center"])
    out["areas_by_period"] = areas  # type: ignore[assignment]
    pc = []
    for p in PERIODS:
        for c in COUNTRIES:
            n = int(rng.integers(2, 12))
            pc.append((p, c, n, n / 12, n * 3, n * 1.7, int(rng.integers(0, 3)), int(rng.integers(0, 3)), 1))
    cols = ["period", "entity", "areas", "area_share", "core_whole", "core_fractional", "led_areas",
            "emerging_areas", "interdisciplinary_areas"]
    out["participation_countries"] = pd.DataFrame(pc, columns=cols)
    out["participation_centers"] = pd.DataFrame(
        [(p, c, 3, 0.25, 5, 1.25, 0, 1, 1) for p in PERIODS for c in CENTERS], columns=cols)
    rows = []
    for p in PERIODS:
        s, e = map(int, p.split("-"))
        spans = [p] + [f"{y}-{y}" for y in range(s, e + 1)]
        for span in spans:
            for etype, ent in [("center", c) for c in CENTERS] + [("centers", "all centers"), ("country", "JP (all)")]:
                for counting in ("whole", "fractional"):
                    papers = float(rng.integers(50, 500))
                    t10 = papers * rng.uniform(0.05, 0.25)
                    intl = papers * rng.uniform(0.2, 0.8)
                    rows.append(("synthetic", p, span, etype, ent, counting, papers, t10, t10 / papers,
                                 t10 / 10, t10 / 10 / papers, intl, intl / papers, papers - intl, intl / 2, intl / 2))
    icols = ["data", "period", "span", "entity_type", "entity", "counting", "papers", "top10", "top10_share", "top1",
             "top1_share", "intl_papers", "intl_rate", "domestic", "bilateral", "multilateral"]
    out["indicators_centers"] = pd.DataFrame(rows, columns=icols)
    out["indicators_countries"] = pd.DataFrame(
        [("synthetic", p, p, "country", c, "whole", 1000.0, 100.0, 0.1, 10.0, 0.01, 300.0, 0.3, 700.0, 200.0, 100.0)
         for p in PERIODS for c in COUNTRIES], columns=icols)
    out["transitions"] = pd.DataFrame({
        "from_period": [PERIODS[0]] * 5, "to_period": [PERIODS[1]] * 5,
        "from_type": ["continent", "continent", "island", "peninsula", "small_island"],
        "to_type": ["continent", "vanished", "island", "continent", "vanished"],
        "count": [4, 1, 2, 3, 2], "share": [0.8, 0.2, 1.0, 1.0, 1.0],
    })
    out["wpi_contribution"] = pd.DataFrame({
        "period": list(np.repeat(PERIODS, 4)), "center": [*CENTERS, "all centers"] * 2,
        "areas": [3, 2, 4, 7] * 2, "emerging_areas": [1, 0, 1, 2] * 2, "interdisciplinary_areas": [1, 1, 0, 2] * 2,
        "focus_areas": [9] * 8, "area_contribution": [0.33, 0.22, 0.44, 0.78] * 2,
        "emerging_contribution": [0.5, 0.0, 0.5, 1.0] * 2, "only_via_areas": [0, 1, 0, 1] * 2,
    })
    out["center_fields"] = pd.DataFrame({
        "center": np.repeat(CENTERS, 3), "field": ["physics", "chemistry", "biology"] * 3,
        "papers": [30.0, 10.0, 5.5, 2.0, 20.0, 8.0, 1.0, 4.0, 12.0],
    })
    out["center_fields"]["share"] = out["center_fields"]["papers"] / out["center_fields"].groupby("center")[
        "papers"].transform("sum")
    out["ingest_summary"] = pd.DataFrame({
        "source_file": ["a.jsonl", "TOTAL"], "format": ["openalex", ""], "records": [1200, 1200],
        "normalized": [1150, 1150], "duplicates": [30, 30], "rejected": [20, 20], "references": [9000, 9000],
        "resolved": [6300, 6300], "countries": [40, 40], "seconds": [1.5, 1.5], "resolved_share": [0.7, 0.7],
    })
    return out


def write_fixture_run(root: Path, seed: int = 3) -> dict[str, pd.DataFrame]:
    """Write the fixture frames where a run's stages write them; return the frames."""
    fr = fixture_frames(seed)
    (root / "tables").mkdir(parents=True)
    (root / "normalized").mkdir()
    for name in ("participation_countries", "participation_centers", "indicators_countries", "indicators_centers",
                 "transitions", "wpi_contribution", "center_fields"):
        fr[name].to_csv(root / "tables" / f"{name}.csv", index=False)
    fr["ingest_summary"].to_csv(root / "normalized" / "ingest_summary.csv", index=False)
    fr["authorships"].to_parquet(root / "normalized" / "authorships.parquet")
    for p, a in fr["areas_by_period"].items():  # type: ignore[union-attr]
        d = root / "periods" / p
        d.mkdir(parents=True)
        a.to_parquet(d / "areas.parquet")
        fr["core"][fr["core"]["period"] == p].drop(columns="period").to_parquet(d / "core.parquet")
    cfg = {"results": str(root), "report": {"countries": list(COUNTRIES), "focus": ["JP"], "language": "en",
                                           "color_by": "scigeo", "n_labels": 5}}
    (root / "config.effective.yaml").write_text(yaml.safe_dump(cfg))
    return fr


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pd.DataFrame]]:
    root = tmp_path_factory.mktemp("run")
    fr = write_fixture_run(root)
    # the workbook as build_report writes it (figures and HTML: test_report_browser.py)
    write_workbook(report_sheets(load_run({"results": str(root)})), root / "report" / "tables.xlsx")
    return root, fr


def _sheet_frame(ws) -> pd.DataFrame:
    rows = list(ws.values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_workbook_sheets_values_equal_csvs(built):
    root, _ = built
    wb = openpyxl.load_workbook(root / "report" / "tables.xlsx")
    expected = ["README", "participation_countries", "participation_centers", "indicators_countries",
                "indicators_centers", "areas", "wpi_contribution", "transitions", "center_fields"]
    assert wb.sheetnames == expected
    for name in expected[1:]:
        ws = wb[name]
        got = _sheet_frame(ws)
        if name == "areas":
            want = pd.concat([pd.read_parquet(root / "periods" / p / "areas.parquet").assign(period=p)
                              for p in PERIODS], ignore_index=True)
            assert list(got.columns)[0] == "period"
            assert set(want.columns) == set(got.columns)
            assert len(got) == 24
            assert got["n_core"].tolist() == want["n_core"].tolist()
            assert got["label"].tolist() == want["label"].tolist()
            # first period has no Sci-GEO type: empty cells
            assert got.loc[got["period"] == PERIODS[0], "scigeo"].isna().all()
            assert got.loc[got["period"] == PERIODS[1], "scigeo"].tolist() == [TYPES[i % 4] for i in range(12)]
        else:
            want = pd.read_csv(root / "tables" / f"{name}.csv")
            assert list(got.columns) == list(want.columns), name
            assert len(got) == len(want)
            for c in want.columns:
                if pd.api.types.is_numeric_dtype(want[c]):
                    np.testing.assert_allclose(got[c].astype(float), want[c].astype(float), rtol=1e-12, err_msg=c)
                else:
                    assert got[c].fillna("").astype(str).tolist() == want[c].fillna("").astype(str).tolist()
        assert ws.freeze_panes == "A2", name
    assert wb["README"].freeze_panes == "A2"


def test_workbook_number_formats_and_readme(built):
    root, _ = built
    wb = openpyxl.load_workbook(root / "report" / "tables.xlsx")
    ws = wb["participation_countries"]
    head = [c.value for c in ws[1]]
    fmt = {h: ws.cell(row=2, column=j + 1).number_format for j, h in enumerate(head)}
    assert fmt["area_share"] == "0.0%"
    assert fmt["areas"] == "#,##0"
    assert fmt["core_fractional"] == "0.00"
    ws = wb["indicators_centers"]
    head = [c.value for c in ws[1]]
    fmt = {h: ws.cell(row=2, column=j + 1).number_format for j, h in enumerate(head)}
    assert fmt["top10_share"] == fmt["intl_rate"] == "0.0%"
    assert fmt["papers"] == "#,##0"  # whole numbers of papers
    # widths: every column at least as wide as its header
    for j, h in enumerate(head, start=1):
        assert ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width >= len(h)
    # README lists every column of every sheet with a non-empty description
    readme = _sheet_frame(wb["README"])
    for name in wb.sheetnames[1:]:
        cols = [c.value for c in wb[name][1]]
        listed = readme.loc[(readme["sheet"] == name) & (readme["column"].notna()), "column"].tolist()
        assert listed == cols, name
        assert readme.loc[readme["sheet"] == name, "description"].map(bool).all()
    # the known contract columns have a written description, not the generic one
    for c in ("area_share", "top10_share", "scigeo", "from_type", "only_via_areas"):
        assert c in COLUMN_DOCS


def test_column_kind_rules():
    assert column_kind("area_share", pd.Series([0.1, 0.5])) == "share"
    assert column_kind("intl_rate", pd.Series([0.1])) == "share"
    assert column_kind("emerging_contribution", pd.Series([0.1])) == "share"
    assert column_kind("areas", pd.Series([1, 2])) == "count"
    assert column_kind("papers", pd.Series([10.0, 12.0])) == "count"
    assert column_kind("papers", pd.Series([10.5, 12.0])) == "fraction"  # fractional counting
    assert column_kind("core_fractional", pd.Series([1.5])) == "fraction"
    assert column_kind("entity", pd.Series(["JP"])) == "text"
    assert column_kind("emerging", pd.Series([True, False])) == "text"
    assert column_kind("area", pd.Series([1, 2])) == "text"


def test_write_workbook_rejects_long_sheet_name(tmp_path):
    with pytest.raises(ValueError, match="31 characters"):
        write_workbook({"x" * 32: pd.DataFrame({"a": [1]})}, tmp_path / "t.xlsx")


def test_report_skips_absent_tables_and_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setattr(figures, "DPI", 50)  # speed; 300 dpi is checked in test_report_figures
    # a run with only the participation table: one figure, notes for the others
    part = tmp_path / "partial"
    (part / "tables").mkdir(parents=True)
    fixture_frames()["participation_countries"].to_csv(part / "tables" / "participation_countries.csv", index=False)
    html = build_report({"results": str(part)}, synthetic=True)
    assert html == part / "report" / "index.html"
    assert sorted(p.name for p in (part / "report" / "figures").glob("*")) == ["participation.png", "participation.svg"]
    text = html.read_text(encoding="utf-8")
    assert "transitions.csv is absent" in text
    assert "synthetic-banner" in text
    wb = openpyxl.load_workbook(part / "report" / "tables.xlsx")
    assert wb.sheetnames == ["README", "participation_countries"]
    # same tables -> same bytes (HTML, PNG, SVG)
    before = {p.name: p.read_bytes() for p in [html, *(part / "report" / "figures").glob("*")]}
    build_report({"results": str(part)}, synthetic=True)
    after = {p.name: p.read_bytes() for p in [html, *(part / "report" / "figures").glob("*")]}
    assert before == after
