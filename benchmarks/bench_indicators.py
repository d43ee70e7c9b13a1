"""Benchmark: corrected Top X% weights and the indicator tables on random corpora.

Builds N random papers (numpy, vectorized; pyarrow-backed string ids and a list
column of fields), ~2.5 authorship rows per paper and ``--refs`` references per paper,
then times ``citation_counts``, ``top_weights`` (Top10%) and ``indicator_tables`` (one
6-year period, Top10% and Top1%, single years, corpus citations; it counts its own
citations), and the peak RSS. Each phase reports wall seconds (``*_s``) and the CPU
seconds of this process (``*_cpu_s``): the machine may be shared, CPU time is the
stable number. Sizes run in one process, in the order given, so ``peak_rss_mb`` is the
peak so far (run the largest size last); ``corpus_rss_mb`` is the resident memory
right after building the corpus (the input tables), so the difference is the working
memory of the timed functions.

Usage: ``python benchmarks/bench_indicators.py [--sizes 1e6 1e7] [--refs 2]``; prints a
table and writes ``benchmarks/results/indicators.csv``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wpimap.core import top_weights  # noqa: E402
from wpimap.indicators import indicator_tables  # noqa: E402
from wpimap.periods import Period, citation_counts  # noqa: E402
from wpimap.tables import write_csv_atomic  # noqa: E402

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
    citing = rng.integers(0, n, r)
    cited = (citing - rng.integers(1, max(n // 4, 2), r)) % n  # mostly older works
    refs = pd.DataFrame({"citing_id": _ids("W", citing), "cited_key": _ids("K", cited), "cited_id": _ids("W", cited)})
    return works, authorships, refs


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(f):
    """Run ``f()``; return its result, wall seconds and CPU seconds of this process."""
    t, c = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - t, time.process_time() - c


def _current_rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def run(n: int, refs_per_paper: float) -> dict:
    (works, auth, refs), build, _ = _timed(lambda: make_corpus(n, refs_per_paper))
    corpus_rss = _current_rss_mb()
    period = Period(2015, 2020)
    cit, t_cit, c_cit = _timed(lambda: citation_counts(works, refs, period))
    tw, t_top, c_top = _timed(lambda: top_weights(works, cit, 10))
    (countries, centers), t_ind, c_ind = _timed(
        lambda: indicator_tables(works, auth, [period], references=refs, top_percents=(10, 1))
    )
    return {
        "papers": n,
        "authorships": len(auth),
        "references": len(refs),
        "build_s": round(build, 2),
        "citation_counts_s": round(t_cit, 2),
        "citation_counts_cpu_s": round(c_cit, 2),
        "top_weights_s": round(t_top, 2),
        "top_weights_cpu_s": round(c_top, 2),
        "indicator_tables_s": round(t_ind, 2),
        "indicator_tables_cpu_s": round(c_ind, 2),
        "top_plus_indicators_s": round(t_top + t_ind, 2),
        "top_plus_indicators_cpu_s": round(c_top + c_ind, 2),
        "top10_papers": len(tw),
        "rows_countries": len(countries),
        "rows_centers": len(centers),
        "corpus_rss_mb": round(corpus_rss),
        "peak_rss_mb": round(_rss_mb()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="+", type=float, default=[1e6, 1e7])
    ap.add_argument("--refs", type=float, default=2.0, help="references per paper")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "indicators.csv"))
    args = ap.parse_args()
    results = []
    for size in args.sizes:
        res = run(int(size), args.refs)
        results.append(res)
        print(pd.DataFrame([res]).to_string(index=False), flush=True)
    table = pd.DataFrame(results)
    print(table.to_string(index=False))
    write_csv_atomic(table, args.out)


if __name__ == "__main__":
    main()
