"""Participation of countries and centers on a hand-built map where every number is known."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpimap.participation import PARTICIPATION_COLUMNS, citing_membership, participation, participation_tables


@pytest.fixture()
def world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # area 0: P1 P2 P3 ; area 1: P4 P5 ; area 2: P6 ; P7 unassigned (-1, ignored)
    core = pd.DataFrame(
        {"work_id": ["P1", "P2", "P3", "P4", "P5", "P6", "P7"], "area": [0, 0, 0, 1, 1, 2, -1]}
    )
    rows = [
        # P1: 3 addresses -> JP 2/3, US 1/3
        ("P1", 1, "Univ Tokyo", "JP", None),
        ("P1", 2, "Kyoto Univ", "JP", None),
        ("P1", 3, "MIT", "US", None),
        # P2: two authors at the same address -> 1 address, US 1
        ("P2", 1, "MIT", "US", None),
        ("P2", 2, "MIT", "US", None),
        # P3: GB 1 ; the row without a country is no address
        ("P3", 1, "Oxford", "GB", None),
        ("P3", 2, "Somewhere", None, None),
        # P4: JP (center IPMU) 1/2, DE 1/2
        ("P4", 1, "Kavli IPMU, Univ Tokyo", "JP", "IPMU"),
        ("P4", 2, "MPI", "DE", None),
        # P5: DE 1 ; P6: JP 1 ; P7: FR (area -1, ignored)
        ("P5", 1, "MPI", "DE", None),
        ("P6", 1, "Osaka Univ", "JP", None),
        ("P7", 1, "CNRS", "FR", None),
    ]
    au = pd.DataFrame(rows, columns=["work_id", "author_position", "address", "country", "center"])
    flags = pd.DataFrame(
        {"area": [0, 1, 2], "emerging": [False, True, True], "interdisciplinary": [True, False, True]}
    )
    return core, au, flags


def test_country_participation(world):
    core, au, flags = world
    out = participation(core, au, flags, "country", 0.5, period="2015-2020")
    assert list(out.columns[: len(PARTICIPATION_COLUMNS)]) == PARTICIPATION_COLUMNS
    assert out["entity"].tolist() == ["JP", "DE", "GB", "US"]  # areas desc, then name; FR absent
    r = out.set_index("entity")
    assert (r["period"] == "2015-2020").all()
    # JP: areas 0,1,2 ; papers P1 P4 P6 ; 2/3 + 1/2 + 1 ; leads area 2 only (1/1), area 0: (2/3)/3, area 1: .5/2
    assert r.loc["JP", "areas"] == 3
    assert r.loc["JP", "area_share"] == pytest.approx(1.0)
    assert r.loc["JP", "core_whole"] == 3
    assert r.loc["JP", "core_fractional"] == pytest.approx(2 / 3 + 1 / 2 + 1)
    assert r.loc["JP", "led_areas"] == 1
    assert r.loc["JP", "emerging_areas"] == 2
    assert r.loc["JP", "interdisciplinary_areas"] == 2
    # US: area 0 ; P1 P2 ; 1/3 + 1 ; (4/3)/3 < .5 -> not led
    assert r.loc["US", "areas"] == 1
    assert r.loc["US", "area_share"] == pytest.approx(1 / 3)
    assert r.loc["US", "core_whole"] == 2
    assert r.loc["US", "core_fractional"] == pytest.approx(4 / 3)
    assert r.loc["US", "led_areas"] == 0
    assert (r.loc["US", "emerging_areas"], r.loc["US", "interdisciplinary_areas"]) == (0, 1)
    # DE: area 1 ; P4 P5 ; 1/2 + 1 = 1.5 -> 1.5/2 = .75 >= .5 -> leads it
    assert (r.loc["DE", "areas"], r.loc["DE", "core_whole"], r.loc["DE", "led_areas"]) == (1, 2, 1)
    assert r.loc["DE", "core_fractional"] == pytest.approx(1.5)
    assert r.loc["DE", "emerging_areas"] == 1
    # GB: 1 of 3 papers of area 0 -> not led
    assert (r.loc["GB", "areas"], r.loc["GB", "core_whole"], r.loc["GB", "led_areas"]) == (1, 1, 0)
    # fractional counts of all countries sum to the number of papers with an address (6)
    assert r["core_fractional"].sum() == pytest.approx(6.0)


def test_center_participation_and_led_threshold(world):
    core, au, flags = world
    out = participation(core, au, flags, "center", 0.5).set_index("entity")
    assert list(out.index) == ["IPMU"]
    # IPMU: P4 only, 1/2 of it; area 1 share (1/2)/2 = .25
    assert out.loc["IPMU", "areas"] == 1
    assert out.loc["IPMU", "core_fractional"] == pytest.approx(0.5)
    assert out.loc["IPMU", "led_areas"] == 0
    assert out.loc["IPMU", "emerging_areas"] == 1
    led = participation(core, au, flags, "center", 0.25).set_index("entity")
    assert led.loc["IPMU", "led_areas"] == 1  # share .25 >= .25


def test_exclude_centers_counterfactual(world):
    core, au, flags = world
    out = participation(core, au, flags, "country", exclude_centers=True).set_index("entity")
    # without the IPMU address, JP keeps P1 (area 0) and P6 (area 2)
    assert out.loc["JP", "areas"] == 2
    assert out.loc["JP", "core_fractional"] == pytest.approx(2 / 3 + 1)


def test_citing_membership_and_citing_participation(world):
    core, au, _ = world
    refs = pd.DataFrame(
        {
            "citing_id": ["C1", "C1", "C1", "C2", "C3"],
            "cited_id": ["P1", "P2", "P4", "P6", "P7"],
        }
    )
    works = pd.DataFrame({"work_id": ["C1", "C2", "C3"], "year": [2016, 2010, 2016]})
    # C1 cites area 0 twice (one row) and area 1 ; C2 is outside the years ; C3 cites an unassigned paper
    mem = citing_membership(core, refs, works, (2015, 2020))
    assert sorted(map(tuple, mem[["work_id", "area"]].to_numpy().tolist())) == [("C1", 0), ("C1", 1)]
    cau = pd.DataFrame({"work_id": ["C1", "C1"], "institution": ["ETH", "RIKEN"], "country": ["CH", "JP"]})
    out = participation(mem, cau, None, "country").set_index("entity")
    # C1 splits 1/2 CH, 1/2 JP ; it is in both areas ; counted once as a paper
    assert out.loc["JP", "areas"] == 2
    assert out.loc["JP", "core_whole"] == 1
    assert out.loc["JP", "core_fractional"] == pytest.approx(0.5)
    assert out.loc["JP", "led_areas"] == 2  # 0.5 of the single citing paper of each area


def test_bad_entity(world):
    core, au, flags = world
    with pytest.raises(ValueError, match="entity"):
        participation(core, au, flags, "city")


def test_participation_tables_with_citing(world):
    core, au, flags = world
    refs = pd.DataFrame({"citing_id": ["C1", "C1", "C2"], "cited_id": ["P1", "P6", "P4"]})
    works = pd.DataFrame({"work_id": ["C1", "C2"], "year": [2016, 2016]})
    cau = pd.DataFrame({"work_id": ["C1", "C2"], "address": ["RIKEN", "MIT"], "country": ["JP", "US"]})
    au2 = pd.concat([au, cau], ignore_index=True)
    cores = {"2011-2016": core, "2015-2020": core[core["area"] != 1]}
    areas = {"2011-2016": flags, "2015-2020": flags[flags["area"] != 1]}
    t = participation_tables(list(cores), cores, areas, au2, refs, {"led_share": 0.5, "citing": True}, works)
    c = t["countries"].set_index(["period", "entity"])
    # 2011-2016 as in test_country_participation, plus citing: C1 (JP) cites areas 0 and 2 ; C2 (US) area 1
    assert c.loc[("2011-2016", "JP"), "areas"] == 3
    assert c.loc[("2011-2016", "JP"), "areas_citing"] == 2
    assert c.loc[("2011-2016", "JP"), "citing_whole"] == 1
    assert c.loc[("2011-2016", "US"), "areas_citing"] == 1
    assert c.loc[("2011-2016", "GB"), "areas_citing"] == 0
    # 2015-2020 has 2 areas (0, 2); P4's area is gone, so C2 cites nothing of that map and DE is absent
    assert c.loc[("2015-2020", "JP"), "area_share"] == pytest.approx(1.0)
    assert ("2015-2020", "DE") not in c.index
    assert c.loc[("2015-2020", "US"), "areas_citing"] == 0
    assert list(t["centers"]["entity"]) == ["IPMU"]  # only in 2011-2016
    with pytest.raises(ValueError, match="citing"):
        participation_tables(list(cores), cores, areas, au2, None, {"citing": True})


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 4), st.sampled_from(["JP", "US", "GB", None])),
        min_size=1,
        max_size=30,
    ),
    st.lists(st.integers(-1, 3), min_size=8, max_size=8),
)
def test_participation_matches_brute_force(rows, area_of):
    # rows: (paper, institution, country) ; area_of[paper] = its area (-1: unassigned)
    core = pd.DataFrame({"work_id": [f"P{i}" for i in range(8)], "area": area_of})
    au = pd.DataFrame(
        [(f"P{p}", f"I{i}", c) for p, i, c in rows], columns=["work_id", "institution", "country"]
    )
    out = participation(core, au, None, "country", 0.5).set_index("entity")
    # brute force with plain Python sets and loops
    addrs: dict[str, set] = {}
    for p, i, c in rows:
        if c is not None:
            addrs.setdefault(f"P{p}", set()).add((f"I{i}", c))
    papers_of_area: dict[int, list[str]] = {}
    for k, a in enumerate(area_of):
        if a >= 0:
            papers_of_area.setdefault(a, []).append(f"P{k}")
    for country in ("JP", "US", "GB"):
        areas = led = whole = 0
        frac = 0.0
        for papers in papers_of_area.values():
            share = sum(
                sum(1 for _, c in addrs.get(p, ()) if c == country) / len(addrs[p])
                for p in papers
                if p in addrs
            )
            if any(c == country for p in papers for _, c in addrs.get(p, ())):
                areas += 1
                led += share / len(papers) >= 0.5
        for p in {p for ps in papers_of_area.values() for p in ps}:
            n = sum(1 for _, c in addrs.get(p, ()) if c == country)
            if n:
                whole += 1
                frac += n / len(addrs[p])
        if areas == 0:
            assert country not in out.index
            continue
        assert out.loc[country, "areas"] == areas
        assert out.loc[country, "led_areas"] == led
        assert out.loc[country, "core_whole"] == whole
        assert out.loc[country, "core_fractional"] == pytest.approx(frac)
        assert out.loc[country, "area_share"] == pytest.approx(areas / len(papers_of_area))
