"""Ingestion: raw records of any supported format → the normalized tables.

``ingest_paths`` reads every input file with its reader (:mod:`wpimap.io`), merges
duplicate records (same source ID or same DOI, across files, first one kept), matches
research centers on each address, resolves cited references to works of the corpus
(OpenAlex IDs directly; WoS/Scopus reference keys by DOI, else by the
author|year|source|volume|page key) and writes ``works``, ``authorships``,
``references`` and ``rejects`` Parquet files atomically.

Memory is bounded by one chunk of records plus the per-work look-up tables (IDs, DOIs,
keys): records are flushed to temporary Parquet files every ``chunk_records`` records
and references are resolved chunk by chunk in a second pass (in memory, without the
temporary file, when the whole input fits in one chunk).

Speed: WoS cited references are keyed many at a time (:class:`_PendingCR`, at most
``_PENDING_CR`` entries held, flushed at the end of each file) with the vectorized
:func:`wpimap.io.refs.wos_cr_keys`, and references are resolved with Arrow hash
look-ups (``pyarrow.compute.index_in``); the tables are the same as with record-by-
record keying and pandas ``map`` (see ``benchmarks/bench_ingest.py`` for the numbers).
"""

from __future__ import annotations

import csv
import glob
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from wpimap import __version__
from wpimap.io.records import InputFileError, Record, Reject
from wpimap.tables import (
    AUTHORSHIPS_SCHEMA,
    REFERENCES_SCHEMA,
    REJECTS_SCHEMA,
    WORKS_SCHEMA,
    write_bytes_atomic,
)

log = logging.getLogger("wpimap.ingest")

TABLES = ("works", "authorships", "references", "rejects")


@dataclass
class FileSummary:
    """What one input file gave."""

    source_file: str
    format: str
    records: int = 0
    normalized: int = 0
    duplicates: int = 0
    rejected: int = 0
    references: int = 0
    resolved: int = 0
    countries: int = 0
    seconds: float = 0.0

    @property
    def resolved_share(self) -> float:
        """Share of this file's references resolved to a work of the corpus."""
        return self.resolved / self.references if self.references else 0.0


@dataclass
class IngestSummary:
    """Totals of an ingest run, per file and overall."""

    files: list[FileSummary] = field(default_factory=list)
    works: int = 0
    authorships: int = 0
    references: int = 0
    resolved: int = 0
    rejects: int = 0

    @property
    def resolution_rate(self) -> float:
        """Share of all references whose cited work is in the corpus."""
        return self.resolved / self.references if self.references else 0.0

    def to_frame(self) -> pd.DataFrame:
        """Per-file summary as a DataFrame (one row per file plus a ``TOTAL`` row)."""
        rows = [asdict(f) | {"resolved_share": f.resolved_share} for f in self.files]
        frame = pd.DataFrame(rows)
        if not frame.empty:
            total = frame.drop(columns=["source_file", "format"]).sum(numeric_only=True).to_dict()
            total |= {"source_file": "TOTAL", "format": "", "resolved_share": self.resolution_rate,
                      "countries": self._countries_total}
            frame = pd.concat([frame, pd.DataFrame([total])], ignore_index=True)
        return frame

    _countries_total: int = 0

    def format_table(self) -> str:
        """The per-file summary as an aligned text table for the terminal."""
        frame = self.to_frame()
        if frame.empty:
            return "no input records"
        cols = ["source_file", "format", "records", "normalized", "duplicates", "rejected",
                "references", "resolved_share", "countries"]
        frame = frame[cols].copy()
        frame["resolved_share"] = frame["resolved_share"].map(lambda v: f"{float(v):.1%}")
        for c in ("records", "normalized", "duplicates", "rejected", "references", "countries"):
            frame[c] = frame[c].map(lambda v: f"{int(v):,}")
        return frame.to_string(index=False)


def expand_inputs(specs: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand paths, directories and globs to a sorted, de-duplicated list of files.

    Parameters
    ----------
    specs : iterable of path-like
        Files, directories (all files below them, hidden files skipped) or glob patterns.

    Returns
    -------
    list of pathlib.Path

    Raises
    ------
    InputFileError
        When a spec matches no file.
    """
    out: list[Path] = []
    for spec in specs:
        s = str(spec)
        p = Path(s)
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith("."))
        elif p.is_file():
            found = [p]
        else:
            found = sorted(Path(q) for q in glob.glob(s, recursive=True) if Path(q).is_file())
        if not found:
            raise InputFileError(f"{s}: no such file (or the pattern matches no file)")
        out.extend(found)
    seen: set[Path] = set()
    unique = []
    for p in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def load_source_fields(path: str | os.PathLike[str] | None) -> dict[str, list[str]] | None:
    """Read a ``source,field`` CSV (one row per source and field) into a mapping.

    Parameters
    ----------
    path : path-like or None
        CSV with a header containing ``source`` and ``field``.

    Returns
    -------
    dict or None
        Upper-cased, whitespace-collapsed source title → list of fields.
    """
    if not path:
        return None
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"source", "field"} <= set(reader.fieldnames):
                raise InputFileError(f"{path}: the source-to-field table needs columns 'source' and 'field'")
            table: dict[str, list[str]] = {}
            for row in reader:
                key = " ".join((row["source"] or "").upper().split())
                if key and row["field"]:
                    table.setdefault(key, []).append(row["field"].strip())
            return table
    except FileNotFoundError:
        raise InputFileError(f"{path}: source-to-field table not found") from None


class _Buffer:
    """Column lists of a chunk of records, flushed to Parquet writers."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.schemas = {
            "works": WORKS_SCHEMA,
            "authorships": AUTHORSHIPS_SCHEMA,
            "refs_raw": REFERENCES_SCHEMA.append(pa.field("file_index", pa.int32())),
            "rejects": REJECTS_SCHEMA,
        }
        self.reset()

    def reset(self) -> None:
        self.cols: dict[str, dict[str, list[Any]]] = {
            name: {c: [] for c in schema.names} for name, schema in self.schemas.items()
        }
        self.refs_tables: list[pa.Table] = []  # raw references built as Arrow tables
        self.n = 0

    def add_refs(self, table: pa.Table) -> None:
        """Append raw references given as an Arrow table (after the listed ones)."""
        self._refs_lists_to_table()
        self.refs_tables.append(table)

    def _refs_lists_to_table(self) -> None:
        cols = self.cols["refs_raw"]
        if cols["citing_id"]:
            self.refs_tables.append(pa.Table.from_pydict(cols, schema=self.schemas["refs_raw"]))
            for values in cols.values():
                values.clear()

    def _refs_table(self) -> pa.Table:
        """All raw references held, in order, as one table (emptied from the buffer)."""
        self._refs_lists_to_table()
        tables, self.refs_tables = self.refs_tables, []
        if not tables:
            return self.schemas["refs_raw"].empty_table()
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables).combine_chunks()

    def flush(self) -> None:
        for name, schema in self.schemas.items():
            if name == "refs_raw":
                table = self._refs_table()
                if not table.num_rows:
                    continue
            else:
                cols = self.cols[name]
                if not cols[schema.names[0]]:
                    continue
                table = pa.Table.from_pydict(cols, schema=schema)
            writer = self.writers.get(name)
            if writer is None:
                writer = pq.ParquetWriter(self.tmp / f"{name}.parquet", schema, compression="zstd")
                self.writers[name] = writer
            writer.write_table(table)
        self.reset()

    def close(self) -> tuple[dict[str, Path], pa.Table | None]:
        """Flush and close the files; the raw references stay in memory (returned)
        when they were never flushed (a single chunk), else they are read back."""
        refs_raw = None
        if "refs_raw" not in self.writers:
            refs_raw = self._refs_table()
        self.flush()
        paths = {}
        for name, schema in self.schemas.items():
            path = self.tmp / f"{name}.parquet"
            if name in self.writers:
                self.writers[name].close()
            elif name != "refs_raw":
                pq.write_table(schema.empty_table(), path)
            paths[name] = path
        return paths, refs_raw


def ingest_paths(
    paths: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    fmt: str = "auto",
    centers: Any = None,
    source_fields: Mapping[str, list[str]] | None = None,
    chunk_records: int = 50_000,
    formats: Mapping[str, str] | None = None,
) -> IngestSummary:
    """Read input files and write the normalized tables to ``out_dir``.

    Parameters
    ----------
    paths : sequence of path-like
        Files, directories or globs (see :func:`expand_inputs`).
    out_dir : path-like
        Folder receiving ``works.parquet``, ``authorships.parquet``,
        ``references.parquet``, ``rejects.parquet`` and ``ingest_summary.csv``.
    fmt : {'auto', 'openalex', 'wos', 'scopus'}
        Format of all files; ``auto`` detects each file's format from its content.
    centers : CenterMatcher, path-like or None
        Research-center matcher (or its YAML file); None leaves ``center`` empty.
    source_fields : mapping, optional
        Scopus source title → fields (Scopus records carry no subject categories).
    chunk_records : int
        Records held in memory before they are flushed to disk.
    formats : mapping, optional
        Per-file format overriding ``fmt`` (keys: the file paths as given).

    Returns
    -------
    IngestSummary

    Raises
    ------
    InputFileError
        A file is missing, empty, truncated, undecodable or of no known format. Nothing
        is written to ``out_dir`` in that case (earlier outputs stay as they were).
    """
    from wpimap.io.detect import detect_format, read_records

    files = expand_inputs(paths)
    formats = dict(formats or {})
    file_formats = []
    for p in files:
        f = formats.get(str(p), fmt)
        file_formats.append(detect_format(p) if f == "auto" else f)

    matcher = _matcher(centers)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ingest.", dir=out_dir))
    try:
        summary = _ingest(files, file_formats, read_records, matcher, source_fields, chunk_records, tmp)
        for name in TABLES:
            os.replace(tmp / f"{name}.parquet", out_dir / f"{name}.parquet")
        frame = summary.to_frame()
        write_bytes_atomic(frame.to_csv(index=False, lineterminator="\n").encode(), out_dir / "ingest_summary.csv")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary


def _matcher(centers: Any) -> Any:
    if centers is None:
        return None
    if hasattr(centers, "match_frame"):
        return centers
    from wpimap.centers import CenterMatcher

    return CenterMatcher.from_yaml(centers)


def _ingest(files, file_formats, read_records, matcher, source_fields, chunk_records, tmp) -> IngestSummary:
    buf = _Buffer(tmp)
    summary = IngestSummary()
    seen_ids: dict[str, str] = {}   # any source ID seen → canonical work_id
    seen_dois: dict[str, str] = {}
    key_owner: dict[str, str | None] = {}  # ref_key → work_id (None when ambiguous)
    countries_all: set[str] = set()
    file_countries: list[set[str]] = []
    pending = _PendingCR()

    for fi, (path, ffmt) in enumerate(zip(files, file_formats, strict=True)):
        fs = FileSummary(source_file=str(path), format=ffmt)
        t0 = time.perf_counter()
        countries: set[str] = set()
        opts = {"source_fields": source_fields} if ffmt == "scopus" and source_fields else {}
        log.info("reading %s (%s)", path, ffmt)
        items: Iterable[tuple[Record | Reject, str | None]]
        if ffmt == "wos":  # CR entries keyed many at a time (see _PendingCR)
            from wpimap.io.wos import read_wos_cr_text

            items = read_wos_cr_text(path, **opts)
        else:
            items = ((item, None) for item in read_records(path, ffmt, **opts))
        for item, crs in items:
            fs.records += 1
            if isinstance(item, Reject):
                fs.rejected += 1
                rc = buf.cols["rejects"]
                rc["source_file"].append(str(path))
                rc["record"].append(item.record)
                rc["reason"].append(item.reason)
                continue
            rec: Record = item
            fs.normalized += 1
            canonical = seen_ids.get(rec.work_id) or (seen_dois.get(rec.doi) if rec.doi else None)
            if canonical is not None:
                fs.duplicates += 1
                seen_ids.setdefault(rec.work_id, canonical)
                continue
            wid = rec.work_id
            seen_ids[wid] = wid
            if rec.doi:
                seen_dois[rec.doi] = wid
            if rec.ref_key:
                key_owner[rec.ref_key] = None if rec.ref_key in key_owner else wid
            w = buf.cols["works"]
            w["work_id"].append(wid)
            w["year"].append(rec.year)
            w["doc_type"].append(rec.doc_type)
            w["title"].append(rec.title)
            w["source"].append(rec.source)
            w["fields"].append(rec.fields)
            w["doi"].append(rec.doi)
            w["cited_by_count"].append(rec.cited_by_count)
            w["ref_key"].append(rec.ref_key)
            w["source_file"].append(str(path))
            w["record"].append(rec.record)
            a = buf.cols["authorships"]
            for au in rec.authorships:
                a["work_id"].append(wid)
                a["author_position"].append(au.author_position)
                a["author"].append(au.author)
                a["institution"].append(au.institution)
                a["institution_id"].append(au.institution_id)
                a["address"].append(au.address)
                a["country"].append(au.country)
                a["center"].append(None)
                if au.country:
                    countries.add(au.country)
            refs = rec.references
            if crs is not None:
                if crs:
                    pending.add(wid, crs)
            elif refs:
                r = buf.cols["refs_raw"]
                n = len(refs)
                keys, ids = zip(*refs, strict=True)
                r["citing_id"].extend([wid] * n)
                r["cited_key"].extend(keys)
                r["cited_id"].extend(ids)
                r["file_index"].extend([fi] * n)
                fs.references += n
            buf.n += 1
            if buf.n >= chunk_records:
                pending.flush_into(buf, fi, fs)
                _match_centers(buf, matcher)
                buf.flush()
            elif pending.chars >= _PENDING_CR_CHARS:
                pending.flush_into(buf, fi, fs)
        pending.flush_into(buf, fi, fs)
        if fs.records == 0:
            raise InputFileError(f"{path}: no records found (empty export?)")
        fs.seconds = time.perf_counter() - t0
        fs.countries = len(countries)
        countries_all |= countries
        file_countries.append(countries)
        summary.files.append(fs)
        log.info(
            "%s: %d records, %d normalized (%d duplicates), %d rejected, %d references",
            path, fs.records, fs.normalized, fs.duplicates, fs.rejected, fs.references,
        )
    _match_centers(buf, matcher)
    paths, refs_in_memory = buf.close()

    # Second pass: resolve references chunk by chunk (vectorized look-ups).
    lookups = _Lookups(seen_ids, seen_dois, {k: v for k, v in key_owner.items() if v is not None})
    resolved_per_file = np.zeros(len(files), dtype=np.int64)
    batches: Iterable[pa.RecordBatch]
    if refs_in_memory is not None:
        batches = refs_in_memory.to_batches()
    else:
        batches = pq.ParquetFile(paths["refs_raw"]).iter_batches(batch_size=1_000_000)
    writer = pq.ParquetWriter(tmp / "references.parquet", REFERENCES_SCHEMA, compression="zstd")
    try:
        for batch in batches:
            cited = lookups.resolve(batch.column("citing_id"), batch.column("cited_key"), batch.column("cited_id"))
            ok = pc.indices_nonzero(cited.is_valid())
            file_index = batch.column("file_index").take(ok).to_numpy(zero_copy_only=False)
            resolved_per_file += np.bincount(file_index, minlength=len(files))
            writer.write_table(
                pa.Table.from_arrays(
                    [batch.column("citing_id"), batch.column("cited_key"), cited], schema=REFERENCES_SCHEMA
                )
            )
    finally:
        writer.close()
    os.replace(paths["works"], tmp / "works.parquet")
    os.replace(paths["authorships"], tmp / "authorships.parquet")
    os.replace(paths["rejects"], tmp / "rejects.parquet")
    paths["refs_raw"].unlink(missing_ok=True)

    for fs, n in zip(summary.files, resolved_per_file.tolist(), strict=True):
        fs.resolved = n
    summary.works = pq.ParquetFile(tmp / "works.parquet").metadata.num_rows
    summary.authorships = pq.ParquetFile(tmp / "authorships.parquet").metadata.num_rows
    summary.references = sum(f.references for f in summary.files)
    summary.resolved = int(resolved_per_file.sum())
    summary.rejects = sum(f.rejected for f in summary.files)
    summary._countries_total = len(countries_all)
    return summary


_PENDING_CR_CHARS = 20_000_000  # characters of CR text held before they are keyed
# The white space str.strip() removes (str.isspace), for pyarrow.compute.utf8_trim.
_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


class _PendingCR:
    """WoS CR fields of the records read since the last flush, keyed together.

    Each record's CR field comes as one string (:func:`wpimap.io.wos.read_wos_cr_text`);
    the fields of many records are split into lines, stripped, keyed
    (:func:`wpimap.io.refs.wos_cr_keys_arrow`) and de-duplicated per record with Arrow
    and numpy. The references are exactly those :func:`wpimap.io.wos.read_wos` gives:
    per record, the distinct non-null keys in order of first appearance.
    """

    def __init__(self) -> None:
        self.wids: list[str] = []
        self.texts: list[str] = []
        self.chars = 0

    def add(self, wid: str, text: str) -> None:
        self.wids.append(wid)
        self.texts.append(text)
        self.chars += len(text)

    def flush_into(self, buf: _Buffer, file_index: int, fs: FileSummary) -> None:
        if not self.wids:
            return
        from wpimap.io.refs import wos_cr_keys_arrow

        lists = pc.split_pattern(pa.array(self.texts, pa.string()), "\n")
        parent = pc.list_parent_indices(lists)
        lines = pc.utf8_trim(pc.list_flatten(lists), _WHITESPACE)
        keep = pc.greater(pc.binary_length(lines), 0)
        entries, parent = lines.filter(keep), parent.filter(keep)
        keys = wos_cr_keys_arrow(entries)
        valid = keys.is_valid()
        keys, parent = keys.filter(valid), parent.filter(valid)
        # first appearance of each (record, key) pair, in input order
        codes = pc.dictionary_encode(keys)
        pair = parent.to_numpy().astype(np.int64) * max(len(codes.dictionary), 1) + codes.indices.to_numpy()
        first = np.sort(np.unique(pair, return_index=True)[1])
        n = len(first)
        take = pa.array(first)
        table = pa.Table.from_arrays(
            [
                pa.array(self.wids, pa.string()).take(parent.take(take)),
                keys.take(take),
                pa.nulls(n, pa.string()),
                pa.array(np.full(n, file_index, dtype=np.int32)),
            ],
            schema=buf.schemas["refs_raw"],
        )
        buf.add_refs(table)
        fs.references += n
        self.wids, self.texts, self.chars = [], [], 0


class _Lookups:
    """The corpus look-up tables as Arrow arrays: what :func:`resolve_references` does
    with pandas ``map``, with ``pyarrow.compute.index_in`` (hash look-ups, no copies)."""

    def __init__(self, alias: Mapping[str, str], by_doi: Mapping[str, str], by_key: Mapping[str, str]) -> None:
        self.tables = [
            (pa.array(list(t.keys()), pa.string()), pa.array(list(t.values()), pa.string()))
            for t in (alias, by_doi, by_key)
        ]

    @staticmethod
    def _get(values: pa.Array, table: tuple[pa.Array, pa.Array]) -> pa.Array:
        keys, targets = table
        return targets.take(pc.index_in(values, value_set=keys))

    def resolve(self, citing_id: pa.Array, cited_key: pa.Array, cited_id: pa.Array) -> pa.Array:
        alias, by_doi, by_key = self.tables
        is_doi = pc.fill_null(pc.starts_with(cited_key, "10."), False)
        by_cited_key = pc.if_else(is_doi, self._get(cited_key, by_doi), self._get(cited_key, by_key))
        cited = pc.coalesce(self._get(cited_id, alias), by_cited_key)
        return pc.if_else(pc.fill_null(pc.equal(cited, citing_id), False), pa.scalar(None, pa.string()), cited)


def _match_centers(buf: _Buffer, matcher: Any) -> None:
    if matcher is None:
        return
    cols = buf.cols["authorships"]
    if not cols["work_id"]:
        return
    frame = pd.DataFrame({k: cols[k] for k in ("address", "institution", "institution_id")})
    centers = matcher.match_frame(frame)
    cols["center"] = [None if pd.isna(c) else str(c) for c in centers]


def resolve_references(
    refs: pd.DataFrame,
    alias: pd.Series,
    by_doi: pd.Series,
    by_key: pd.Series,
) -> pd.DataFrame:
    """Resolve references to works of the corpus.

    Parameters
    ----------
    refs : DataFrame
        citing_id, cited_key, cited_id (cited_id as given by the source, e.g. OpenAlex).
    alias : Series
        Any source ID of the corpus → canonical work_id (merged duplicates included).
    by_doi : Series
        DOI → work_id.
    by_key : Series
        Unambiguous reference key → work_id (keys shared by two works are left out,
        so such references stay unresolved rather than merging two works).

    Returns
    -------
    DataFrame
        citing_id, cited_key, cited_id: cited_id is the canonical work_id when the cited
        work is in the corpus, else null. References of a work to itself are kept but
        never resolved to itself.
    """
    cited = refs["cited_id"].astype("string").map(alias)
    key = refs["cited_key"].astype("string")
    is_doi = key.str.startswith("10.", na=False)
    cited = cited.fillna(key.where(is_doi).map(by_doi))
    cited = cited.fillna(key.where(~is_doi).map(by_key))
    cited = cited.where(cited != refs["citing_id"].astype("string"))
    return pd.DataFrame(
        {
            "citing_id": refs["citing_id"].astype("string"),
            "cited_key": key,
            "cited_id": cited.astype("string"),
        }
    )


def provenance() -> dict[str, Any]:
    """Versions of wpimap and its main libraries, for output metadata."""
    import numpy
    import pyarrow

    return {"wpimap": __version__, "pandas": pd.__version__, "pyarrow": pyarrow.__version__, "numpy": numpy.__version__}
