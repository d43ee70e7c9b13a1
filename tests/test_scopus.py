"""Scopus CSV reader: the three real exports (old and new headers), references, bad input."""

from __future__ import annotations

import csv
import functools
import gzip
import re
from pathlib import Path

import pytest

from wpimap.io.records import InputFileError, Record, Reject
from wpimap.io.scopus import (
    institution_of,
    parse_references,
    parse_scopus_reference,
    read_scopus,
    split_authors,
)

FILES = ["scopus/bibx_scopus.csv", "scopus/tethne_scopus.csv", "scopus/metaknowledge_scopus.csv"]

# Country names as printed at the end of Scopus affiliations → ISO2, written by hand.
HAND_COUNTRIES = {
    "China": "CN", "Japan": "JP", "United States": "US", "United Kingdom": "GB", "Germany": "DE",
    "France": "FR", "Italy": "IT", "Spain": "ES", "Czech Republic": "CZ", "Netherlands": "NL",
    "Canada": "CA", "Australia": "AU", "South Korea": "KR", "India": "IN", "Austria": "AT",
    "Switzerland": "CH", "Sweden": "SE", "Russian Federation": "RU", "Brazil": "BR", "Poland": "PL",
    "Belgium": "BE", "Taiwan": "TW", "Singapore": "SG", "Greece": "GR", "Turkey": "TR", "Denmark": "DK",
    "Israel": "IL", "Portugal": "PT", "Norway": "NO", "Finland": "FI", "Hong Kong": "HK", "Iran": "IR",
    "Ireland": "IE", "Mexico": "MX", "Hungary": "HU", "Saudi Arabia": "SA",
}


@functools.cache
def _items(path: Path) -> tuple[Record | Reject, ...]:
    """Read each real file once per test session (the tests only look at the items)."""
    return tuple(read_scopus(path))


@functools.cache
def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return [r for r in csv.DictReader(fh) if any((v or "").strip() for v in r.values())]


@pytest.mark.realdata
@pytest.mark.parametrize("name", FILES)
def test_every_row_is_a_record_or_reject(shared_data, name):
    path = shared_data / name
    rows = _rows(path)
    items = _items(path)
    assert len(items) == len(rows)
    assert [i.record for i in items] == list(range(1, len(rows) + 1))
    records = [i for i in items if isinstance(i, Record)]
    assert len(records) == len(rows)  # every real row has an EID
    assert [r.work_id for r in records] == [row["EID"] for row in rows]
    assert [r.year for r in records] == [int(row["Year"]) for row in rows]
    assert [r.source for r in records] == [row["Source title"] or None for row in rows]
    assert [r.fields for r in records] == [[] for _ in rows]


@pytest.mark.realdata
@pytest.mark.parametrize("name", FILES)
def test_countries_match_affiliations_column(shared_data, name):
    """Countries from ``Authors with affiliations`` = last elements of ``Affiliations``."""
    path = shared_data / name
    checked = 0
    for rec, row in zip(_items(path), _rows(path), strict=True):
        affs = [a for a in row["Affiliations"].split("; ") if a.strip()]
        lasts = [a.rsplit(",", 1)[-1].strip() for a in affs]
        if not affs or not all(x in HAND_COUNTRIES for x in lasts):
            continue
        checked += 1
        assert {a.country for a in rec.authorships if a.country} == {HAND_COUNTRIES[x] for x in lasts}, rec.record
    assert checked >= 0.85 * len(_rows(path))


@pytest.mark.realdata
def test_new_header_record(shared_data):
    path = shared_data / "scopus/bibx_scopus.csv"
    rec = _items(path)[0]
    assert rec.work_id == "2-s2.0-85183479140"
    assert (rec.year, rec.doc_type, rec.doi) == (2024, "article", "10.1039/d3cp05340g")
    assert rec.source == "Physical Chemistry Chemical Physics" and rec.cited_by_count == 0
    # 8 authors "Gong B.; Wang L.; …"; Gong has two affiliations (Wuhan IT and Xiamen U)
    assert sorted({a.author_position for a in rec.authorships}) == list(range(1, 9))
    gong = [a for a in rec.authorships if a.author_position == 1]
    assert [a.author for a in gong] == ["Gong B.", "Gong B."]
    assert [a.institution for a in gong] == ["Wuhan Institute of Technology", "Xiamen University"]
    assert {a.country for a in gong} == {"CN"}
    # ref_key from the abbreviated source title, volume 26, page start 4716
    assert rec.ref_key == "GONG B|2024|PHYS CHEM CHEM PHYS|26|4716"


@pytest.mark.realdata
def test_old_headers_records(shared_data):
    mk = _items(shared_data / "scopus/metaknowledge_scopus.csv")[0]
    # "Yagai T., Kimura Y., … Imagawa S." (11 authors, comma separated)
    assert mk.work_id == "2-s2.0-84963944162"
    assert sorted({a.author_position for a in mk.authorships}) == list(range(1, 12))
    first = [a for a in mk.authorships if a.author_position == 1]
    assert [(a.author, a.institution, a.country) for a in first] == [("Yagai, T.", "Sophia University", "JP")]
    assert mk.cited_by_count == 0  # empty "Cited by" cell
    assert mk.doi == "10.1109/tasc.2016.2541670"
    te = _items(shared_data / "scopus/tethne_scopus.csv")[0]
    # "Pan, Y., Yu, C., Zhang, X., …, Luo, L." (8 authors in "Surname, I." pairs)
    assert sorted({a.author_position for a in te.authorships}) == list(range(1, 9))
    assert [a.author for a in te.authorships if a.author_position == 2][0] == "Yu, C."
    assert te.ref_key == "PAN Y|2015|ECOL INDIC|60|184"


@pytest.mark.realdata
def test_reference_counts(shared_data):
    path = shared_data / "scopus/tethne_scopus.csv"
    rows = _rows(path)
    stats: dict[str, int] = {}
    records = list(read_scopus(path, stats=stats))
    # first record: 50 distinct entries, all with "(year)"; first one parsed by hand
    entries = rows[0]["References"].split("; ")
    assert len(entries) == len(set(entries)) == 50
    assert len(records[0].references) == 50
    assert records[0].references[0] == ("ADAMS B|2004|ECOL MODELL|177|353", None)
    # records 9 and 20 hold two different strings with the same key (same author, year,
    # source, volume, first page; hand-checked); elsewhere one key per distinct entry with a year
    for rec, row in zip(records, rows, strict=True):
        ents = {" ".join(e.split()) for e in row["References"].split("; ") if e.strip()}
        with_year = {e for e in ents if re.search(r"\(\d{4}\)", e)}
        if rec.record in (9, 20):
            assert len(rec.references) < len(with_year)
        else:
            assert len(rec.references) == len(with_year), rec.record
    total_entries = sum(len([e for e in r["References"].split("; ") if e.strip()]) for r in rows)
    assert stats["references"] == sum(len(r.references) for r in records)
    assert stats["references_skipped"] == 2  # 'Springer, Heidelberg' and a title fragment after '; '
    assert stats["references"] + stats["references_skipped"] <= total_entries


@pytest.mark.realdata
def test_doi_in_old_reference_strings(shared_data):
    path = shared_data / "scopus/metaknowledge_scopus.csv"
    doi_re = re.compile(r"DOI (10\.\d{4,9}/\S+)")
    checked = 0
    for rec, row in zip(_items(path), _rows(path), strict=True):
        dois = {m.group(1).rstrip(".,;").lower() for m in doi_re.finditer(row["References"])}
        keys = {k for k, _ in rec.references}
        assert dois <= keys
        checked += len(dois)
    assert checked > 50


# --------------------------------------------------------------------------- units


def test_parse_reference_both_forms():
    old = "Smith J., Jones K., Title of paper, (2005) Nature, 12 (3), pp. 345-350."
    new = "Smith J., Jones K., Title of paper, Nature, 12, 3, pp. 345-350, (2005)"
    assert parse_scopus_reference(old) == "SMITH J|2005|NATURE|12|345"
    assert parse_scopus_reference(new) == "SMITH J|2005|NATURE|12|345"
    # older form with "Surname, I." authors and a single page
    assert parse_scopus_reference("Tam, S.W., Pagano, M., (1994) Oncogene, 9, p. 2663") == "TAM S|1994|ONCOGENE|9|2663"
    # newer form without pages or issue
    assert parse_scopus_reference("Morise H., Nakamura S., Phys. Rev. B, 71, (2005)") == "MORISE H|2005|PHYS REV B|71|"
    # a DOI wins over everything else
    s = "Althuis, M.D., Global trends (2005) Int J Epidemiol, 34 (2), pp. 405-412. , DOI 10.1093/ije/dyh414"
    assert parse_scopus_reference(s) == "10.1093/ije/dyh414"
    # no year, no DOI: not parseable
    assert parse_scopus_reference("Cuda Sparse Library (CUSP)") is None
    assert parse_scopus_reference("Maxwell J.") is None
    assert parse_scopus_reference("") is None
    refs, skipped = parse_references(f"{old}; {new}; Maxwell J.; ")
    assert refs == [("SMITH J|2005|NATURE|12|345", None)] and skipped == 1


def test_split_authors_and_institution():
    assert split_authors("Gong B.; Wang L.; Gao S.-P.") == ["Gong B.", "Wang L.", "Gao S.-P."]
    assert split_authors("Yagai T., Kimura Y.") == ["Yagai T.", "Kimura Y."]
    assert split_authors("Pan, Y., Yu, C., Zezulka, Š.") == ["Pan, Y.", "Yu, C.", "Zezulka, Š."]
    assert split_authors("[No author name available]") == []
    aff = "Hubei Key Laboratory of X, School of Y, Wuhan Institute of Technology, Wuhan, 430205, China"
    assert institution_of(aff) == "Wuhan Institute of Technology"
    assert institution_of("Department of Physics, Xiamen University, Xiamen, China") == "Xiamen University"
    assert institution_of("Leicestershire Hospice, Leicester, United Kingdom") == "Leicestershire Hospice"
    assert institution_of("Silvaco Europe Ltd., Cambridge, United Kingdom") == "Silvaco Europe Ltd."


# --------------------------------------------------------------------------- synthetic files

HEADER = ["Authors", "Title", "Year", "Source title", "Volume", "Page start", "Cited by", "DOI", "Link",
          "Affiliations", "Authors with affiliations", "References", "Document Type", "EID"]


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER, bom: bool = True) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_synthetic_rows_rejects_and_source_fields(tmp_path):
    rows = [
        ["Doe J.; Roe R.", "A\nmulti-line title", "2019", "Nature  Physics", "3", "10", "7", "10.1/X", "",
         "Dept A, Tohoku University, Sendai, Japan; Univ B, Paris, France",
         "Doe J., Dept A, Tohoku University, Sendai, Japan, Univ B, Paris, France; Roe R., Univ B, Paris, France",
         "Smith J., Nature, 12, pp. 1-2, (2001); broken", "Conference Paper", "2-s2.0-1"],
        ["Doe J.", "No EID but a link", "2020", "X", "", "", "", "", "https://www.scopus.com/inward/record.uri?eid=2-s2.0-2&partnerID=40",
         "", "", "", "Article", ""],
        ["Doe J.", "Nothing", "2020", "X", "", "", "", "", "", "", "", "", "Article", ""],
        ["too", "few", "cells"],
    ]
    path = _write(tmp_path / "scopus.csv", rows)
    stats: dict[str, int] = {}
    items = list(read_scopus(path, source_fields={"nature physics": ["Physics"]}, stats=stats))
    assert [type(i).__name__ for i in items] == ["Record", "Record", "Reject", "Reject"]
    a, b, c, d = items
    assert a.title == "A\nmulti-line title" and a.doc_type == "conference paper" and a.cited_by_count == 7
    assert a.fields == ["Physics"]
    assert [(x.author_position, x.institution, x.country) for x in a.authorships] == [
        (1, "Tohoku University", "JP"), (1, "Univ B", "FR"), (2, "Univ B", "FR")]
    assert a.references == [("SMITH J|2001|NATURE|12|1", None)]
    assert stats == {"references": 1, "references_skipped": 1}
    assert b.work_id == "2-s2.0-2" and b.cited_by_count == 0 and b.authorships == [
        type(b.authorships[0])(1, "Doe J.", None, None)]
    assert "EID" in c.reason and c.record == 3
    assert "3 cells" in d.reason and d.record == 4
    # the same file gzip-compressed gives the same items
    gz = tmp_path / "scopus.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert list(read_scopus(gz, source_fields={"NATURE PHYSICS": ["Physics"]})) == items


def test_header_order_and_no_bom(tmp_path):
    header = list(reversed(HEADER))
    row = list(reversed(["Roe R.", "T", "2001", "S", "1", "2", "", "", "", "Univ C, Berlin, Germany",
                         "", "", "Review", "2-s2.0-9"]))
    items = list(read_scopus(_write(tmp_path / "s.csv", [row], header=header, bom=False)))
    assert len(items) == 1 and isinstance(items[0], Record)
    rec = items[0]
    assert (rec.work_id, rec.doc_type, rec.year) == ("2-s2.0-9", "review", 2001)
    # no "Authors with affiliations": one row per affiliation, without author position
    assert [(x.author_position, x.institution, x.country) for x in rec.authorships] == [(None, "Univ C", "DE")]


def test_bad_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError, match="empty"):
        list(read_scopus(empty))
    latin = tmp_path / "latin.csv"
    latin.write_bytes(",".join(HEADER).encode() + b"\r\nM\xfcller\r\n")
    with pytest.raises(InputFileError) as err:
        list(read_scopus(latin))
    assert str(err.value).startswith(str(latin)) and "\n" not in str(err.value)
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(InputFileError, match="no Scopus header"):
        list(read_scopus(other))
    with pytest.raises(InputFileError, match="not found"):
        list(read_scopus(tmp_path / "missing.csv"))


def test_reject_type():
    assert Reject(1, "x").reason == "x"
