"""Research fronts and research areas: Leiden on the co-citation graph, twice.

Level 1 (fronts): Leiden (igraph's ``Graph.community_leiden``, objective modularity or
CPM) on the co-citation graph of core papers, edge weight = co-citation strength.
Level 2 (areas): Leiden again on the front graph, whose edge weights are the summed
strengths of the co-citation links between two fronts.

Determinism: nodes are sorted by id, edges by (a, b), igraph's random number generator
is a ``random.Random(seed)`` during the call (the previous generator is restored), and
clusters are relabelled 0, 1, ... by decreasing size, then by their smallest member id.
The same input and configuration give the same labels whatever the input row order.

Small clusters (fewer than ``min_size`` members): with ``small: merge`` the smallest one
is repeatedly merged into the cluster it is most strongly linked to (summed strength;
ties: the larger cluster, then the lower label) until every cluster is large enough or
has no link left; unlinked small clusters are kept as isolates. With ``small: drop``
their members get label ``-1`` (no front / no area) and are left out of later levels.
At the area level ``min_size`` counts fronts.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import igraph as ig
import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

OBJECTIVES = {"modularity": "modularity", "cpm": "CPM"}
_EDGE_BATCH = 1_000_000


@functools.cache
def _defaults(name: str) -> dict[str, Any]:
    """The schema's defaults of one config section (workflow/schemas/config.schema.yaml)."""
    from wpimap.config import validate_config

    return dict(validate_config({})[name])


def _section(cfg: Mapping[str, Any] | None, name: str) -> Mapping[str, Any]:
    """Section ``name`` of a full config (or the section itself), schema defaults filled in."""
    if cfg is None:
        return _defaults(name)
    sub = cfg.get(name)
    return {**_defaults(name), **(sub if isinstance(sub, Mapping) else cfg)}


def _graph(edges: pd.DataFrame, nodes: Iterable[Any], weight: str) -> tuple[ig.Graph, pd.Index, np.ndarray]:
    node_index = pd.Index(pd.unique(pd.Series(list(nodes), dtype=object))).sort_values()
    if len(edges):
        ia = node_index.get_indexer(edges["a"])
        ib = node_index.get_indexer(edges["b"])
        if (ia < 0).any() or (ib < 0).any():
            bad = edges.loc[(ia < 0) | (ib < 0)].iloc[0]
            raise ValueError(f"edge ({bad['a']}, {bad['b']}): end point not among the nodes")
        w = edges[weight].to_numpy(dtype=np.float64) if weight in edges else np.ones(len(edges))
        lo, hi = np.minimum(ia, ib), np.maximum(ia, ib)
        keep = lo != hi
        e = pd.DataFrame({"lo": lo[keep], "hi": hi[keep], "w": w[keep]})
        e = e.groupby(["lo", "hi"], sort=True, as_index=False)["w"].sum()
    else:
        e = pd.DataFrame({"lo": np.array([], int), "hi": np.array([], int), "w": np.array([], float)})
    g = ig.Graph(n=len(node_index))
    lo, hi = e["lo"].to_numpy(), e["hi"].to_numpy()
    for start in range(0, len(lo), _EDGE_BATCH):  # bounded memory of the Python edge lists
        g.add_edges(np.column_stack([lo[start : start + _EDGE_BATCH], hi[start : start + _EDGE_BATCH]]).tolist())
    w = e["w"].to_numpy()
    g.es["weight"] = w.tolist()
    return g, node_index, w


def _relabel(membership: np.ndarray, sizes: np.ndarray | None = None) -> np.ndarray:
    """Relabel clusters 0.. by decreasing size (sum of ``sizes``), then smallest member position."""
    membership = np.asarray(membership)
    if len(membership) == 0:
        return membership.astype(np.int64)
    sizes = np.ones(len(membership)) if sizes is None else np.asarray(sizes, dtype=np.float64)
    frame = pd.DataFrame({"c": membership, "s": sizes, "pos": np.arange(len(membership))})
    valid = frame[frame["c"] >= 0]
    stats = valid.groupby("c").agg(size=("s", "sum"), first=("pos", "min"))
    stats = stats.sort_values(["size", "first"], ascending=[False, True])
    mapping = pd.Series(np.arange(len(stats)), index=stats.index)
    out = np.full(len(membership), -1, dtype=np.int64)
    ok = membership >= 0
    out[ok] = mapping.reindex(membership[ok]).to_numpy()
    return out


def _run_leiden(
    g: ig.Graph,
    w: np.ndarray,
    method: str,
    resolution: float,
    iterations: int,
    seed: int,
    node_weights: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    if method not in OBJECTIVES:
        raise ValueError(f"clustering method: unknown {method!r} (use modularity or cpm)")
    if g.vcount() == 0:
        return np.array([], dtype=np.int64), 0.0
    rng = random.Random(seed)
    ig.set_random_number_generator(rng)
    try:
        cl = g.community_leiden(
            objective_function=OBJECTIVES[method],
            weights="weight" if len(w) else None,
            resolution=resolution,
            n_iterations=iterations,
            **({"node_weights": np.asarray(node_weights, float).tolist()} if node_weights is not None else {}),
        )
    finally:
        ig.set_random_number_generator(random)
    return np.asarray(cl.membership, dtype=np.int64), float(cl.quality)


def leiden(
    edges: pd.DataFrame,
    nodes: Iterable[Any],
    method: str = "modularity",
    resolution: float = 1.0,
    iterations: int = -1,
    seed: int = 42,
    weight: str = "strength",
) -> np.ndarray:
    """Leiden clustering of a weighted undirected graph, deterministic.

    Parameters
    ----------
    edges : pandas.DataFrame
        Columns ``a``, ``b`` (node ids) and ``weight``; duplicate or reversed pairs are
        summed, self-loops ignored.
    nodes : iterable
        Every node id (isolated nodes included).
    method : {'modularity', 'cpm'}
        Objective function of igraph's ``community_leiden``.
    resolution : float
        Resolution parameter (for CPM in units of edge weight).
    iterations : int
        Leiden iterations; negative: until an iteration no longer improves the partition.
    seed : int
        Seed of igraph's random number generator.
    weight : str
        Edge weight column (missing: unweighted).

    Returns
    -------
    numpy.ndarray
        Cluster label of each node, in the order of ``nodes``; labels 0, 1, ... by
        decreasing cluster size, ties by the smallest member id.
    """
    nodes = list(nodes)
    g, node_index, w = _graph(edges, nodes, weight)
    membership, _ = _run_leiden(g, w, method, resolution, iterations, seed)
    labels = _relabel(membership)
    return labels[node_index.get_indexer(pd.Index(nodes))] if len(nodes) else labels


def cluster_links(edges: pd.DataFrame, labels: pd.Series, weight: str = "strength") -> pd.DataFrame:
    """Sum edge weights between clusters.

    Parameters
    ----------
    edges : pandas.DataFrame
        ``a``, ``b``, ``weight`` (and ``count`` when present).
    labels : pandas.Series
        Cluster label per node id (index: node id); ``-1`` and missing nodes are skipped.
    weight : str
        Edge weight column.

    Returns
    -------
    pandas.DataFrame
        ``ca``, ``cb`` (``ca < cb``), ``weight`` (summed), ``count`` (summed ``count``
        column, else number of edges), ``pairs`` (number of edges), sorted by (ca, cb).
    """
    la = pd.to_numeric(edges["a"].map(labels), errors="coerce").to_numpy(dtype=np.float64)
    lb = pd.to_numeric(edges["b"].map(labels), errors="coerce").to_numpy(dtype=np.float64)
    keep = ~np.isnan(la) & ~np.isnan(lb)
    keep[keep] = (la[keep] != lb[keep]) & (la[keep] >= 0) & (lb[keep] >= 0)
    la, lb = la[keep].astype(np.int64), lb[keep].astype(np.int64)
    w = edges[weight].to_numpy(dtype=np.float64)[keep]
    cnt = edges["count"].to_numpy(dtype=np.int64)[keep] if "count" in edges else np.ones(len(la), np.int64)
    frame = pd.DataFrame({"ca": np.minimum(la, lb), "cb": np.maximum(la, lb), "weight": w, "count": cnt})
    out = frame.groupby(["ca", "cb"], sort=True).agg(
        weight=("weight", "sum"), count=("count", "sum"), pairs=("weight", "size")
    )
    return out.reset_index()


def merge_small(
    labels: np.ndarray,
    links: pd.DataFrame,
    min_size: int,
    sizes: np.ndarray | None = None,
) -> np.ndarray:
    """Merge clusters smaller than ``min_size`` into their most strongly linked cluster.

    The smallest small cluster (ties: higher label first, i.e. the later one) is merged
    into the neighbour with the largest summed link weight (ties: the larger neighbour,
    then the lower label); links are summed on merging; repeated until every cluster
    has ``min_size`` members or no link. Unlinked small clusters stay as they are.

    Parameters
    ----------
    labels : numpy.ndarray
        Cluster label per node (``>= 0``).
    links : pandas.DataFrame
        ``ca``, ``cb``, ``weight`` between clusters (see :func:`cluster_links`).
    min_size : int
        Minimum cluster size.
    sizes : numpy.ndarray, optional
        Size of each node (default 1).

    Returns
    -------
    numpy.ndarray
        New labels (not relabelled; call :func:`_relabel`).
    """
    labels = np.asarray(labels, dtype=np.int64).copy()
    node_size = np.ones(len(labels)) if sizes is None else np.asarray(sizes, dtype=np.float64)
    csize: dict[int, float] = pd.Series(node_size).groupby(labels).sum().to_dict()
    adj: dict[int, dict[int, float]] = {c: {} for c in csize}
    for ca, cb, w in zip(links["ca"].tolist(), links["cb"].tolist(), links["weight"].tolist(), strict=True):
        adj[ca][cb] = adj[ca].get(cb, 0.0) + w
        adj[cb][ca] = adj[cb].get(ca, 0.0) + w
    parent = {c: c for c in csize}
    heap = [(s, -c, c) for c, s in csize.items() if s < min_size]
    heapq.heapify(heap)
    while heap:
        s, _, c = heapq.heappop(heap)
        if parent[c] != c or csize[c] != s or s >= min_size or not adj[c]:
            continue
        target = max(adj[c].items(), key=lambda kv: (kv[1], csize[kv[0]], -kv[0]))[0]
        # merge c into target
        parent[c] = target
        csize[target] += csize.pop(c)
        for nb, w in adj.pop(c).items():
            adj[nb].pop(c, None)
            if nb != target:
                adj[target][nb] = adj[target].get(nb, 0.0) + w
                adj[nb][target] = adj[nb].get(target, 0.0) + w
        if csize[target] < min_size:
            heapq.heappush(heap, (csize[target], -target, target))

    def root(c: int) -> int:
        while parent[c] != c:
            c = parent[c]
        return c

    roots = {c: root(c) for c in parent}
    return np.array([roots[c] for c in labels.tolist()], dtype=np.int64)


def _cluster_level(
    edges: pd.DataFrame,
    nodes: Sequence[Any],
    params: Mapping[str, Any],
    weight: str,
    sizes: np.ndarray | None = None,
) -> pd.Series:
    g, node_index, w = _graph(edges, nodes, weight)
    membership, _ = _run_leiden(
        g,
        w,
        str(params.get("method", "modularity")).lower(),
        float(params.get("resolution", 1.0)),
        int(params.get("iterations", -1)),
        int(params.get("seed", 42)),
    )
    node_sizes = None
    if sizes is not None:
        node_sizes = pd.Series(sizes, index=pd.Index(list(nodes))).reindex(node_index).to_numpy()
    labels = _relabel(membership, node_sizes)
    min_size = int(params.get("min_size", 1))
    if min_size > 1 and len(labels):
        ref_sizes = np.ones(len(labels)) if node_sizes is None else node_sizes
        csize = pd.Series(ref_sizes).groupby(labels).sum()
        small = csize.index[csize < min_size]
        if params.get("small", "merge") == "drop":
            labels = np.where(np.isin(labels, small), -1, labels)
        elif len(small):
            links = cluster_links(edges, pd.Series(labels, index=node_index), weight)
            labels = merge_small(labels, links, min_size, node_sizes)
        labels = _relabel(labels, node_sizes)
    return pd.Series(labels, index=node_index)


def fronts(core: pd.DataFrame, cocit: pd.DataFrame, cfg: Mapping[str, Any] | None = None) -> pd.Series:
    """Research fronts: Leiden on the co-citation graph of the core papers.

    Parameters
    ----------
    core : pandas.DataFrame
        Core papers (``work_id``).
    cocit : pandas.DataFrame
        ``a``, ``b``, ``count``, ``strength`` (see :func:`wpimap.cocitation.cocitation`).
    cfg : mapping, optional
        The full configuration (its ``fronts`` section is used) or the section itself
        (missing keys take the defaults of workflow/schemas/config.schema.yaml):
        ``method``, ``resolution``, ``iterations``, ``seed``, ``min_size``, ``small``.

    Returns
    -------
    pandas.Series
        ``front`` (int64) per core paper, aligned with ``core.index``; ``-1`` for papers
        of small fronts dropped with ``small: drop``. Core papers without any link form
        their own (small) fronts, merged nowhere.
    """
    params = _section(cfg, "fronts")
    ids = core["work_id"]
    labels = _cluster_level(cocit, ids.tolist(), params, "strength")
    return pd.Series(labels.reindex(ids).to_numpy(dtype=np.int64), index=core.index, name="front")


def front_graph(core_with_fronts: pd.DataFrame, cocit: pd.DataFrame) -> pd.DataFrame:
    """Summed co-citation strength between fronts.

    Parameters
    ----------
    core_with_fronts : pandas.DataFrame
        ``work_id``, ``front``.
    cocit : pandas.DataFrame
        ``a``, ``b``, ``count``, ``strength``.

    Returns
    -------
    pandas.DataFrame
        ``a``, ``b`` (fronts, ``a < b``), ``strength`` (summed), ``count`` (summed), ``pairs``.
    """
    labels = pd.Series(core_with_fronts["front"].to_numpy(), index=core_with_fronts["work_id"].to_numpy())
    links = cluster_links(cocit, labels, "strength")
    return links.rename(columns={"ca": "a", "cb": "b", "weight": "strength"})


def areas(
    core_with_fronts: pd.DataFrame, cocit: pd.DataFrame, cfg: Mapping[str, Any] | None = None
) -> pd.Series:
    """Research areas: Leiden on the front graph (weights = summed strengths between fronts).

    Parameters
    ----------
    core_with_fronts : pandas.DataFrame
        ``work_id``, ``front``.
    cocit : pandas.DataFrame
        ``a``, ``b``, ``count``, ``strength``.
    cfg : mapping, optional
        The full configuration (its ``areas`` section) or the section itself. ``min_size``
        counts fronts; areas are labelled by decreasing number of core papers. With
        ``method: modularity`` and ``self_loops: true`` (default) each front carries its
        internal link strength as a self-loop, so the objective is the modularity of the
        core-paper co-citation graph over unions of fronts (leidenalg); with
        ``self_loops: false`` only the links between fronts count (igraph), which merges
        more.

    Returns
    -------
    pandas.Series
        ``area`` (int64) per core paper, aligned with ``core_with_fronts.index``; ``-1``
        for papers without a front or in a dropped small area.
    """
    params = dict(_section(cfg, "areas"))
    fr = core_with_fronts["front"].to_numpy(dtype=np.int64)
    front_ids = np.unique(fr[fr >= 0])
    fg = front_graph(core_with_fronts, cocit)
    n_core = pd.Series(fr[fr >= 0]).value_counts().reindex(front_ids).to_numpy(dtype=np.float64)
    # Fronts weigh their number of core papers: in CPM (node weights, so the resolution is
    # a link density per core-paper pair, as at the front level) and in the relabelling.
    # min_size counts fronts.
    method = str(params.get("method", "modularity")).lower()
    g, node_index, w = _graph(fg, front_ids.tolist(), "strength")
    if method == "modularity" and params.get("self_loops", True):
        membership = _aggregate_modularity(
            g, node_index, core_with_fronts, cocit,
            float(params.get("resolution", 1.0)), int(params.get("iterations", -1)), int(params.get("seed", 42)),
        )
    else:
        membership, _ = _run_leiden(
            g,
            w,
            method,
            float(params.get("resolution", 1.0)),
            int(params.get("iterations", -1)),
            int(params.get("seed", 42)),
            node_weights=n_core if method == "cpm" else None,
        )
    labels = _relabel(membership, n_core)
    min_size = int(params.get("min_size", 1))
    if min_size > 1 and len(labels):
        nfronts = pd.Series(1, index=labels).groupby(level=0).sum()
        small = nfronts.index[nfronts < min_size]
        if params.get("small", "merge") == "drop":
            labels = np.where(np.isin(labels, small), -1, labels)
        elif len(small):
            links = cluster_links(fg, pd.Series(labels, index=node_index), "strength")
            labels = merge_small(labels, links, min_size)
        labels = _relabel(labels, n_core)
    mapping = pd.Series(labels, index=node_index)
    area = pd.Series(fr).map(mapping).fillna(-1).to_numpy(dtype=np.int64)
    return pd.Series(area, index=core_with_fronts.index, name="area")


def _aggregate_modularity(
    g: ig.Graph,
    node_index: pd.Index,
    core_with_fronts: pd.DataFrame,
    cocit: pd.DataFrame,
    resolution: float,
    iterations: int,
    seed: int,
) -> np.ndarray:
    """Modularity Leiden on the front graph as an aggregate of the co-citation graph.

    Modularity of an aggregated graph needs each front's internal link weight as a
    self-loop, so that a front's degree is the total strength of its core papers (as in
    Leiden's own aggregation step). igraph's ``community_leiden`` ignores self-loops in
    its modularity null model (on the tiny synthetic world it merged 15 planted areas
    into 4, NMI 0.62), so this level uses leidenalg's ``RBConfigurationVertexPartition``,
    which counts them (NMI 0.98 on the same graph).
    """
    import leidenalg

    labels = pd.Series(core_with_fronts["front"].to_numpy(), index=core_with_fronts["work_id"].to_numpy())
    fa = pd.to_numeric(cocit["a"].map(labels), errors="coerce").to_numpy(dtype=np.float64)
    fb = pd.to_numeric(cocit["b"].map(labels), errors="coerce").to_numpy(dtype=np.float64)
    same = (fa == fb) & (fa >= 0)
    internal = (
        pd.Series(cocit["strength"].to_numpy(dtype=np.float64)[same]).groupby(fa[same].astype(np.int64)).sum()
    )
    g = g.copy()
    pos = node_index.get_indexer(internal.index)
    keep = pos >= 0
    if keep.any():
        g.add_edges([(int(i), int(i)) for i in pos[keep]], attributes={"weight": internal.to_numpy()[keep].tolist()})
    if g.vcount() == 0:
        return np.array([], dtype=np.int64)
    part = leidenalg.find_partition(
        g,
        leidenalg.RBConfigurationVertexPartition,
        weights="weight" if g.ecount() else None,
        resolution_parameter=resolution,
        n_iterations=iterations,
        seed=seed,
    )
    return np.asarray(part.membership, dtype=np.int64)


def area_graph(core: pd.DataFrame, cocit: pd.DataFrame) -> pd.DataFrame:
    """Links between areas: summed co-citation strength and counts.

    Parameters
    ----------
    core : pandas.DataFrame
        ``work_id``, ``area``.
    cocit : pandas.DataFrame
        ``a``, ``b``, ``count``, ``strength``.

    Returns
    -------
    pandas.DataFrame
        ``area_a``, ``area_b`` (``area_a < area_b``), ``weight`` (summed strength of the
        core-paper pairs across the two areas), ``count`` (summed co-citation counts),
        ``pairs`` (number of such core-paper pairs), sorted by (area_a, area_b).
    """
    labels = pd.Series(core["area"].to_numpy(), index=core["work_id"].to_numpy())
    links = cluster_links(cocit, labels, "strength")
    return links.rename(columns={"ca": "area_a", "cb": "area_b"})


def scan(
    edges: pd.DataFrame,
    nodes: Iterable[Any],
    resolutions: Sequence[float],
    seeds: Sequence[int] = (1, 2, 3),
    method: str = "modularity",
    iterations: int = -1,
    weight: str = "strength",
) -> pd.DataFrame:
    """Resolution scan: number of clusters, quality and stability between seeds.

    Parameters
    ----------
    edges : pandas.DataFrame
        ``a``, ``b``, ``weight``.
    nodes : iterable
        Every node id.
    resolutions : sequence of float
        Resolutions to try.
    seeds : sequence of int
        Seeds per resolution (at least two for the stability column).
    method : {'modularity', 'cpm'}
        Objective function.
    iterations : int
        Leiden iterations.
    weight : str
        Edge weight column.

    Returns
    -------
    pandas.DataFrame
        ``resolution``, ``n_clusters`` (mean over seeds), ``n_clusters_min``,
        ``n_clusters_max``, ``quality`` (mean objective value reported by Leiden),
        ``modularity`` (mean standard weighted modularity, resolution 1),
        ``nmi_between_seeds`` (mean pairwise normalized mutual information; NaN with one seed).
    """
    g, _, w = _graph(edges, list(nodes), weight)
    rows = []
    for res in resolutions:
        memberships, quals, mods, ns = [], [], [], []
        for seed in seeds:
            m, q = _run_leiden(g, w, method, float(res), iterations, int(seed))
            memberships.append(m)
            quals.append(q)
            mods.append(g.modularity(m.tolist(), weights="weight" if len(w) else None) if len(m) else 0.0)
            ns.append(len(np.unique(m)))
        nmis = [normalized_mutual_info_score(x, y) for x, y in itertools.combinations(memberships, 2)]
        rows.append(
            {
                "resolution": float(res),
                "n_clusters": float(np.mean(ns)),
                "n_clusters_min": int(min(ns)),
                "n_clusters_max": int(max(ns)),
                "quality": float(np.mean(quals)),
                "modularity": float(np.mean(mods)),
                "nmi_between_seeds": float(np.mean(nmis)) if nmis else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def summarize_areas(
    core: pd.DataFrame,
    works: pd.DataFrame | None,
    cocit: pd.DataFrame,
    cfg: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The ``areas`` table of a period: size, years, fields, label and map coordinates.

    Parameters
    ----------
    core : pandas.DataFrame
        ``work_id``, ``year``, ``front``, ``area`` and ``fields`` (list) or ``field``.
    works : pandas.DataFrame or None
        ``work_id``, ``title`` (for labels); None: labels from fields only.
    cocit : pandas.DataFrame
        ``a``, ``b``, ``count``, ``strength``.
    cfg : mapping, optional
        The full configuration (reads ``labels.n_terms``, ``layout.seed``,
        ``layout.iterations``).

    Returns
    -------
    pandas.DataFrame
        ``area``, ``n_core``, ``n_fronts``, ``year_mean``, ``year_min``, ``year_max``,
        ``fields`` (JSON object field → share, fractional counting), ``dominant_field``,
        ``dominant_share``, ``label``, ``x``, ``y``; one row per area (``-1`` excluded),
        sorted by area.
    """
    from wpimap.labels import area_labels, field_shares
    from wpimap.layout import layout_areas

    cfg = cfg or {}
    n_terms = int(cfg.get("labels", {}).get("n_terms", 5))
    lay = cfg.get("layout", {})
    c = core[core["area"] >= 0]
    year = pd.to_numeric(c["year"], errors="coerce")
    g = c.assign(year=year).groupby("area")
    out = pd.DataFrame(
        {
            "n_core": g.size(),
            "n_fronts": g["front"].nunique(),
            "year_mean": g["year"].mean(),
            "year_min": g["year"].min(),
            "year_max": g["year"].max(),
        }
    )
    shares = field_shares(c)
    out["fields"] = _fields_json(shares, out.index)
    dom = shares.drop_duplicates("area").set_index("area") if len(shares) else pd.DataFrame(columns=["field", "share"])
    out["dominant_field"] = dom["field"].reindex(out.index)
    out["dominant_share"] = dom["share"].reindex(out.index).astype(float)
    out["label"] = area_labels(c, works, n_terms).reindex(out.index)
    ag = area_graph(c, cocit)
    xy = layout_areas(ag, out.index.to_numpy(), int(lay.get("seed", 42)), int(lay.get("iterations", 500)))
    out = out.join(xy.set_index("area")[["x", "y"]])
    out.index.name = "area"
    return out.reset_index()


def _fields_json(shares: pd.DataFrame, index: pd.Index) -> list[str]:
    res = {}
    for area, s in shares.groupby("area", sort=True):
        res[area] = json.dumps(dict(zip(s["field"], np.round(s["share"], 6).tolist(), strict=True)))
    return [res.get(a, "{}") for a in index]
