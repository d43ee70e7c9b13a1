"""Property test of the columnar Web of Science reader against the records that made the file.

Hypothesis writes random plain-text exports (multi-line non-ASCII titles, author lists, addresses in
several country spellings, subject categories, cited references with and without DOI (three DOI forms),
CRLF or LF line ends, a BOM or not) from values it knows, then checks what the reader
returns against those values, at the default chunk size and with chunks far smaller than
one record. The expected values come from the generator, not from the reader.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wpimap.ingest import ingest_paths
from wpimap.io.records import Record
from wpimap.io.wos import read_wos

# address tail -> ISO country, by the WoS spellings the issue names
ADDRESSES = {
    "Tohoku Univ, Adv Inst Mat Res, Sendai, Miyagi 9808577, Japan": "JP",
    "MIT, Dept Phys, Cambridge, MA 02139 USA": "US",
    "Univ Oxford, Dept Chem, Oxford OX1 3TA, England": "GB",
    "Univ Edinburgh, Sch Informat, Edinburgh, Midlothian, Scotland": "GB",
    "Peking Univ, Sch Phys, Beijing 100871, Peoples R China": "CN",
    "Max Planck Inst Quantum Opt, D-85748 Garching, Germany": "DE",
}
CATEGORIES = ["Physics, Applied", "Chemistry, Physical", "Materials Science, Multidisciplinary", "Neurosciences"]
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéßø日本", min_size=2, max_size=9)


@st.composite
def reference(draw, i: int) -> tuple[str, str]:
    """One CR entry and its expected key (DOI when present, else author/year/source/V/P)."""
    author = draw(WORD).capitalize() + " " + draw(st.sampled_from("ABCDEFGH"))
    year = draw(st.integers(1950, 2020))
    source = draw(st.sampled_from(["PHYS REV LETT", "NATURE", "J AM CHEM SOC", "SCIENCE"]))
    vol, page = draw(st.integers(1, 300)), draw(st.integers(1, 9999))
    if draw(st.booleans()):
        doi = f"10.{1000 + i}/X{draw(st.integers(0, 10**6))}"
        form = draw(st.sampled_from(["plain", "list", "doubled"]))  # the CR DOI forms WoS writes
        tail = {"plain": f"DOI {doi}", "list": f"DOI [{doi}, 10.9999/other{i}]", "doubled": f"DOI DOI {doi}"}[form]
        return f"{author}, {year}, {source}, V{vol}, P{page}, {tail}", doi
    return f"{author}, {year}, {source}, V{vol}, P{page + 10000 * i}", None


@st.composite
def record(draw, n: int) -> dict:
    title_lines = draw(st.lists(st.lists(WORD, min_size=1, max_size=6).map(" ".join), min_size=1, max_size=3))
    authors = draw(st.lists(WORD.map(lambda w: w.capitalize() + ", A"), min_size=1, max_size=4, unique=True))
    addresses = draw(st.lists(st.sampled_from(sorted(ADDRESSES)), min_size=1, max_size=3, unique=True))
    cats = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True))
    refs = [draw(reference(n * 100 + i)) for i in range(draw(st.integers(0, 6)))]
    return {
        "ut": f"WOS:{n:015d}", "year": draw(st.integers(1990, 2024)), "title": " ".join(title_lines),
        "title_lines": title_lines, "authors": authors, "addresses": addresses, "fields": cats, "refs": refs,
        "dt": draw(st.sampled_from(["Article", "Review"])),
    }


def _field(tag: str, lines: list[str]) -> list[str]:
    return [f"{tag} {lines[0]}", *(f"   {line}" for line in lines[1:])] if lines else []


def _export(records: list[dict]) -> list[str]:
    out = ["FN Clarivate Analytics Web of Science", "VR 1.0"]
    for r in records:
        out += ["PT J", *_field("AU", r["authors"]), *_field("AF", r["authors"]), *_field("TI", r["title_lines"]),
                "SO JOURNAL OF TESTS", f"DT {r['dt']}",
                *_field("C1", [f"[{'; '.join(r['authors'])}] {a}." for a in r["addresses"]]),
                *_field("CR", [cr for cr, _ in r["refs"]]), f"PY {r['year']}", f"WC {'; '.join(r['fields'])}",
                f"UT {r['ut']}", "ER", ""]
    return [*out, "EF"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), crlf=st.booleans(), bom=st.booleans())
def test_reader_returns_the_generated_records(tmp_path_factory, data, crlf, bom):
    n = data.draw(st.integers(1, 12))
    records = [data.draw(record(i)) for i in range(n)]
    folder = tmp_path_factory.mktemp("wos")
    path = folder / "export.txt"
    text = ("\r\n" if crlf else "\n").join(_export(records)) + ("\r\n" if crlf else "\n")
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))

    items = list(read_wos(path))
    assert all(isinstance(i, Record) for i in items) and len(items) == n
    for got, want in zip(items, records, strict=True):
        assert got.work_id == want["ut"] and got.year == want["year"] and got.doc_type == want["dt"].lower()
        assert got.title == want["title"]
        assert sorted(got.fields) == sorted(want["fields"])
        countries = {a.country for a in got.authorships}
        assert countries == {ADDRESSES[a] for a in want["addresses"]}
        assert {a.author for a in got.authorships} == set(want["authors"])
        assert len(got.references) == len(want["refs"])
        dois = sorted(k for k, _ in got.references if k and k.startswith("10."))
        assert dois == sorted(d.lower() for _, d in want["refs"] if d)

    # chunks far smaller than one record give the same tables
    ingest_paths([path], folder / "default")
    ingest_paths([path], folder / "tiny", chunk_chars=64)
    for name in ("works", "authorships", "references", "rejects"):
        pd.testing.assert_frame_equal(pd.read_parquet(folder / "default" / f"{name}.parquet"),
                                      pd.read_parquet(folder / "tiny" / f"{name}.parquet"))
    works = pd.read_parquet(folder / "default" / "works.parquet")
    assert list(works["work_id"]) == [r["ut"] for r in records]
