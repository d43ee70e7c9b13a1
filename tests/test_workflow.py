"""The whole Snakemake workflow on the tiny synthetic world: outputs, contract, truth, determinism."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest
import yaml
from sklearn.metrics import normalized_mutual_info_score

from wpimap.config import load_config
from wpimap.periods import periods_from_config
from wpimap.tables import read_metadata

from .conftest import ROOT

pytestmark = pytest.mark.slow

CONTRACT = {
    "normalized/works.parquet": ["work_id", "year", "doc_type", "title", "source", "fields", "doi"],
    "normalized/authorships.parquet": ["work_id", "author_position", "institution", "country", "center"],
    "normalized/references.parquet": ["citing_id", "cited_key", "cited_id"],
    "normalized/rejects.parquet": ["source_file", "record", "reason"],
}
PERIOD_CONTRACT = {
    "core": ["work_id", "year", "field", "citations", "front", "area"],
    "cocitation": ["a", "b", "count", "strength"],
    "areas": ["area", "n_core", "n_fronts", "label", "rao_stirling", "interdisciplinary", "scigeo",
              "emerging", "predecessors", "x", "y"],
}
TABLES = {
    "participation_countries.csv": ["period", "entity", "areas", "area_share", "core_whole", "core_fractional",
                                    "led_areas", "emerging_areas", "interdisciplinary_areas"],
    "participation_centers.csv": ["period", "entity", "areas", "area_share", "core_whole", "core_fractional",
                                  "led_areas", "emerging_areas", "interdisciplinary_areas"],
    "indicators_countries.csv": ["period", "entity", "counting", "papers"],
    "indicators_centers.csv": ["period", "entity", "counting", "papers"],
    "wpi_contribution.csv": ["period"],
    "transitions.csv": [],
}


def _periods(results):
    cfg = yaml.safe_load((results / "config.effective.yaml").read_text())
    return [p.label for p in periods_from_config(cfg)]


def test_outputs_follow_the_data_contract(tiny_run):
    for rel, cols in CONTRACT.items():
        frame = pd.read_parquet(tiny_run / rel)
        assert set(cols) <= set(frame.columns), rel
    for period in _periods(tiny_run):
        for name, cols in PERIOD_CONTRACT.items():
            path = tiny_run / "periods" / period / f"{name}.parquet"
            frame = pd.read_parquet(path)
            assert set(cols) <= set(frame.columns), path
            assert len(frame) > 0, path
            meta = read_metadata(path)
            assert meta["synthetic"] is True and meta["versions"]["wpimap"]
    for name, cols in TABLES.items():
        frame = pd.read_csv(tiny_run / "tables" / name)
        assert list(frame.columns[: len(cols)]) == cols or set(cols) <= set(frame.columns), name
    assert (tiny_run / "report" / "index.html").stat().st_size > 10_000
    assert (tiny_run / "report" / "tables.xlsx").stat().st_size > 1_000


def test_every_output_says_synthetic(tiny_run):
    html = (tiny_run / "report" / "index.html").read_text(encoding="utf-8")
    assert "synthetic" in html.lower()
    for name in ("indicators_countries.csv", "indicators_centers.csv"):
        assert set(pd.read_csv(tiny_run / "tables" / name)["data"]) == {"synthetic"}


def test_core_papers_cluster_into_the_planted_areas(tiny_run):
    """Issue 5: the tiny world's planted areas are recovered with NMI >= 0.9 (every period)."""
    truth = pd.read_parquet(next((tiny_run.parent / "raw").glob("tiny-42/truth.parquet")))
    truth = truth.set_index("work_id")
    for period in _periods(tiny_run):
        core = pd.read_parquet(tiny_run / "periods" / period / "core.parquet")
        planted = truth.loc[core["work_id"], "area"]
        mask = planted.notna().to_numpy() & (core["area"].to_numpy() >= 0)
        assert mask.mean() > 0.8, period  # core papers are mostly planted front papers
        nmi = normalized_mutual_info_score(planted.to_numpy()[mask].astype(str), core["area"].to_numpy()[mask])
        assert nmi >= 0.9, (period, nmi)


def test_stages_are_deterministic(tiny_run, tmp_path):
    """Rerunning the map, evolution and participation stages gives the same bytes."""
    from wpimap import pipeline

    copy = tmp_path / "results"
    shutil.copytree(tiny_run, copy)
    cfg = load_config(tiny_run / "config.effective.yaml", overrides={"results": str(copy)})
    period = _periods(tiny_run)[-1]
    pipeline.run_stage("map", cfg, period=period, synthetic=True)
    pipeline.run_stage("evolve", cfg, synthetic=True)
    pipeline.run_stage("participation", cfg, synthetic=True)
    for rel in [f"periods/{period}/core.parquet", f"periods/{period}/cocitation.parquet",
                f"periods/{period}/areas.parquet", "tables/participation_countries.csv",
                "tables/participation_centers.csv", "tables/wpi_contribution.csv", "tables/transitions.csv"]:
        assert (copy / rel).read_bytes() == (tiny_run / rel).read_bytes(), rel


def test_snakemake_lint_is_clean():
    proc = subprocess.run(["snakemake", "--lint", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(ROOT)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_snakefmt_is_clean():
    files = [str(ROOT / "Snakefile"), *map(str, sorted((ROOT / "workflow" / "rules").glob("*.smk")))]
    proc = subprocess.run(["snakefmt", "--check", *files], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
