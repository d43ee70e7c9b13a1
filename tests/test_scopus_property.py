"""Property test of the Scopus CSV reader against the records that made the file.

Hypothesis writes random Scopus exports (quoted cells with commas and non-ASCII text,
authors with one or two affiliations, both reference forms, with and without DOI, a BOM
or not) from values it knows, and checks the reader's records against those values (the
expected values come from the generator, not from the reader).
"""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpimap.io.records import Record
from wpimap.io.scopus import read_scopus

AFFILIATIONS = {
    "Advanced Institute for Materials Research, Tohoku University, Sendai, 980-8577, Japan": "JP",
    "Department of Physics, Massachusetts Institute of Technology, Cambridge, MA 02139, United States": "US",
    "Department of Chemistry, University of Oxford, Oxford, OX1 3TA, United Kingdom": "GB",
    "School of Physics, Peking University, Beijing, 100871, China": "CN",
    "Max Planck Institute of Quantum Optics, Garching, 85748, Germany": "DE",
}
HEADER = ["Authors", "Title", "Year", "Source title", "Volume", "Page start", "Page end", "DOI", "Affiliations",
          "Authors with affiliations", "References", "Abbreviated Source Title", "Document Type", "EID"]
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüø", min_size=2, max_size=9)


@st.composite
def reference(draw, i: int) -> tuple[str, str | None]:
    """One reference entry (older or newer Scopus form) and its DOI, if any."""
    author = draw(WORD).capitalize() + " " + draw(st.sampled_from("ABCDEF")) + "."
    title = " ".join(draw(st.lists(WORD, min_size=1, max_size=5)))
    year, vol, page = draw(st.integers(1950, 2020)), draw(st.integers(1, 300)), draw(st.integers(1, 9999))
    source = draw(st.sampled_from(["Physical Review Letters", "Nature", "Journal of Chemical Physics"]))
    page += 10000 * i  # distinct first pages: no two entries of a record share a key
    if draw(st.booleans()):
        entry = f"{author}, {title} ({year}) {source}, {vol} (3), pp. {page}-{page + 9}"
    else:
        entry = f"{author}, {title}, {source}, {vol}, 3, pp. {page}-{page + 9}, ({year})"
    doi = None
    if draw(st.booleans()):
        doi = f"10.{2000 + i}/s{draw(st.integers(0, 10**6))}"
        entry += f", DOI {doi}" if draw(st.booleans()) else f"; DOI: {doi}".replace(";", ",")
    return entry, doi


@st.composite
def record(draw, n: int) -> dict:
    authors = draw(st.lists(WORD.map(lambda w: w.capitalize() + " A."), min_size=1, max_size=4, unique=True))
    affs = draw(st.lists(st.sampled_from(sorted(AFFILIATIONS)), min_size=1, max_size=3, unique=True))
    own = [draw(st.lists(st.sampled_from(affs), min_size=1, max_size=2, unique=True)) for _ in authors]
    used = sorted({a for o in own for a in o}, key=affs.index)
    refs = [draw(reference(n * 100 + i)) for i in range(draw(st.integers(0, 6)))]
    return {"eid": f"2-s2.0-{85000000000 + n}", "year": draw(st.integers(1990, 2024)),
            "title": ", ".join(draw(st.lists(WORD, min_size=1, max_size=4))),
            "authors": authors, "own": own, "affs": used, "refs": refs,
            "dt": draw(st.sampled_from(["Article", "Review"]))}


def _row(r: dict) -> list[str]:
    return [
        "; ".join(r["authors"]), r["title"], str(r["year"]), "Journal of Tests", "1", "1", "9", "",
        "; ".join(r["affs"]),
        "; ".join(f"{a}, {', '.join(o)}" for a, o in zip(r["authors"], r["own"], strict=True)),
        "; ".join(e for e, _ in r["refs"]), "J. Tests", r["dt"], r["eid"],
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), bom=st.booleans())
def test_reader_returns_the_generated_records(tmp_path_factory, data, bom):
    records = [data.draw(record(i)) for i in range(data.draw(st.integers(1, 10)))]
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(_row(r) for r in records)
    path = tmp_path_factory.mktemp("scopus") / "export.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8"))

    items = list(read_scopus(path))
    assert all(isinstance(i, Record) for i in items) and len(items) == len(records)
    for got, want in zip(items, records, strict=True):
        assert got.work_id == want["eid"] and got.year == want["year"] and got.title == want["title"]
        assert got.doc_type == want["dt"].lower()
        # one authorship row per (author, affiliation), countries from the affiliations
        pairs = {(a.author, a.country) for a in got.authorships}
        assert pairs == {(au, AFFILIATIONS[af]) for au, o in zip(want["authors"], want["own"], strict=True)
                         for af in o}
        assert len(got.references) == len(want["refs"])
        assert sorted(k for k, _ in got.references if k.startswith("10.")) == sorted(d for _, d in want["refs"] if d)
