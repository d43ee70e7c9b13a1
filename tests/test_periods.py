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
    chunk=st.integers(1, 5),
    grouped=st.booleans(),
)
def test_matches_brute_force(years, links, end, window, chunk, grouped) -> None:
    n = len(years)
    ids = [f"W{i}" for i in range(n)]
    works = pd.DataFrame({"work_id": ids, "year": pd.array(years, dtype="Int32")})
    links = [(a % n, b % n) for a, b in links]
    if grouped:  # each citing work's references together (the streamed path), else scattered
        links = sorted(links, key=lambda ab: ab[0])
    refs = pd.DataFrame(
        {"citing_id": [ids[a] for a, _ in links], "cited_key": "k", "cited_id": [ids[b] for _, b in links]}
    )
    got = citation_counts(works, refs, Period(min(end, 2000), end), window=window, chunk_rows=chunk)
    expected = dict.fromkeys(ids, 0)
    for a, b in set(links):
        ya, yb = years[a], years[b]
        if a == b or ya is None or ya > end:
            continue
        if window is not None and (yb is None or ya > yb + window):
            continue
        expected[ids[b]] += 1
    assert got.to_dict() == expected


# --- exact hashed look-ups (positions, hash_codes) against plain Python dicts ---

_ID_CHARS = st.sampled_from(list("aZ09|é-W ") + ["", "https://openalex.org/W"])
_TEXT = st.lists(_ID_CHARS, max_size=5).map("".join)
_IDS = st.lists(_TEXT.map(lambda s: s * 3), max_size=40)


@settings(max_examples=60, deadline=None)
@given(ids=_IDS, values=st.lists(st.one_of(st.none(), _TEXT), max_size=60))
def test_positions_match_dict_lookup(ids: list[str], values: list[str | None]) -> None:
    """positions() equals a dict look-up; sorted values exercise the repeated-run path."""
    from wpimap.periods import positions

    ids = list(dict.fromkeys(ids))
    values = values + [ids[i % len(ids)] for i in range(len(values))] if ids else values
    where = {s: i for i, s in enumerate(ids)}
    for vals in (values, sorted(values, key=lambda v: (v is None, v or ""))):
        expected = [where.get(v, -1) if v is not None else -1 for v in vals]
        got = positions(pd.Series(vals, dtype=object), pd.Series(ids, dtype="string[pyarrow]"))
        assert got.tolist() == expected


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.none(), _TEXT), max_size=60))
def test_hash_codes_first_appearance(values: list[str | None]) -> None:
    """Codes number the distinct strings 0, 1, ... in order of first appearance; null -> -1."""
    from wpimap import periods
    from wpimap.periods import hash_codes

    order: dict[str, int] = {}
    expected = [-1 if v is None else order.setdefault(v, len(order)) for v in values]
    few = periods._FEW
    try:
        for periods._FEW in (few, -1):  # pyarrow path (few values), hash path
            codes, first = hash_codes(pd.Series(values, dtype=object))
            assert codes.tolist() == expected
            assert [values[i] for i in first] == list(order)
    finally:
        periods._FEW = few


def test_hash_collisions_fall_back_to_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """With every string hashed alike, results stay exact (collision detected, pyarrow path)."""
    import numpy as np

    from wpimap import periods
    from wpimap.core import string_codes

    def constant(arr):  # every string collides
        h, valid = real(arr)
        return np.zeros_like(h), valid

    real = periods.string_hash
    monkeypatch.setattr(periods, "string_hash", constant)
    monkeypatch.setattr(periods, "_FEW", -1)  # always the hash path
    ids = pd.Series(["x", "y", "zz", "w"])
    assert periods.positions(pd.Series(["zz", None, "q", "x", "w"]), ids).tolist() == [2, -1, -1, 0, 3]
    assert periods.hash_codes(pd.Series(["b", "a", "b"])) is None
    codes, names = string_codes(pd.Series(["b", None, "a", "b"]))
    assert codes.tolist() == [1, -1, 0, 1] and names.tolist() == ["a", "b"]
    works = pd.DataFrame({"work_id": ["A", "B", "C"], "year": [2010, 2011, 2012]})
    refs = pd.DataFrame({"citing_id": ["B", "C", "C", "A"], "cited_id": ["A", "A", "B", "A"]})
    assert citation_counts(works, refs, "2010-2012").tolist() == [2, 1, 0]


def test_blocks_give_the_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Processing in small row blocks (runs cut at block edges) changes nothing."""
    from wpimap import periods

    ids = ["W1", "W22", "", "W333333333333", "x" * 20]
    vals = ["W22", "W22", None, "W1", "", "", "nope", "x" * 20, "x" * 19, "W333333333333", "W1"]
    where = {s: i for i, s in enumerate(ids)}
    expected = [where.get(v, -1) if v is not None else -1 for v in vals]
    order: dict[str, int] = {}
    codes_expected = [-1 if v is None else order.setdefault(v, len(order)) for v in vals]
    monkeypatch.setattr(periods, "_CHUNK", 3)
    monkeypatch.setattr(periods, "_FEW", -1)  # the hash path, not pyarrow's dictionary
    assert periods.positions(pd.Series(vals), pd.Series(ids)).tolist() == expected
    codes, first = periods.hash_codes(pd.Series(vals, dtype="string[pyarrow]"))
    assert codes.tolist() == codes_expected
    assert [vals[i] for i in first] == list(order)


@pytest.mark.parametrize("chunk", [1, 2, 3, 4, 100])
@pytest.mark.parametrize("grouped", [True, False])
def test_chunks_give_the_documented_counts(chunk: int, grouped: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """References read in blocks of any size, grouped by citing work or not: same counts."""
    from wpimap import periods

    refs = _refs()  # C's references are in two places (rows 1-2 and 7)
    if grouped:  # each citing work's references together: the streamed path
        refs = refs.sort_values("citing_id", kind="stable").reset_index(drop=True)
    fallbacks = []
    real = periods._global_counts
    monkeypatch.setattr(periods, "_global_counts", lambda *a: fallbacks.append(1) or real(*a))
    c = citation_counts(_works(), refs, Period(2010, 2014), chunk_rows=chunk)
    assert bool(fallbacks) == (not grouped and chunk < len(refs))
    assert c.to_dict() == {"A": 3, "B": 2, "C": 0, "D": 0, "E": 0, "F": 0}
    c2 = citation_counts(_works(), refs, Period(2011, 2016), window=2, chunk_rows=chunk)
    assert (c2["A"], c2["B"]) == (2, 1)


def test_counts_for_several_periods_in_one_pass() -> None:
    from wpimap.periods import citation_counts_by_period

    got = citation_counts_by_period(_works(), _refs(), [Period(2010, 2014), Period(2011, 2016)], chunk_rows=2)
    assert got[0].tolist() == [3, 2, 0, 0, 0, 0]
    assert got[1].tolist() == [4, 2, 0, 0, 0, 0]


def test_hash_index_built_by_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many blocks and buckets (tiny _CHUNK): every id found at its row, absent ones -1."""
    import numpy as np

    from wpimap import periods

    monkeypatch.setattr(periods, "_CHUNK", 7)
    ids = pd.Series([f"id{i}" for i in range(1000)])
    wanted = np.random.default_rng(0).integers(0, 1200, 3000)
    got = periods.HashIndex(ids).get(pd.Series([f"id{i}" for i in wanted]))
    assert got.tolist() == [int(i) if i < 1000 else -1 for i in wanted]
    with pytest.raises(LookupError):
        periods.HashIndex(pd.Series([f"id{i}" for i in range(50)] + ["id3"]))
