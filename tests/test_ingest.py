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


def test_small_chunks_and_cr_batches_give_the_same_tables(shared_data, tmp_path):
    import pyarrow.parquet as pq

    files = [shared_data / "wos" / "tethne_wos2.txt", shared_data / "wos" / "wosfile_tab_utf8.txt",
             shared_data / "wos" / "wosfile_plaintext.txt"]  # the last two: the same 50 records
    one = ingest_paths(files, tmp_path / "one")
    # WoS files read 3000 characters at a time (a record or two per chunk), spilled every 7 records
    many = ingest_paths(files, tmp_path / "many", chunk_records=7, chunk_chars=3000)
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

    from wpimap.io.wos import WHITESPACE

    brute = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}  # every code point
    assert set(WHITESPACE) == brute
    assert len(WHITESPACE) == len(brute)


@pytest.mark.parametrize("blank", ["", "\n"])  # a blank line makes the reader take the line loop
def test_cr_entries_are_stripped_keyed_and_deduplicated_per_record(tmp_path, blank):
    record = ("PT J\nAU Smith, J\nCR Smith J, 2000, NATURE, V1, P2\n  \u3000smith j., 2000, NATURE, V1, P2\u2003\n"
              f"{blank}   CREATION EVOLUTION E\n    Doe A, 2001, X, DOI 10.5/AB.\nUT WOS:1\nER\n"
              "PT J\nAU Doe, A\nCR Doe A, 2001, X, DOI 10.5/ab\nUT WOS:2\nER\n")
    f = wos_file(tmp_path / "cr.txt", [record])
    ingest_paths([f], tmp_path / "out")
    table = pd.read_parquet(tmp_path / "out" / "references.parquet")
    # by hand: record 1 cites SMITH J twice (one kept), one entry has no key, one DOI
    assert table["citing_id"].tolist() == ["WOS:1", "WOS:1", "WOS:2"]
    assert table["cited_key"].tolist() == ["SMITH J|2000|NATURE|1|2", "10.5/ab", "10.5/ab"]
    assert table["cited_id"].isna().all()


def test_tiny_wos_chunks_give_the_same_tables_as_the_default(shared_data, tmp_path, monkeypatch):
    import wpimap.ingest as ingest_module

    # memory is bounded by the chunk: a chunk far smaller than one record changes nothing
    files = [shared_data / "wos" / "wosfile_plaintext.txt", shared_data / "wos" / "wosfile_tab_utf16.txt",
             shared_data / "wos" / "metaknowledge_savedrecs.txt"]
    default = ingest_paths(files, tmp_path / "default")
    tiny = ingest_paths(files, tmp_path / "tiny", chunk_chars=100)
    _assert_same_outputs(tmp_path / "default", tmp_path / "tiny")
    # per-file tables spilled to temporary files: at once, or once 40 kB are held in memory
    for limit in (0, 40_000):
        monkeypatch.setattr(ingest_module, "_IN_MEMORY_BYTES", limit)
        ingest_paths(files, tmp_path / f"spilled{limit}", chunk_records=20)
        _assert_same_outputs(tmp_path / "default", tmp_path / f"spilled{limit}")
    assert [(f.records, f.references) for f in default.files] == [(f.records, f.references) for f in tiny.files]
    assert default.files[0].records == 50 and default.files[0].references > 2000


# --- parallel ingest (jobs > 1): same tables as a sequential run -------------------------

def _assert_same_outputs(a: Path, b: Path) -> None:
    for name in ("works", "authorships", "references", "rejects"):
        pd.testing.assert_frame_equal(pd.read_parquet(a / f"{name}.parquet"), pd.read_parquet(b / f"{name}.parquet"))
    sa, sb = (pd.read_csv(d / "ingest_summary.csv").drop(columns="seconds") for d in (a, b))
    pd.testing.assert_frame_equal(sa, sb)


@pytest.mark.realdata
def test_parallel_equals_sequential_on_real_files(shared_data, tmp_path):
    files = sorted((shared_data / "wos").glob("*.txt")) + sorted((shared_data / "scopus").glob("*.csv")) + \
        sorted((shared_data / "openalex").iterdir())
    centers = ROOT / "config" / "centers.yaml"
    one = ingest_paths(files, tmp_path / "one", centers=centers)
    two = ingest_paths(files, tmp_path / "two", centers=centers, jobs=2, chunk_records=40)  # and many chunks
    _assert_same_outputs(tmp_path / "one", tmp_path / "two")
    assert [f.source_file for f in two.files] == [str(f) for f in files]  # input order kept
    by_name = {Path(f.source_file).name: f for f in two.files}  # wosfile tab exports: all duplicates
    assert by_name["wosfile_tab_utf8.txt"].duplicates == by_name["wosfile_tab_utf16.txt"].duplicates == 50
    assert (one.works, one.references, one.resolved) == (two.works, two.references, two.resolved)


def test_parallel_synthetic_parts_match_the_raw_json(tmp_path):
    import gzip
    import json

    from wpimap.synth import generate

    generate(tmp_path / "w", "tiny", 42)
    parts = sorted((tmp_path / "w" / "works").glob("part_*.jsonl.gz"))
    assert len(parts) >= 2
    summary = ingest_paths(parts, tmp_path / "two", jobs=2)
    ingest_paths(parts, tmp_path / "one")
    _assert_same_outputs(tmp_path / "one", tmp_path / "two")
    # brute force from the raw JSON lines: every work once, every referenced work a reference,
    # resolved when the cited work is in the corpus and is not the citing work
    ids, links = [], []
    for part in parts:
        with gzip.open(part, "rt", encoding="utf-8") as fh:
            for line in fh:
                w = json.loads(line)
                wid = w["id"].rsplit("/", 1)[-1]
                ids.append(wid)
                links += [(wid, c.rsplit("/", 1)[-1]) for c in w["referenced_works"]]
    corpus = set(ids)
    works = pd.read_parquet(tmp_path / "two" / "works.parquet")
    assert works["work_id"].tolist() == ids
    refs = pd.read_parquet(tmp_path / "two" / "references.parquet")
    assert list(zip(refs["citing_id"], refs["cited_key"], strict=True)) == links
    expected = [c if c in corpus and c != w else None for w, c in links]
    assert [None if pd.isna(v) else v for v in refs["cited_id"]] == expected
    assert summary.references == len(links) and summary.resolved == sum(e is not None for e in expected)


def test_parallel_duplicates_across_and_within_files(tmp_path):
    a = wos_record("000000000000001", "Tanaka, H", 2010, "PHYS REV B", "81", "100", "10.1103/PhysRevB.81.100",
                   "[Tanaka, H] Tohoku Univ, WPI Adv Inst Mat Res, Sendai, Miyagi 9808577, Japan.", [])
    # a again (same UT) with another DOI and author: a duplicate, so its DOI 10.9/new is NOT taken...
    a_again = wos_record("000000000000001", "Other, X", 2010, "PHYS REV B", "81", "100", "10.9/new",
                         "[Other, X] Univ Oxford, Oxford OX1 3PU, England.", [])
    # ...and a later record with that DOI is a new work, citing a through its DOI
    e = wos_record("000000000000005", "Ito, K", 2013, "ACS NANO", "7", "9", "10.9/new",
                   "[Ito, K] Kyoto Univ, Kyoto, Japan.", ["Tanaka H, 2010, PHYS REV B, V81, P100"])
    # f: another UT with a's DOI (a duplicate by DOI), then the same UT again within the file
    f = wos_record("000000000000006", "Tanaka, H", 2010, "PHYS REV B", "81", "100", "10.1103/PhysRevB.81.100",
                   "[Tanaka, H] Tohoku Univ, Sendai, Japan.", ["Ito K, 2013, ACS NANO, V7, P9"])
    g = wos_record("000000000000007", "Sato, M", 2014, "NANO LETT", "14", "3", None,
                   "[Sato, M] Osaka Univ, Osaka, Japan.", ["Ito K, 2013, ACS NANO, V7, P9, DOI 10.9/new"])
    f1 = wos_file(tmp_path / "one.txt", [a])
    f2 = wos_file(tmp_path / "two.txt", [a_again, e, a_again])
    f3 = wos_file(tmp_path / "three.txt", [f, g, g])
    for jobs in (1, 2):
        out = tmp_path / f"out{jobs}"
        summary = ingest_paths([f1, f2, f3], out, jobs=jobs)
        works = pd.read_parquet(out / "works.parquet")
        # by hand: kept a (file 1), e (file 2), g (file 3); a_again x2, f and the second g are duplicates
        assert works["work_id"].tolist() == ["WOS:000000000000001", "WOS:000000000000005", "WOS:000000000000007"]
        assert [f.duplicates for f in summary.files] == [0, 2, 2]
        auth = pd.read_parquet(out / "authorships.parquet")
        assert auth["author"].tolist() == ["Tanaka, H", "Ito, K", "Sato, M"]  # duplicates' authors dropped
        refs = pd.read_parquet(out / "references.parquet")
        # e cites a by key; g cites e by DOI (f's reference dropped with f; g's second copy too)
        assert refs["citing_id"].tolist() == ["WOS:000000000000005", "WOS:000000000000007"]
        assert refs["cited_id"].tolist() == ["WOS:000000000000001", "WOS:000000000000005"]
        assert [f.references for f in summary.files] == [0, 1, 1]
    _assert_same_outputs(tmp_path / "out1", tmp_path / "out2")


def test_parallel_bad_file_stops_and_keeps_earlier_outputs(tiny_corpus, tmp_path):
    out = tmp_path / "out"
    ingest_paths(tiny_corpus, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    # detected as WoS in this process; the worker reading it finds the record cut off
    cut = tmp_path / "cut.txt"
    cut.write_text("FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Tanaka, H\nTI Cut off\n")
    with pytest.raises(InputFileError) as exc:
        ingest_paths([tiny_corpus[0], cut, tiny_corpus[1]], out, jobs=2)
    assert str(exc.value) == f"{cut}: truncated: record 1 has no ER line before the end of the file"
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert after == before
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary left behind


def test_cli_jobs_option(tiny_corpus, tmp_path, capsys):
    from wpimap.cli import main

    assert main(["ingest", *map(str, tiny_corpus), "--out", str(tmp_path / "o"), "--jobs", "2"]) == 0
    # by hand (see tiny_corpus): records 1, 2, 3 kept, the repeated record 1 merged
    assert len(pd.read_parquet(tmp_path / "o" / "works.parquet")) == 3
    assert main(["ingest", str(tiny_corpus[0]), "--out", str(tmp_path / "p"), "--jobs", "0"]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err


def test_cli_takes_chunk_sizes_from_the_config(tiny_corpus, tmp_path, monkeypatch):
    import yaml

    import wpimap.ingest as ingest_module
    from wpimap.cli import main

    seen = {}
    real = ingest_module.ingest_paths

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest_module, "ingest_paths", spy)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(yaml.safe_dump({"ingest": {"chunk_chars": 2048, "chunk_records": 2}}))
    assert main(["ingest", *map(str, tiny_corpus), "--config", str(cfg), "--out", str(tmp_path / "o")]) == 0
    assert seen["chunk_chars"] == 2048 and seen["chunk_records"] == 2
    plain = tmp_path / "plain.yaml"  # the same config (centers included) with default chunks
    plain.write_text(yaml.safe_dump({}))
    assert main(["ingest", *map(str, tiny_corpus), "--config", str(plain), "--out", str(tmp_path / "d")]) == 0
    _assert_same_outputs(tmp_path / "d", tmp_path / "o")
    cfg.write_text(yaml.safe_dump({"ingest": {"chunk_chars": 10}}))
    assert main(["ingest", *map(str, tiny_corpus), "--config", str(cfg), "--out", str(tmp_path / "e")]) == 2
