"""OpenAlex reader: real snapshot / API files, gzip, the web CSV export, bad input."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from wpimap.io.openalex import read_openalex, short_id, surname_first
from wpimap.io.records import InputFileError, Record

W_JSON = "openalex/W2741809807.json"
SNAPSHOT = "openalex/snapshot_works_part_000.jsonl"


def _gzip_copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(gzip.compress(src.read_bytes()))
    return dst


# --------------------------------------------------------------------------- real data


@pytest.mark.realdata
def test_single_work_json_against_independent_parse(shared_data):
    path = shared_data / W_JSON
    work = json.loads(path.read_text(encoding="utf-8"))
    items = list(read_openalex(path))
    assert len(items) == 1 and isinstance(items[0], Record)
    rec = items[0]
    assert rec.record == 1
    assert rec.work_id == "W2741809807"
    assert rec.year == 2018 and rec.doc_type == "article"
    assert rec.doi == "10.7717/peerj.4375"
    assert rec.source == "PeerJ"
    assert rec.cited_by_count == work["cited_by_count"]
    # 35 referenced works, as short IDs, same set and order as in the JSON
    expected_refs = [u.rsplit("/", 1)[-1] for u in work["referenced_works"]]
    assert len(expected_refs) == 35
    assert [k for k, _ in rec.references] == expected_refs
    assert all(k == i for k, i in rec.references)
    # no topics in this old record: fields are the level-0 concepts, in order
    assert rec.fields == [c["display_name"] for c in work["concepts"] if c["level"] == 0]
    # authorship rows: one per institution; extra rows for uncovered countries; one for neither
    expected_rows = 0
    expected_countries: set[str] = set()
    for au in work["authorships"]:
        insts = au.get("institutions") or []
        inst_cc = {i["country_code"] for i in insts if i.get("country_code")}
        extra = set(au.get("countries") or []) - inst_cc
        expected_rows += len(insts) + len(extra) or 1
        expected_countries |= inst_cc | set(au.get("countries") or [])
    assert len(rec.authorships) == expected_rows
    assert {a.country for a in rec.authorships if a.country} == expected_countries == {"US", "CA"}
    positions = sorted({a.author_position for a in rec.authorships})
    assert positions == list(range(1, len(work["authorships"]) + 1))
    # author 3 (Larivière) has two Montréal institutions, both in Canada
    third = [a for a in rec.authorships if a.author_position == 3]
    assert {a.institution_id for a in third} == {"I70931966", "I159129438"}
    assert {a.country for a in third} == {"CA"}
    assert third[0].address and "Montréal" in third[0].address
    # first author "Heather Piwowar" keyed as surname + initial; biblio volume 6, page e4375
    assert rec.ref_key == "PIWOWAR H|2018|PEERJ|6|E4375"


@pytest.mark.realdata
def test_snapshot_part_all_records(shared_data):
    path = shared_data / SNAPSHOT
    works = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    items = list(read_openalex(path))
    assert len(items) == len(works) == 27
    assert all(isinstance(i, Record) for i in items)
    assert [i.record for i in items] == list(range(1, 28))
    assert [i.work_id for i in items] == [w["id"].rsplit("/", 1)[-1] for w in works]
    assert [i.year for i in items] == [w["publication_year"] for w in works]
    # 26 grants and one Crossref-style "journal-article" (→ article)
    assert sorted(i.doc_type for i in items) == ["article"] + ["grant"] * 26
    for rec, w in zip(items, works, strict=True):
        assert rec.fields == [c["display_name"] for c in w["concepts"] if c["level"] == 0]
        assert rec.references == [] and rec.authorships == []
        assert rec.doi == (w["doi"].lower().replace("https://doi.org/", "") if w["doi"] else None)


@pytest.mark.realdata
@pytest.mark.parametrize("name", [W_JSON, SNAPSHOT])
def test_gzip_copy_gives_identical_output(shared_data, tmp_path, name):
    src = shared_data / name
    plain = list(read_openalex(src))
    for target in ("works.jsonl.gz", "part_000.gz", "no_suffix"):
        gz = _gzip_copy(src, tmp_path / target)
        assert list(read_openalex(gz)) == plain


@pytest.mark.realdata
def test_truncated_gzip_is_one_line_error(shared_data, tmp_path):
    src = shared_data / SNAPSHOT
    data = gzip.compress(src.read_bytes())
    bad = tmp_path / "part_001.gz"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFileError) as err:
        list(read_openalex(bad))
    msg = str(err.value)
    assert msg.startswith(str(bad)) and "\n" not in msg and "truncated" in msg


@pytest.mark.realdata
def test_api_list_response_and_array(shared_data, tmp_path):
    work = json.loads((shared_data / W_JSON).read_text(encoding="utf-8"))
    other = dict(work, id="https://openalex.org/W1", referenced_works=[])
    listing = tmp_path / "page.json"
    listing.write_text(json.dumps({"meta": {"count": 2}, "results": [work, other]}, indent=2))
    array = tmp_path / "array.json"
    array.write_text(json.dumps([work, other]))
    for path in (listing, array):
        items = list(read_openalex(path))
        assert [i.work_id for i in items] == ["W2741809807", "W1"]
        assert [len(i.references) for i in items] == [35, 0]


# --------------------------------------------------------------------------- bad input


def test_bad_lines_are_rejected_and_reading_goes_on(tmp_path):
    path = tmp_path / "part.jsonl"
    lines = [
        json.dumps({"id": "https://openalex.org/W10", "publication_year": 2020, "type": "article"}),
        '{"id": "https://openalex.org/W11", "title": ',  # cut JSON
        "",  # blank line: skipped, not a record
        json.dumps({"title": "no id"}),
        json.dumps([1, 2]),
        json.dumps({"id": "W12", "referenced_works": ["https://openalex.org/W10"]}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_openalex(path))
    assert [type(i).__name__ for i in items] == ["Record", "Reject", "Reject", "Reject", "Record"]
    assert [i.record for i in items] == [1, 2, 3, 4, 5]
    assert "invalid JSON" in items[1].reason
    assert items[2].reason == "work without id"
    assert items[4].references == [("W10", "W10")]


@pytest.mark.parametrize("content", [b"", b"   \n\n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match="empty"):
        list(read_openalex(path))


def test_undecodable_and_missing(tmp_path):
    path = tmp_path / "junk.jsonl"
    path.write_bytes(b"\xff\xfe\xfa\xfb" * 10 + b"\x81\x82")
    with pytest.raises(InputFileError) as err:
        list(read_openalex(path))
    assert str(err.value).startswith(str(path))
    with pytest.raises(InputFileError, match="not found"):
        list(read_openalex(tmp_path / "missing.jsonl"))


# --------------------------------------------------------------------------- CSV export

CSV_HEADER = [
    "id", "display_name", "publication_year", "type", "doi", "cited_by_count",
    "primary_location.source.display_name", "authorships.author.display_name",
    "authorships.countries", "authorships.institutions.display_name",
    "authorships.institutions.id", "primary_topic.field.display_name",
    "topics.field.display_name", "biblio.volume", "biblio.first_page",
]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, quoting=csv.QUOTE_ALL)
        w.writerow(CSV_HEADER)
        w.writerows(rows)
    return path


def test_csv_export(tmp_path):
    rows = [
        # one institution per author: aligned → per-author rows
        ["https://openalex.org/W100", "Aligned", "2017", "article", "https://doi.org/10.1000/ABC", "5",
         "Scientific Data", "Jakub Kužílek|Martin Hlosta|Zdeněk Zdráhal", "CZ|GB|", "Czech TU|Open U|",
         "https://openalex.org/I1|https://openalex.org/I2|", "Social Sciences",
         "Social Sciences|Computer Science|Social Sciences", "4", "170171"],
        # five institutions for three authors: not attributable → rows per institution and country
        ["https://openalex.org/W101", "Flattened", "2015", "review", "", "",
         "", "A One|B Two|C Three", "CZ|GB|GB|CZ|GB", "Open U|Czech TU|Open U|Open U|Czech TU",
         "https://openalex.org/I2|https://openalex.org/I1|https://openalex.org/I2|https://openalex.org/I2|"
         "https://openalex.org/I1", "", "", "", ""],
        # no id → reject
        ["", "No id", "2015", "article", "", "", "", "", "", "", "", "", "", "", ""],
    ]
    path = _write_csv(tmp_path / "works.csv", rows)
    items = list(read_openalex(path))
    assert [type(i).__name__ for i in items] == ["Record", "Record", "Reject"]
    a, b, c = items
    assert (a.work_id, a.year, a.doc_type, a.doi, a.cited_by_count) == ("W100", 2017, "article", "10.1000/abc", 5)
    assert a.title == "Aligned" and a.source == "Scientific Data"
    assert a.fields == ["Social Sciences", "Computer Science"]
    assert [(x.author_position, x.institution, x.country, x.institution_id) for x in a.authorships] == [
        (1, "Czech TU", "CZ", "I1"),
        (2, "Open U", "GB", "I2"),
        (3, None, None, None),
    ]
    assert a.ref_key == "KUZILEK J|2017|SCIENTIFIC DATA|4|170171"
    assert b.cited_by_count is None and b.source is None and b.fields == []
    assert sorted((x.institution, x.institution_id) for x in b.authorships if x.institution) == [
        ("Czech TU", "I1"), ("Open U", "I2")
    ]
    assert {x.country for x in b.authorships if x.country} == {"CZ", "GB"}
    assert all(x.author_position is None for x in b.authorships)
    assert c.record == 3 and c.reason == "work without id"
    # same export gzip-compressed
    assert list(read_openalex(_gzip_copy(path, tmp_path / "works.csv.gz"))) == items


# --------------------------------------------------------------------------- helpers


def test_short_id_and_surname_first():
    assert short_id("https://openalex.org/W2741809807") == "W2741809807"
    assert short_id("W5") == "W5" and short_id("") is None and short_id(None) is None
    assert surname_first("Heather Piwowar") == "Piwowar, Heather"
    assert surname_first("Juan Pablo Alperín") == "Alperín, Juan Pablo"
    assert surname_first("Jan van der Berg") == "van der Berg, Jan"
    assert surname_first("Smith, John") == "Smith, John"
    assert surname_first("Plato") == "Plato"
