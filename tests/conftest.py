"""Shared fixtures: the real exports in ../shared/data, and temporary result folders."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real WoS / Scopus / OpenAlex exports; skips when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-data tests need {SHARED_DATA} (the project's shared data folder), which is absent")
    return SHARED_DATA


def run_workflow(workdir: Path, extra_config: dict | None = None, target: str | None = None) -> Path:
    """Run the Snakemake workflow on the tiny synthetic world into ``workdir``; return results."""
    import subprocess

    import yaml

    cfg = {
        "results": str(workdir / "results"),
        "synthetic": {"scale": "tiny", "seed": 42, "out": str(workdir / "raw")},
    }
    cfg.update(extra_config or {})
    cfg_path = workdir / "config.yaml"
    cfg_path.write_text(yaml.safe_dump(cfg))
    cmd = ["snakemake", "--snakefile", str(ROOT / "Snakefile"), "--directory", str(ROOT), "--cores", "2",
           "--configfile", str(cfg_path), "--nolock"]
    if target:
        cmd.insert(1, target)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise AssertionError(f"workflow failed:\n{proc.stderr[-4000:]}")
    (workdir / "snakemake.log").write_text(proc.stderr)
    return workdir / "results"


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The whole workflow run once on the tiny synthetic world (shared by several tests)."""
    return run_workflow(tmp_path_factory.mktemp("tiny_run"))


@pytest.fixture(scope="session")
def small_run(tmp_path_factory) -> Path:
    """The whole workflow on the ``small`` synthetic world: the README's default run."""
    workdir = tmp_path_factory.mktemp("small_run")
    cfg = {"synthetic": {"scale": "small", "seed": 42, "out": str(workdir / "raw")}}
    return run_workflow(workdir, cfg)
