"""Benchmark: wpimap co-citation (chunked sparse AᵀA) against pair-loop peers.

Synthetic planted incidence (citing papers citing mostly inside one front) from 1e5 to
1e7 citing links (5e7 with ``--huge``): wall time, peak RSS and number of edges for
wpimap, a plain Python pair counter (``Counter`` over ``itertools.combinations``) and
metaknowledge's ``RecordCollection.networkCoCitation()`` (fed a synthetic WoS file) on
the sizes they can do. Then, on a real WoS file, wpimap against metaknowledge: speedup
and whether the edge weights agree on the pairs both report. ``--nistep`` adds the
NISTEP-sized period (1e5 core papers, 2e7 citing links) from incidence to areas.

Each measurement runs in its own subprocess so its peak RSS is its own.

Usage::

    python benchmarks/bench_cocitation.py [--sizes 1e5 1e6 1e7] [--huge] [--nistep] [--no-wos] [--append]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
WOS_FILE = ROOT.parent / "shared" / "data" / "wos" / "bibx_bit_pattern.txt"
RESULTS = ROOT / "benchmarks" / "results" / "cocitation.csv"
REFS_PER_CITING = 10
FRONT_SIZE = 20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def planted_incidence(links: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, int]:
    """(citing, cited) integer pairs: each citing paper cites ~10 core papers, 80% in one front."""
    rng = np.random.default_rng(seed)
    n_citing = max(1, links // REFS_PER_CITING)
    n_core = max(1000, links // 200)
    n_fronts = max(1, n_core // FRONT_SIZE)
    front = rng.integers(0, n_fronts, n_citing)
    citing = np.repeat(np.arange(n_citing), REFS_PER_CITING)
    own = rng.random(citing.size) < 0.8
    in_front = front[citing] * FRONT_SIZE + rng.integers(0, FRONT_SIZE, citing.size)
    anywhere = rng.integers(0, n_core, citing.size)
    cited = np.where(own, np.minimum(in_front, n_core - 1), anywhere)
    return citing.astype(np.int64), cited.astype(np.int64), n_core


# --- one measurement per subprocess ---------------------------------------------------


def run_wpimap(links: int) -> dict:
    import scipy.sparse as sp

    from wpimap.cocitation import cocitation

    citing, cited, n_core = planted_incidence(links)
    t0 = time.perf_counter()
    A = sp.csr_matrix((np.ones(citing.size, np.int32), (citing, cited)), shape=(citing.max() + 1, n_core))
    A.data[:] = 1  # (citing, cited) pairs counted once
    out = cocitation(A, min_count=1, min_strength=0.0, normalization="raw", chunk_rows=200_000)
    dt = time.perf_counter() - t0
    return {"edges": len(out), "seconds": dt, "check": int(out["count"].sum())}


def run_pairs(links: int) -> dict:
    citing, cited, _ = planted_incidence(links)
    t0 = time.perf_counter()
    order = np.argsort(citing, kind="stable")
    citing, cited = citing[order], cited[order]
    bounds = np.flatnonzero(np.diff(citing)) + 1
    counter: Counter = Counter()
    for refs in np.split(cited, bounds):
        counter.update(itertools.combinations(sorted(set(refs.tolist())), 2))
    dt = time.perf_counter() - t0
    return {"edges": len(counter), "seconds": dt, "check": int(sum(counter.values()))}


def _write_wos(links: int, path: Path) -> None:
    citing, cited, _ = planted_incidence(links)
    order = np.argsort(citing, kind="stable")
    citing, cited = citing[order], cited[order]
    bounds = np.flatnonzero(np.diff(citing)) + 1
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("FN Clarivate Analytics Web of Science\nVR 1.0\n")
        for k, refs in enumerate(np.split(cited, bounds)):
            crs = [f"Author{r} A, 2010, J SYNTH, V{r % 97 + 1}, P{r}" for r in sorted(set(refs.tolist()))]
            fh.write(f"PT J\nAU Writer{k}, A\nTI Paper {k}\nSO J TEST\nPY 2015\n")
            fh.write("CR " + "\n   ".join(crs) + "\n")
            fh.write(f"UT WOS:{k:015d}\nER\n\n")
        fh.write("EF\n")


def run_metaknowledge(links: int) -> dict:
    import metaknowledge as mk

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "savedrecs.txt"
        _write_wos(links, path)
        rc = mk.RecordCollection(str(path))
        t0 = time.perf_counter()
        g = rc.networkCoCitation()
        dt = time.perf_counter() - t0
    return {"edges": g.number_of_edges(), "seconds": dt,
            "check": int(sum(d["weight"] for _, _, d in g.edges(data=True)))}


def run_wos_compare(repeats: int = 7) -> dict:
    """Real WoS file: metaknowledge networkCoCitation vs wpimap on the same citation ids.

    Same scope on both sides: from the parsed file to the weighted co-citation edge
    list. metaknowledge starts from its parsed ``RecordCollection`` (citations already
    parsed and memoized by ``Record.get``), wpimap from the references table built from
    those same parsed citations; file reading/parsing is timed on neither side.
    metaknowledge's nodes are ``Citation.ID()`` (author, year, journal) and anonymous
    citations are dropped (its defaults), so the wpimap references table is keyed the
    same way. Each side's result holds the keys by reference, not one string copy per
    pair: networkx edges point at the node strings, wpimap's ``a``/``b`` columns are
    categorical codes into the sorted keys. After one untimed warm-up call each, the two
    sides run alternately ``repeats`` times (so machine load hits both alike); times are
    the medians (wall and CPU).
    """
    import metaknowledge as mk

    from wpimap.cocitation import cocitation, incidence

    rc = mk.RecordCollection(str(WOS_FILE))
    rows = []
    for rec in rc:
        for cit in rec.get("citations") or []:
            if not cit.isAnonymous():
                rows.append((rec.id, cit.ID()))
    refs = pd.DataFrame(rows, columns=["citing_id", "cited_key"])

    def wp():
        # core_ids=None: every cited id is a core paper (metaknowledge's nodes are every
        # cited ID); incidence finds the distinct ids itself, inside the timed call
        A, _, core_index = incidence(None, refs, key="cited_key")
        return cocitation(A, min_count=1, min_strength=0.0, normalization="raw", core_index=core_index)

    def once(fn):
        w0, c0 = time.perf_counter(), time.process_time()
        res = fn()
        return res, time.perf_counter() - w0, time.process_time() - c0

    g, out = rc.networkCoCitation(), wp()  # warm-up
    times: dict[str, list[tuple[float, float]]] = {"mk": [], "wp": []}
    for _ in range(repeats):
        g, *t = once(rc.networkCoCitation)
        times["mk"].append(tuple(t))
        out, *t = once(wp)
        times["wp"].append(tuple(t))
    (mk_wall, mk_cpu), (wp_wall, wp_cpu) = (tuple(np.median(np.array(times[k]), axis=0)) for k in ("mk", "wp"))
    mk_w = {}
    for a, b, d in g.edges(data=True):
        if a != b:
            mk_w[(min(a, b), max(a, b))] = d["weight"]
    wp_w = dict(zip(zip(out["a"], out["b"], strict=True), out["count"].tolist(), strict=True))
    common = mk_w.keys() & wp_w.keys()
    same = {p for p in common if mk_w[p] == wp_w[p]}
    # metaknowledge counts a pair once per reference entry: a record listing one ID twice
    # (two CR lines with the same author, year, journal) adds 2; wpimap counts citing papers.
    dup_ids = set(refs[refs.duplicated(["citing_id", "cited_key"])]["cited_key"])
    clean = {p for p in common if p[0] not in dup_ids and p[1] not in dup_ids}
    return {
        "mk_seconds": mk_wall, "wpimap_seconds": wp_wall, "speedup": mk_wall / wp_wall,
        "mk_cpu": mk_cpu, "wpimap_cpu": wp_cpu, "speedup_cpu": mk_cpu / wp_cpu, "repeats": repeats,
        "mk_edges": len(mk_w), "wpimap_edges": len(wp_w), "common": len(common), "identical": len(same),
        "pairs_without_duplicate_ids": len(clean), "identical_without_duplicate_ids": len(clean & same),
        "self_loops_mk": sum(1 for a, b in g.edges() if a == b),
    }


def run_nistep(n_core: int = 100_000, links: int = 20_000_000) -> dict:
    """NISTEP-sized period: incidence -> co-citation -> fronts -> areas."""
    import scipy.sparse as sp

    from wpimap import cluster
    from wpimap.cocitation import cocitation

    rng = np.random.default_rng(1)
    n_citing = links // 20
    n_fronts = n_core // 50
    front = rng.integers(0, n_fronts, n_citing)
    area_of_front = np.arange(n_fronts) // 10
    citing = np.repeat(np.arange(n_citing), 20)
    r = rng.random(citing.size)
    f = front[citing]
    sister = np.minimum(area_of_front[f] * 10 + rng.integers(0, 10, citing.size), n_fronts - 1)
    f2 = np.where(r < 0.6, f, np.where(r < 0.95, sister, rng.integers(0, n_fronts, citing.size)))
    # references to a sister front go to its 5 most visible papers, which ties the fronts of an area
    cited = f2 * 50 + np.where(f2 == f, rng.integers(0, 50, citing.size), rng.integers(0, 5, citing.size))
    del r, sister, f2, f
    t0 = time.perf_counter()
    A = sp.csr_matrix((np.ones(citing.size, np.int32), (citing, cited)), shape=(n_citing, n_core))
    A.data[:] = 1
    del citing, cited
    t_inc = time.perf_counter() - t0
    ids = pd.Index([f"W{i:07d}" for i in range(n_core)])
    cc = cocitation(A, core_index=ids, chunk_rows=200_000)
    t_cc = time.perf_counter() - t0
    core = pd.DataFrame({"work_id": ids})
    core["front"] = cluster.fronts(core, cc)  # the configuration's defaults (fronts.*)
    t_fr = time.perf_counter() - t0
    core["area"] = cluster.areas(core, cc)  # areas.* defaults: modularity with self-loops
    t_ar = time.perf_counter() - t0
    # the other choice of areas.self_loops, on the same fronts (not timed)
    area_links_only = cluster.areas(core, cc, {"self_loops": False})
    from sklearn.metrics import normalized_mutual_info_score as nmi

    planted_front = np.arange(n_core) // 50
    return {"edges": len(cc), "fronts": int(core["front"].nunique()), "areas": int(core["area"].nunique()),
            "nmi_fronts": float(nmi(planted_front, core["front"])),
            "nmi_areas": float(nmi(area_of_front[planted_front], core["area"])),
            "areas_no_self_loops": int(area_links_only.nunique()),
            "nmi_areas_no_self_loops": float(nmi(area_of_front[planted_front], area_links_only)),
            "t_incidence": t_inc, "t_cocitation": t_cc, "t_fronts": t_fr, "seconds": t_ar}


def _child(kind: str, links: int) -> None:
    fn = {"wpimap": run_wpimap, "pairs": run_pairs, "metaknowledge": run_metaknowledge,
          "wos": lambda _: run_wos_compare(), "nistep": lambda _: run_nistep()}[kind]
    res = fn(links)
    res["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(res))


def measure(kind: str, links: int, timeout: float) -> dict:
    try:
        proc = subprocess.run([sys.executable, __file__, "--child", kind, str(links)], capture_output=True,
                              text=True, timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        return {"error": f"timeout {timeout:.0f}s"}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _row_keys(table: pd.DataFrame) -> list[tuple[str, str, int]]:
    """(case, tool, links) of each row; links as an integer (-1 when none), so that a
    CSV read back (floats, NaN) and fresh rows (ints, None) compare equal."""
    links = pd.to_numeric(table["links"], errors="coerce").fillna(-1).astype("int64")
    return list(zip(table["case"].astype(str), table["tool"].astype(str), links, strict=True))


def _merge_rows(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``old`` in their order, each replaced by the fresh row of the same
    case/tool/links, then the fresh rows not in ``old``; links as integers."""
    if old is None:
        table = new
    else:
        fresh = dict(zip(_row_keys(new), new.to_dict("records"), strict=True))
        kept = [fresh.pop(k, row) for k, row in zip(_row_keys(old), old.to_dict("records"), strict=True)]
        table = pd.DataFrame(kept + list(fresh.values()))
    table["links"] = pd.to_numeric(table["links"], errors="coerce").astype("Int64")
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", type=float, default=[1e5, 1e6, 1e7])
    ap.add_argument("--huge", action="store_true", help="add 5e7 citing links")
    ap.add_argument("--nistep", action="store_true", help="NISTEP-sized period, incidence to areas")
    ap.add_argument("--no-wos", action="store_true", help="skip the real WoS file comparison")
    ap.add_argument("--append", action="store_true",
                    help="keep the rows of the existing CSV whose case/tool/links were not rerun")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child[0], int(args.child[1]))
        return
    sizes = [int(s) for s in args.sizes] + ([50_000_000] if args.huge else [])
    limits = {"pairs": 1_000_000, "metaknowledge": 100_000}
    rows = []
    for links in sizes:
        for kind in ("wpimap", "pairs", "metaknowledge"):
            if links > limits.get(kind, 10**12):
                continue
            res = measure(kind, links, timeout=900)
            rows.append({"case": "synthetic", "tool": kind, "links": links, **res})
            print(rows[-1], flush=True)
    if WOS_FILE.exists() and not args.no_wos:
        res = measure("wos", 0, timeout=900)
        rows.append({"case": "wos:" + WOS_FILE.name, "tool": "wpimap vs metaknowledge", "links": None, **res})
        print(rows[-1], flush=True)
    if args.nistep:
        res = measure("nistep", 20_000_000, timeout=1800)
        rows.append({"case": "nistep 1e5 core, 2e7 links", "tool": "wpimap incidence->areas",
                     "links": 20_000_000, **res})
        print(rows[-1], flush=True)
    table = _merge_rows(pd.read_csv(RESULTS) if args.append and RESULTS.exists() else None, pd.DataFrame(rows))
    print(table.to_string(index=False))
    from wpimap.tables import write_csv_atomic

    write_csv_atomic(table, RESULTS)
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
