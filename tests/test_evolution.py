"""Continuity, Sci-GEO types, transitions, emergence and Kleinberg bursts on hand-built maps."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from wpimap.evolution import (
    area_links,
    currency,
    emerging,
    evolve,
    growth,
    kleinberg_bursts,
    link_areas,
    predecessors_column,
    scigeo,
    transitions,
    vanish_rates,
)


def _core(groups: dict[int, list[str]]) -> pd.DataFrame:
    rows = [(w, a) for a, ws in groups.items() for w in ws]
    return pd.DataFrame(rows, columns=["work_id", "area"])


PREV = _core({0: ["a", "b", "c", "d"], 1: ["e", "f"]})
CUR = _core(
    {
        10: ["a", "b", "c", "x"],  # 3 of 4 were in area 0 -> overlap .75
        11: ["e"] + [f"y{i}" for i in range(9)],  # 1 of 10 was in area 1 -> overlap .1 (= min_overlap)
        12: ["z1", "z2"],  # new
        13: ["w1", "w2"],  # new
    }
)


def test_link_areas_shared_and_predecessors():
    links = link_areas(PREV, CUR)
    got = {(r.area, r.predecessor): (r.overlap, r.shared, r.link_type) for r in links.itertuples()}
    assert got == {(10, 0): (0.75, 3, "shared"), (11, 1): (0.1, 1, "shared")}
    pred = predecessors_column([10, 11, 12, 13], links)
    assert pred.tolist() == ["0:0.7500", "1:0.1000", "", ""]


def test_link_areas_cocitation_for_areas_without_overlap():
    # C1..C3 cite z1 (area 12) and f (previous area 1); C4 cites z2 only; C5 cites e only
    # citing papers: area 12 -> {C1..C4} = 4 ; previous area 1 -> {C1, C2, C3, C5} = 4 ; both: 3
    refs = pd.DataFrame(
        {
            "citing_id": ["C1", "C1", "C2", "C2", "C3", "C3", "C4", "C5", "C6"],
            "cited_id": ["z1", "f", "z1", "f", "z1", "f", "z2", "e", "w1"],
        }
    )
    links = link_areas(PREV, CUR, refs, min_count=2)
    co = links[links["link_type"] == "cocitation"]
    assert co[["area", "predecessor"]].to_numpy().tolist() == [[12, 1]]
    assert co["overlap"].iloc[0] == pytest.approx(3 / math.sqrt(4 * 4))
    # area 13 (w1 cited by C6 only, with nothing of the previous map) stays unlinked
    assert 13 not in set(links["area"])
    # areas with shared papers are not linked by co-citation
    assert set(links.loc[links["area"].isin([10, 11]), "link_type"]) == {"shared"}


def test_scigeo_all_four_types():
    links = link_areas(PREV, CUR)
    # co-citation edges: x (area 10) - z1 (area 12) strength 1.0 ; a - b inside area 10 (ignored)
    cocit = pd.DataFrame({"a": ["x", "a"], "b": ["z1", "b"], "count": [3, 5], "strength": [1.0, 0.9]})
    graph = area_links(CUR, cocit)
    assert graph[["area_a", "area_b", "weight"]].to_numpy().tolist() == [[10, 12, 1.0]]
    areas = pd.DataFrame({"area": [10, 11, 12, 13]})
    # strengths 10: 1, 11: 0, 12: 1, 13: 0 -> median .5 ; continuous: 10 (.75), 11 (.1 >= .1)
    types = scigeo(areas, links, graph, min_overlap=0.1, strong_link="median")
    assert types.to_dict() == {10: "continent", 11: "island", 12: "peninsula", 13: "small_island"}
    # a numeric threshold above every strength: nothing is strong
    weak = scigeo(areas, links, graph, min_overlap=0.1, strong_link=2.0)
    assert weak.to_dict() == {10: "island", 11: "island", 12: "small_island", 13: "small_island"}
    # a stricter min_overlap makes area 11 new
    assert scigeo(areas, links, graph, min_overlap=0.2)[11] == "small_island"
    # first map: no previous period -> unknown
    assert scigeo(areas, None, graph).isna().all()


def test_transitions_with_vanished():
    types = {
        "p1": pd.Series({0: "continent", 1: "small_island", 2: "small_island", 3: "island"}),
        "p2": pd.Series({10: "continent", 11: "island", 14: "small_island", 15: "peninsula"}),
    }
    links = {
        "p1": None,
        "p2": pd.DataFrame(
            {
                "area": [10, 15, 11, 14],
                "predecessor": [0, 0, 1, 3],
                "overlap": [0.75, 1.0, 0.1, 0.05],
                "shared": [3, 2, 1, 1],
                "link_type": "shared",
            }
        ),
    }
    # 0 -> main successor 10 (3 shared beats 2) continent ; 1 -> 11 island ;
    # 2 -> no link: vanished ; 3 -> link below min_overlap: vanished
    tr = transitions(types, links, min_overlap=0.1)
    got = {(r.from_type, r.to_type): (r.count, r.share) for r in tr.itertuples()}
    assert got == {
        ("continent", "continent"): (1, 1.0),
        ("small_island", "island"): (1, 0.5),
        ("small_island", "vanished"): (1, 0.5),
        ("island", "vanished"): (1, 1.0),
    }
    assert set(tr["from_period"]) == {"p1"} and set(tr["to_period"]) == {"p2"}
    vr = vanish_rates(tr).set_index("from_type")
    assert vr.loc["small_island", "share"] == pytest.approx(0.5)
    assert vr.loc["island", "share"] == pytest.approx(1.0)
    assert vr.loc["continent", "vanished"] == 0


def test_currency_growth_emerging():
    core = pd.DataFrame({"area": [0, 0, 1, 1, 2], "year": [2015, 2016, 2020, 2019, 2017]})
    cur = currency(core, 2020)
    assert cur.to_dict() == {0: -4.5, 1: -0.5, 2: -3.0}
    counts = pd.DataFrame([[1, 2, 4, 8], [5, 5, 5, 5]], columns=[2017, 2018, 2019, 2020])
    g = growth(counts)
    assert g[0] == pytest.approx(np.polyfit([2017, 2018, 2019, 2020], np.log1p([1, 2, 4, 8]), 1)[0])
    assert g[1] == pytest.approx(0.0)
    # 4 areas: new = [T, T, F, T]; currency youngest quartile: >= q75 of [-1, -5, -0.5, -4] = -0.875
    new = pd.Series([True, True, False, True], dtype="boolean")
    c = pd.Series([-1.0, -5.0, -0.5, -4.0])
    gr = pd.Series([0.9, 0.9, 0.9, 0.1])  # median .9 -> growth must exceed .9
    assert emerging(new, c, gr).tolist() == [False, False, False, False]
    gr = pd.Series([1.0, 0.9, 0.9, 0.1])  # area 0 grows fastest (1.0 > median .9) but -1 < -0.875: not young
    assert emerging(new, c, gr).tolist() == [False, False, False, False]
    c = pd.Series([-0.5, -5.0, -1.0, -4.0])  # q75 of [-.5, -5, -1, -4] = -0.875: area 0 is young too
    assert emerging(new, c, gr).tolist() == [True, False, False, False]
    new_unknown = pd.Series([pd.NA, True, False, True], dtype="boolean")
    assert not emerging(new_unknown, c, gr).any()


def _brute_force_bursts(r, d, s, gamma):
    """Enumerate every 2-state sequence with the binomial costs written out with math.comb."""
    n = len(r)
    p0 = sum(r) / sum(d)
    p1 = min(s * p0, 0.9999)

    def cost(p, rt, dt):
        return -(math.log(math.comb(dt, rt)) + rt * math.log(p) + (dt - rt) * math.log(1 - p))

    best, best_q = math.inf, None
    for q in itertools.product([0, 1], repeat=n):
        c = sum(cost(p1 if q[t] else p0, r[t], d[t]) for t in range(n))
        prev = 0
        for t in range(n):
            if q[t] > prev:
                c += gamma * math.log(n)
            prev = q[t]
        if c < best - 1e-9:
            best, best_q = c, q
    return best_q, cost, p0, p1


def test_kleinberg_obvious_burst_matches_brute_force():
    r = [2, 3, 2, 2, 20, 22, 21, 2, 3, 2]
    d = [100] * 10
    bursts = kleinberg_bursts(r, d, s=2.0, gamma=1.0)
    assert [(b[0], b[1]) for b in bursts] == [(4, 6)]
    q, cost, p0, p1 = _brute_force_bursts(r, d, 2.0, 1.0)
    assert list(q) == [0, 0, 0, 0, 1, 1, 1, 0, 0, 0]
    weight = sum(cost(p0, r[t], d[t]) - cost(p1, r[t], d[t]) for t in (4, 5, 6))
    assert bursts[0][2] == pytest.approx(weight)
    assert weight > 0


def test_kleinberg_random_series_match_brute_force():
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = int(rng.integers(3, 9))
        d = rng.integers(5, 40, n).tolist()
        r = [int(rng.integers(0, x + 1) * rng.random() ** 2) for x in d]
        if sum(r) == 0:
            continue
        q, *_ = _brute_force_bursts(r, d, 2.0, 0.5)
        got = np.zeros(n, dtype=int)
        for a, b, _w in kleinberg_bursts(r, d, s=2.0, gamma=0.5):
            got[a : b + 1] = 1
        assert got.tolist() == list(q)


def test_kleinberg_flat_and_poisson():
    assert kleinberg_bursts([5, 5, 5, 5], [50, 50, 50, 50]) == []
    assert kleinberg_bursts([0, 0, 0]) == []
    bursts = kleinberg_bursts([1, 1, 1, 1, 15, 16, 1, 1])
    assert [(b[0], b[1]) for b in bursts] == [(4, 5)]
    with pytest.raises(ValueError, match="exceeds"):
        kleinberg_bursts([3], [2])


def _evolve_world():
    """Two periods; in the second, area 2 is new, young and fast-growing (emerging), area 3 new but old."""
    prev_core = pd.DataFrame(
        {
            "work_id": ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4"],
            "year": [2013, 2013, 2014, 2014, 2013, 2013, 2014, 2014],
            "area": [0, 0, 0, 0, 1, 1, 1, 1],
        }
    )
    cur_core = pd.DataFrame(
        {
            "work_id": ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "E1", "E2", "E3", "F1", "F2"],
            "year": [2013, 2013, 2014, 2014, 2013, 2013, 2014, 2014, 2020, 2019, 2020, 2015, 2016],
            "area": [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3, 3],
        }
    )
    fields = {"A": ["Physics"], "B": ["Chemistry"], "E": ["Physics", "Biology"], "F": ["Biology"]}
    core_works = pd.DataFrame({"work_id": cur_core["work_id"], "year": cur_core["year"]})
    core_works["fields"] = [fields[w[0]] for w in core_works["work_id"]]
    for c in (prev_core, cur_core):
        c["fields"] = [fields[w[0]] for w in c["work_id"]]
    cites, citing = [], []
    # each year 2013-2020: two papers cite A1, two cite B1, one cites F1
    for y in range(2013, 2021):
        for k, target in enumerate(["A1", "A1", "B1", "B1", "F1"]):
            cid = f"c{y}_{k}"
            citing.append((cid, y, ["Physics"]))
            cites.append((cid, target))
    # area 2 (E): 1 citing paper in 2019, 6 in 2020
    for y, n in ((2019, 1), (2020, 6)):
        for k in range(n):
            cid = f"e{y}_{k}"
            citing.append((cid, y, ["Biology"]))
            cites.append((cid, "E1"))
    works = pd.concat(
        [core_works, pd.DataFrame(citing, columns=["work_id", "year", "fields"])], ignore_index=True
    )
    refs = pd.DataFrame(cites, columns=["citing_id", "cited_id"])
    refs["cited_key"] = refs["cited_id"]
    cocit = {
        "2013-2018": pd.DataFrame({"a": ["A1"], "b": ["B1"], "count": [3], "strength": [0.5]}),
        "2015-2020": pd.DataFrame(
            {"a": ["A1", "E1"], "b": ["B1", "E2"], "count": [3, 4], "strength": [0.5, 0.8]}
        ),
    }
    cores = {"2013-2018": prev_core, "2015-2020": cur_core}
    areas = {"2013-2018": pd.DataFrame({"area": [0, 1]}), "2015-2020": pd.DataFrame({"area": [0, 1, 2, 3]})}
    return cores, cocit, areas, works, refs


def test_evolve_flags_the_emerging_area():
    cores, cocit, areas, works, refs = _evolve_world()
    # this world's links between areas are its hand-made co-citation pairs
    out = evolve(["2013-2018", "2015-2020"], cores, cocit, areas, works, refs, {"continuity": {"area_links": "pairs"}})
    first, second = out["2013-2018"], out["2015-2020"].set_index("area")
    # first map: continuity and type unknown, nothing emerging
    assert first["continuous"].isna().all() and first["scigeo"].isna().all() and not first["emerging"].any()
    # second map: 0 and 1 continue (overlap 1) and are linked to each other (0.5 > median 0.25)
    assert second["scigeo"].to_dict() == {
        0: "continent",
        1: "continent",
        2: "small_island",
        3: "small_island",
    }
    assert second.loc[0, "predecessors"] == "0:1.0000"
    assert second.loc[2, "predecessors"] == ""
    # currency: E = (2020 + 2019 + 2020)/3 - 2020 ; F = 2015.5 - 2020
    assert second.loc[2, "currency"] == pytest.approx(-1 / 3)
    assert second.loc[3, "currency"] == pytest.approx(-4.5)
    # growth: E counts over 2015..2020 = [0, 0, 0, 0, 1, 6] ; others flat (0)
    expected = np.polyfit(range(2015, 2021), np.log1p([0, 0, 0, 0, 1, 6]), 1)[0]
    assert second.loc[2, "growth"] == pytest.approx(expected)
    assert second.loc[3, "growth"] == pytest.approx(0.0)
    assert second["emerging"].to_dict() == {0: False, 1: False, 2: True, 3: False}
    # burst of area 2 against the map's citing papers per year [5, 5, 5, 5, 6, 11]
    r, d = [0, 0, 0, 0, 1, 6], [5, 5, 5, 5, 6, 11]
    q, *_ = _brute_force_bursts(r, d, 2.0, 1.0)
    assert second.loc[2, "burst_start"] == 2015 + list(q).index(1)
    assert second.loc[2, "burst_strength"] > 0
    assert pd.isna(second.loc[0, "burst_start"])
    # area 2 mixes Physics and Biology half-half; interdisciplinary by dominant share 0.5
    assert second.loc[2, "dominant_share"] == pytest.approx(0.5)
    assert bool(second.loc[2, "interdisciplinary"])
    for col in ("rao_stirling", "shannon", "effective_fields", "interdisciplinary_rule", "link_strength"):
        assert col in second.columns
    assert out["transitions"].empty  # the first map's types are unknown
    assert set(out["links"]["period"]) == {"2015-2020"}


def test_evolve_with_an_empty_period_and_areas_key():
    cores, cocit, areas, works, refs = _evolve_world()
    cores = {"2009-2014": cores["2013-2018"].iloc[0:0], **cores}
    cocit = {"2009-2014": cocit["2013-2018"].iloc[0:0], **cocit}
    areas = {"2009-2014": pd.DataFrame({"area": pd.Series(dtype=np.int64)}), **areas}
    out = evolve(list(cores), cores, cocit, areas, works, refs, {"continuity": {"min_overlap": 0.5}})
    assert out["2009-2014"].empty
    # the empty map is no previous map: the next one's continuity stays unknown
    assert out["2013-2018"]["scigeo"].isna().all()
    assert out["areas"]["2015-2020"] is out["2015-2020"]
    # 2013-2018 types are unknown, so no transition is counted
    assert out["transitions"].empty


def test_evolve_bad_input_one_line_error():
    cores, cocit, areas, works, refs = _evolve_world()
    cores["2015-2020"] = cores["2015-2020"].drop(columns="area")
    with pytest.raises(ValueError, match=r"period 2015-2020, core: missing column\(s\) area"):
        evolve(list(cores), cores, cocit, areas, works, refs)


def _brute_area_links(core: pd.DataFrame, refs: pd.DataFrame) -> pd.DataFrame:
    """Area links by a loop over citing papers and their pairs of cited core papers."""
    from collections import Counter

    area = {w: a for w, a in zip(core["work_id"], core["area"], strict=True) if a >= 0}
    pair, own = Counter(), Counter()
    for _, g in refs.drop_duplicates(["citing_id", "cited_id"]).groupby("citing_id"):
        cited = sorted(c for c in g["cited_id"] if c in area)
        n = Counter(area[c] for c in cited)
        for x, k in n.items():
            own[x] += k * k
        for a, b in itertools.combinations(cited, 2):
            x, y = sorted((area[a], area[b]))
            if x != y:
                pair[(x, y)] += 1
    rows = [(x, y, c / np.sqrt(own[x] * own[y]), c) for (x, y), c in sorted(pair.items())]
    return pd.DataFrame(rows, columns=["area_a", "area_b", "weight", "count"])


def test_area_citing_links_equal_a_loop_over_citing_papers():
    from wpimap.evolution import area_citing_links

    rng = np.random.default_rng(3)
    core = pd.DataFrame({"work_id": [f"c{i}" for i in range(12)], "area": [0, 0, 0, 1, 1, 2, 2, 2, 3, -1, 5, 5]})
    refs = pd.DataFrame({"citing_id": rng.choice([f"p{i}" for i in range(30)], 300),
                         "cited_id": rng.choice([f"c{i}" for i in range(14)], 300)})  # c12, c13: not core
    got = area_citing_links(core, refs)
    pd.testing.assert_frame_equal(got, _brute_area_links(core, refs), check_dtype=False)
    assert ((got["weight"] > 0) & (got["weight"] <= 1)).all()
    # only the given citing papers count
    some = [f"p{i}" for i in range(10)]
    pd.testing.assert_frame_equal(area_citing_links(core, refs, some),
                                  _brute_area_links(core, refs[refs["citing_id"].isin(some)]), check_dtype=False)


def test_evolve_link_strength_from_every_citing_paper_of_the_period():
    cores, cocit, areas, works, refs = _evolve_world()
    # citing papers that cite two or three areas at once: X2016 (A1, A2, B1), Y2019 (A3, E1,
    # E2, F1), Z2012 (A1, B1; outside both periods' citing years), W2014 (B2, B3, F2)
    extra = {"X2016": ["A1", "A2", "B1"], "Y2019": ["A3", "E1", "E2", "F1"], "Z2012": ["A1", "B1"],
             "W2014": ["B2", "B3", "F2"]}
    works = pd.concat([works, pd.DataFrame({"work_id": list(extra), "year": [2016, 2019, 2012, 2014],
                                            "fields": [["Physics"]] * 4})], ignore_index=True)
    refs = pd.concat([refs, pd.DataFrame([(p, c, c) for p, cs in extra.items() for c in cs],
                                         columns=["citing_id", "cited_id", "cited_key"])], ignore_index=True)
    out = evolve(["2013-2018", "2015-2020"], cores, cocit, areas, works, refs)
    years = dict(zip(works["work_id"], works["year"], strict=True))
    for label, (start, end) in (("2013-2018", (2013, 2018)), ("2015-2020", (2015, 2020))):
        r = refs[[start <= years.get(c, 0) <= end for c in refs["citing_id"]]]
        brute = _brute_area_links(cores[label], r)
        res = out[label].set_index("area")
        for area in res.index:
            expected = brute.loc[(brute["area_a"] == area) | (brute["area_b"] == area), "weight"].sum()
            assert res.loc[area, "link_strength"] == pytest.approx(expected)
        assert res["link_strength"].gt(0).any()
    # Z2012 cites areas 0 and 1 but is outside both periods: with every year counted, more
    out_all = evolve(["2013-2018", "2015-2020"], cores, cocit, areas, works, refs,
                     {"cocitation": {"citing_years": "all"}})
    assert out_all["2013-2018"]["link_strength"].sum() > out["2013-2018"]["link_strength"].sum()
