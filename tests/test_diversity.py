"""Field distances, Rao–Stirling diversity and the interdisciplinarity flag on hand-made data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from wpimap.diversity import area_diversity, field_distances, flag_interdisciplinary


@pytest.fixture()
def corpus() -> tuple[pd.DataFrame, pd.DataFrame]:
    # W1 [A], W2 [B], W3 [A, B] (half each), W4 [C], W5 [D] (cites and is cited by nothing)
    works = pd.DataFrame(
        {
            "work_id": ["W1", "W2", "W3", "W4", "W5"],
            "fields": [["A"], ["B"], ["A", "B"], ["C"], ["D"]],
        }
    )
    # links and their contributions to profile[citing field][cited field]:
    # W1->W2: A->B 1 ; W1->W4: A->C 1 ; W2->W1: B->A 1 ; W3->W1: A->A .5, B->A .5
    # W4->W3: C->A .5, C->B .5 ; W2->(unresolved) ignored
    refs = pd.DataFrame(
        {
            "citing_id": ["W1", "W1", "W2", "W3", "W4", "W2"],
            "cited_key": list("abcdef"),
            "cited_id": ["W2", "W4", "W1", "W1", "W3", None],
        }
    )
    return works, refs


def test_field_distances_by_hand(corpus):
    works, refs = corpus
    d = field_distances(works, refs)
    # profiles: A = [.5, 1, 1, 0], B = [1.5, 0, 0, 0], C = [.5, .5, 0, 0], D = 0
    # |A| = 1.5, |B| = 1.5, |C| = sqrt(.5)
    # cos(A,B) = .75 / 2.25 = 1/3 ; cos(A,C) = (.25 + .5) / (1.5 sqrt(.5)) = 1/sqrt2 ; cos(B,C) = .75/(1.5 sqrt(.5))
    assert list(d.index) == ["A", "B", "C", "D"]
    assert d.loc["A", "B"] == pytest.approx(2 / 3)
    assert d.loc["A", "C"] == pytest.approx(1 - 1 / math.sqrt(2))
    assert d.loc["B", "C"] == pytest.approx(1 - 1 / math.sqrt(2))
    # D has an empty profile: distance 1 to all others, 0 to itself
    assert d.loc["D", ["A", "B", "C"]].tolist() == [1.0, 1.0, 1.0]
    assert np.allclose(np.diag(d.to_numpy()), 0.0)
    assert np.allclose(d.to_numpy(), d.to_numpy().T)


def test_area_diversity_by_hand(corpus):
    works, refs = corpus
    d = field_distances(works, refs)
    core = pd.DataFrame(
        {
            "work_id": ["W1", "W2", "W3", "X1", "X2", "X3", "Y1", "Z1"],
            "area": [0, 0, 0, 1, 1, 1, 2, -1],
            "fields": [["A"], ["B"], ["A", "B"], ["C"], ["C"], ["A"], ["A"], ["B"]],
        }
    )
    div = area_diversity(core, d).set_index("area")
    assert list(div.index) == [0, 1, 2]  # area -1 ignored
    # area 0: p_A = (1 + .5)/3 = .5, p_B = .5 ; Δ = 2 * .25 * 2/3 = 1/3
    assert div.loc[0, "rao_stirling"] == pytest.approx(1 / 3)
    assert div.loc[0, "shannon"] == pytest.approx(math.log(2))
    assert div.loc[0, "effective_fields"] == pytest.approx(1.5)
    assert div.loc[0, "dominant_field"] == "A"  # tie .5/.5: alphabetical
    assert div.loc[0, "dominant_share"] == pytest.approx(0.5)
    assert div.loc[0, "n_fields"] == 2
    # area 1: p_C = 2/3, p_A = 1/3 ; Δ = 2 * 2/9 * (1 - 1/sqrt2)
    assert div.loc[1, "rao_stirling"] == pytest.approx(4 / 9 * (1 - 1 / math.sqrt(2)))
    assert div.loc[1, "dominant_field"] == "C"
    assert div.loc[1, "shannon"] == pytest.approx(-(2 / 3) * math.log(2 / 3) - (1 / 3) * math.log(1 / 3))
    # area 2: a single field
    assert div.loc[2, "rao_stirling"] == 0.0
    assert div.loc[2, "shannon"] == 0.0
    assert div.loc[2, "effective_fields"] == 1.0


def test_rao_stirling_matches_double_loop():
    rng = np.random.default_rng(7)
    fields = [f"F{i}" for i in range(6)]
    m = rng.random((6, 6))
    m = (m + m.T) / 2
    np.fill_diagonal(m, 0)
    dist = pd.DataFrame(m, index=fields, columns=fields)
    rows = []
    for area in range(5):
        for k in range(int(rng.integers(1, 9))):
            nf = int(rng.integers(1, 4))
            rows.append(
                {
                    "work_id": f"a{area}p{k}",
                    "area": area,
                    "fields": list(rng.choice(fields, nf, replace=False)),
                }
            )
    core = pd.DataFrame(rows)
    div = area_diversity(core, dist).set_index("area")
    for area, grp in core.groupby("area"):
        p = dict.fromkeys(fields, 0.0)
        for fl in grp["fields"]:
            for f in fl:
                p[f] += 1 / len(fl)
        tot = sum(p.values())
        p = {f: v / tot for f, v in p.items()}
        delta = 0.0
        for i in fields:
            for j in fields:
                if i != j:
                    delta += p[i] * p[j] * dist.loc[i, j]
        assert div.loc[area, "rao_stirling"] == pytest.approx(delta)
        assert div.loc[area, "shannon"] == pytest.approx(-sum(v * math.log(v) for v in p.values() if v > 0))
        assert div.loc[area, "effective_fields"] == pytest.approx(1 / (1 - delta))


def test_flag_interdisciplinary_rules():
    div = pd.DataFrame(
        {
            "area": [0, 1, 2, 3, 4],
            "rao_stirling": [0.1, 0.2, 0.3, 0.4, 0.05],
            "dominant_share": [0.9, 0.45, 0.9, 0.3, 0.9],
        }
    )
    # 0.75 quantile of [.05, .1, .2, .3, .4] (linear) = position 3 = 0.3
    out = flag_interdisciplinary(div, 0.75, 0.5)
    assert out["interdisciplinary_rule"].tolist() == ["", "dominant_share", "rao_stirling", "both", ""]
    assert out["interdisciplinary"].tolist() == [False, True, True, True, False]


def test_flag_single_field_map_flags_nothing():
    div = pd.DataFrame({"area": [0, 1], "rao_stirling": [0.0, 0.0], "dominant_share": [1.0, 1.0]})
    assert not flag_interdisciplinary(div)["interdisciplinary"].any()
