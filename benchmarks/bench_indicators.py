"""Benchmark: corrected Top X% weights and the indicator tables on random corpora, memory.

Builds N random papers (numpy, vectorized; pyarrow-backed string ids and a list
column of fields), ~2.5 authorship rows per paper and ``--refs`` references per paper
(written work by work, in the works' order, as ingestion writes them), then times
``citation_counts``, ``top_weights`` (Top10%) and ``indicator_tables`` (one 6-year
period, Top10% and Top1%, single years, corpus citations; it counts its own
citations). Each phase reports wall seconds (``*_s``) and the CPU seconds of this
process (``*_cpu_s``): the machine may be shared, CPU time is the stable number.

Memory: every (size, chunk_rows) runs in a fresh process. ``corpus_rss_mb`` is the
resident memory right after building the corpus (the input tables);
``peak_rss_mb`` the highest peak of the timed phases; ``overhead_mb = peak - corpus``,
the working memory of the timed functions; ``*_peak_mb`` the peak above the corpus
during each phase (the kernel's high-water mark is reset before each phase through
``/proc/self/clear_refs``, so the corpus build's own temporaries do not count; each
phase's outputs are dropped before the next, and glibc's ``malloc_trim`` and
pyarrow's ``release_unused`` return freed pages first so that RSS measures live
memory, not allocator caches). The
``top_weights`` phase includes its output, the table of Top papers with their string
ids (``top_weights_output_mb``, the memory its result holds).
Bounded memory means ``overhead_mb`` stays nearly flat as the papers grow and
shrinks with ``chunk_rows``.

Usage::

    python benchmarks/bench_indicators.py --sizes 2.5e6 5e6 1e7 --chunks 250000 1000000 --refs 1
    python benchmarks/bench_indicators.py --root /tmp/old --label before   # another checkout

prints a table and writes ``benchmarks/results/indicators.csv`` (``--append`` adds to it).
"""

from __future__ import annotations

import argparse
import ctypes
import inspect
import json
import os
import resource
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, os.environ.get("WPIMAP_BENCH_ROOT", str(ROOT)))

from wpimap.core import top_weights  # noqa: E402
from wpimap.indicators import indicator_tables  # noqa: E402
from wpimap.periods import Period, citation_counts  # noqa: E402

COUNTRIES = np.array(["US", "CN", "GB", "DE", "JP", "FR", "IT", "CA", "KR", "IN"] + [f"C{i}" for i in range(30)])


def _ids(prefix: str, values: np.ndarray) -> pd.Series:
    arr = pc.binary_join_element_wise(prefix, pc.cast(pa.array(values), pa.string()), "")
    return pd.Series(arr.to_pandas(types_mapper=pd.ArrowDtype))


def _strings(choices: np.ndarray, codes: np.ndarray) -> pd.Series:
    dic = pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32)), pa.array(choices.tolist()))
    return pd.Series(dic.cast(pa.string()).to_pandas(types_mapper=pd.ArrowDtype))


def make_corpus(n: int, refs_per_paper: float, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Return random works, authorships and references (vectorized)."""
    rng = np.random.default_rng(seed)
    ids = _ids("W", np.arange(n))
    year = rng.integers(2009, 2021, n).astype(np.int32)
    nf = rng.choice([1, 1, 1, 2, 2, 3], n)
    offsets = np.r_[0, np.cumsum(nf)].astype(np.int32)
    fvals = pa.array([f"F{i:02d}" for i in range(22)])
    flat = pc.take(fvals, pa.array(rng.integers(0, 22, int(offsets[-1]))))
    fields = pa.ListArray.from_arrays(pa.array(offsets), flat)
    works = pd.DataFrame(
        {
            "work_id": ids,
            "year": year,
            "doc_type": _strings(np.array(["article", "review", "letter"]), rng.choice(3, n, p=[0.85, 0.1, 0.05])),
            "fields": pd.Series(fields.to_pandas(types_mapper=pd.ArrowDtype)),
            "cited_by_count": rng.negative_binomial(1, 0.1, n).astype(np.int64),
        }
    )
    na = rng.integers(1, 5, n)  # 1-4 authorship rows per paper (mean 2.5)
    w = np.repeat(np.arange(n), na)
    m = len(w)
    intl = rng.random(n) < 0.3
    home = rng.choice(len(COUNTRIES), n, p=np.r_[[0.25, 0.2, 0.06, 0.06, 0.05], np.full(35, 0.38 / 35)])
    other = rng.integers(0, len(COUNTRIES), m)
    cty = np.where(intl[w] & (rng.random(m) < 0.5), other, home[w])
    center = np.where((COUNTRIES[cty] == "JP") & (rng.random(m) < 0.03), rng.integers(0, 13, m), -1)
    authorships = pd.DataFrame(
        {
            "work_id": _ids("W", w),
            "address": _ids("A", rng.integers(0, max(n // 10, 1), m)),
            "institution": pd.Series(pa.nulls(m, pa.string()).to_pandas(types_mapper=pd.ArrowDtype)),
            "country": _strings(COUNTRIES, cty),
            "center": _strings(np.array([f"K{i}" for i in range(13)] + ["-"]), np.where(center < 0, 13, center)),
        }
    )
    authorships.loc[center < 0, "center"] = None
    r = int(n * refs_per_paper)
    citing = np.sort(rng.integers(0, n, r))  # grouped by citing work, in the works' order
    cited = (citing - rng.integers(1, max(n // 4, 2), r)) % n  # mostly older works
    refs = pd.DataFrame({"citing_id": _ids("W", citing), "cited_key": _ids("K", cited), "cited_id": _ids("W", cited)})
    return works, authorships, refs


def _status_mb(field: str) -> float:
    """A memory field of /proc/self/status (VmRSS, VmHWM) in MB."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


def _trim() -> None:
    """Return freed memory to the system (glibc's heap, pyarrow's pool), so RSS measures live memory."""
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def _reset_peak() -> None:
    """Reset the kernel's peak RSS (VmHWM) to the current RSS (Linux >= 4.0)."""
    _trim()
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:  # pragma: no cover - not Linux
        pass


def _timed(f):
    """Run ``f()``; return its result, wall seconds, CPU seconds, peak RSS (MB) of the call
    and the memory its result holds (MB: RSS after the call minus before, heap trimmed)."""
    _reset_peak()
    before = _status_mb("VmRSS")
    t, c = time.perf_counter(), time.process_time()
    out = f()
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    peak = _status_mb("VmHWM")
    _trim()
    return out, wall, cpu, peak, _status_mb("VmRSS") - before


def _chunk_kw(f, chunk: int | None) -> dict:
    """``chunk_rows`` for the functions that take it (not the code before chunking)."""
    return {"chunk_rows": chunk} if chunk and "chunk_rows" in inspect.signature(f).parameters else {}


def run(n: int, refs_per_paper: float, chunk: int | None) -> dict:
    """One size and chunk size (call in a fresh process for a clean peak)."""
    t = time.perf_counter()
    works, auth, refs = make_corpus(n, refs_per_paper)
    build = time.perf_counter() - t
    _trim()  # the build's freed temporaries are not part of the corpus
    corpus_rss = _status_mb("VmRSS")
    period = Period(2015, 2020)
    cit, t_cit, c_cit, p_cit, o_cit = _timed(partial(citation_counts, works, refs, period, **_chunk_kw(citation_counts, chunk)))
    tw, t_top, c_top, p_top, o_top = _timed(partial(top_weights, works, cit, 10, **_chunk_kw(top_weights, chunk)))
    n_top = len(tw)
    del cit, tw  # outputs of the earlier phases are not part of the next phase's memory
    ind = partial(indicator_tables, works, auth, [period], references=refs, top_percents=(10, 1))
    (countries, centers), t_ind, c_ind, p_ind, _ = _timed(partial(ind, **_chunk_kw(indicator_tables, chunk)))
    peak = max(p_cit, p_top, p_ind)  # the build's own temporaries are not counted
    return {
        "papers": n,
        "authorships": len(auth),
        "references": len(refs),
        "chunk_rows": chunk if _chunk_kw(indicator_tables, chunk) else None,
        "build_s": round(build, 2),
        "citation_counts_s": round(t_cit, 2),
        "citation_counts_cpu_s": round(c_cit, 2),
        "top_weights_s": round(t_top, 2),
        "top_weights_cpu_s": round(c_top, 2),
        "indicator_tables_s": round(t_ind, 2),
        "indicator_tables_cpu_s": round(c_ind, 2),
        "top_plus_indicators_s": round(t_top + t_ind, 2),
        "top_plus_indicators_cpu_s": round(c_top + c_ind, 2),
        "top10_papers": n_top,
        "rows_countries": len(countries),
        "rows_centers": len(centers),
        "corpus_rss_mb": round(corpus_rss),
        "peak_rss_mb": round(peak),
        "overhead_mb": round(peak - corpus_rss),
        "citation_counts_peak_mb": round(p_cit - corpus_rss),
        "top_weights_peak_mb": round(p_top - corpus_rss),
        "indicator_tables_peak_mb": round(p_ind - corpus_rss),
        "citation_counts_output_mb": round(o_cit),
        "top_weights_output_mb": round(o_top),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", type=float, default=[2.5e6, 5e6, 1e7])
    ap.add_argument("--chunks", nargs="+", type=int, default=[250_000, 1_000_000], help="chunk_rows values")
    ap.add_argument("--refs", type=float, default=1.0, help="references per paper")
    ap.add_argument("--root", default=None, help="import wpimap from this checkout (e.g. the code before)")
    ap.add_argument("--label", default="after", help="the code measured (a column of the results)")
    ap.add_argument("--append", action="store_true", help="add the rows to the results file")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "indicators.csv"))
    ap.add_argument("--one", nargs=2, type=float, metavar=("N", "CHUNK"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:  # a child process: one measurement as JSON
        n, chunk = int(args.one[0]), int(args.one[1]) or None
        print(json.dumps(run(n, args.refs, chunk)))
        return
    env = dict(os.environ)
    if args.root:
        env["WPIMAP_BENCH_ROOT"] = str(Path(args.root).resolve())
    results = []
    for size in args.sizes:
        for chunk in args.chunks:
            cmd = [sys.executable, __file__, "--one", str(size), str(chunk), "--refs", str(args.refs)]
            out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
            res = {"code": args.label, **json.loads(out.strip().splitlines()[-1])}
            results.append(res)
            print(pd.DataFrame([res]).to_string(index=False), flush=True)
            if res["chunk_rows"] is None:  # code without chunks: one run per size
                break
    table = pd.DataFrame(results)
    print(table.to_string(index=False))
    out_path = Path(args.out)
    if args.append and out_path.exists():
        table = pd.concat([pd.read_csv(out_path), table], ignore_index=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out_path, index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
