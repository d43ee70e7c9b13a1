"""WPI contribution and the counterfactual on a hand-built map."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from wpimap.participation import participation
from wpimap.wpi import ALL_CENTERS, center_fields, wpi_contribution, wpi_contribution_tables


@pytest.fixture()
def world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    # area 0: P1 (JP only through center X, and US)      emerging, interdisciplinary
    # area 1: P2 (JP Kyoto), P3 (JP center X)
    # area 2: P4 (JP only through center Y)              interdisciplinary
    # area 3: P5 (US only)                               emerging
    core = pd.DataFrame({"work_id": ["P1", "P2", "P3", "P4", "P5"], "area": [0, 1, 1, 2, 3]})
    au = pd.DataFrame(
        [
            ("P1", "X Institute, Univ Tokyo", "JP", "X"),
            ("P1", "MIT", "US", None),
            ("P2", "Kyoto Univ", "JP", None),
            ("P3", "X Institute, Univ Tokyo", "JP", "X"),
            ("P4", "Y Center, Osaka Univ", "JP", "Y"),
            ("P5", "Harvard", "US", None),
        ],
        columns=["work_id", "address", "country", "center"],
    )
    flags = pd.DataFrame(
        {
            "area": [0, 1, 2, 3],
            "emerging": [True, False, False, True],
            "interdisciplinary": [True, False, True, False],
        }
    )
    works = pd.DataFrame(
        {
            "work_id": ["P1", "P2", "P3", "P4", "P5"],
            "fields": [["Physics"], ["Chemistry"], ["Physics", "Mathematics"], ["Biology"], ["Physics"]],
        }
    )
    return core, au, flags, works


def test_wpi_contribution_by_hand(world):
    core, au, flags, _ = world
    pc = participation(core, au, flags, "center", period="P")
    out = wpi_contribution(pc, core, au, flags, focus="JP", period="P").set_index("center")
    assert list(out.index) == ["X", "Y", ALL_CENTERS]
    # Japan: areas {0,1,2}; emerging {0}; interdisciplinary {0,2}
    assert (out["focus_areas"] == 3).all()
    assert (out["focus_emerging_areas"] == 1).all()
    assert (out["focus_interdisciplinary_areas"] == 2).all()
    x, y, a = out.loc["X"], out.loc["Y"], out.loc[ALL_CENTERS]
    # X: areas {0,1}; emerging {0}; interdisciplinary {0}
    assert (x["areas"], x["emerging_areas"], x["interdisciplinary_areas"]) == (2, 1, 1)
    assert x["area_contribution"] == pytest.approx(2 / 3)
    assert x["emerging_contribution"] == pytest.approx(1.0)
    assert x["interdisciplinary_contribution"] == pytest.approx(0.5)
    # without X, Japan keeps area 1 (Kyoto) and area 2 (Y): only via X = {0}
    assert (x["only_via_areas"], x["only_via_emerging"], x["only_via_interdisciplinary"]) == (1, 1, 1)
    # Y: area {2}; only via Y = {2}
    assert (y["areas"], y["emerging_areas"], y["interdisciplinary_areas"]) == (1, 0, 1)
    assert y["emerging_contribution"] == 0.0
    assert (y["only_via_areas"], y["only_via_emerging"], y["only_via_interdisciplinary"]) == (1, 0, 1)
    # all centers: areas {0,1,2}; without any center Japan keeps only area 1 -> only via = {0, 2}
    assert (a["areas"], a["emerging_contribution"], a["interdisciplinary_contribution"]) == (3, 1.0, 1.0)
    assert (a["only_via_areas"], a["only_via_emerging"], a["only_via_interdisciplinary"]) == (2, 1, 2)
    # core share: Japan's papers P1..P4 (whole 4; fractional 1/2 + 1 + 1 + 1 = 3.5)
    assert x["core_share_whole"] == pytest.approx(2 / 4)  # P1, P3
    assert y["core_share_whole"] == pytest.approx(1 / 4)
    assert a["core_share_whole"] == pytest.approx(3 / 4)
    assert x["core_share_fractional"] == pytest.approx(1.5 / 3.5)
    assert a["core_share_fractional"] == pytest.approx(2.5 / 3.5)
    # the centers' own core papers: X has P1 (1/2) and P3 (1); all centers add P4 (1)
    assert (x["center_whole"], x["center_fractional"]) == (2, 1.5)
    assert (a["center_whole"], a["center_fractional"]) == (3, 2.5)
    # carried over from the participation table (IPMU-style led areas: X holds 1/2 of area 0, 1/2 of area 1)
    assert x["led_areas"] == 2
    assert pd.isna(a["led_areas"])
    assert (out["period"] == "P").all()


def test_center_fields(world):
    _, au, _, works = world
    out = center_fields(works, au)
    got = {(r.center, r.field): (r.papers, r.share) for r in out.itertuples()}
    # X: P1 Physics 1 + P3 Physics .5 / Mathematics .5 -> 1.5, .5 ; Y: P4 Biology 1
    assert got[("X", "Physics")] == pytest.approx((1.5, 0.75))
    assert got[("X", "Mathematics")] == pytest.approx((0.5, 0.25))
    assert got[("Y", "Biology")] == pytest.approx((1.0, 1.0))
    assert len(got) == 3


def test_wpi_contribution_tables_per_period(world):
    core, au, flags, _ = world
    cores = {"2011-2016": core, "2013-2018": core[core["work_id"] != "P1"]}
    areas = {"2011-2016": flags, "2013-2018": flags}
    pc = pd.concat([participation(cores[p], au, flags, "center", period=p) for p in cores], ignore_index=True)
    out = wpi_contribution_tables(list(cores), cores, areas, au, pc, focus="JP")
    assert out[["period", "center"]].to_numpy().tolist() == [
        ["2011-2016", "X"],
        ["2011-2016", "Y"],
        ["2011-2016", ALL_CENTERS],
        ["2013-2018", "X"],
        ["2013-2018", "Y"],
        ["2013-2018", ALL_CENTERS],
    ]
    later = out[out["period"] == "2013-2018"].set_index("center")
    # without P1 Japan is in areas 1 and 2 only; X only in area 1 (where Kyoto is too)
    assert later.loc["X", "focus_areas"] == 2
    assert later.loc["X", "only_via_areas"] == 0
    assert np.isnan(later.loc["X", "emerging_contribution"])  # Japan has no emerging area left
    assert later.loc[ALL_CENTERS, "only_via_areas"] == 1  # area 2 through Y
