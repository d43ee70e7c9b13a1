"""Benchmark of the pipeline at scale: local vs Dask engine on the synthetic worlds.

For each world (``medium``; ``large`` with ``--large``) the synthetic OpenAlex files
are generated once into ``--data`` (default ``/tmp/wpimap_scale``, outside the project)
and ingested once; then, for one period, the stages ``core`` (citation counts + Top 1%
selection), ``cocitation`` (the co-citation table alone) and ``map`` (co-citation +
fronts + areas + labels + layout) run with ``compute.engine: local`` and ``dask``. Each
stage runs in a fresh child process; a sampling thread (every 0.2 s) records the peak
RSS of the child's process tree plus, for the Dask engine, the worker processes of a
LocalCluster (``--workers`` processes, 1 thread, ``--memory-limit`` each) started by
the benchmark. Per worker, the peak RSS and the peak bytes spilled to disk (from the
scheduler's worker metrics) are recorded and compared with the memory limit.

Results: ``benchmarks/results/scale.csv`` and a table on stdout. Columns: world, works,
links (citing links in ``references.parquet``), engine, stage, wall_s, cpu_s (child
and workers), peak_rss_mb (tree incl. workers), driver_peak_mb (the child's tree alone),
worker_peak_mb (max over workers),
worker_limit_mb, worker_spilled_mb, under_limit, core_papers, pairs (co-citation rows),
citing_papers and raw_pairs (co-cited pairs before the thresholds; Dask engine's log).

Usage::

    python benchmarks/bench_scale.py                     # medium (~3 min)
    python benchmarks/bench_scale.py --large             # also large (~5e7 links; generation ~7 min once)
    python benchmarks/bench_scale.py --worlds large --engines dask --stages cocitation --memory-limit 1.5GB
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PERIOD = "2015-2020"
MB = 2**20


# --------------------------------------------------------------------------- child side


def _child(stage: str, cfg_path: str) -> None:
    """Run one stage in this (fresh) process; print a JSON line with its counts."""
    from wpimap.pipeline import Paths, stage_core, stage_map

    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    logging.getLogger("wpimap.engine").setLevel(logging.INFO)  # raw pair counts, parsed by the parent
    cfg = json.loads(Path(cfg_path).read_text())
    info: dict = {}
    if stage == "ingest":
        from wpimap.ingest import ingest_paths

        s = ingest_paths([cfg["raw"]], Path(cfg["results"]) / "normalized", fmt="openalex")
        info = {"works": s.works, "links": s.references}
    elif stage == "core":
        stage_core(cfg, PERIOD, synthetic=True)
        info = {"core_papers": len(pd.read_parquet(Paths(cfg).period(PERIOD, "selection"), columns=["work_id"]))}
    elif stage == "cocitation":
        from wpimap.periods import Period

        paths = Paths(cfg)
        sel = pd.read_parquet(paths.period(PERIOD, "selection"))
        works = pd.read_parquet(paths.norm("works"), columns=["work_id", "year"])
        if cfg["compute"]["engine"] == "dask":
            from wpimap.engine import period_cocitation

            cocit = period_cocitation(sel, paths.norm("references"), cfg, works=works, period=Period.parse(PERIOD))
        else:
            from wpimap.cocitation import period_cocitation

            refs = pd.read_parquet(paths.norm("references"))
            cocit = period_cocitation(sel, refs, cfg, works=works, period=Period.parse(PERIOD))
        info = {"pairs": len(cocit)}
    elif stage == "map":
        stage_map(cfg, PERIOD, synthetic=True)
        info = {"pairs": len(pd.read_parquet(Paths(cfg).period(PERIOD, "cocitation"), columns=["a"]))}
    else:
        raise SystemExit(f"unknown stage {stage}")
    print("RESULT " + json.dumps(info), flush=True)


# --------------------------------------------------------------------------- parent side


class Sampler(threading.Thread):
    """Peak RSS of a process tree plus extra processes (the Dask workers), every ``dt`` s."""

    def __init__(self, pid: int, workers: dict[str, int], client=None, dt: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.workers = {a: psutil.Process(p) for a, p in workers.items()}
        self.client = client
        self.dt = dt
        self.peak = 0
        self.child_peak = 0
        self.worker_peak = dict.fromkeys(workers, 0)
        self.spilled = dict.fromkeys(workers, 0)
        self.stop = threading.Event()

    @staticmethod
    def _rss(p: psutil.Process) -> int:
        try:
            return p.memory_info().rss
        except psutil.Error:
            return 0

    def run(self) -> None:
        k = 0
        while not self.stop.is_set():
            try:
                tree = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                tree = []
            total = sum(self._rss(p) for p in tree)
            self.child_peak = max(self.child_peak, total)
            for a, p in self.workers.items():
                r = self._rss(p)
                self.worker_peak[a] = max(self.worker_peak[a], r)
                total += r
            self.peak = max(self.peak, total)
            if self.client is not None and k % 5 == 0:  # scheduler metrics once a second
                try:
                    info = self.client.scheduler_info(n_workers=-1)["workers"]
                    for a, w in info.items():
                        sp = w.get("metrics", {}).get("spilled_bytes", {}).get("disk", 0)
                        self.spilled[a] = max(self.spilled.get(a, 0), sp)
                except Exception:
                    pass
            k += 1
            self.stop.wait(self.dt)


def _cpu(pids: list[int]) -> float:
    out = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            out += t.user + t.system
        except psutil.Error:
            pass
    return out


def run_stage(stage: str, cfg: dict, cfg_path: Path, workers: dict[str, int], client, timeout: float) -> dict:
    """Run ``stage`` in a child process; return wall/CPU time, peaks and the child's counts."""
    cfg_path.write_text(json.dumps(cfg))
    w_cpu0 = _cpu(list(workers.values()))
    t0 = time.perf_counter()
    log_out, log_err = cfg_path.with_suffix(".out"), cfg_path.with_suffix(".err")
    with open(log_out, "w") as fo, open(log_err, "w") as fe:  # files: a full pipe cannot block the child
        proc = subprocess.Popen([sys.executable, __file__, "--child", stage, str(cfg_path)], stdout=fo, stderr=fe,
                                text=True, cwd=ROOT)
    sampler = Sampler(proc.pid, workers, client)
    sampler.start()
    try:
        # rusage of the child: wait4 gives its CPU time
        _, status, ru = os.wait4(proc.pid, 0)
    finally:
        sampler.stop.set()
        sampler.join()
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = log_out.read_text(), log_err.read_text()
    if proc.returncode != 0:
        raise RuntimeError(f"stage {stage} failed ({proc.returncode}):\n{err[-3000:]}")
    info = json.loads([ln for ln in out.splitlines() if ln.startswith("RESULT ")][-1][7:])
    m = re.search(r"co-citation: (\d+) core papers, (\d+) citing papers, (\d+) co-cited pairs", err)
    if m:
        info.update(citing_papers=int(m.group(2)), raw_pairs=int(m.group(3)))
    cpu = ru.ru_utime + ru.ru_stime + _cpu(list(workers.values())) - w_cpu0
    row = {"stage": stage, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_rss_mb": round(sampler.peak / MB),
           "driver_peak_mb": round(sampler.child_peak / MB)}
    if workers:
        row["worker_peak_mb"] = round(max(sampler.worker_peak.values()) / MB)
        row["worker_spilled_mb"] = round(max(sampler.spilled.values(), default=0) / MB)
    return {**row, **info}


def _parse_bytes(text: str) -> int:
    from dask.utils import parse_bytes

    return parse_bytes(text)


def bench_world(scale: str, data: Path, engines: list[str], stages: list[str], workers: int, memory_limit: str,
                timeout: float) -> list[dict]:
    """Generate/ingest ``scale`` once under ``data`` and run the stages with each engine."""
    from wpimap.config import load_config
    from wpimap.synth import generate

    wdir = data / scale
    raw = wdir / "raw"
    if not (raw / "truth.json").exists():
        print(f"[{scale}] generating the synthetic world into {raw} ...", flush=True)
        generate(raw, scale, seed=42, centers_path=ROOT / "config" / "centers.yaml")
    norm_root = wdir / "ingested"
    rows: list[dict] = []
    timing = wdir / "ingest_timing.json"
    if not (norm_root / "normalized" / "references.parquet").exists() or not timing.exists():
        print(f"[{scale}] ingest ...", flush=True)
        cfg = {"results": str(norm_root), "raw": str(raw / "works")}
        r = run_stage("ingest", cfg, wdir / "ingest_cfg.json", {}, None, timeout)
        timing.write_text(json.dumps(r))
    ing = json.loads(timing.read_text())
    works, links = ing["works"], ing["links"]
    rows.append({"world": scale, "works": works, "links": links, "engine": "local", **ing})
    client = cluster = None
    wpids: dict[str, int] = {}
    try:
        for engine in engines:
            res = wdir / f"results_{engine}"
            (res / "periods").mkdir(parents=True, exist_ok=True)
            link = res / "normalized"
            if not link.exists():
                link.symlink_to(norm_root / "normalized", target_is_directory=True)
            if engine == "dask" and client is None:
                import dask
                from distributed import Client, LocalCluster

                from wpimap.engine import WORKER_MEMORY

                with dask.config.set(WORKER_MEMORY):
                    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                           memory_limit=memory_limit, dashboard_address=None,
                                           silence_logs=logging.ERROR, local_directory=str(data / "dask-spill"))
                client = Client(cluster)
                wpids = client.run(os.getpid)
            cfg = load_config(overrides={
                "results": str(res),
                "compute": {"engine": engine, "dask": {"address": cluster.scheduler_address if cluster else None,
                                                       "workers": workers, "memory_limit": memory_limit}},
            })
            for stage in stages:
                print(f"[{scale}] {engine} {stage} ...", flush=True)
                r = run_stage(stage, cfg, wdir / f"{engine}_{stage}_cfg.json",
                              wpids if engine == "dask" else {}, client if engine == "dask" else None, timeout)
                if engine == "dask":
                    r["worker_limit_mb"] = round(_parse_bytes(memory_limit) / MB)
                    r["under_limit"] = r["worker_peak_mb"] < r["worker_limit_mb"]
                rows.append({"world": scale, "works": works, "links": links, "engine": engine, **r})
                print("   ", {k: v for k, v in rows[-1].items() if k not in ("world", "works", "links")}, flush=True)
    finally:
        if client is not None:
            client.close()
            cluster.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--large", action="store_true", help="also the large world (~5e7 links)")
    ap.add_argument("--worlds", nargs="*", help="explicit worlds (default: medium [+ large])")
    ap.add_argument("--engines", nargs="*", default=["local", "dask"])
    ap.add_argument("--stages", nargs="*", default=["core", "cocitation", "map"])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", default="2GB", help="per Dask worker")
    ap.add_argument("--data", default="/tmp/wpimap_scale", help="scratch folder for the worlds (not the project)")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "scale.csv"))
    ap.add_argument("--append", action="store_true", help="append to the CSV instead of replacing it")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        _child(*args.child)
        return 0
    worlds = args.worlds or (["medium", "large"] if args.large else ["medium"])
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    rows = []
    for scale in worlds:
        rows += bench_world(scale, data, args.engines, args.stages, args.workers, args.memory_limit, args.timeout)
    table = pd.DataFrame(rows)
    out = Path(args.out)
    if args.append and out.exists():
        table = pd.concat([pd.read_csv(out), table], ignore_index=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
