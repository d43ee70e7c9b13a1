"""Area labels, layout, the areas table, and the provenance of a link (explain)."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from wpimap import cluster
from wpimap.cocitation import cocitation, incidence
from wpimap.explain import explain_link
from wpimap.labels import area_labels, field_shares
from wpimap.layout import layout_areas


def _core_and_works():
    core = pd.DataFrame(
        {
            "work_id": ["a1", "a2", "a3", "b1", "b2", "c1"],
            "area": [0, 0, 0, 1, 1, 2],
            "front": [0, 0, 1, 2, 2, 3],
            "year": [2010, 2012, 2014, 2015, 2015, 2011],
            "fields": [["Physics"], ["Physics", "Chemistry"], ["Physics"], ["Biology"], ["Biology", "Medicine"], []],
        }
    )
    works = pd.DataFrame(
        {
            "work_id": ["a1", "a2", "a3", "b1", "b2", "c1", "zz"],
            "title": [
                "Graphene superconductivity in twisted bilayers",
                "Twisted bilayer graphene and moire bands",
                "Superconductivity of moire graphene",
                "CRISPR screens in mouse embryos",
                "Mouse embryo CRISPR editing of the genome",
                "The the and of",  # only stop words
                "Graphene everywhere",
            ],
        }
    )
    return core, works


def test_field_shares_fractional():
    core, _ = _core_and_works()
    s = field_shares(core)
    a0 = s[s["area"] == 0]
    # area 0: a1 Physics 1, a2 Physics 0.5 + Chemistry 0.5, a3 Physics 1 -> 2.5/3, 0.5/3
    assert a0["field"].tolist() == ["Physics", "Chemistry"]
    assert a0["share"].tolist() == pytest.approx([2.5 / 3, 0.5 / 3])
    a1 = s[s["area"] == 1]
    assert a1["field"].tolist() == ["Biology", "Medicine"]
    assert a1["share"].tolist() == pytest.approx([0.75, 0.25])
    assert 2 not in set(s["area"])  # c1 has no field


def test_area_labels_distinctive_terms():
    core, works = _core_and_works()
    labels = area_labels(core, works, n_terms=2)
    # area 0: "graphene" appears 3x, "superconductivity"/"twisted"/"moire" 2x, all absent from area 1
    assert labels[0].startswith("graphene, ")
    assert labels[0].endswith(" | Physics")
    # area 1: "crispr", "mouse" (2x each) - the alphabetical tie break puts crispr first
    assert labels[1].split(" | ")[0].split(", ")[0] == "crispr"
    assert labels[1].endswith(" | Biology")
    assert "graphene" not in labels[1]
    assert labels[2] == ""  # stop words only and no field
    assert area_labels(core, None, 3)[0] == "Physics"
    assert area_labels(core, works, 2).equals(labels)  # deterministic


def test_layout_deterministic_normalized_and_isolates():
    g = pd.DataFrame({"area_a": [0, 0, 1, 3], "area_b": [1, 2, 2, 4], "weight": [1.0, 0.5, 0.8, 0.2]})
    xy = layout_areas(g, [0, 1, 2, 3, 4, 5, 6], seed=3, iterations=200)
    assert xy["area"].tolist() == [0, 1, 2, 3, 4, 5, 6]
    coords = xy[["x", "y"]].to_numpy()
    assert np.abs(coords).max() == pytest.approx(1.0)
    assert (np.abs(coords) <= 1.0 + 1e-12).all()
    assert len({(round(x, 9), round(y, 9)) for x, y in coords}) == 7  # no two areas on one spot
    again = layout_areas(g.iloc[::-1], [6, 5, 4, 3, 2, 1, 0], seed=3, iterations=200)
    assert np.array_equal(again[["x", "y"]].to_numpy(), coords)
    # isolated areas 5 and 6 sit on a ring outside every linked area
    center = (coords.max(axis=0) + coords.min(axis=0)) / 2
    r = np.linalg.norm(coords - coords[:5].mean(axis=0), axis=1)
    assert r[5] > r[:5].max() * 0.99 and r[6] > r[:5].max() * 0.99
    assert center.tolist() == pytest.approx([0.0, 0.0])
    single = layout_areas(g.iloc[:0], [7], seed=1, iterations=10)
    assert single[["x", "y"]].to_numpy().tolist() == [[0.0, 0.0]]


def test_summarize_areas_table():
    core, works = _core_and_works()
    cocit = pd.DataFrame(
        {"a": ["a1", "a1", "a2", "b1"], "b": ["a2", "b1", "b2", "b2"], "count": [3, 2, 2, 4],
         "strength": [0.9, 0.2, 0.3, 0.8]}
    )
    cfg = {"labels": {"n_terms": 3}, "layout": {"seed": 1, "iterations": 100}}
    t = cluster.summarize_areas(core, works, cocit, cfg)
    assert t["area"].tolist() == [0, 1, 2]
    assert t["n_core"].tolist() == [3, 2, 1]
    assert t["n_fronts"].tolist() == [2, 1, 1]
    assert t["year_mean"].tolist() == pytest.approx([2012.0, 2015.0, 2011.0])
    assert t["year_min"].tolist() == [2010, 2015, 2011] and t["year_max"].tolist() == [2014, 2015, 2011]
    assert json.loads(t.loc[0, "fields"]) == pytest.approx({"Physics": 2.5 / 3, "Chemistry": 0.5 / 3}, abs=1e-6)
    assert t["dominant_field"].tolist()[:2] == ["Physics", "Biology"]
    assert t.loc[1, "dominant_share"] == pytest.approx(0.75)
    assert t.loc[0, "label"].startswith("graphene")
    assert t[["x", "y"]].abs().to_numpy().max() == pytest.approx(1.0)


# --- explain ---------------------------------------------------------------------------


def test_explain_lists_pairs_and_citing_papers_by_brute_force():
    rng = np.random.default_rng(4)
    papers = [f"W{i:02d}" for i in range(12)]
    area = {p: (0 if i < 4 else 1 if i < 8 else 2) for i, p in enumerate(papers)}
    rows = []
    for c in range(120):
        k = int(rng.integers(1, 5))
        for w in rng.choice(papers, k, replace=False):
            rows.append((f"C{c:03d}", w))
    refs = pd.DataFrame(rows, columns=["citing_id", "cited_id"])
    A, _, core_index = incidence(papers, refs)
    cc = cocitation(A, min_count=2, min_strength=0.0, core_index=core_index)
    core = pd.DataFrame({"work_id": papers, "area": [area[p] for p in papers]})
    out = explain_link(1, 0, core, refs, cc)
    # brute force: every citing paper citing a paper of area 1 and one of area 0
    cited_by = refs.groupby("citing_id")["cited_id"].agg(set)
    expected = set()
    kept = {(a, b) for a, b in zip(cc["a"], cc["b"], strict=True)}
    for citing, ws in cited_by.items():
        for x, y in itertools.product(sorted(ws), sorted(ws)):
            if area[x] == 1 and area[y] == 0 and (min(x, y), max(x, y)) in kept:
                expected.add((x, y, citing))
    got = set(zip(out["a"], out["b"], out["citing_id"], strict=True))
    assert got == expected and len(out) == len(expected)
    # the number of citing papers listed per pair is the pair's co-citation count
    per_pair = out.groupby(["a", "b"]).agg(n=("citing_id", "size"), count=("count", "first"))
    assert (per_pair["n"] == per_pair["count"]).all()
    assert (out["area_a"] == 1).all() and (out["area_b"] == 0).all()
    assert out["strength"].is_monotonic_decreasing
    with pytest.raises(ValueError, match="area 9"):
        explain_link(9, 0, core, refs, cc)


# --- references mode on a real WoS file ----------------------------------------------------


def _cr_key(cr: str) -> str:
    """Independent, minimal key of a WoS CR string: its DOI, else the upper-cased string."""
    m = re.search(r"DOI (?:\[)?(10\.[^,\]\s]+)", cr)
    return m.group(1).lower().rstrip(".") if m else " ".join(cr.upper().split())


def _raw_cr_sets(path) -> dict[str, set[str]]:
    """Citing record (UT) -> set of reference keys, read straight from the plain-text file."""
    out: dict[str, set[str]] = {}
    ut, crs, tag = None, [], None
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        head = line[:2]
        if head.strip():
            tag = head
        if tag == "CR":
            crs.append(line[3:].strip())
        elif tag == "UT" and head == "UT":
            ut = line[3:].strip()
        elif head == "ER":
            if ut is not None:
                out[ut] = {_cr_key(c) for c in crs if c}
            ut, crs, tag = None, [], None
    return out


@pytest.mark.realdata
def test_references_mode_top_pair_matches_brute_force(shared_data):
    sets = _raw_cr_sets(shared_data / "wos" / "bibx_bit_pattern.txt")
    assert len(sets) == 500
    # brute force: every pair of references of every record
    pairs = Counter(p for ks in sets.values() for p in itertools.combinations(sorted(ks), 2))
    best_count = max(pairs.values())
    best_pairs = sorted(p for p, c in pairs.items() if c == best_count)
    refs = pd.DataFrame([(ut, k) for ut, ks in sets.items() for k in ks], columns=["citing_id", "cited_key"])
    cited = refs["cited_key"].value_counts()
    core_keys = cited[cited >= 2].index  # references mode: the most-cited references are the core
    A, _, core_index = incidence(core_keys, refs, key="cited_key")
    cc = cocitation(A, min_count=2, min_strength=0.1, core_index=core_index, chunk_rows=64)
    top = cc.sort_values(["count", "a", "b"], ascending=[False, True, True]).iloc[0]
    assert top["count"] == best_count
    assert (top["a"], top["b"]) == best_pairs[0]
    # every brute-force pair count >= 2 with cosine >= 0.1 is reported with the same count
    got = dict(zip(zip(cc["a"], cc["b"], strict=True), cc["count"], strict=True))
    assert all(pairs[p] == c for p, c in got.items())
    core = pd.DataFrame({"work_id": list(core_index)})
    core["front"] = cluster.fronts(core, cc, {"min_size": 2})
    by = dict(zip(core["work_id"], core["front"], strict=True))
    assert by[best_pairs[0][0]] == by[best_pairs[0][1]]  # the most co-cited pair shares a front
    assert core["front"].max() > 0


@pytest.mark.realdata
def test_references_mode_with_wos_reader(shared_data):
    wos = pytest.importorskip("wpimap.io.wos")
    if not hasattr(wos, "read_wos"):
        pytest.skip("wpimap.io.wos.read_wos not available yet")
    path = shared_data / "wos" / "bibx_bit_pattern.txt"
    refs = _references_frame(wos.read_wos(path))
    sets = _raw_cr_sets(path)
    pairs = Counter(p for ks in sets.values() for p in itertools.combinations(sorted(ks), 2))
    cited = refs.drop_duplicates(["citing_id", "cited_key"])["cited_key"].value_counts()
    A, _, core_index = incidence(cited[cited >= 2].index, refs, key="cited_key")
    cc = cocitation(A, min_count=2, min_strength=0.0, core_index=core_index)
    top = cc.sort_values(["count", "a", "b"], ascending=[False, True, True]).iloc[0]
    assert top["count"] == max(pairs.values())
    if str(top["a"]).startswith("10.") and str(top["b"]).startswith("10."):
        assert pairs[(top["a"], top["b"])] == top["count"]


def _references_frame(items) -> pd.DataFrame:
    """The references table (citing_id, cited_key, cited_id) of read_wos's Records."""
    rows = [
        (rec.work_id, key, cid)
        for rec in items
        if hasattr(rec, "references")
        for key, cid in rec.references
        if key
    ]
    return pd.DataFrame(rows, columns=["citing_id", "cited_key", "cited_id"])


def test_explain_all_pairs_lists_what_the_area_link_counts():
    from wpimap.evolution import area_citing_links

    rng = np.random.default_rng(5)
    papers = [f"W{i:02d}" for i in range(12)]
    area = {p: (0 if i < 4 else 1 if i < 8 else 2) for i, p in enumerate(papers)}
    rows = [(f"C{c:03d}", w) for c in range(120) for w in rng.choice(papers, int(rng.integers(1, 5)), replace=False)]
    refs = pd.DataFrame(rows, columns=["citing_id", "cited_id"])
    A, _, core_index = incidence(papers, refs)
    cc = cocitation(A, min_count=2, min_strength=0.3, core_index=core_index)  # drops many pairs
    core = pd.DataFrame({"work_id": papers, "area": [area[p] for p in papers]})
    out = explain_link(1, 0, core, refs, cc, all_pairs=True)
    # brute force: every (paper of area 1, paper of area 0, citing paper citing both)
    cited_by = refs.groupby("citing_id")["cited_id"].agg(set)
    expected = {(x, y, c) for c, ws in cited_by.items() for x in ws for y in ws if area[x] == 1 and area[y] == 0}
    assert set(zip(out["a"], out["b"], out["citing_id"], strict=True)) == expected and len(out) == len(expected)
    # one row per citing paper of a pair, and all of them make the area link's count
    per_pair = out.groupby(["a", "b"]).agg(n=("citing_id", "size"), count=("count", "first"))
    assert (per_pair["n"] == per_pair["count"]).all()
    link = area_citing_links(core, refs).set_index(["area_a", "area_b"]).loc[(0, 1), "count"]
    assert len(out) == link
    # strengths only where the thresholds kept the pair
    kept = {(min(a, b), max(a, b)) for a, b in zip(cc["a"], cc["b"], strict=True)}
    has = out["strength"].notna().to_numpy()
    assert has.any() and not has.all()
    assert all(((min(a, b), max(a, b)) in kept) == h for a, b, h in zip(out["a"], out["b"], has, strict=True))
