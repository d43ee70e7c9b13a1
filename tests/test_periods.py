"""Citation counts per period: hand-made corpora and a brute-force comparison."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpimap.periods import Period, citation_counts


def _works() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "work_id": ["A", "B", "C", "D", "E", "F"],
            "year": pd.array([2010, 2011, 2012, 2014, None, 2016], dtype="Int32"),
            "cited_by_count": pd.array([7, None, 0, 3, 1, 2], dtype="Int64"),
        }
    )


def _refs() -> pd.DataFrame:
    rows = [
        ("B", "kA", "A"),
        ("C", "kA", "A"),
        ("C", "kA2", "A"),  # same (citing, cited) pair again: counted once
        ("D", "kA", "A"),
        ("F", "kA", "A"),  # 2016: after the end of 2010-2014
        ("E", "kA", "A"),  # citing year unknown: never counted
        ("A", "kA", "A"),  # self-citation: not counted
        ("C", "kB", "B"),
        ("D", "kB", "B"),
        ("D", "kX", None),  # unresolved
        ("D", "kZ", "ZZ"),  # resolved to an id absent from works: ignored
    ]
    return pd.DataFrame(rows, columns=["citing_id", "cited_key", "cited_id"])


def test_counts_up_to_period_end() -> None:
    c = citation_counts(_works(), _refs(), Period(2010, 2014))
    # A: B, C, D (F is 2016, E has no year, A itself excluded, C once) = 3; B: C, D = 2
    assert c.to_dict() == {"A": 3, "B": 2, "C": 0, "D": 0, "E": 0, "F": 0}
    assert list(c.index) == ["A", "B", "C", "D", "E", "F"]
    assert c.name == "citations"
    c2 = citation_counts(_works(), _refs(), "2011-2016")
    assert c2["A"] == 4 and c2["B"] == 2  # F (2016) now counts


def test_citation_window() -> None:
    # window 2: A (2010) cited by B 2011, C 2012 (D 2014 > 2012, F too late) = 2;
    # B (2011) by C 2012 (D 2014 > 2013) = 1
    c = citation_counts(_works(), _refs(), Period(2011, 2016), window=2)
    assert (c["A"], c["B"]) == (2, 1)
    c0 = citation_counts(_works(), _refs(), Period(2011, 2016), window=0)
    assert c0.sum() == 0


def test_input_counts() -> None:
    c = citation_counts(_works(), None, Period(2010, 2014), source="input")
    assert c.tolist() == [7, 0, 0, 3, 1, 2]  # null -> 0, independent of the period


def test_errors() -> None:
    with pytest.raises(ValueError, match="needs the references"):
        citation_counts(_works(), None, Period(2010, 2014))
    with pytest.raises(ValueError, match="unknown citation source"):
        citation_counts(_works(), _refs(), Period(2010, 2014), source="scopus")
    dup = pd.concat([_works(), _works().iloc[:1]])
    with pytest.raises(ValueError, match="not unique"):
        citation_counts(dup, _refs(), Period(2010, 2014))


def test_empty_references() -> None:
    refs = _refs().iloc[:0]
    assert citation_counts(_works(), refs, Period(2010, 2014)).sum() == 0


@settings(max_examples=60, deadline=None)
@given(
    years=st.lists(st.one_of(st.none(), st.integers(2000, 2010)), min_size=1, max_size=12),
    links=st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=40),
    end=st.integers(2000, 2011),
    window=st.one_of(st.none(), st.integers(0, 5)),
)
def test_matches_brute_force(years, links, end, window) -> None:
    n = len(years)
    ids = [f"W{i}" for i in range(n)]
    works = pd.DataFrame({"work_id": ids, "year": pd.array(years, dtype="Int32")})
    links = [(a % n, b % n) for a, b in links]
    refs = pd.DataFrame(
        {"citing_id": [ids[a] for a, _ in links], "cited_key": "k", "cited_id": [ids[b] for _, b in links]}
    )
    got = citation_counts(works, refs, Period(min(end, 2000), end), window=window)
    expected = dict.fromkeys(ids, 0)
    for a, b in set(links):
        ya, yb = years[a], years[b]
        if a == b or ya is None or ya > end:
            continue
        if window is not None and (yb is None or ya > yb + window):
            continue
        expected[ids[b]] += 1
    assert got.to_dict() == expected
