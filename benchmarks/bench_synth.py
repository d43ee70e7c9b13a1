"""Benchmark of the synthetic-world generator (wpimap.synth.generate).

Generation speed (citing links per second, per wall second and per CPU second, i.e.
per core) and peak memory (RSS) per preset. Each preset runs in its own process so that
its peak RSS is its own. Results: a table on stdout and ``benchmarks/results/synth.csv``.

Usage::

    python benchmarks/bench_synth.py                 # tiny, small, medium
    python benchmarks/bench_synth.py --large         # also large (minutes, ~5e7 links)
    python benchmarks/bench_synth.py --presets tiny small --out /tmp/synth-bench
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run_one(scale: str, out: str, seed: int) -> dict:
    """Generate one preset in this process and return its measurements."""
    from wpimap.synth import SynthParams, _gzip_backend, generate

    t0, c0 = time.perf_counter(), time.process_time()
    s = generate(out, scale, seed=seed, centers_path=ROOT / "config" / "centers.yaml")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    return {
        "preset": scale,
        "works": s.works,
        "links": s.links,
        "parts": s.parts,
        "core_papers": s.core_papers,
        "areas": s.areas,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "links_per_s": round(s.links / wall),
        "links_per_cpu_s": round(s.links / cpu),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "disk_mb": round(size / 2**20, 1),
        "gzip_backend": _gzip_backend(SynthParams.preset(scale).gzip_backend),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", nargs="+", default=["tiny", "small", "medium"])
    ap.add_argument("--large", action="store_true", help="also run the large preset (minutes)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=None, help="scratch folder (default: a temporary one, removed)")
    ap.add_argument("--csv", default=str(ROOT / "benchmarks" / "results" / "synth.csv"))
    ap.add_argument("--one", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.out, args.seed)))
        return 0
    presets = list(args.presets) + (["large"] if args.large and "large" not in args.presets else [])
    scratch = Path(args.out or tempfile.mkdtemp(prefix="wpimap-bench-synth-"))
    rows = []
    try:
        for scale in presets:
            out = scratch / scale
            res = subprocess.run(
                [sys.executable, __file__, "--one", scale, "--out", str(out), "--seed", str(args.seed)],
                check=True, capture_output=True, text=True,
            )
            rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
            shutil.rmtree(out, ignore_errors=True)
            print(pd.DataFrame(rows[-1:]).to_string(index=False, header=len(rows) == 1), flush=True)
    finally:
        if args.out is None:
            shutil.rmtree(scratch, ignore_errors=True)
    df = pd.DataFrame(rows)
    df.insert(0, "date", time.strftime("%Y-%m-%d"))
    df.insert(1, "nproc", os.cpu_count())
    csv = Path(args.csv)
    if csv.exists():  # keep earlier rows of presets not rerun (e.g. large)
        old = pd.read_csv(csv)
        df = pd.concat([old[~old["preset"].isin(df["preset"])], df], ignore_index=True)
    csv.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(csv, index=False, lineterminator="\n")
    print()
    print(df.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
