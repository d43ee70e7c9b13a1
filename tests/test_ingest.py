"""Ingestion end to end: duplicates, reference resolution, rejects, atomic outputs, summary."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from wpimap.ingest import expand_inputs, ingest_paths
from wpimap.io.records import InputFileError

ROOT = Path(__file__).resolve().parents[1]


def wos_record(ut: str, au: str, py: int, j9: str, vl: str, bp: str, doi: str | None,
               c1: str, cr: list[str], dt: str = "Article", wc: str = "Physics, Applied") -> str:
    lines = ["PT J", f"AU {au}", f"AF {au}", f"TI Title of {ut}", f"SO {j9} JOURNAL", f"J9 {j9}",
             f"DT {dt}", f"C1 {c1}"]
    if cr:
        lines.append(f"CR {cr[0]}")
        lines += [f"   {c}" for c in cr[1:]]
    lines += [f"PY {py}", f"VL {vl}", f"BP {bp}", f"WC {wc}"]
    if doi:
        lines.append(f"DI {doi}")
    lines += [f"UT WOS:{ut}", "ER", ""]
    return "\n".join(lines)


def wos_file(path: Path, records: list[str]) -> Path:
    path.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\n" + "\n".join(records) + "EF\n", encoding="utf-8")
    return path


@pytest.fixture
def tiny_corpus(tmp_path) -> list[Path]:
    a = wos_record("000000000000001", "Tanaka, H", 2010, "PHYS REV B", "81", "100", "10.1103/PhysRevB.81.100",
                   "[Tanaka, H] Tohoku Univ, WPI Adv Inst Mat Res, Sendai, Miyagi 9808577, Japan.", [])
    b = wos_record("000000000000002", "Smith, J", 2011, "NATURE", "470", "55", None,
                   "[Smith, J] Univ Oxford, Dept Phys, Oxford OX1 3PU, England.", [])
    # c cites a by DOI, b by key, and one work outside the corpus.
    c = wos_record("000000000000003", "Muller, A", 2012, "SCIENCE", "335", "7", "10.1126/science.1",
                   "[Muller, A] Max Planck Inst, Stuttgart, Germany.",
                   ["Tanaka H, 2010, PHYS REV B, V81, P100, DOI 10.1103/PhysRevB.81.100",
                    "Smith J, 2011, NATURE, V470, P55",
                    "Doe J, 1999, OUTSIDE J, V1, P1"])
    f1 = wos_file(tmp_path / "one.txt", [a, b])
    # the second file repeats record a (same UT) and record c
    f2 = wos_file(tmp_path / "two.txt", [a, c])
    return [f1, f2]


def test_duplicates_merged_and_references_resolved(tiny_corpus, tmp_path):
    out = tmp_path / "out"
    summary = ingest_paths(tiny_corpus, out, centers=ROOT / "config" / "centers.yaml")
    works = pd.read_parquet(out / "works.parquet")
    refs = pd.read_parquet(out / "references.parquet")
    assert sorted(works["work_id"]) == ["WOS:000000000000001", "WOS:000000000000002", "WOS:000000000000003"]
    # 4 records read, 4 normalized, 1 of them a duplicate merged into the first
    assert [(f.records, f.normalized, f.duplicates, f.rejected) for f in summary.files] == [(2, 2, 0, 0), (2, 2, 1, 0)]
    resolved = dict(zip(refs["cited_key"], refs["cited_id"], strict=True))
    assert resolved["10.1103/physrevb.81.100"] == "WOS:000000000000001"
    assert resolved["SMITH J|2011|NATURE|470|55"] == "WOS:000000000000002"
    assert pd.isna(resolved["DOE J|1999|OUTSIDE J|1|1"])
    assert summary.references == 3 and summary.resolved == 2
    assert summary.resolution_rate == pytest.approx(2 / 3)
    auth = pd.read_parquet(out / "authorships.parquet")
    by_work = auth.set_index("work_id")
    assert by_work.loc["WOS:000000000000001", "country"] == "JP"
    assert by_work.loc["WOS:000000000000001", "center"] == "AIMR"
    assert by_work.loc["WOS:000000000000002", "country"] == "GB"
    assert pd.isna(by_work.loc["WOS:000000000000002", "center"])
    table = pd.read_csv(out / "ingest_summary.csv")
    assert table["records"].tolist() == [2, 2, 4]


def test_rejects_and_records_balance(tmp_path):
    good = wos_record("000000000000009", "Lee, K", 2015, "NANO LETT", "15", "1", None,
                      "[Lee, K] Seoul Natl Univ, Seoul, South Korea.", [])
    no_ut = good.replace("UT WOS:000000000000009\n", "")
    f = wos_file(tmp_path / "r.txt", [good, no_ut])
    out = tmp_path / "out"
    summary = ingest_paths([f], out)
    rejects = pd.read_parquet(out / "rejects.parquet")
    assert summary.files[0].records == 2
    assert len(pd.read_parquet(out / "works.parquet")) + len(rejects) == 2
    assert rejects["record"].tolist() == [2]
    assert rejects["source_file"].tolist() == [str(f)]


def test_bad_file_stops_and_keeps_earlier_outputs(tiny_corpus, tmp_path):
    out = tmp_path / "out"
    ingest_paths(tiny_corpus[:1], out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputFileError) as exc:
        ingest_paths([tiny_corpus[0], empty], out)
    assert str(empty) in str(exc.value) and "\n" not in str(exc.value)
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_expand_inputs_globs_and_missing(tmp_path):
    for name in ("b.txt", "a.txt"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in expand_inputs([tmp_path / "*.txt"])] == ["a.txt", "b.txt"]
    assert [p.name for p in expand_inputs([tmp_path])] == ["a.txt", "b.txt"]
    with pytest.raises(InputFileError, match="no such file"):
        expand_inputs([tmp_path / "nope*.csv"])


def test_cli_one_line_error(tmp_path, capsys):
    from wpimap.cli import main

    bad = tmp_path / "notes.txt"
    bad.write_text("just some notes, not a bibliographic export\n")
    assert main(["ingest", str(bad), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("wpimap: error: ") and str(bad) in err and "\n" not in err


@pytest.mark.realdata
def test_real_files_of_all_formats_ingest_together(shared_data, tmp_path):
    files = sorted((shared_data / "wos").glob("*.txt")) + sorted((shared_data / "scopus").glob("*.csv")) + \
        sorted((shared_data / "openalex").iterdir())
    out = tmp_path / "out"
    summary = ingest_paths(files, out, centers=ROOT / "config" / "centers.yaml")
    works = pd.read_parquet(out / "works.parquet")
    rejects = pd.read_parquet(out / "rejects.parquet")
    n_records = sum(f.records for f in summary.files)
    n_dups = sum(f.duplicates for f in summary.files)
    assert len(works) + len(rejects) + n_dups == n_records
    assert works["work_id"].is_unique
    # the three wosfile exports hold the same 50 records: the two tab files are all duplicates
    by_name = {Path(f.source_file).name: f for f in summary.files}
    assert by_name["wosfile_tab_utf8.txt"].duplicates == 50
    assert by_name["wosfile_tab_utf16.txt"].duplicates == 50


def test_copy_of_a_file_is_all_duplicates(tiny_corpus, tmp_path):
    copy = tmp_path / "copy.txt"
    shutil.copy(tiny_corpus[0], copy)
    summary = ingest_paths([tiny_corpus[0], copy], tmp_path / "o")
    assert summary.files[1].duplicates == summary.files[1].records == 2
    assert summary.works == 2


def test_arrow_resolution_matches_hand_values_and_pandas_path():
    import pyarrow as pa

    from wpimap.ingest import _Lookups, resolve_references

    alias = {"W1": "W1", "W1dup": "W1", "W2": "W2"}
    by_doi = {"10.1/a": "W1", "10.1/b": "W2"}
    by_key = {"SMITH J|2000|NAT|1|2": "W2"}
    refs = pd.DataFrame(
        {
            "citing_id": ["W2", "W2", "W1", "W1", "W2", "W1", "W1", "W2"],
            "cited_key": [None, "10.1/a", "10.1/b", "SMITH J|2000|NAT|1|2", "10.1/b", "10.9/zz", None, "10.1/zz"],
            "cited_id": ["W1dup", None, None, None, None, None, "W9", None],
        }
    )
    # by hand: alias; DOI; DOI; key; self-citation (W2 -> W2) dropped; unknown DOI; unknown ID; unknown DOI
    expected = ["W1", "W1", "W2", "W2", None, None, None, None]
    got = _Lookups(alias, by_doi, by_key).resolve(
        pa.array(refs["citing_id"]), pa.array(refs["cited_key"], pa.string()), pa.array(refs["cited_id"], pa.string())
    )
    assert got.to_pylist() == expected
    old = resolve_references(refs, pd.Series(alias), pd.Series(by_doi), pd.Series(by_key))["cited_id"]
    assert [None if pd.isna(v) else v for v in old] == expected


def test_small_chunks_and_cr_batches_give_the_same_tables(shared_data, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    import wpimap.ingest as ingest_module

    files = [shared_data / "wos" / "tethne_wos2.txt", shared_data / "wos" / "wosfile_tab_utf8.txt",
             shared_data / "wos" / "wosfile_plaintext.txt"]  # the last two: the same 50 records
    one = ingest_paths(files, tmp_path / "one")
    monkeypatch.setattr(ingest_module, "_PENDING_CR_CHARS", 3000)  # key CR fields a few records at a time
    many = ingest_paths(files, tmp_path / "many", chunk_records=7)  # and spill every 7 records
    for name in ("works", "authorships", "references", "rejects"):
        assert pq.read_table(tmp_path / "one" / f"{name}.parquet").equals(
            pq.read_table(tmp_path / "many" / f"{name}.parquet")
        ), name
    assert [(f.references, f.resolved, f.duplicates) for f in one.files] == [
        (f.references, f.resolved, f.duplicates) for f in many.files
    ]
    assert many.files[2].duplicates == 50  # plain text repeats the tab-delimited records


def test_whitespace_for_arrow_trim_is_what_str_strip_removes():
    import sys

    from wpimap.ingest import _WHITESPACE

    brute = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}  # every code point
    assert set(_WHITESPACE) == brute
    assert len(_WHITESPACE) == len(brute)


def test_pending_cr_keys_split_strip_and_dedupe_per_record(tmp_path):
    import wpimap.ingest as ingest_module

    buf = ingest_module._Buffer(tmp_path)
    fs = ingest_module.FileSummary(source_file="x", format="wos")
    pending = ingest_module._PendingCR()
    pending.add("WOS:1", "Smith J, 2000, NATURE, V1, P2\n  \u3000smith j., 2000, NATURE, V1, P2\u2003\n\n"
                         "CREATION EVOLUTION E\n Doe A, 2001, X, DOI 10.5/AB.")
    pending.add("WOS:2", "Doe A, 2001, X, DOI 10.5/ab\n")
    pending.flush_into(buf, 3, fs)
    table = buf._refs_table()
    # by hand: record 1 cites SMITH J twice (one kept), one entry has no key, one DOI
    assert table.column("citing_id").to_pylist() == ["WOS:1", "WOS:1", "WOS:2"]
    assert table.column("cited_key").to_pylist() == ["SMITH J|2000|NATURE|1|2", "10.5/ab", "10.5/ab"]
    assert table.column("cited_id").null_count == 3
    assert table.column("file_index").to_pylist() == [3, 3, 3]
    assert fs.references == 3
