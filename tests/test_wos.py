"""Web of Science reader: real exports, CR parsing, and bad input.

Expected values are counted in the tests themselves with plain string operations on
the raw files (never with the reader's own code), or written out by hand.
"""

from __future__ import annotations

import codecs
import functools
import gzip
import re
import tracemalloc
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpimap.io.records import InputFileError, Record, Reject
from wpimap.io.refs import (
    _author_key_fast,
    author_key,
    make_ref_key,
    parse_wos_cr,
    ref_key_fast,
    wos_cr_key,
    wos_cr_keys,
)
from wpimap.io.wos import WosReadStats, parse_reprint, read_wos, sniff_wos

pytestmark = pytest.mark.realdata

# ---------------------------------------------------------------------------
# Independent helpers: raw text → records (plain string operations only)
# ---------------------------------------------------------------------------


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF16_LE):
        return raw.decode("utf-16").replace("\r\n", "\n")
    return raw.decode("utf-8-sig").replace("\r\n", "\n")


def _raw_plain_records(path: Path) -> list[dict[str, list[str]]]:
    """Tag → lines of each record, split at ``ER`` lines."""
    out = []
    for chunk in _decode(path).split("\nER\n")[:-1]:
        rec: dict[str, list[str]] = {}
        tag = None
        for line in chunk.split("\n"):
            if line.startswith("   "):
                rec[tag].append(line.strip())
            elif len(line) >= 2 and line[:2] not in ("FN", "VR", "EF"):
                tag = line[:2]
                rec[tag] = [line[3:].strip()]
        out.append(rec)
    return out


def _count_input_records(path: Path) -> int:
    text = _decode(path)
    if text.startswith("FN "):
        return sum(1 for line in text.split("\n") if line.rstrip() == "ER")
    return sum(1 for line in text.split("\n")[1:] if line.strip())


@functools.cache
def _read_all(path: Path) -> tuple[Record | Reject, ...]:
    return tuple(read_wos(path))


def _wos_files(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "wos").glob("*.txt"))
    assert len(files) == 8
    return files


# ---------------------------------------------------------------------------
# Real files
# ---------------------------------------------------------------------------


def test_three_wosfile_formats_give_identical_records(shared_data):
    d = shared_data / "wos"
    plain = [asdict(r) for r in read_wos(d / "wosfile_plaintext.txt")]
    tab8 = [asdict(r) for r in read_wos(d / "wosfile_tab_utf8.txt")]
    tab16 = [asdict(r) for r in read_wos(d / "wosfile_tab_utf16.txt")]
    assert len(plain) == 50
    assert plain == tab8 == tab16
    # and the content is not trivially empty
    assert sum(len(r["references"]) for r in plain) > 2000
    assert sum(1 for r in plain for a in r["authorships"] if a["country"]) > 100


def test_formats_are_detected(shared_data):
    d = shared_data / "wos"
    for name, fmt, enc in [
        ("wosfile_plaintext.txt", "plain", "utf-8-sig"),
        ("wosfile_tab_utf8.txt", "tab", "utf-8-sig"),
        ("wosfile_tab_utf16.txt", "tab", "utf-16"),
    ]:
        stats = WosReadStats()
        for _ in read_wos(d / name, stats=stats):
            pass
        assert (stats.format, stats.encoding) == (fmt, enc)
        assert sniff_wos((d / name).read_bytes()[:600]) == fmt


def test_every_file_gives_one_item_per_input_record(shared_data):
    for path in _wos_files(shared_data):
        expected = _count_input_records(path)
        items = list(_read_all(path))
        assert len(items) == expected, path.name
        assert [i.record for i in items] == list(range(1, expected + 1))
        records = [i for i in items if isinstance(i, Record)]
        rejects = [i for i in items if isinstance(i, Reject)]
        assert len(records) + len(rejects) == expected
        assert rejects == []  # these exports are clean
        assert len({r.work_id for r in records}) == len(records)


@pytest.mark.parametrize(
    "name",
    ["wosfile_plaintext.txt", "bibx_bit_pattern.txt", "tethne_wos2.txt", "tethne_wos3.txt",
     "metaknowledge_many_authors.txt", "metaknowledge_savedrecs.txt"],
)
def test_ids_years_fields_and_reference_counts_match_the_raw_text(shared_data, name):
    path = shared_data / "wos" / name
    raw = _raw_plain_records(path)
    stats = WosReadStats()
    before = 0
    for rec, item in zip(raw, read_wos(path, stats=stats), strict=True):
        assert isinstance(item, Record)
        assert item.work_id == rec["UT"][0]  # these UTs already carry "WOS:"
        assert item.year == int(rec["PY"][0])
        wc = " ".join(rec["WC"]).split("; ")
        assert item.fields == wc
        assert item.cited_by_count == int(rec["TC"][0])
        # NR is WoS's own count of the record's CR entries; every entry is kept,
        # skipped (no key) or dropped as a repeat of an earlier key.
        n_cr = len(rec.get("CR", []))
        assert int(rec["NR"][0]) == n_cr
        seen = stats.references + stats.references_skipped + stats.references_duplicate
        assert seen - before == n_cr
        before = seen
        # Each DOI written in a CR line (first one of "DOI [a, b]") is a reference key.
        dois = set()
        for line in rec.get("CR", []):
            if ", DOI " not in line:
                continue
            rest = line.split(", DOI ", 1)[1]
            if rest.startswith("["):
                rest = rest[1:].split(", ")[0].removesuffix("]")
            rest = rest.removeprefix("DOI ")
            if rest.startswith("10.") and "/" in rest:
                dois.add("".join(rest.split()).removesuffix("]").lower().rstrip(".,;").rstrip("/"))
        assert dois <= {k for k, _ in item.references}
        if "DI" in rec:
            assert item.doi == rec["DI"][0].lower()


def _country_records(raw, suffix_test) -> set[int]:
    hits = set()
    for no, rec in enumerate(raw, 1):
        lines = rec.get("C1") or []
        for line in lines:
            last = line.split("]")[-1].rstrip(".").split(",")[-1].strip()
            if suffix_test(last):
                hits.add(no)
    return hits


@pytest.mark.parametrize(
    ("name", "code", "test"),
    [
        ("bibx_bit_pattern.txt", "JP", lambda last: last == "Japan"),
        ("bibx_bit_pattern.txt", "CN", lambda last: last == "Peoples R China"),
        ("bibx_bit_pattern.txt", "US", lambda last: last.endswith("USA")),
        ("tethne_wos3.txt", "GB", lambda last: last in ("England", "Scotland", "Wales", "North Ireland")),
        ("metaknowledge_many_authors.txt", "US",
         lambda last: last.endswith("USA") or re.fullmatch(r"[A-Z]{2}( \d{5})?", last) is not None),
        ("metaknowledge_many_authors.txt", "FR", lambda last: last.upper() == "FRANCE"),
        ("wosfile_plaintext.txt", "CH", lambda last: last == "Switzerland"),
    ],
)
def test_countries_match_an_independent_count(shared_data, name, code, test):
    path = shared_data / "wos" / name
    raw = _raw_plain_records(path)
    expected = _country_records(raw, test)
    assert expected  # the check is not vacuous
    got = set()
    for item in _read_all(path):
        if any(a.country == code for a in item.authorships if a.address and "(reprint author)" not in a.address):
            # only C1 rows count here (records without C1 take RP instead)
            if raw[item.record - 1].get("C1"):
                got.add(item.record)
    assert got == expected


def test_authorships_of_hand_checked_records(shared_data):
    d = shared_data / "wos"
    first = next(iter(read_wos(d / "wosfile_plaintext.txt")))
    # C1 "Univ Michigan, Dept Sociol, Ann Arbor, MI 48104 USA." and
    # "Stanford Univ, Stanford, CA 94305 USA." without author brackets.
    rows = [(a.author_position, a.author, a.institution, a.country) for a in first.authorships]
    assert rows == [
        (1, "Owen-Smith, J", None, None),
        (2, "Powell, WW", None, None),
        (None, None, "Univ Michigan", "US"),
        (None, None, "Stanford Univ", "US"),
    ]
    assert first.work_id == "WOS:000220015600001"
    assert first.doc_type == "article"
    assert first.source == "ORGANIZATION SCIENCE"
    assert first.title.startswith("Knowledge networks as channels and conduits: The effects of spillovers in the Boston")
    assert first.references[0] == ("10.2307/2667105", None)  # Ahuja G, 2000, ..., DOI 10.2307/2667105
    assert ("AUDRETSCH D|1996|AM ECON REV|86|641", None) in first.references

    # bibx: modern bracketed C1, one author with two addresses.
    recs = {r.work_id: r for r in _read_all(d / "bibx_bit_pattern.txt")}
    hits = [r for r in recs.values() if any(a.author == "Nguyen, T. N. Anh" for a in r.authorships)]
    assert hits
    rec = hits[0]
    nguyen = [a for a in rec.authorships if a.author == "Nguyen, T. N. Anh"]
    # "[Nguyen, T. N. Anh; Akerman, J.] KTH Royal Inst Technol, ..., S-16440 Kista, Sweden." and
    # "[Nguyen, T. N. Anh] VNU HCM, Spintron Res Grp, ..., Ho Chi Minh City, Vietnam."
    assert [(a.institution, a.country) for a in nguyen] == [("KTH Royal Inst Technol", "SE"), ("VNU HCM", "VN")]
    assert len({a.author_position for a in nguyen}) == 1
    assert all(a.author_position is not None for a in rec.authorships)

    # old upper-case C1 with a state code + ZIP and no country
    old = [r for r in _read_all(d / "metaknowledge_many_authors.txt")
           if any(a.address == "TULANE UNIV,SCH MED,DEPT OTOLARYNGOL,NEW ORLEANS,LA 70112" for a in r.authorships)]
    assert old
    row = next(a for a in old[0].authorships if a.address and a.address.startswith("TULANE"))
    assert (row.author_position, row.institution, row.country) == (None, "TULANE UNIV", "US")


def test_rp_is_used_when_c1_is_missing(shared_data):
    # metaknowledge_savedrecs record 3: no C1; RP "Nasalski, W (reprint author),
    # POLISH ACAD SCI,INST FUNDAMENTAL TECHNOL RES,SWIETOKRZYSKA 21,PL-00049 WARSAW,POLAND."
    items = list(read_wos(shared_data / "wos" / "metaknowledge_savedrecs.txt"))
    rec = items[2]
    assert rec.work_id == "WOS:A1996TN21700022"
    assert [(a.author_position, a.author, a.institution, a.country) for a in rec.authorships] == [
        (1, "Nasalski, W", "POLISH ACAD SCI", "PL")
    ]


def test_reader_streams_records_before_a_damaged_tail(shared_data, tmp_path):
    text = (shared_data / "wos" / "wosfile_plaintext.txt").read_text(encoding="utf-8-sig")
    cut = text.rfind("\nER\n") - 200  # inside the last record
    p = tmp_path / "cut.txt"
    p.write_text(text[:cut], encoding="utf-8")
    got = []
    with pytest.raises(InputFileError, match=r"cut\.txt: truncated: record 50 has no ER"):
        for item in read_wos(p):
            got.append(item)
    assert len(got) == 49 and all(isinstance(i, Record) for i in got)


def test_memory_does_not_grow_with_the_file(shared_data, tmp_path, monkeypatch):
    import wpimap.io.wos as wos_module

    monkeypatch.setattr(wos_module, "_CHUNK_CHARS", 1 << 16)  # 64k-character chunks
    text = (shared_data / "wos" / "wosfile_plaintext.txt").read_text(encoding="utf-8-sig")
    header, _, body = text.partition("\nPT ")
    body = "PT " + body.rsplit("\nEF", 1)[0]

    def peak_for(copies: int) -> tuple[int, int, int]:
        p = tmp_path / f"big{copies}.txt"
        with p.open("w", encoding="utf-8") as fh:
            fh.write(header + "\n")
            for _ in range(copies):
                fh.write(body + "\n")
            fh.write("EF\n")
        tracemalloc.start()
        try:
            n = sum(1 for _ in read_wos(p))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        return n, peak, p.stat().st_size

    peak_for(1)  # fill the caches (country table, CR keys) once
    n1, peak1, size1 = peak_for(3)
    n2, peak2, size2 = peak_for(9)
    assert (n1, n2) == (150, 450)
    assert size2 > 2.9 * size1
    assert peak2 < 1.2 * peak1 + 200_000  # three times the file, (about) the same peak
    assert peak2 < size2 / 2


# ---------------------------------------------------------------------------
# Records built by hand
# ---------------------------------------------------------------------------

PLAIN_HEAD = "FN Clarivate Analytics Web of Science\nVR 1.0\n"


def _plain(tmp_path: Path, body: str, name: str = "x.txt", newline: str = "\n", bom: bool = False) -> Path:
    p = tmp_path / name
    data = (PLAIN_HEAD + body).replace("\n", newline).encode("utf-8")
    p.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return p


RECORD = """PT J
AU Smith, J
   Tanaka, K
   Muller, H
AF Smith, John
   Tanaka, Ken
   Müller, Hans
TI A study of
   everything
SO JOURNAL OF THINGS
DT Article; Early Access
C1 [Smith, John; Tanaka, Ken] Tohoku Univ, WPI Adv Inst Mat Res, Sendai, Miyagi 9808577, Japan.
   [Smith, John] Stanford Univ, Dept Phys, Stanford, CA 94305 USA.
   [Nobody, X] Somewhere Inst, Paris, France.
RP Smith, J (corresponding author), Tohoku Univ, Sendai, Miyagi, Japan.
CR Ahuja G, 2000, ADMIN SCI QUART, V45, P425, DOI 10.2307/2667105
   Ahuja G., 2000, ADMIN SCI QUART, V45, P425, DOI 10.2307/2667105
   [Anonymous], 2007, JOURNALISTICA, V5, P27
   CREATION EVOLUTION E
   Li X, 2010, NAT MATER, V9, P1, DOI [10.1038/nmat4724, 10.1038/NMAT4724]
NR 5
TC 7
J9 J THINGS
VL 12
BP 100
EA NOV 2019
DI 10.1000/ABC.1
WC Physics, Applied; Materials Science,
   Multidisciplinary
UT WOS:000123456700001
ER
"""


def test_hand_made_record(tmp_path):
    stats = WosReadStats()
    (rec,) = list(read_wos(_plain(tmp_path, RECORD + "\nEF\n"), stats=stats))
    assert rec.work_id == "WOS:000123456700001"
    assert rec.year == 2019  # no PY: year of EA
    assert rec.doc_type == "article"
    assert rec.title == "A study of everything"
    assert rec.fields == ["Physics, Applied", "Materials Science, Multidisciplinary"]
    assert rec.doi == "10.1000/abc.1"
    assert rec.cited_by_count == 7
    assert rec.ref_key == "SMITH J|2019|J THINGS|12|100"
    assert rec.references == [
        ("10.2307/2667105", None),
        ("|2007|JOURNALISTICA|5|27", None),
        ("10.1038/nmat4724", None),
    ]
    assert (stats.references, stats.references_skipped, stats.references_duplicate) == (3, 1, 1)
    rows = [(a.author_position, a.author, a.institution, a.country) for a in rec.authorships]
    assert rows == [
        (1, "Smith, John", "Tohoku Univ", "JP"),
        (1, "Smith, John", "Stanford Univ", "US"),
        (2, "Tanaka, Ken", "Tohoku Univ", "JP"),
        (3, "Müller, Hans", None, None),  # no address attributed
        (None, "Nobody, X", "Somewhere Inst", "FR"),  # bracketed name not in the byline
    ]
    assert rec.authorships[0].address == "Tohoku Univ, WPI Adv Inst Mat Res, Sendai, Miyagi 9808577, Japan"


def test_crlf_bom_gzip_and_tab_give_the_same_record(tmp_path):
    base = list(read_wos(_plain(tmp_path, RECORD + "EF\n")))
    crlf = list(read_wos(_plain(tmp_path, RECORD + "EF\n", name="crlf.txt", newline="\r\n", bom=True)))
    gz = tmp_path / "x.txt.gz"
    gz.write_bytes(gzip.compress(_plain(tmp_path, RECORD + "EF\n", name="g.txt").read_bytes()))
    zipped = list(read_wos(gz))
    # the same record as a tab-delimited row (multi-valued fields joined by "; ")
    fields: dict[str, str] = {}
    tag = ""
    for line in RECORD.splitlines():
        if line.startswith("   "):
            sep = "; " if tag in ("AU", "AF", "C1", "CR") else " "
            fields[tag] += sep + line.strip()
        elif line[:2] != "ER":
            tag = line[:2]
            fields[tag] = line[3:]
    tags = list(fields)
    row = "\t".join(fields[t] for t in tags)
    tab = tmp_path / "tab.txt"
    tab.write_bytes(codecs.BOM_UTF16_LE + ("\t".join(tags) + "\r\n" + row + "\r\n").encode("utf-16-le"))
    tabbed = list(read_wos(tab))
    assert base == crlf == zipped == tabbed
    # line ends cut between "\r" and "\n" by the chunks, and old Mac line ends ("\r")
    from wpimap.io.wos import read_wos_batches

    mac = _plain(tmp_path, RECORD + "EF\n", name="mac.txt", newline="\r")
    for path in (tmp_path / "crlf.txt", mac):
        for chunk in (1, 2, 7):
            assert [i for b in read_wos_batches(path, chunk_chars=chunk) for i in b.items()] == base


def test_tab_fields_keep_quotes(tmp_path):
    p = tmp_path / "q.txt"
    p.write_text('PT\tAU\tTI\tPY\tUT\t\nJ\tDoe, J\t"Quoted" title, with "marks\t2001\tWOS:1\t\n', encoding="utf-8")
    (rec,) = list(read_wos(p))
    assert rec.title == '"Quoted" title, with "marks'
    assert (rec.year, rec.work_id) == (2001, "WOS:1")


def test_ut_prefixes(tmp_path):
    body = "".join(
        f"PT J\nAU A, B\nPY 2000\nUT {ut}\nER\n" for ut in ["000111", "WOS:000222", "ISI:000333", "MEDLINE:12345"]
    )
    ids = [r.work_id for r in read_wos(_plain(tmp_path, body + "EF\n"))]
    assert ids == ["WOS:000111", "WOS:000222", "WOS:000333", "MEDLINE:12345"]


def test_record_level_rejects_do_not_stop_the_file(tmp_path):
    body = (
        "PT J\nAU A, B\nPY 2000\nER\n"  # 1: no UT
        "PT J\nAU A, B\nthis line is junk\nUT WOS:2\nER\n"  # 2: malformed line
        "PT J\nAU A, B\nUT WOS:3\n"  # 3: no ER before the next PT
        "PT J\nAU C, D\nPY 2001\nUT WOS:4\nER\n"  # 4: fine
        "PT J\nAU E, F\nUT WOS:5\n"  # 5: no ER before EF
        "EF\n"
    )
    items = list(read_wos(_plain(tmp_path, body)))
    assert [type(i).__name__ for i in items] == ["Reject", "Reject", "Reject", "Record", "Reject"]
    assert [i.record for i in items] == [1, 2, 3, 4, 5]
    assert "no UT" in items[0].reason
    assert "line 9" in items[1].reason and "junk" in items[1].reason  # FN, VR, 4 lines, PT, AU, junk
    assert "no ER before the next PT" in items[2].reason
    assert items[3].work_id == "WOS:4"
    assert "no ER before EF" in items[4].reason


def test_tab_row_with_wrong_field_count_is_rejected(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("PT\tAU\tPY\tUT\nJ\tA, B\t2000\tWOS:1\nJ\tA, B\nJ\tC\t2001\tWOS:3\textra\n", encoding="utf-8")
    items = list(read_wos(p))
    assert [type(i).__name__ for i in items] == ["Record", "Reject", "Reject"]
    assert "2 fields, the header has 4" in items[1].reason


def test_rp_forms():
    assert parse_reprint(
        "Wang, X (corresponding author), Tsinghua Univ, Beijing, Peoples R China.; "
        "Li, Y; Zhao, Z (corresponding author), Peking Univ, Beijing 100871, Peoples R China."
    ) == [
        (["Wang, X"], "Tsinghua Univ, Beijing, Peoples R China"),
        (["Li, Y", "Zhao, Z"], "Peking Univ, Beijing 100871, Peoples R China"),
    ]
    assert parse_reprint("Smith, J (reprint author), Univ X, Paris, France.") == [
        (["Smith, J"], "Univ X, Paris, France")
    ]
    assert parse_reprint("no label here") == []


# ---------------------------------------------------------------------------
# Whole-file errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (codecs.BOM_UTF8 + b"\n\n  \n", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        (b"EID,Title,Year\n2-s2.0-1,x,2000\n", "not a Web of Science export"),
        (b"FN Clarivate\nVR 1.0\nPT J\nTI caf\xe9 \xff\xfe\nER\nEF\n", "not decodable as utf-8"),
        (b"FN Clarivate\nVR 1.0\nPT J\nAU A, B\nUT WOS:1\nER\nPT J\nAU C", "truncated: record 2"),
        (b"PT\tAU\tPY\tUT\nJ\tA, B\t2000\tWOS:1\nJ\tC, D", "truncated: last row"),
    ],
)
def test_whole_file_errors(tmp_path, content, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        list(read_wos(p))
    text = str(err.value)
    assert text.startswith(f"{p}: ") and message in text and "\n" not in text


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="file not found"):
        list(read_wos(tmp_path / "nope.txt"))


def test_header_only_export_has_no_records(tmp_path):
    assert list(read_wos(_plain(tmp_path, "EF\n"))) == []


# ---------------------------------------------------------------------------
# CR parsing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("Ahuja G, 2000, ADMIN SCI QUART, V45, P425, DOI 10.2307/2667105", "10.2307/2667105"),
        ("Davis G. F., 2003, Strategic Organization, V1, DOI 10.1177/14761270030013002",
         "10.1177/14761270030013002"),
        ("Ito K, 2016, NAT MATER, V15, P1, DOI [10.1038/nmat4724, 10.1038/NMAT4724]", "10.1038/nmat4724"),
        ("Fan J, 1953, BRIT J PHILOS SCI, V4, P147, DOI [DOI 10.1093/BJPS/IV.14.147, 10.2307/685989]",
         "10.1093/bjps/iv.14.147"),
        ("Bourdieu P, 1976, ACTES RECH SCI SOC, V2, P88, DOI DOI 10.3406/ARSS.1976.3454", "10.3406/arss.1976.3454"),
        ("Audretsch DB, 1996, AM ECON REV, V86, P641", "AUDRETSCH D|1996|AM ECON REV|86|641"),
        ("Alfarano C, 2005, NUCLEIC ACIDS RES, V33, pD418", "ALFARANO C|2005|NUCLEIC ACIDS RES|33|D418"),
        ("[Anonymous], 2007, JOURNALISTICA, V5, P27", "|2007|JOURNALISTICA|5|27"),
        ("[Anonymous], 2015, FLOR MUS NAT HIST", "|2015|FLOR MUS NAT HIST||"),
        ("1988, J AM COLL CARDIOL, V12, P529", "|1988|J AM COLL CARDIOL|12|529"),
        ("Gong Ping, 2007, V381, P59", "GONG P|2007||381|59"),
        ("MCGILL WJ, 1954, PSYCHOMETRIKA, V19, P97", "MCGILL W|1954|PSYCHOMETRIKA|19|97"),
        ("Bertsekas D., 1976, DYNAMIC PROGRAMMING", "BERTSEKAS D|1976|DYNAMIC PROGRAMMING||"),
        ("Tousi YM, 2009, ISCAS 2009, VOLS 1-5, P1121, DOI 10.1109/ISCAS.2009.5117957",
         "10.1109/iscas.2009.5117957"),
        ("Tousi YM, 2009, ISCAS 2009, VOLS 1-5, P1121", "TOUSI Y|2009|ISCAS 2009||1121"),
        ("Ottesen E A, 1984, Trans R Soc Trop Med Hyg, V78 Suppl, P9", "OTTESEN E A|1984|TRANS R SOC TROP MED HYG|78SUPPL|9"),
        ("Hexemer A., ADV GRAZING INCIDENC", None),  # no year, volume or page
        ("CREATION EVOLUTION E", None),
        ("[Anonymous]", None),
        ("", None),
    ],
)
def test_cr_keys(entry, expected):
    assert wos_cr_key(entry) == expected


def test_parse_wos_cr_elements():
    ref = parse_wos_cr("Van Grevelynghe G, 2000, 3RD MEETING, PROCEEDINGS, P73")
    assert (ref.author, ref.year, ref.source, ref.volume, ref.page, ref.doi) == (
        "Van Grevelynghe G", "2000", "3RD MEETING", None, "73", None)
    ref = parse_wos_cr("Rizzo N.D., 2002, U.S. Patent No, Patent No. 6351409")
    assert (ref.source, ref.volume, ref.page) == ("U.S. Patent No", None, None)


def test_fast_cr_key_equals_make_ref_key_on_every_real_entry(shared_data):
    entries: dict[str, None] = {}
    for path in _wos_files(shared_data):
        if "tab" not in path.name:
            for rec in _raw_plain_records(path):
                entries.update(dict.fromkeys(rec.get("CR", [])))
    assert len(entries) > 55_000  # distinct entries of the 79,784 CR lines
    slow_keys = []
    for entry in entries:
        ref = parse_wos_cr(entry)
        slow = ref.doi or make_ref_key(ref.author, ref.year, ref.source, ref.volume, ref.page)
        assert wos_cr_key(entry) == slow, entry
        slow_keys.append(slow)
    assert wos_cr_keys(list(entries)) == slow_keys  # the vectorized shapes too


_vec_piece = st.sampled_from(
    ["Smith J", "Smith J.", "de Gennes PG", "Stewart J. W.", "ANKENY", "Anonymous", "anonymous.", "[Anonymous]",
     "[anonymous]", "DOI T", "Smith DOIX", "2000", "1999", "NATURE", "PHYS REV B", "V2 ROCKET", "P3", "V12", "P345",
     "pS76", "J COMPUT-MEDIAT COMM", "DOI 10.1000/X", "DOI 10.1000/X.", "DOI 10.1000/", "DOI 10.1000",
     "DOI 10.1/A, DOI 10.2/B", "DOI [10.1/A, 10.2/B]", "DOI DOI 10.3/C", "Müller H", "", " ",
     # hyphens, inner dots and mixed case (the wider vectorized shape)
     "Mann-Metzer P", "Maqableh M.M.", "Kim Sang-Wook", "VICTORIC.BE", "Gjenero-Margan I.", "A.B C", "A-.B",
     "Mann- P", "-X Y", "A--B C", "J Nurs Meas", "INT J COMMUN-US", "J PHYSIOL-LONDON", "ab-", "X -Y", "V1-X",
     # letters in volumes and pages, starred authors, bracketed DOIs
     "VF7", "VOL3", "VOL", "VSUPPL1", "VIV", "pR1239", "p234S", "pS", "PABCD1", "*CIA", "*CIA US", "**X", "*",
     "DOI [10.1/A]", "DOI [10.1/A.]", "DOI [10.1/, 10.2/B]", "DOI [10.1/A,B, 10.2/C]", "DOI [10.1/A]]",
     "DOI [10.1/A", "DOI [DOI 10.1/A, 10.2/B]", "DOI [10.1/A, ]"]
)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [  # keys written by hand from the rules of author_key / make_ref_key
        ("Maqableh M.M., 2012, IEEE T MAGN, V48, P1", "MAQABLEH M|2012|IEEE T MAGN|48|1"),
        ("Kim Sang-Wook, 2007, J Invasive Cardiol, V19, P377", "KIM S|2007|J INVASIVE CARDIOL|19|377"),
        ("Mann-Metzer P, 1999, J NEUROSCI, V19, P3298", "MANN METZER P|1999|J NEUROSCI|19|3298"),
        ("VICTORIC.BE, 1970, AMER J ROENTGENOL RA, V108, P582", "VICTORIC BE|1970|AMER J ROENTGENOL RA|108|582"),
        ("Gjenero-Margan I., 2011, EUROSURVEILLANCE, V16", "GJENERO MARGAN I|2011|EUROSURVEILLANCE|16|"),
        ("MCGEOWN JG, 1987, J PHYSIOL-LONDON, V387, P83", "MCGEOWN J|1987|J PHYSIOL LONDON|387|83"),
        ("Totti C.M., 2002, Biologia Marina Mediterranea, V9, P391", "TOTTI C|2002|BIOLOGIA MARINA MEDITERRANEA|9|391"),
        # letters in volume and page, runs of spaces in the source
        ("ELTON EJ, 1972, MANAGE SCI B-APPL, V18, pB409", "ELTON E|1972|MANAGE SCI B APPL|18|B409"),
        ("Liu B, 2000, IEICE T ELECTRON, VE83C, P1539", "LIU B|2000|IEICE T ELECTRON|E83C|1539"),
        ("Darwin C, 1877, VARIOUS CONTRIVANCES, V2nd", "DARWIN C|1877|VARIOUS CONTRIVANCES|2ND|"),
        ("Haller Albrecht von, 1778, ENCY DICT, V23, p427a", "HALLER ALBRECHT V|1778|ENCY DICT|23|427A"),
        ("GILLIGAN BS, 1962, MED J AUST      1110, P747", "GILLIGAN B|1962|MED J AUST 1110||747"),
        ("Fong J., 2008, EDMONTON J      0506, pA4", "FONG J|2008|EDMONTON J 0506||A4"),
    ],
)
def test_vectorized_cr_keys_on_hyphens_dots_and_mixed_case(entry, expected, monkeypatch):
    import wpimap.io.refs as refs_module

    assert wos_cr_key(entry) == expected
    monkeypatch.setattr(refs_module, "_VEC_MIN", 1)
    assert wos_cr_keys([entry, entry]) == [expected, expected]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(_vec_piece, min_size=1, max_size=6), min_size=1, max_size=60))
def test_vectorized_cr_keys_equal_the_slow_path_on_generated_entries(entries_pieces):
    import wpimap.io.refs as refs_module

    entries = [", ".join(pieces) for pieces in entries_pieces]
    slow = []
    for entry in entries:
        ref = parse_wos_cr(entry)
        slow.append(ref.doi or make_ref_key(ref.author, ref.year, ref.source, ref.volume, ref.page))
    vec_min = refs_module._VEC_MIN
    refs_module._VEC_MIN = 1  # vectorize even a handful of entries
    try:
        assert wos_cr_keys(entries) == slow
    finally:
        refs_module._VEC_MIN = vec_min


_cr_piece = st.sampled_from(
    ["Smith J", "[Anonymous]", "Müller H.", "2000", "1999", "NATURE", "PHYS REV B", "V12", "V 3", "P345",
     "pD418", "VOLS 1-2", "Patent No. 1", "DOI 10.1000/X", "DOI [10.1/A, 10.2/B]", "", " ", "V", "P",
     "Ωmega", "١٩٩٩", "VA", "Suppl"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_cr_piece, max_size=7), st.sampled_from([", ", ",", " , "]))
def test_fast_cr_key_equals_slow_path_on_generated_entries(pieces, sep):
    entry = sep.join(pieces)
    ref = parse_wos_cr(entry)
    slow = ref.doi or make_ref_key(ref.author, ref.year, ref.source, ref.volume, ref.page)
    assert wos_cr_key.__wrapped__(entry) == slow


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=12), st.one_of(st.none(), st.integers(1900, 2030), st.text(max_size=5)),
       st.one_of(st.none(), st.text(max_size=12)), st.one_of(st.none(), st.text(max_size=5)),
       st.one_of(st.none(), st.text(max_size=5)))
def test_ref_key_fast_equals_make_ref_key(author, year, source, volume, page):
    assert ref_key_fast(author, year, source, volume, page) == make_ref_key(author, year, source, volume, page)
    if author:
        assert _author_key_fast(author) == author_key(author)


# ---------------------------------------------------------------------------
# Columnar path of the plain-text reader = the line loop
# ---------------------------------------------------------------------------


def _dump(fields) -> list:
    """The content of a wos._Fields, record by record, comparable with ==."""
    import numpy as np

    crs: list[list[str]] = [[] for _ in range(fields.n)]
    parts = [(e.to_pylist(), r) for e, r in fields.cr]
    for entries, rows in parts:
        for order in np.argsort(rows, kind="stable"):
            crs[rows[order]].append(entries[order])
    return [
        (fields.record_no[i], fields.reason[i], {t: v[i] for t, v in fields.text.items()},
         {t: v[i] for t, v in fields.lists.items()}, crs[i])
        for i in range(fields.n)
    ]


def _both_paths(block: str) -> tuple[list, list]:
    """(the block read by the chunk reader, the block read by the line loop only)."""
    import wpimap.io.wos as wos_module

    lines, ends, _ = wos_module._split_chunk((block + "\nER\n").encode(), False)
    assert len(ends) == 1  # the block holds no ER line of its own
    columnar = wos_module._chunk_fields(lines, ends, 1, wos_module._PlainState())
    items = list(wos_module._plain_block(block, 1, wos_module._PlainState()))
    line_loop = wos_module._Fields(len(items))
    for i, item in enumerate(items):
        line_loop.set_raw(i, *item)
    return _dump(columnar), _dump(line_loop)


def test_columnar_path_equals_line_loop_on_every_real_record(shared_data):
    import wpimap.io.wos as wos_module

    taken = 0
    for path in _wos_files(shared_data):
        if "tab" in path.name:
            continue
        blocks = re.split(r"\nER[ \t]*\n", _decode(path))
        for block in blocks:
            fast, slow = _both_paths(block)
            assert fast == slow
        lines, ends, _ = wos_module._split_chunk(_decode(path).encode(), False)
        assert len(ends) == len(blocks) - 1  # the ER lines the regex finds
        is_end = np.zeros(ends[-1] + 1, dtype=bool)
        is_end[ends] = True
        parent = np.cumsum(is_end) - is_end
        body = lines.slice(0, ends[-1] + 1).filter(pa.array(~is_end))
        taken += int(wos_module._fast_fields(body, parent[~is_end], len(ends))[0].sum())
    assert taken > 1600  # nearly every one of the 1,682 plain-text records takes the columnar path


@pytest.mark.parametrize(
    "block",
    [
        "\nPT J\nAU Smith, J\n   Tanaka, K\nTI A\n   B\nUT WOS:1",  # usual
        "PT J\nAU Smith, J\n\n   Tanaka, K\nUT WOS:1",  # blank line inside a field
        "PT J\nAU Smith, J\nAU Jones, K\nUT WOS:1",  # repeated tag
        "PT J\nAU Smith, J\nPT J\nUT WOS:1",  # second PT
        "PT J\nAU Smith, J\nEF",  # EF inside
        "PT J\nAU\n   Smith, J\n   \nTI  spaced  \nUT WOS:1",  # bare tag, blank continuation
        "PT J\nau lower\nUT WOS:1",  # not a tag
        "PT J\n\tAU tab\nUT WOS:1",
        "FN Clarivate\nVR 1.0\nPT J\nUT WOS:1",  # header before the first record
        "PT J\nCR A, 2000, X, V1, P2\n   B, 2001, Y\nNR 2\nUT WOS:1",
        "PT J\nZZ unknown tag\n   its continuation\nUT WOS:1",
        "PT J\nUTWOS:1",  # no space after the tag
        "PT J\nAU Smith, J\n   \nTI x\n  y \n \nUT WOS:1",  # blank continuations at a field's end
        "PT J\nTI a\x00b\nUT WOS:1",  # a NUL in the text
        "PT J\nTI a\n b\n  c\n   d\nUT WOS:1",  # continuations indented by 1, 2, 3 spaces
        "PT J\nTI é\n   ü x\nAU Ωmega, Ä\nUT WOS:1",  # non-ASCII after the tag and in continuations
        "PT J\nTI\nAU x\nUT WOS:1",  # a bare tag that is wanted, no value
        "PT J\nAU x\nAU\nUT WOS:1",  # "AU x" and a bare "AU"
        "PT J\nTI a\u2003\n\u3000b\u00a0\nUT WOS:1",  # Unicode white space around values
        "PT J\nER x\nUT WOS:1",  # an ER line with text: a field like any other
        "PT J\nA1 x\n1A y\nUT WOS:1",  # a digit first is no tag
        "PT J",  # nothing but PT
        "",
        "\n\n",
    ],
)
def test_columnar_path_equals_line_loop_on_edge_cases(block):
    fast, slow = _both_paths(block)
    assert fast == slow


def test_references_are_the_distinct_keys_of_the_raw_cr_lines(shared_data):
    # the raw CR lines are cut from the text with plain string operations; each record's
    # references are its lines' keys, without None and repeats, in order
    path = shared_data / "wos" / "tethne_wos2.txt"
    items = _read_all(path)
    assert len(items) == 100
    for rec, item in zip(_raw_plain_records(path), items, strict=True):
        unique = dict.fromkeys(wos_cr_key(e) for e in rec.get("CR", []) if e)
        unique.pop(None, None)
        assert [(k, None) for k in unique] == item.references


def test_contains_finds_a_pattern_in_each_string_only():
    from wpimap.io.refs import _contains

    strings = pa.array(["xx", "ab DOI", "DO", "I x", "", "DOI", "xDOIx", "D", "OI", "DOIDOI", "doi"])
    expected = [b"DOI" in s.encode() for s in strings.to_pylist()]
    assert expected == [False, True, False, False, False, True, True, False, False, True, False]  # by hand
    assert _contains(strings, b"DOI").tolist() == expected
    # a slice (offsets that do not start at 0); a pattern across two strings is no hit
    assert _contains(strings.slice(2, 5), b"DOI").tolist() == expected[2:7]
    assert _contains(pa.array(["a", "  b", " "]), b"  ").tolist() == [False, True, False]
    assert _contains(pa.array(["", ""]), b"DOI").tolist() == [False, False]


@pytest.mark.parametrize("vec_min", [1, 10_000])  # vectorized, one by one
def test_cr_key_codes_point_each_entry_at_its_key(monkeypatch, vec_min):
    import wpimap.io.refs as refs_module
    from wpimap.io.refs import wos_cr_key_codes

    monkeypatch.setattr(refs_module, "_VEC_MIN", vec_min)
    entries = ["Ahuja G, 2000, ADMIN SCI QUART, V45, P425", "CREATION EVOLUTION E",
               "Ahuja G., 2000, ADMIN SCI QUART, V45, P425",  # another text, the same key
               "X Y, 2001, Z, DOI 10.1/A", "Ahuja G, 2000, ADMIN SCI QUART, V45, P425", "X Y, 2001, Z, DOI 10.1/a"]
    keys, codes = wos_cr_key_codes(pa.array(entries))
    assert keys.to_pylist() == ["AHUJA G|2000|ADMIN SCI QUART|45|425", "10.1/a"]  # by hand, first seen first
    assert codes.tolist() == [0, -1, 0, 1, 0, 1]
    assert [wos_cr_key(e) for e in entries] == [keys[c].as_py() if c >= 0 else None for c in codes]


def test_vectorized_cr_keys_on_tricky_doi_entries(monkeypatch):
    import wpimap.io.refs as refs_module

    entries = [
        "A B, 2000, X,, DOI 10.1/a, DOI 10.2/b",  # a second ", DOI " after a doubled comma
        "A B, 2000, X, DOI 10.1/a, DOI 10.2/b",
        "A B, 2000, X, DOI 10.1/A.;/",  # the slash is stripped, the ".;" before it stays
        "A B, 2000, X, DOIS, DOI 10.5/Z",
        "A B, 2000, X, DOI 10.5",  # no slash: not a DOI
        "A B, 2000, X, DOI DOI 10.1/AB.",  # the doubled label
        "A B, 2000, X, DOI DOI 10.1/a]",  # ... with a bracket: read further
        "A B, 2000, X, DOI DOI 10.1/",  # ... nothing after the slash
        "Ωmega Ä, 2000, X, DOI 10.1/ab",  # non-ASCII before the DOI
        "A B, 2000, X, DOI 10.1/é",  # non-ASCII in the DOI
        "A B, 2000, X, DOI 10.1/a\tb",  # a tab inside the DOI
        "A B, 2000, X, DOI  10.1/ab",  # two spaces after the label
        "A B, 2000, X, DOI [10.1/Ab., 10.2/c]",  # the first of a list
        "A B, 2000, X, DOI [10.1/, 10.2/c]",  # ... not a DOI: the next one
        "A B, 2000, X, DOI [10.1/a]",
        "*CIA US, 2002, WORLD FACT BOOK, VF7, pR12",  # a starred author, letters in volume and page
    ]
    expected = []
    for entry in entries:
        ref = parse_wos_cr(entry)
        expected.append(ref.doi or make_ref_key(ref.author, ref.year, ref.source, ref.volume, ref.page))
    assert expected[2] == "10.1/a.;" and expected[3] == "10.5/z"  # by hand
    monkeypatch.setattr(refs_module, "_VEC_MIN", 1)
    assert wos_cr_keys(entries) == expected


def test_batches_of_any_chunk_size_give_the_same_records(shared_data):
    from wpimap.io.wos import read_wos_batches

    for name in ("wosfile_plaintext.txt", "wosfile_tab_utf8.txt", "metaknowledge_savedrecs.txt"):
        path = shared_data / "wos" / name
        expected = list(_read_all(path))
        for chunk in (1, 700, 20_000):
            batches = list(read_wos_batches(path, chunk_chars=chunk))
            assert [i for b in batches for i in b.items()] == expected, (name, chunk)
            if chunk == 1:  # every record in a chunk of its own, as for any chunk smaller than a record
                assert all(b.num_records <= 1 for b in batches) or "tab" in name


def test_known_work_ids_get_no_authorships_and_references(shared_data):
    from wpimap.io.wos import read_wos_batches

    path = shared_data / "wos" / "tethne_wos2.txt"
    items = list(_read_all(path))
    known = {items[0].work_id, items[57].work_id}
    batches = list(read_wos_batches(path, known_ids=known))
    got = [i for b in batches for i in b.items()]
    assert [i.work_id for i in got] == [i.work_id for i in items]
    for item, full in zip(got, items, strict=True):
        if item.work_id in known:
            assert (item.authorships, item.references) == ([], [])
            assert full.authorships and full.references  # (not empty to begin with)
            assert (item.year, item.doi, item.ref_key) == (full.year, full.doi, full.ref_key)
        else:
            assert item == full


def test_cr_entries_of_a_ragged_field():
    import wpimap.io.wos as wos_module

    block = "PT J\nCR A, 2000, X, V1, P2\n   \n     B, 2001, Y  \nNR 2\nUT WOS:1"
    lines = pa.array([line + "\n" for line in block.split("\n")])
    taken, _, _, cr, cr_block = wos_module._fast_fields(lines, np.zeros(len(lines), dtype=np.int64), 1)
    assert taken.tolist() == [True]
    assert cr.to_pylist() == ["A, 2000, X, V1, P2", "B, 2001, Y"]
    assert cr_block.tolist() == [0, 0]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=["\n", "E", "R", " ", "\t", "x"], max_size=40))
def test_er_line_search_equals_the_regex(text):
    import wpimap.io.wos as wos_module

    # the ER lines that end records: "\nER\n" (spaces, tabs before the line end), the
    # line end before one not shared with the ER line before it
    expected = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"\nER[ \t]*\n", text)]
    lines, ends, used = wos_module._split_chunk(text.encode(), False)
    assert ends == expected
    assert lines.to_pylist() == [line + "\n" for line in text.split("\n")[:-1]]  # the complete lines
    assert used == (len("\n".join(text.split("\n")[: ends[-1] + 1])) + 1 if ends else 0)
    # a chunk whose first line follows a line end (the header was cut off before it)
    expected = [text.count("\n", 0, m.start()) for m in re.finditer(r"\nER[ \t]*\n", "\n" + text)]
    assert wos_module._split_chunk(text.encode(), True)[1] == expected
