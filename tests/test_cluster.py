"""Leiden fronts and areas: planted partitions, merging small fronts, determinism, scan."""

from __future__ import annotations

import importlib.util
import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score as nmi

from wpimap import cluster
from wpimap.cocitation import cocitation, incidence

# --- planted worlds (generated here, independently of the code under test) -------------


def planted_sbm(groups: int, size: int, p_in: float, p_out: float, seed: int) -> tuple[pd.DataFrame, list, np.ndarray]:
    """Stochastic block model with weights: dense inside groups, sparse between."""
    rng = np.random.default_rng(seed)
    n = groups * size
    truth = np.repeat(np.arange(groups), size)
    ids = [f"N{i:04d}" for i in range(n)]
    rows = []
    for i, j in itertools.combinations(range(n), 2):
        p = p_in if truth[i] == truth[j] else p_out
        if rng.random() < p:
            rows.append((ids[i], ids[j], float(rng.uniform(0.3, 1.0))))
    return pd.DataFrame(rows, columns=["a", "b", "strength"]), ids, truth


def planted_citing_world(seed: int = 1, n_areas: int = 3, n_fronts: int = 3, n_papers: int = 8, n_citing: int = 1500):
    """Citing papers citing mostly inside one front, sometimes a sister front, rarely anywhere."""
    rng = np.random.default_rng(seed)
    papers = [f"W{a}{f}{p:02d}" for a in range(n_areas) for f in range(n_fronts) for p in range(n_papers)]
    front_true = np.repeat(np.arange(n_areas * n_fronts), n_papers)
    area_true = front_true // n_fronts
    rows = []
    for c in range(n_citing):
        fr = int(rng.integers(n_areas * n_fronts))
        ar = fr // n_fronts
        cited = list(rng.choice(np.flatnonzero(front_true == fr), int(rng.integers(2, 5)), replace=False))
        if rng.random() < 0.5:
            sister = rng.choice([f for f in range(ar * n_fronts, (ar + 1) * n_fronts) if f != fr])
            cited.append(int(rng.choice(np.flatnonzero(front_true == sister))))
        if rng.random() < 0.05:
            cited.append(int(rng.integers(len(papers))))
        rows += [(f"C{c:05d}", papers[i]) for i in cited]
    refs = pd.DataFrame(rows, columns=["citing_id", "cited_id"])
    return refs, papers, front_true, area_true


# --- leiden ----------------------------------------------------------------------------


@pytest.mark.parametrize("method,resolution", [("modularity", 1.0), ("cpm", 0.05)])
def test_planted_partition_recovered(method, resolution):
    edges, ids, truth = planted_sbm(5, 20, 0.5, 0.02, seed=3)
    labels = cluster.leiden(edges, ids, method, resolution, -1, 42)
    assert nmi(truth, labels) >= 0.9


def test_labels_sorted_by_size_then_smallest_id():
    # a 4-clique {b1..b4}, a 3-clique {a1..a3}, an isolated node z, a 3-clique {c1..c3}
    def clique(ns):
        return [(x, y, 1.0) for x, y in itertools.combinations(ns, 2)]

    rows = clique(["b1", "b2", "b3", "b4"]) + clique(["a1", "a2", "a3"]) + clique(["c1", "c2", "c3"])
    edges = pd.DataFrame(rows, columns=["a", "b", "strength"])
    nodes = ["z", "c3", "a1", "b1", "b2", "c1", "a2", "b3", "c2", "a3", "b4"]
    labels = dict(zip(nodes, cluster.leiden(edges, nodes, "modularity", 1.0, -1, 7), strict=True))
    # largest first (b: 0); equal sizes ordered by smallest member id (a1 < c1); the singleton last
    assert {labels[x] for x in ["b1", "b2", "b3", "b4"]} == {0}
    assert {labels[x] for x in ["a1", "a2", "a3"]} == {1}
    assert {labels[x] for x in ["c1", "c2", "c3"]} == {2}
    assert labels["z"] == 3


def test_determinism_and_input_order():
    edges, ids, _ = planted_sbm(4, 15, 0.3, 0.05, seed=5)
    first = cluster.leiden(edges, ids, "modularity", 1.0, 2, 11)
    again = cluster.leiden(edges, ids, "modularity", 1.0, 2, 11)
    assert np.array_equal(first, again)
    rng = np.random.default_rng(0)
    perm = rng.permutation(len(ids))
    shuffled_nodes = [ids[i] for i in perm]
    shuffled_edges = edges.sample(frac=1.0, random_state=1).reset_index(drop=True)
    swap = rng.random(len(shuffled_edges)) < 0.5  # reversed pairs too
    shuffled_edges.loc[swap, ["a", "b"]] = shuffled_edges.loc[swap, ["b", "a"]].to_numpy()
    other = cluster.leiden(shuffled_edges, shuffled_nodes, "modularity", 1.0, 2, 11)
    by_id = dict(zip(ids, first, strict=True))
    assert [by_id[x] for x in shuffled_nodes] == other.tolist()


# --- small fronts ------------------------------------------------------------------------


def test_merge_small_by_hand():
    # cluster sizes: 0 -> 5, 1 -> 4, 2 -> 1, 3 -> 2 ; min_size 3
    labels = np.array([0] * 5 + [1] * 4 + [2] + [3] * 2)
    links = pd.DataFrame({"ca": [0, 1, 2], "cb": [2, 3, 3], "weight": [0.2, 0.5, 1.0]})
    out = cluster.merge_small(labels, links, 3)
    # cluster 2 (size 1) goes to 3 (link 1.0 > 0.2); 3 then has 3 members and stays
    assert out.tolist() == [0] * 5 + [1] * 4 + [3] + [3] * 2
    # with min_size 4 the merged {2,3} (size 3) goes on into 1 (its links: 0.2 to 0, 0.5 to 1)
    out = cluster.merge_small(labels, links, 4)
    assert out.tolist() == [0] * 5 + [1] * 4 + [1] + [1] * 2


def _two_cliques_and_a_pair() -> tuple[pd.DataFrame, pd.DataFrame]:
    def clique(ns, w):
        return [(x, y, w) for x, y in itertools.combinations(ns, 2)]

    rows = clique([f"A{i}" for i in range(5)], 1.0) + clique([f"B{i}" for i in range(5)], 1.0)
    rows += [("S0", "S1", 3.0), ("A0", "S0", 0.1), ("B0", "S1", 0.3), ("B1", "S1", 0.15)]
    cocit = pd.DataFrame(rows, columns=["a", "b", "strength"])
    cocit["count"] = 2
    nodes = sorted({*cocit["a"], *cocit["b"]}) + ["Z"]  # Z: a core paper with no link
    return cocit, pd.DataFrame({"work_id": nodes})


def test_fronts_merge_into_strongest_and_keep_isolates():
    cocit, core = _two_cliques_and_a_pair()
    base = {"method": "modularity", "resolution": 1.0, "iterations": -1, "seed": 42}
    f1 = cluster.fronts(core, cocit, {"fronts": {**base, "min_size": 1}})
    by = dict(zip(core["work_id"], f1, strict=True))
    assert by["S0"] == by["S1"] and by["S0"] != by["A0"] and by["S0"] != by["B0"]  # the pair is a front
    f3 = cluster.fronts(core, cocit, {"fronts": {**base, "min_size": 3, "small": "merge"}})
    by = dict(zip(core["work_id"], f3, strict=True))
    # summed link S->B = 0.45 > S->A = 0.1: merged into the B front, which becomes the largest (0)
    assert by["S0"] == by["S1"] == by["B0"] == 0
    assert by["A0"] == 1
    assert by["Z"] == 2  # isolate kept as its own front
    fd = cluster.fronts(core, cocit, {"fronts": {**base, "min_size": 3, "small": "drop"}})
    by = dict(zip(core["work_id"], fd, strict=True))
    assert by["S0"] == by["S1"] == by["Z"] == -1
    assert sorted(set(fd[fd >= 0])) == [0, 1]


def test_fronts_and_areas_recover_planted_world():
    refs, papers, front_true, area_true = planted_citing_world()
    A, _, core_index = incidence(papers, refs)
    cc = cocitation(A, core_index=core_index)
    core = pd.DataFrame({"work_id": papers}).sample(frac=1.0, random_state=3)  # row order must not matter
    cfg = {
        "fronts": {"method": "cpm", "resolution": 0.1, "iterations": -1, "seed": 1, "min_size": 3, "small": "merge"},
        # this world's areas are links between fronts only: with self-loops, modularity keeps
        # each front apart (the fronts are themselves the modularity optimum here)
        "areas": {"method": "modularity", "resolution": 1.0, "iterations": -1, "seed": 1, "min_size": 1,
                  "self_loops": False},
    }
    core["front"] = cluster.fronts(core, cc, cfg)
    core["area"] = cluster.areas(core, cc, cfg)
    truth = pd.DataFrame({"work_id": papers, "tf": front_true, "ta": area_true}).set_index("work_id")
    core = core.join(truth, on="work_id")
    assert nmi(core["tf"], core["front"]) >= 0.9
    assert nmi(core["ta"], core["area"]) >= 0.9
    # every area is a union of whole fronts
    assert (core.groupby("front")["area"].nunique() == 1).all()
    again = core[["work_id"]].copy()
    again["front"] = cluster.fronts(again, cc, cfg)
    again["area"] = cluster.areas(again, cc, cfg)
    assert again["front"].tolist() == core["front"].tolist()
    assert again["area"].tolist() == core["area"].tolist()


def test_area_graph_sums_by_hand():
    core = pd.DataFrame({"work_id": ["p", "q", "r", "s", "t"], "area": [0, 0, 1, 1, -1]})
    cocit = pd.DataFrame(
        {"a": ["p", "p", "q", "r", "s"], "b": ["q", "r", "s", "s", "t"],
         "count": [5, 2, 3, 4, 9], "strength": [0.9, 0.2, 0.3, 0.8, 0.7]}
    )
    g = cluster.area_graph(core, cocit)
    # only p-r and q-s cross areas 0 and 1; r-s and p-q are internal; s-t touches no area
    assert g[["area_a", "area_b", "count", "pairs"]].values.tolist() == [[0, 1, 5, 2]]
    assert g["weight"].iloc[0] == pytest.approx(0.5)


def test_scan_more_clusters_at_higher_cpm_resolution():
    edges, ids, truth = planted_sbm(4, 15, 0.5, 0.03, seed=9)
    table = cluster.scan(edges, ids, [0.01, 0.05, 0.5, 2.0], seeds=[1, 2, 3], method="cpm")
    assert list(table["resolution"]) == [0.01, 0.05, 0.5, 2.0]
    assert table["n_clusters"].is_monotonic_increasing
    assert table["n_clusters"].iloc[-1] > table["n_clusters"].iloc[0]
    assert table["n_clusters"].iloc[-1] == len(ids)  # resolution above every weight: singletons
    assert ((table["nmi_between_seeds"] >= 0) & (table["nmi_between_seeds"] <= 1 + 1e-9)).all()
    # at a resolution between the weighted densities between blocks (~0.02) and inside
    # them (~0.33), the planted blocks come back, identically for every seed
    row = table.set_index("resolution").loc[0.05]
    assert row["n_clusters"] == 4 and row["nmi_between_seeds"] == pytest.approx(1.0)


def test_no_links_and_empty_period():
    core = pd.DataFrame({"work_id": ["a", "b", "c"], "year": [2010, 2011, 2012], "fields": [["X"], ["Y"], []]})
    cc = pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=object),
                       "count": pd.Series([], dtype="int64"), "strength": pd.Series([], dtype=float)})
    core["front"] = cluster.fronts(core, cc, {"min_size": 3})
    core["area"] = cluster.areas(core, cc, {"min_size": 1})
    # no links: every paper is an isolate front and area, labelled by id order
    assert core["front"].tolist() == [0, 1, 2] and core["area"].tolist() == [0, 1, 2]
    table = cluster.summarize_areas(core, None, cc, {})
    assert table["n_core"].tolist() == [1, 1, 1] and table["label"].tolist() == ["X", "Y", ""]
    core["front"] = cluster.fronts(core, cc, {"min_size": 3, "small": "drop"})
    core["area"] = cluster.areas(core, cc, {})
    assert core["front"].tolist() == [-1, -1, -1] and core["area"].tolist() == [-1, -1, -1]
    assert len(cluster.summarize_areas(core, None, cc, {})) == 0
    empty = core.iloc[:0]
    assert len(cluster.fronts(empty, cc, {})) == 0 and len(cluster.areas(empty, cc, {})) == 0


def test_bad_method_and_dangling_edge():
    edges = pd.DataFrame({"a": ["x"], "b": ["y"], "strength": [1.0]})
    with pytest.raises(ValueError, match="unknown"):
        cluster.leiden(edges, ["x", "y"], "louvain")
    with pytest.raises(ValueError, match="not among the nodes"):
        cluster.leiden(edges, ["x"], "modularity")


@pytest.mark.skipif(importlib.util.find_spec("wpimap.synth") is None, reason="wpimap.synth not written yet")
def test_tiny_synthetic_world_recovers_planted_areas():
    from wpimap.synth import make_world

    world = make_world("tiny", seed=42)
    truth = world.truth
    start, end = 2015, 2020
    planted = truth[truth["is_planted_core"] & truth["year"].between(start, end)]
    core = pd.DataFrame({"work_id": planted["work_id"].astype(object).to_numpy(), "year": planted["year"].to_numpy()})
    citing = world.works.loc[world.works["year"].between(start, end), "work_id"]
    A, _, core_index = incidence(core["work_id"], world.references, citing)
    cc = cocitation(A, core_index=core_index)  # defaults: count >= 2, cosine >= 0.1
    cfg = {
        "fronts": {"method": "modularity", "resolution": 1.0, "iterations": -1, "seed": 42, "min_size": 3},
        # CPM with fronts weighted by their core papers: merge fronts whose link density per
        # core-paper pair exceeds 0.02
        "areas": {"method": "cpm", "resolution": 0.02, "iterations": -1, "seed": 42, "min_size": 1},
    }
    core["front"] = cluster.fronts(core, cc, cfg)
    core["area"] = cluster.areas(core, cc, cfg)
    ta = planted["area"].to_numpy()
    ok = ~pd.isna(ta)
    assert ok.sum() > 100
    assert nmi(ta[ok].astype(int), core["area"].to_numpy()[ok]) >= 0.9


def test_self_loop_areas_maximize_paper_level_modularity():
    """With self-loops, the area level optimizes the modularity of the core-paper graph itself.

    Checked independently with igraph's ``Graph.modularity`` on the paper-level graph: the
    areas found with self-loops score at least as high as those found without, and at least
    as high as the fronts themselves (a feasible partition of the same search space).
    """
    import igraph as ig

    refs, papers, _, _ = planted_citing_world(seed=4, n_citing=900)
    A, _, core_index = incidence(papers, refs)
    cc = cocitation(A, core_index=core_index)
    core = pd.DataFrame({"work_id": papers})
    core["front"] = cluster.fronts(core, cc, {"method": "cpm", "resolution": 0.1, "seed": 1, "min_size": 1})
    idx = {p: i for i, p in enumerate(papers)}
    g = ig.Graph(n=len(papers), edges=[(idx[a], idx[b]) for a, b in zip(cc["a"], cc["b"], strict=True)])
    g.es["weight"] = cc["strength"].tolist()

    def q(labels):
        return g.modularity(list(labels), weights="weight")

    base = {"method": "modularity", "resolution": 1.0, "iterations": -1, "seed": 1, "min_size": 1}
    with_loops = cluster.areas(core, cc, {**base, "self_loops": True})
    without = cluster.areas(core, cc, {**base, "self_loops": False})
    assert q(with_loops) >= q(without) - 1e-12
    assert q(with_loops) >= q(core["front"]) - 1e-12
    assert (core.assign(area=with_loops).groupby("front")["area"].nunique() == 1).all()


def _paired_cliques(pair_links: int) -> tuple[pd.DataFrame, list[str]]:
    """8 cliques of 10 nodes (weight 1 per edge), cliques 2k and 2k+1 joined by
    ``pair_links`` unit edges, consecutive pairs by one unit edge (a connected ring)."""
    ids = [f"N{i:03d}" for i in range(80)]
    rows = [(ids[c * 10 + i], ids[c * 10 + j], 1.0) for c in range(8) for i, j in itertools.combinations(range(10), 2)]
    for k in range(4):
        rows += [(ids[2 * k * 10 + i], ids[(2 * k + 1) * 10 + i], 1.0) for i in range(pair_links)]
        rows.append((ids[(2 * k + 1) * 10 + 9], ids[((2 * k + 2) % 8) * 10 + 9], 1.0))
    edges = pd.DataFrame(rows, columns=["a", "b", "strength"])
    edges["count"] = 1
    return edges, ids


def test_default_area_resolution_groups_fronts_that_fronts_keep_apart():
    # By hand: m = 8*45 + 4*9 + 4 = 400; a clique's degree d = 90 + 9 + (0 or 1) ~ 100.
    # Merging a clique pair gains x/m - g*d^2/(2 m^2) = 9/400 - g*10^4/(3.2e5): positive for
    # g = 0.5 (0.0225 - 0.0156), negative for g = 1 (0.0225 - 0.0313). So the defaults
    # (fronts.resolution 1.0, areas.resolution 0.5) give 8 fronts and 4 areas, while areas
    # at the fronts' resolution cannot group them (self-loops: fronts are already optimal).
    edges, ids = _paired_cliques(9)
    core = pd.DataFrame({"work_id": ids})
    core["front"] = cluster.fronts(core, edges)  # schema defaults
    clique = np.arange(80) // 10
    assert core["front"].nunique() == 8 and nmi(clique, core["front"]) == pytest.approx(1.0)
    core["area"] = cluster.areas(core, edges)
    assert core["area"].nunique() == 4 and nmi(clique // 2, core["area"]) == pytest.approx(1.0)
    same = cluster.areas(core, edges, {"resolution": 1.0})
    assert same.nunique() == 8
