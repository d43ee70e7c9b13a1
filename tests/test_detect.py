"""Format detection from content (not file names), bad-file errors, reader dispatch."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from wpimap.io.detect import detect_format, read_records
from wpimap.io.openalex import read_openalex
from wpimap.io.records import InputFileError, Record
from wpimap.io.scopus import read_scopus

EXPECTED = {"wos": "wos", "scopus": "scopus", "openalex": "openalex"}


def _real_files(shared_data: Path) -> list[tuple[Path, str]]:
    return [(p, EXPECTED[d]) for d in EXPECTED for p in sorted((shared_data / d).iterdir())]


@pytest.mark.realdata
def test_real_files_by_content(shared_data, tmp_path):
    files = _real_files(shared_data)
    assert len(files) == 13  # 8 WoS, 3 Scopus, 2 OpenAlex (see the data README)
    for path, fmt in files:
        assert detect_format(path) == fmt, path
        head = path.read_bytes()[: 1 << 18]  # detection looks at the first 64 KiB only
        # same content under a misleading name, and gzip-compressed under another
        renamed = tmp_path / f"{path.stem}.dat"
        renamed.write_bytes(head)
        assert detect_format(renamed) == fmt, path
        gz = tmp_path / f"{path.stem}.txt"
        gz.write_bytes(gzip.compress(head, compresslevel=1))
        assert detect_format(gz) == fmt, path


@pytest.mark.realdata
def test_bibtex_is_not_a_known_format(shared_data):
    path = shared_data / "bibtex" / "wos.bib"
    with pytest.raises(InputFileError) as err:
        detect_format(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: unknown format") and "\n" not in msg


@pytest.mark.parametrize(
    ("content", "fmt"),
    [
        (b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n", "wos"),
        ("\ufeffFN Thomson Reuters Web of Science\r\nVR 1.0\r\n".encode(), "wos"),
        ("\ufeffPT\tAU\tBA\tTI\r\nJ\tSmith, J\t\tA title\r\n".encode("utf-16"), "wos"),
        (b"PT\tAU\tTI\nJ\tSmith, J\tTitle\n", "wos"),
        (b'\n\n{"id": "https://openalex.org/W1", "title": "x"}\n{"id": "W2"}\n', "openalex"),
        (json.dumps({"id": "https://openalex.org/W1", "a": [1, 2]}, indent=2).encode(), "openalex"),
        (json.dumps({"meta": {}, "results": [{"id": "https://openalex.org/W9"}]}).encode(), "openalex"),
        (b'"id","display_name","authorships.author.display_name"\n"https://openalex.org/W1","x","A"\n', "openalex"),
        (b"id,display_name,publication_year\nW1,x,2020\n", "openalex"),
        ('\ufeff"Authors","Title","Year","Source title","EID"\n'.encode(), "scopus"),
        (b"Authors,Author full names,Title,Year,Source title\n", "scopus"),
    ],
)
def test_synthetic_heads(tmp_path, content, fmt):
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    assert detect_format(path) == fmt
    gz = tmp_path / "input.bin.gz"
    gz.write_bytes(gzip.compress(content))
    assert detect_format(gz) == fmt


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \r\n\n", "empty file"),
        (b"\x81\x82\x83 not text", "not decodable"),
        (b"\x00\x01\x02\x03binary", "binary content"),
        (b'{"id": 5, "title": "not openalex"}\n', "without an OpenAlex work id"),
        (b"a,b,c\n1,2,3\n", "unknown format"),
        (b"@article{x,\n title={y}}\n", "unknown format"),
    ],
)
def test_bad_files_one_line_errors(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        detect_format(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}: ") and reason in msg and "\n" not in msg


def test_missing_directory_and_truncated_gzip(tmp_path):
    with pytest.raises(InputFileError, match="file not found"):
        detect_format(tmp_path / "nope.csv")
    with pytest.raises(InputFileError, match="directory"):
        detect_format(tmp_path)
    data = gzip.compress(b"FN Clarivate Analytics Web of Science\n" * 10)
    cut = tmp_path / "cut.gz"
    cut.write_bytes(data[: len(data) - 12])
    with pytest.raises(InputFileError, match="truncated"):
        detect_format(cut)


@pytest.mark.realdata
def test_read_records_dispatch(shared_data):
    oa = shared_data / "openalex" / "W2741809807.json"
    assert list(read_records(oa)) == list(read_openalex(oa))
    sc = shared_data / "scopus" / "tethne_scopus.csv"
    auto = list(read_records(sc, source_fields={"Ecological Indicators": ["Ecology"]}))
    assert auto == list(read_scopus(sc, source_fields={"ECOLOGICAL INDICATORS": ["Ecology"]}))
    assert auto[0].fields == ["Ecology"]
    # explicit format: options a reader does not know are ignored
    assert list(read_records(oa, "openalex", source_fields={"x": ["y"]})) == list(read_openalex(oa))
    with pytest.raises(ValueError, match="unknown input format"):
        read_records(oa, "bibtex")


@pytest.mark.realdata
def test_read_records_wos(shared_data):
    pytest.importorskip("wpimap.io.wos")
    items = list(read_records(shared_data / "wos" / "wosfile_plaintext.txt"))
    assert len(items) == 50 and all(isinstance(i, Record) for i in items)
