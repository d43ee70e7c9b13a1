"""Corrected Top X% weights, core papers and references-mode core: hand-computed corpora
and property tests against a brute force in exact fractions."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpimap.core import select_core, select_core_references, top_weights


def _works(fields, years=None, doc_types=None) -> pd.DataFrame:
    n = len(fields)
    return pd.DataFrame(
        {
            "work_id": [f"W{i:03d}" for i in range(n)],
            "year": pd.array(years if years is not None else [2015] * n, dtype="Int32"),
            "doc_type": doc_types if doc_types is not None else ["article"] * n,
            "fields": fields,
        }
    )


def _weights(works, cit, percent, **kw) -> dict[str, float]:
    tw = top_weights(works, np.asarray(cit), percent, **kw)
    return dict(zip(tw["work_id"], tw["weight"], strict=True))


def test_ties_at_threshold_scaled_down() -> None:
    # 100 papers: 6 with 30 citations, 8 with 20, 86 with 1.
    # Top10%: T = 10; rank 10 has 20 citations -> threshold 20; 14 papers at or above,
    # each 10/14. Top1%: T = 1; rank 1 has 30 -> 6 tied papers, each 1/6.
    w = _works([["phys"]] * 100)
    cit = [30] * 6 + [20] * 8 + [1] * 86
    t10 = _weights(w, cit, 10)
    assert sorted(t10) == [f"W{i:03d}" for i in range(14)]
    assert all(v == pytest.approx(10 / 14) for v in t10.values())
    assert sum(t10.values()) == pytest.approx(10.0, abs=1e-12)
    t1 = _weights(w, cit, 1)
    assert sorted(t1) == [f"W{i:03d}" for i in range(6)]
    assert all(v == pytest.approx(1 / 6) for v in t1.values())


def test_distinct_counts_ceil_rank() -> None:
    # 20 papers with 20..1 citations: T = 2 -> threshold = rank 2 (19): weights 1, 1.
    assert _weights(_works([["f"]] * 20), range(20, 0, -1), 10) == {"W000": 1.0, "W001": 1.0}
    # 15 papers 15..1: T = 1.5 -> rank ceil(1.5) = 2 (14 citations); 2 papers at or
    # above share 1.5 -> 0.75 each.
    got = _weights(_works([["f"]] * 15), range(15, 0, -1), 10)
    assert got == pytest.approx({"W000": 0.75, "W001": 0.75})


def test_one_paper_cells_and_years() -> None:
    # Three cells of one paper each (two years, two fields): a cited paper holds X% of
    # its own cell (0.1 for Top10%), an uncited one is never Top.
    w = _works([["a"], ["a"], ["b"]], years=[2015, 2016, 2016])
    assert _weights(w, [5, 0, 1], 10) == pytest.approx({"W000": 0.1, "W002": 0.1})
    assert _weights(w, [5, 0, 1], 1) == pytest.approx({"W000": 0.01, "W002": 0.01})


def test_several_fields_shares() -> None:
    # W000 [bio, chem] 10 cit; W001 [bio] 5; W002 [bio] 3; W003 [chem] 8;
    # W004 [chem, bio, bio] 1 (duplicate bio -> 2 fields, share 1/2 each).
    # bio cell: W000 1/2, W001 1, W002 1, W004 1/2 -> size 3, Top50% T = 1.5.
    #   running shares 0.5 (W000), 1.5 (W001) -> threshold 5; at/above: W000, W001,
    #   A = 1.5 -> no scaling: W000 0.5, W001 1.
    # chem cell: W000 1/2, W003 1, W004 1/2 -> size 2, T = 1; running 0.5, 1.5 ->
    #   threshold 8; at/above W000, W003, A = 1.5 -> scale 2/3: W000 1/3, W003 2/3.
    # W000 total 1/2 + 1/3 = 5/6, first Top field "bio".
    w = _works([["bio", "chem"], ["bio"], ["bio"], ["chem"], ["chem", "bio", "bio"]])
    tw = top_weights(w, np.array([10, 5, 3, 8, 1]), 50).set_index("work_id")
    assert tw["weight"].to_dict() == pytest.approx({"W000": 5 / 6, "W001": 1.0, "W003": 2 / 3})
    assert tw["field"].to_dict() == {"W000": "bio", "W001": "bio", "W003": "chem"}
    cells = top_weights(w, np.array([10, 5, 3, 8, 1]), 50, per_cell=True)
    size = cells.groupby("field")["cell_size"].first().to_dict()
    assert size == pytest.approx({"bio": 3.0, "chem": 2.0})
    assert cells.groupby("field")["weight"].sum().to_dict() == pytest.approx({"bio": 1.5, "chem": 1.0})
    assert cells.groupby("field")["threshold"].first().to_dict() == {"bio": 5, "chem": 8}
    w4 = cells[cells["work_id"] == "W004"]
    assert sorted(w4["field"]) == ["bio", "chem"] and (w4["share"] == 0.5).all()


def test_eligibility() -> None:
    # only W001 (upper-case "Article") is eligible: wrong type, no year, no field, null fields
    w = _works(
        [["f"], ["f"], ["f"], [], None],
        years=[2015, 2015, None, 2015, 2015],
        doc_types=["Proceedings Paper", "Article", "article", "review", "review"],
    )
    cells = top_weights(w, np.array([9, 1, 9, 9, 9]), 10, per_cell=True)
    assert cells["work_id"].tolist() == ["W001"]
    assert _weights(w, [9, 1, 9, 9, 9], 10) == pytest.approx({"W001": 0.1})
    # citations given as a Series by work_id, missing works count 0
    tw = top_weights(w, pd.Series({"W001": 4}), 10)
    assert tw["work_id"].tolist() == ["W001"]


def test_zero_threshold_rule() -> None:
    # 10 papers, one with 3 citations. Top10%: T = 1, threshold 3 > 0 -> weight 1.
    # Top50%: T = 5, rank 5 has 0 citations: uncited papers are never Top; the cited
    # paper is kept with its unscaled share 1 (cell sums to 1 < 5).
    w = _works([["f"]] * 10)
    cit = [3] + [0] * 9
    assert _weights(w, cit, 10) == {"W000": 1.0}
    assert _weights(w, cit, 50) == {"W000": 1.0}
    # all uncited: no Top paper, the cell sums to 0
    assert _weights(w, [0] * 10, 10) == {}


def test_bad_percent() -> None:
    with pytest.raises(ValueError, match="top percent"):
        top_weights(_works([["f"]]), np.array([1]), 0)


def _brute(fields, years, cit, percent):
    """Exact-fraction weights: threshold c* = max{c : Σ shares of papers with cit >= c >= T}."""
    cells: dict = {}
    for i, (fs, y) in enumerate(zip(fields, years, strict=True)):
        distinct = list(dict.fromkeys(fs))
        for f in distinct:
            cells.setdefault((y, f), []).append((i, Fraction(1, len(distinct))))
    weights = [Fraction(0)] * len(fields)
    sums = {}
    for key, members in cells.items():
        size = sum(s for _, s in members)
        target = Fraction(percent) / 100 * size
        cstar = max(c for c in {cit[i] for i, _ in members} if sum(s for i, s in members if cit[i] >= c) >= target)
        top = [(i, s) for i, s in members if cit[i] >= cstar and cit[i] > 0]
        a = sum(s for _, s in top)
        scale = min(Fraction(1), target / a) if a else Fraction(0)
        for i, s in top:
            weights[i] += s * scale
        sums[key] = (sum(s * scale for _, s in top), target, cstar)
    return weights, sums


@settings(max_examples=50, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.lists(st.sampled_from("abcd"), min_size=1, max_size=3),
            st.integers(2015, 2016),
            st.integers(0, 6),
        ),
        min_size=1,
        max_size=60,
    ),
    percent=st.sampled_from([1, 10, 25, 50, 100, 0.5]),
)
def test_property_cells_hold_exactly_x_percent(data, percent) -> None:
    fields = [d[0] for d in data]
    years = [d[1] for d in data]
    cit = [d[2] for d in data]
    w = _works(fields, years=years)
    cells = top_weights(w, np.array(cit), percent, per_cell=True)
    brute_w, sums = _brute(fields, years, cit, percent)
    for (y, f), (total, target, cstar) in sums.items():
        got = cells[(cells["year"] == y) & (cells["field"] == f)]
        assert got["weight"].sum() == pytest.approx(float(total), rel=1e-9, abs=1e-12)
        if cstar > 0:  # the documented rule: exactly X% of the weighted cell size
            assert got["weight"].sum() == pytest.approx(float(target), rel=1e-9)
            assert got["threshold"].iloc[0] == cstar
        else:  # threshold 0: the cited papers, unscaled, hold less than X% (0 if none)
            assert total < target
    tw = dict(zip(*top_weights(w, np.array(cit), percent)[["work_id", "weight"]].to_numpy().T, strict=True))
    for i, bw in enumerate(brute_w):
        assert tw.get(f"W{i:03d}", 0.0) == pytest.approx(float(bw), rel=1e-9, abs=1e-12)


def test_select_core_period_years() -> None:
    # Period 2014-2015, Top50%: 2013 and 2016 papers are outside; each year is its own cell.
    # 2014 cell (f): W001 9 (share 1), W002 2 (1), W007 0 (1/2) -> size 2.5, T = 1.25;
    #   running 1, 2 -> threshold 2 -> W001, W002, A = 2 -> 1.25/2 = 0.625 each.
    # 2014 cell (g): W007 alone, uncited -> nothing.
    # 2015 cell (f): W003 4, W004 4, W005 1 -> T = 1.5, rank 2 = 4 -> W003, W004 tie,
    #   A = 2 -> 0.75 each.
    w = _works([["f"]] * 7 + [["g", "f"]], years=[2013, 2014, 2014, 2015, 2015, 2015, 2016, 2014])
    cit = pd.Series([50, 9, 2, 4, 4, 1, 50, 0], index=w["work_id"])
    core = select_core(w, cit, "2014-2015", top_percent=50)
    # W007 (g+f, 0 citations) is never Top
    assert core.columns.tolist() == ["work_id", "year", "field", "fields", "citations", "weight"]
    assert core["work_id"].tolist() == ["W001", "W002", "W003", "W004"]
    assert core["weight"].tolist() == pytest.approx([0.625, 0.625, 0.75, 0.75])
    assert core["citations"].tolist() == [9, 2, 4, 4]
    assert core["year"].tolist() == [2014, 2014, 2015, 2015]
    assert [list(f) for f in core["fields"]] == [["f"]] * 4


def _refs() -> pd.DataFrame:
    k1, k2, k3, k4, k5 = "SMITH J|2001|NATURE|1|1", "10.1/x", "BROWN A|1999|J|2|3", "LEE K|20xx|J|1|1", "X|2005|Y"
    rows = [
        ("c1", k1, "W9"), ("c2", k1, "W9"), ("c3", k1, "W9"), ("c1", k1, "W9"),  # 3 citing records
        ("c1", k2, None), ("c2", k2, None), ("c3", k2, None),  # 3
        ("c1", k3, None), ("c2", k3, None),  # 2
        ("c1", k4, None), ("c4", k4, None),  # 2
        ("c1", k5, None),  # 1
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["citing_id", "cited_key", "cited_id"])


def test_select_core_references() -> None:
    top2 = select_core_references(_refs(), top_n=2, min_citations=2)
    # counts 3, 3, 2, 2, 1: the 2nd has 3 -> k1, k2
    assert top2["work_id"].tolist() == ["10.1/x", "W9"]
    assert top2["citations"].tolist() == [3, 3]
    assert top2["year"].tolist()[1] == 2001 and pd.isna(top2["year"].iloc[0])
    assert (top2["weight"] == 1.0).all() and top2["field"].isna().all()
    top3 = select_core_references(_refs(), top_n=3, min_citations=2)
    # 3rd has 2 citations: both 2-citation keys kept (ties), the 1-citation key not
    assert sorted(top3["citations"]) == [2, 2, 3, 3]
    yrs = dict(zip(top3["cited_key"], top3["year"], strict=True))
    assert yrs["BROWN A|1999|J|2|3"] == 1999 and pd.isna(yrs["LEE K|20xx|J|1|1"])
    assert len(select_core_references(_refs(), top_n=10, min_citations=3)) == 2
    assert select_core_references(_refs(), top_n=10, min_citations=9).empty


def _assert_same_for_chunks(works, cit, percent, chunks=(1, 2, 3, 5)) -> None:
    """Tiny chunks of works give exactly (bit for bit) what one chunk gives."""
    whole = {
        "top": top_weights(works, cit, percent, chunk_rows=10**9),
        "cells": top_weights(works, cit, percent, per_cell=True, chunk_rows=10**9),
        "core": select_core(works, cit, "2015-2016", percent, chunk_rows=10**9),
    }
    for chunk in chunks:
        pd.testing.assert_frame_equal(top_weights(works, cit, percent, chunk_rows=chunk), whole["top"], check_exact=True)
        pd.testing.assert_frame_equal(
            top_weights(works, cit, percent, per_cell=True, chunk_rows=chunk), whole["cells"], check_exact=True
        )
        pd.testing.assert_frame_equal(
            select_core(works, cit, "2015-2016", percent, chunk_rows=chunk), whole["core"], check_exact=True
        )


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(
        st.tuples(
            st.one_of(st.none(), st.lists(st.sampled_from("abcde"), max_size=4)),
            st.one_of(st.none(), st.integers(2014, 2017)),
            st.integers(0, 40),
            st.sampled_from(["article", "review", "letter"]),
        ),
        min_size=1,
        max_size=40,
    ),
    percent=st.sampled_from([1, 10, 50, 100]),
    dense=st.booleans(),
)
def test_property_chunks_identical(data, percent, dense) -> None:
    """Chunked evaluation (dense or sparse per-cell histogram) equals one chunk exactly."""
    from wpimap import core

    works = _works([d[0] for d in data], years=[d[1] for d in data], doc_types=[d[3] for d in data])
    cit = np.array([d[2] for d in data])
    limit = core._DENSE_LIMIT
    core._DENSE_LIMIT = limit if dense else 0
    try:
        _assert_same_for_chunks(works, cit, percent)
    finally:
        core._DENSE_LIMIT = limit


def test_float_shares_chunks_identical() -> None:
    """Papers with 1..43 distinct fields: the lcm of the shares is too large for exact
    integer units (float shares, global evaluation); chunks still change nothing and each
    cell still holds X% of its weighted size."""
    from wpimap.core import TopCells

    names = [f"f{i:02d}" for i in range(43)]
    fields = [names[: k + 1] for k in range(43)] * 3
    works = _works(fields, years=[2015] * len(fields))
    cit = np.arange(len(fields)) % 17
    assert not TopCells(works).exact
    _assert_same_for_chunks(works, cit, 10, chunks=(1, 7))
    cells = top_weights(works, cit, 10, per_cell=True, chunk_rows=5)
    for _, g in cells.groupby("field"):
        if g["threshold"].iloc[0] > 0:
            assert g["weight"].sum() == pytest.approx(0.1 * g["share"].sum(), rel=1e-9)


@pytest.mark.parametrize("cited", [True, False])
def test_arrow_ids_same_output_as_python_strings(cited: bool) -> None:
    """Ids held in Arrow are taken without Python strings: same frames (also when empty)."""
    works = _works([["a"], ["a", "b"], ["b"], ["a"]], years=[2015, 2015, 2016, 2016])
    arrow = works.assign(work_id=works["work_id"].astype(pd.ArrowDtype(pa.string())))
    cit = np.array([3, 1, 0, 2]) if cited else np.zeros(4, dtype=np.int64)
    for kw in ({}, {"per_cell": True}):
        pd.testing.assert_frame_equal(top_weights(arrow, cit, 50, **kw), top_weights(works.astype({"work_id": object}), cit, 50, **kw))
    pd.testing.assert_frame_equal(select_core(arrow, cit, "2015-2016", 50), select_core(works.astype({"work_id": object}), cit, "2015-2016", 50))
