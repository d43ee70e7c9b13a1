"""The workflow on a real SLURM cluster gives the same outputs as a local run.

Needs a SLURM that answers `sinfo` (on a single machine: run `tests/cluster/setup_slurm.sh`
as root first) and snakemake-executor-plugin-slurm; skipped otherwise. The `tiny` synthetic
world is run twice, each into its own temporary folder and from its own synthetic world:
locally with `snakemake --cores 2`, and with `snakemake --profile config/profiles/slurm`
(every job an sbatch job), both at once. The Parquet tables must be equal by content, the
CSV tables byte for byte (the run's own folder in file paths and the wall-time column of
the ingest summary aside), and every rule that ran must have gone through SLURM (a SLURM
log folder per rule).

Each run has a hard time bound: on timeout the whole process group is killed and the test
fails (the executor plugin can hang when job states cannot be queried).

    python -m pytest tests/cluster/test_slurm.py -q -m cluster
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "config" / "profiles" / "slurm"

# What both runs build: ("all",) for the whole workflow, or paths relative to the results
# folder (e.g. ("tables/indicators_countries.csv",)) to test a part of it.
TARGETS: tuple[str, ...] = ("all",)

# Seconds each run may take before its process group is killed (env override for slow CI).
RUN_TIMEOUT = int(os.environ.get("WPIMAP_SLURM_TEST_TIMEOUT", "900"))

# Columns that differ between any two runs (wall times), left out of the comparison.
VOLATILE_COLUMNS: dict[str, tuple[str, ...]] = {"normalized/ingest_summary.csv": ("seconds",)}

pytestmark = pytest.mark.cluster


def _sinfo_nodes() -> list[tuple[int, int, str]] | None:
    """(CPUs, memory MB, state) of each node that `sinfo` reports, or None if it cannot answer."""
    if shutil.which("sinfo") is None:
        return None
    try:
        out = subprocess.run(
            ["sinfo", "-h", "-N", "-o", "%c %m %T"], capture_output=True, text=True, timeout=15
        )
    except subprocess.TimeoutExpired:
        return None
    if out.returncode != 0:
        return None
    nodes = []
    for line in out.stdout.split("\n"):
        parts = line.split()
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            nodes.append((int(parts[0]), int(parts[1]), parts[2]))
    return nodes


def _slurm_or_skip() -> tuple[int, int]:
    """Skip unless SLURM answers with a usable node; return its (CPUs, memory MB)."""
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        pytest.skip(
            "snakemake-executor-plugin-slurm is not installed (pip install snakemake-executor-plugin-slurm)"
        )
    nodes = _sinfo_nodes()
    if nodes is None:
        pytest.skip(
            "no SLURM here: `sinfo` is missing or does not answer (run tests/cluster/setup_slurm.sh as root)"
        )
    usable = [
        (c, m) for c, m, state in nodes if state.rstrip("*~#") in ("idle", "mixed", "allocated", "completing")
    ]
    if not usable:
        pytest.skip(f"SLURM answers but no node is up: {nodes}")
    return max(usable)


def _env(tmp: Path) -> dict[str, str]:
    """Environment of both runs: the `wpimap` command on PATH (a shim when not installed)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    if shutil.which("wpimap") is None:
        bin_dir = tmp / "bin"
        bin_dir.mkdir(exist_ok=True)
        shim = bin_dir / "wpimap"
        shim.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" -c "import sys; from wpimap.cli import main; sys.exit(main())" "$@"\n'
        )
        shim.chmod(0o755)
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env.pop("SLURM_JOB_ID", None)
    return env


def _write_config(folder: Path) -> Path:
    """A config file: the tiny synthetic world and the results, both inside `folder`."""
    path = folder / "config.yaml"
    path.write_text(
        f"results: {folder / 'results'}\n"
        f"synthetic:\n  scale: tiny\n  seed: 42\n  out: {folder / 'synthetic'}\n"
    )
    return path


def _targets(folder: Path) -> list[str]:
    """The Snakemake targets of a run whose results go to `folder`/results."""
    return [t if t == "all" else str(folder / "results" / t) for t in TARGETS]


def _cancel_jobs(prefix: str) -> None:
    """Cancel the SLURM jobs of a run (their names start with the run's job-name prefix)."""
    out = subprocess.run(["squeue", "-h", "-o", "%i %j"], capture_output=True, text=True, timeout=30)
    ids = [
        line.split()[0]
        for line in out.stdout.split("\n")
        if len(line.split()) == 2 and line.split()[1].startswith(prefix)
    ]
    if ids:
        subprocess.run(["scancel", *ids], capture_output=True, timeout=30)


def _run_together(
    runs: dict[str, list[str]], env: dict[str, str], logs: Path, timeout: int, on_timeout
) -> dict:
    """Run the commands at once, each in the project folder in its own process group.

    All must end within `timeout` seconds: otherwise every process group still running is
    killed, `on_timeout()` is called and the test fails with the logs' tails; it also fails
    when a command exits non-zero. Returns the wall time of each run (seconds), by name.
    """
    start = time.monotonic()
    procs: dict[str, subprocess.Popen] = {}
    seconds: dict[str, float] = {}
    try:
        for name, cmd in runs.items():
            with (logs / f"{name}.log").open("w") as fh:
                procs[name] = subprocess.Popen(
                    cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
                )
        while len(seconds) < len(procs) and time.monotonic() - start < timeout:
            for name, proc in procs.items():
                if name not in seconds and proc.poll() is not None:
                    seconds[name] = time.monotonic() - start
            time.sleep(0.5)
    finally:
        hung = [name for name, proc in procs.items() if proc.poll() is None]
        for name in hung:
            os.killpg(procs[name].pid, signal.SIGKILL)
            procs[name].wait()
        if hung:
            on_timeout()
    for name in hung:
        tail = (logs / f"{name}.log").read_text()[-3000:]
        pytest.fail(
            f"{name} run timed out after {timeout} s (process group killed): {' '.join(runs[name])}\n{tail}"
        )
    for name, proc in procs.items():
        if proc.returncode != 0:
            tail = (logs / f"{name}.log").read_text()[-5000:]
            pytest.fail(f"{name} run: exit status {proc.returncode}: {' '.join(runs[name])}\n{tail}")
    return seconds


def _tables(results: Path) -> dict[str, Path]:
    """The Parquet and CSV files under a results folder, by path relative to it."""
    return {
        str(p.relative_to(results)): p
        for p in sorted(results.rglob("*"))
        if p.suffix in (".parquet", ".csv") and p.is_file()
    }


def _read_table(path: Path, run: Path, drop: tuple[str, ...]) -> pd.DataFrame:
    """A Parquet or CSV table with the run folder in its text columns written as ``<RUN>``."""
    frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    frame = frame.drop(columns=list(drop))
    for col in frame.columns:
        if pd.api.types.is_string_dtype(frame[col]) or frame[col].dtype == object:
            frame[col] = frame[col].map(lambda v: v.replace(str(run), "<RUN>") if isinstance(v, str) else v)
    return frame


def _assert_same_table(name: str, got: Path, got_run: Path, want: Path, want_run: Path) -> None:
    """CSV: same bytes (run folder aside); Parquet or a CSV with wall times: same content."""
    drop = VOLATILE_COLUMNS.get(name, ())
    if got.suffix == ".csv" and not drop:
        got_bytes = got.read_bytes().replace(str(got_run).encode(), b"<RUN>")
        assert got_bytes == want.read_bytes().replace(str(want_run).encode(), b"<RUN>"), name
    else:
        pd.testing.assert_frame_equal(
            _read_table(got, got_run, drop), _read_table(want, want_run, drop), check_exact=True, obj=name
        )


def _rules_run(results: Path) -> set[str]:
    """Rules that ran, from the stage logs: <results>/logs/<rule>.log or <results>/logs/<rule>/*.log."""
    logs = results / "logs"
    return {p.relative_to(logs).parts[0].removesuffix(".log") for p in logs.rglob("*.log")}


def test_slurm_run_equals_local_run(tmp_path: Path) -> None:
    """The tiny world through the SLURM profile gives the tables of a local run."""
    cpus, mem_mb = _slurm_or_skip()
    env = _env(tmp_path)
    local, slurm = tmp_path / "local", tmp_path / "slurm"
    local.mkdir()
    slurm.mkdir()

    prefix = f"wpimaptest_{uuid.uuid4().hex[:8]}"
    slurm_logs = tmp_path / "slurm_logs"
    cmd = [
        "snakemake",
        *_targets(slurm),
        "--profile",
        str(PROFILE),
        "--configfile",
        str(_write_config(slurm)),
        # No slurmdbd on the test cluster: poll with squeue (slurm.conf keeps finished jobs
        # visible for MinJobAge=600 s) and start polling soon, the jobs take seconds.
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "2",
        "--seconds-between-status-checks",
        "2",
        "--slurm-jobname-prefix",
        prefix,
        "--slurm-logdir",
        str(slurm_logs),
        "--latency-wait",
        "10",
        # The profile's requests must fit this node: threads at most its CPUs ...
        "--max-threads",
        str(cpus),
    ]
    if mem_mb < 16000:  # ... and memory at most its RealMemory (the profile asks up to 16000 MB)
        rules = subprocess.run(
            ["snakemake", "--list-rules", "--configfile", str(slurm / "config.yaml")],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout.split()
        cmd += ["--set-resources", *(f"{r}:mem_mb={mem_mb // 2}" for r in rules)]
    # Both runs at once (the local one is short): less wall time, and the same code for both.
    seconds = _run_together(
        {
            # Targets first: --configfile takes several values.
            "local": [
                "snakemake",
                *_targets(local),
                "--cores",
                "2",
                "--configfile",
                str(_write_config(local)),
            ],
            "slurm": cmd,
        },
        env,
        tmp_path,
        RUN_TIMEOUT,
        on_timeout=lambda: _cancel_jobs(prefix),
    )
    print(f"local run {seconds['local']:.0f} s, SLURM run {seconds['slurm']:.0f} s")

    # Every rule that ran went through SLURM: one SLURM log folder per rule.
    rules = _rules_run(slurm / "results")
    assert rules, "the SLURM run wrote no stage logs"
    assert rules == _rules_run(local / "results")
    assert {p.name.removeprefix("rule_") for p in slurm_logs.iterdir()} >= rules

    # Same tables, same content (the run's own folder, part of some paths, aside).
    want, got = _tables(local / "results"), _tables(slurm / "results")
    assert want, "the local run wrote no Parquet or CSV tables"
    assert sorted(got) == sorted(want)
    for name in want:
        _assert_same_table(name, got[name], slurm, want[name], local)
