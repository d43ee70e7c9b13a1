"""Benchmark: igraph community_leiden (wpimap) vs leidenalg vs networkx louvain_communities.

Same planted-partition weighted graphs for every tool (groups of 50 nodes, ~16 links
inside the group and ~4 anywhere per node, weights uniform in [0.1, 1]): wall time,
peak RSS of the process (each run in its own subprocess, graph building included in
the RSS, not in the time), weighted modularity (computed the same way, with igraph, for
every partition), number of clusters and NMI with the planted partition.

Usage::

    python benchmarks/bench_cluster.py [--nodes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results" / "cluster.csv"
GROUP = 50


def planted_graph(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Edges (a, b), weights and the planted group of each node."""
    rng = np.random.default_rng(seed)
    truth = np.arange(n) // GROUP
    src_in = np.repeat(np.arange(n), 8)
    dst_in = truth[src_in] * GROUP + rng.integers(0, GROUP, src_in.size)
    dst_in = np.minimum(dst_in, n - 1)
    src_out = np.repeat(np.arange(n), 2)
    dst_out = rng.integers(0, n, src_out.size)
    a = np.concatenate([src_in, src_out])
    b = np.concatenate([dst_in, dst_out])
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = lo != hi
    pairs = np.unique(np.column_stack([lo[keep], hi[keep]]), axis=0)
    w = rng.uniform(0.1, 1.0, len(pairs))
    return pairs[:, 0], pairs[:, 1], w, truth


def _run(tool: str, n: int) -> dict:
    import igraph as ig
    from sklearn.metrics import normalized_mutual_info_score

    a, b, w, truth = planted_graph(n)
    g = ig.Graph(n=n, edges=np.column_stack([a, b]).tolist())
    g.es["weight"] = w.tolist()
    if tool == "wpimap (igraph community_leiden)":
        from wpimap.cluster import leiden

        edges = pd.DataFrame({"a": a, "b": b, "strength": w})
        t0 = time.perf_counter()
        labels = leiden(edges, np.arange(n), "modularity", 1.0, -1, 42)
        dt = time.perf_counter() - t0
    elif tool == "leidenalg":
        import leidenalg

        t0 = time.perf_counter()
        part = leidenalg.find_partition(g, leidenalg.ModularityVertexPartition, weights="weight",
                                        n_iterations=-1, seed=42)
        labels = np.asarray(part.membership)
        dt = time.perf_counter() - t0
    elif tool == "networkx louvain_communities":
        import networkx as nx

        G = nx.Graph()
        G.add_nodes_from(range(n))
        G.add_weighted_edges_from(zip(a.tolist(), b.tolist(), w.tolist(), strict=True))
        t0 = time.perf_counter()
        comms = nx.community.louvain_communities(G, weight="weight", seed=42)
        dt = time.perf_counter() - t0
        labels = np.empty(n, dtype=np.int64)
        for k, c in enumerate(comms):
            labels[list(c)] = k
    else:
        raise ValueError(tool)
    return {
        "seconds": dt,
        "clusters": int(len(np.unique(labels))),
        "planted": int(truth.max() + 1),
        "modularity": float(g.modularity(labels.tolist(), weights="weight")),
        "nmi_planted": float(normalized_mutual_info_score(truth, labels)),
        "edges": int(len(a)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


TOOLS = ["wpimap (igraph community_leiden)", "leidenalg", "networkx louvain_communities"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", nargs="*", type=int, default=[1_000, 10_000, 100_000])
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_run(args.child[0], int(args.child[1]))))
        return
    rows = []
    for n in args.nodes:
        for tool in TOOLS:
            try:
                proc = subprocess.run([sys.executable, __file__, "--child", tool, str(n)], capture_output=True,
                                      text=True, timeout=900, env={**os.environ, "PYTHONPATH": str(ROOT)})
                res = (json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0
                       else {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]})
            except subprocess.TimeoutExpired:
                res = {"error": "timeout 900s"}
            rows.append({"nodes": n, "tool": tool, **res})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    from wpimap.tables import write_csv_atomic

    write_csv_atomic(table, RESULTS)
    print(f"written {RESULTS}")


if __name__ == "__main__":
    main()
