"""Ingestion: raw records of any supported format → the normalized tables.

``ingest_paths`` reads every input file with its reader (:mod:`wpimap.io`), merges
duplicate records (same source ID or same DOI, across files, first one kept), matches
research centers on each address, resolves cited references to works of the corpus
(OpenAlex IDs directly; WoS/Scopus reference keys by DOI, else by the
author|year|source|volume|page key) and writes ``works``, ``authorships``,
``references`` and ``rejects`` Parquet files atomically.

Each file is parsed on its own (:func:`_parse_file`: records, authorships with their
centers, raw references, rejects → per-file temporary Parquet tables), in this process
or, with ``jobs > 1``, in worker processes (``ProcessPoolExecutor``, spawn). One merge
pass (:func:`_merge`) then takes the files in input order: duplicates, reference-key
ambiguity, then reference resolution, so the tables are the same for any ``jobs``.

Memory is bounded by one chunk of records per worker plus the per-work look-up tables
(IDs, DOIs, keys): records are flushed to the per-file tables every ``chunk_records``
records, and the merge streams them batch by batch.

Speed: Web of Science exports come from :func:`wpimap.io.wos.read_wos_batches` as Arrow
tables, a chunk of the file at a time (``chunk_chars``), cited references keyed in
columns; references are resolved with Arrow hash look-ups (``pyarrow.compute.index_in``);
the tables are the same as record-by-record keying and pandas ``map`` give (see
``benchmarks/bench_ingest.py`` for the numbers).
"""

from __future__ import annotations

import contextlib
import csv
import gc
import glob
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
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
        if rows:  # the column sums, in one frame with the rows (pandas concat costs more)
            total = {k: (sum(r[k] for r in rows) if k not in ("source_file", "format") else "") for k in rows[0]}
            total |= {"source_file": "TOTAL", "resolved_share": self.resolution_rate,
                      "countries": self._countries_total}
            rows.append(total)
        return pd.DataFrame(rows)

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


_REC = pa.field("rec", pa.int64())  # row of the record in its file's parsed works table


class _Buffer:
    """Column lists of a chunk of one file's records, flushed to Parquet writers.

    Authorships and raw references carry ``rec``, the row of their record in the
    file's ``works`` table, so that the merge pass can drop a duplicate record's rows.
    """

    def __init__(self, tmp: Path, budget: _MemoryBudget | None = None) -> None:
        self.tmp = tmp
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.budget = budget
        # tables kept in memory while the run's budget allows, else spilled to the files
        self.held: dict[str, list[pa.Table]] | None = None if budget is None else {}
        self.schemas = {
            "works": WORKS_SCHEMA,
            "authorships": AUTHORSHIPS_SCHEMA.append(_REC),
            "refs_raw": REFERENCES_SCHEMA.append(_REC),
            "rejects": REJECTS_SCHEMA,
        }
        self.reset()

    def reset(self) -> None:
        self.cols: dict[str, dict[str, list[Any]]] = {
            name: {c: [] for c in schema.names} for name, schema in self.schemas.items()
        }
        self.tables: dict[str, list[pa.Table]] = {name: [] for name in self.schemas}  # rows given as tables
        self.n = 0

    def add_table(self, name: str, table: pa.Table) -> None:
        """Append rows given as an Arrow table (after the rows listed so far)."""
        self._lists_to_table(name)
        if table.num_rows:
            self.tables[name].append(table)

    def _lists_to_table(self, name: str) -> None:
        cols = self.cols[name]
        if cols[self.schemas[name].names[0]]:
            self.tables[name].append(pa.Table.from_pydict(cols, schema=self.schemas[name]))
            for values in cols.values():
                values.clear()

    def table(self, name: str) -> pa.Table:
        """All rows of ``name`` held, in order, as one table (emptied from the buffer)."""
        self._lists_to_table(name)
        tables, self.tables[name] = self.tables[name], []
        if not tables:
            return self.schemas[name].empty_table()
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables).combine_chunks()

    def flush(self) -> None:
        for name in self.schemas:
            table = self.table(name)
            if not table.num_rows:
                continue
            if self.held is not None:
                if self.budget is not None and self.budget.take(table.nbytes):
                    self.held.setdefault(name, []).append(table)
                    continue
                self._spill()
            self._writer(name).write_table(table)
        self.reset()

    def _spill(self) -> None:
        """Write the tables held in memory to the files (the budget is spent)."""
        held, self.held = self.held or {}, None
        for name in self.schemas:
            for table in held.get(name, []):
                self._writer(name).write_table(table)
                if self.budget is not None:
                    self.budget.give_back(table.nbytes)

    def _writer(self, name: str) -> pa.ipc.RecordBatchFileWriter:
        # Per-file temporary tables are Arrow IPC files (uncompressed, read back
        # memory-mapped): the merge reads them twice, and Parquet's encoding cost more
        # than the parsing itself on small exports.
        writer = self.writers.get(name)
        if writer is None:
            writer = pa.ipc.new_file(str(self.tmp / f"{name}.arrow"), self.schemas[name])
            self.writers[name] = writer
        return writer

    def close(self) -> dict[str, pa.Table] | None:
        """Flush and close the files (each table gets a file, maybe without rows), or
        return the tables when they were all held in memory."""
        self.flush()
        if self.held is not None:
            return {
                name: pa.concat_tables(self.held[name]) if name in self.held else schema.empty_table()
                for name, schema in self.schemas.items()
            }
        for name in self.schemas:
            self._writer(name).close()
        return None


class _MemoryBudget:
    """Bytes of per-file tables a sequential run may hold in memory for the merge
    instead of writing them to temporary files (a fixed amount, whatever the corpus)."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, n: int) -> bool:
        if n > self.left:
            return False
        self.left -= n
        return True

    def give_back(self, n: int) -> None:
        self.left += n


_IN_MEMORY_BYTES = 64 << 20


class _TempTable:
    """A per-file temporary table: held in memory, or an Arrow IPC file read memory-mapped."""

    def __init__(self, task: _FileTask, name: str) -> None:
        held = task.held.get(name) if task.held is not None else None
        if held is not None:
            self._table = held
        else:
            self._table = pa.ipc.open_file(pa.memory_map(str(task.out / f"{name}.arrow"))).read_all()
        self.num_rows = self._table.num_rows

    def iter_batches(self, batch_size: int, columns: list[str] | None = None) -> Iterable[pa.RecordBatch]:
        table = self._table.select(columns) if columns else self._table
        yield from table.to_batches(max_chunksize=batch_size)


def ingest_paths(
    paths: Sequence[str | os.PathLike[str]],
    out_dir: str | os.PathLike[str],
    fmt: str = "auto",
    centers: Any = None,
    source_fields: Mapping[str, list[str]] | None = None,
    chunk_records: int = 50_000,
    formats: Mapping[str, str] | None = None,
    jobs: int = 1,
    chunk_chars: int | None = None,
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
        Records held in memory (per worker) before they are flushed to disk.
    formats : mapping, optional
        Per-file format overriding ``fmt`` (keys: the file paths as given).
    jobs : int
        Worker processes parsing input files in parallel (1: all in this process).
        The tables are the same for any number of jobs: the files are merged in input
        order (duplicates, reference keys and resolution as in a sequential run).
    chunk_chars : int, optional
        Characters of a Web of Science export read and normalized at a time (default
        4M, see :func:`wpimap.io.wos.read_wos_batches`): with ``chunk_records``, what
        bounds the memory of a worker, whatever the file size.

    Returns
    -------
    IngestSummary

    Raises
    ------
    InputFileError
        A file is missing, empty, truncated, undecodable or of no known format. Nothing
        is written to ``out_dir`` in that case (earlier outputs stay as they were).
    """
    from wpimap.io.detect import detect_format

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
        tasks = [
            _FileTask(path, ffmt, tmp / f"file{fi:06d}", source_fields if ffmt == "scopus" else None,
                      chunk_records, matcher, chunk_chars)
            for fi, (path, ffmt) in enumerate(zip(files, file_formats, strict=True))
        ]
        with _gc_paused():
            summary = _ingest(tasks, jobs, tmp, chunk_records)
        for name in TABLES:
            os.replace(tmp / f"{name}.parquet", out_dir / f"{name}.parquet")
        frame = summary.to_frame()
        write_bytes_atomic(frame.to_csv(index=False, lineterminator="\n").encode(), out_dir / "ingest_summary.csv")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the records are parsed: they make
    many small lists and tuples, no cycles, and the collections cost a few percent."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _matcher(centers: Any) -> Any:
    if centers is None:
        return None
    if hasattr(centers, "match_frame"):
        return centers
    from wpimap.centers import CenterMatcher

    return CenterMatcher.from_yaml(centers)


@dataclass
class _FileTask:
    """What a worker needs to parse one input file (picklable)."""

    path: Path
    fmt: str
    out: Path
    source_fields: Mapping[str, list[str]] | None
    chunk_records: int
    matcher: Any
    chunk_chars: int | None
    budget: _MemoryBudget | None = None  # sequential runs: per-file tables held in memory
    known_ids: Container[str] | None = None  # sequential runs: work ids of the files before
    held: dict[str, pa.Table] | None = None  # those tables, once parsed


def _parse_file(task: _FileTask) -> FileSummary:
    """Parse one input file into per-file tables in ``task.out`` (a worker's job).

    Writes ``works`` (every normalized record, duplicates included, in file order),
    ``authorships`` and ``refs_raw`` (with ``rec``, the record's row in ``works``;
    centers matched) and ``rejects``. Returns the file's counts of records, normalized
    records and rejects; the merge pass (:func:`_merge`) fills in the rest.
    """
    from wpimap.io.detect import read_records

    t0 = time.perf_counter()
    path, ffmt = task.path, task.fmt
    task.out.mkdir(parents=True, exist_ok=True)
    buf = _Buffer(task.out, task.budget)
    fs = FileSummary(source_file=str(path), format=ffmt)
    log.info("reading %s (%s)", path, ffmt)
    if ffmt == "wos":
        _parse_wos(task, buf, fs)
    else:
        opts = {"source_fields": task.source_fields} if ffmt == "scopus" and task.source_fields else {}
        _parse_records(task, read_records(path, ffmt, **opts), buf, fs)
    if fs.records == 0:
        raise InputFileError(f"{path}: no records found (empty export?)")
    task.held = buf.close()
    fs.seconds = time.perf_counter() - t0
    return fs


def _parse_records(task: _FileTask, items: Iterable[Record | Reject], buf: _Buffer, fs: FileSummary) -> None:
    """Buffer the items of a record-by-record reader (OpenAlex, Scopus)."""
    path = task.path
    w, a, r, rc = (buf.cols[n] for n in ("works", "authorships", "refs_raw", "rejects"))
    for item in items:
        fs.records += 1
        if isinstance(item, Reject):
            fs.rejected += 1
            rc["source_file"].append(str(path))
            rc["record"].append(item.record)
            rc["reason"].append(item.reason)
            continue
        rec: Record = item
        row = fs.normalized
        fs.normalized += 1
        wid = rec.work_id
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
        for au in rec.authorships:
            a["work_id"].append(wid)
            a["author_position"].append(au.author_position)
            a["author"].append(au.author)
            a["institution"].append(au.institution)
            a["institution_id"].append(au.institution_id)
            a["address"].append(au.address)
            a["country"].append(au.country)
            a["center"].append(None)
            a["rec"].append(row)
        refs = rec.references
        if refs:
            n = len(refs)
            keys, ids = zip(*refs, strict=True)
            r["citing_id"].extend([wid] * n)
            r["cited_key"].extend(keys)
            r["cited_id"].extend(ids)
            r["rec"].extend([row] * n)
        buf.n += 1
        if buf.n >= task.chunk_records:
            _match_centers(buf, task.matcher)
            buf.flush()
            w, a, r, rc = (buf.cols[n] for n in ("works", "authorships", "refs_raw", "rejects"))
    _match_centers(buf, task.matcher)


def _parse_wos(task: _FileTask, buf: _Buffer, fs: FileSummary) -> None:
    """Buffer the tables of the WoS reader, a chunk of the file at a time."""
    from wpimap.io.wos import read_wos_batches

    source = pa.scalar(str(task.path), pa.string())
    # (records already read from earlier files are duplicates: no authorships, references)
    for batch in read_wos_batches(task.path, chunk_chars=task.chunk_chars, known_ids=task.known_ids):
        fs.records += batch.num_records
        rejects = batch.rejects
        if rejects.num_rows:
            fs.rejected += rejects.num_rows
            buf.add_table("rejects", pa.Table.from_arrays(
                [pa.repeat(source, rejects.num_rows), rejects.column("record"), rejects.column("reason")],
                schema=REJECTS_SCHEMA))
        works = batch.works
        if not works.num_rows:
            continue
        row0 = fs.normalized
        fs.normalized += works.num_rows
        buf.n += works.num_rows
        wid = works.column("work_id")
        buf.add_table("works", pa.Table.from_arrays(
            [wid, *(works.column(c) for c in ("year", "doc_type", "title", "source", "fields", "doi",
                                               "cited_by_count", "ref_key")),
             pa.repeat(source, works.num_rows), works.column("record")], schema=WORKS_SCHEMA))
        auth = batch.authorships
        rec = auth.column("rec")
        buf.add_table("authorships", pa.Table.from_arrays(
            [wid.take(rec), *(auth.column(c) for c in ("author_position", "author", "institution")),
             pa.nulls(auth.num_rows, pa.string()), auth.column("address"), auth.column("country"),
             _centers_of(auth, task.matcher), pc.add(rec, row0)], schema=buf.schemas["authorships"]))
        refs = batch.references
        rec = refs.column("rec")
        buf.add_table("refs_raw", pa.Table.from_arrays(
            [wid.take(rec), refs.column("cited_key"), pa.nulls(refs.num_rows, pa.string()), pc.add(rec, row0)],
            schema=buf.schemas["refs_raw"]))
        if buf.n >= task.chunk_records:
            buf.flush()


def _ingest(tasks: list[_FileTask], jobs: int, tmp: Path, chunk_records: int) -> IngestSummary:
    """Parse the files (in this process, or ``jobs`` worker processes) and merge them."""
    if jobs <= 1 or len(tasks) <= 1:
        budget = _MemoryBudget(_IN_MEMORY_BYTES)
        for task in tasks:
            task.budget = budget
        return _merge(tasks, lambda fi: _parse_file(tasks[fi]), tmp, chunk_records)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ex = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = [ex.submit(_parse_file, task) for task in tasks]
        return _merge(tasks, lambda fi: futures[fi].result(), tmp, chunk_records)
    finally:
        ex.shutdown(wait=True, cancel_futures=True)


def _merge(
    tasks: list[_FileTask], parsed: Callable[[int], FileSummary], tmp: Path, chunk_records: int
) -> IngestSummary:
    """Merge the per-file tables in input order: duplicates, then reference resolution.

    ``parsed(fi)`` returns file ``fi``'s :class:`FileSummary` once its tables are
    written (raising the file's error, if any). The first record with a given source
    ID or DOI wins (across files); a ``ref_key`` held by two kept works is ambiguous.
    """
    summary = IngestSummary()
    seen_ids: dict[str, str] = {}   # any source ID seen → canonical work_id
    seen_dois: dict[str, str] = {}
    key_owner: dict[str, str | None] = {}  # ref_key → work_id (None when ambiguous)
    countries_all: set[str] = set()
    keeps: list[np.ndarray] = []
    schemas = {"works": WORKS_SCHEMA, "authorships": AUTHORSHIPS_SCHEMA, "rejects": REJECTS_SCHEMA}
    writers = {n: _ParquetSink(tmp / f"{n}.parquet", s, chunk_records) for n, s in schemas.items()}
    try:
        for fi, task in enumerate(tasks):
            task.known_ids = seen_ids  # (a sequential run parses the file now: its duplicates are known)
            fs = parsed(fi)
            t0 = time.perf_counter()
            works = _TempTable(task, "works")
            keep = np.zeros(works.num_rows, dtype=bool)
            row = 0
            for batch in works.iter_batches(batch_size=chunk_records, columns=["work_id", "doi", "ref_key"]):
                for wid, doi, key in zip(*(c.to_pylist() for c in batch.columns), strict=True):
                    canonical = seen_ids.get(wid) or (seen_dois.get(doi) if doi else None)
                    if canonical is not None:
                        seen_ids.setdefault(wid, canonical)
                    else:
                        keep[row] = True
                        seen_ids[wid] = wid
                        if doi:
                            seen_dois[doi] = wid
                        if key:
                            key_owner[key] = None if key in key_owner else wid
                    row += 1
            keeps.append(keep)
            fs.duplicates = fs.normalized - int(keep.sum())
            _copy_rows(works, keep, writers["works"], chunk_records)
            countries: set[str] = set()
            auth = _TempTable(task, "authorships")
            for table in _kept_batches(auth, keep, chunk_records):
                writers["authorships"].write_table(table.drop_columns(["rec"]).cast(AUTHORSHIPS_SCHEMA))
                countries.update(c for c in pc.unique(table.column("country")).to_pylist() if c)
            for batch in _TempTable(task, "refs_raw").iter_batches(
                batch_size=1_000_000, columns=["rec"]
            ):
                fs.references += int(keep[batch.column(0).to_numpy()].sum())
            _copy_rows(_TempTable(task, "rejects"), None, writers["rejects"], chunk_records)
            fs.countries = len(countries)
            fs.seconds += time.perf_counter() - t0
            countries_all |= countries
            summary.files.append(fs)
            log.info(
                "%s: %d records, %d normalized (%d duplicates), %d rejected, %d references",
                task.path, fs.records, fs.normalized, fs.duplicates, fs.rejected, fs.references,
            )
    finally:
        for writer in writers.values():
            writer.close()

    # Second pass: resolve the kept references chunk by chunk (vectorized look-ups).
    lookups = _Lookups(seen_ids, seen_dois, {k: v for k, v in key_owner.items() if v is not None})
    writer = _ParquetSink(tmp / "references.parquet", REFERENCES_SCHEMA, 1_000_000)
    try:
        for task, keep, fs in zip(tasks, keeps, summary.files, strict=True):
            for table in _kept_batches(_TempTable(task, "refs_raw"), keep, 1_000_000):
                citing = table.column("citing_id").combine_chunks()
                cited = lookups.resolve(
                    citing, table.column("cited_key").combine_chunks(), table.column("cited_id").combine_chunks()
                )
                fs.resolved += len(cited) - cited.null_count
                writer.write_table(
                    pa.Table.from_arrays([citing, table.column("cited_key"), cited], schema=REFERENCES_SCHEMA)
                )
            shutil.rmtree(task.out, ignore_errors=True)
            task.held = None
    finally:
        writer.close()

    summary.works = writers["works"].written
    summary.authorships = writers["authorships"].written
    summary.references = sum(f.references for f in summary.files)
    summary.resolved = sum(f.resolved for f in summary.files)
    summary.rejects = sum(f.rejected for f in summary.files)
    summary._countries_total = len(countries_all)
    return summary


def _kept_batches(pf: _TempTable, keep: np.ndarray, batch_size: int) -> Iterable[pa.Table]:
    """The rows of a per-file table whose record (column ``rec``) is kept, batch by batch."""
    for batch in pf.iter_batches(batch_size=batch_size):
        mask = keep[batch.column("rec").to_numpy()]
        if mask.all():
            yield pa.Table.from_batches([batch])
        elif mask.any():
            yield pa.Table.from_batches([batch]).filter(pa.array(mask))


class _ParquetSink:
    """A Parquet writer that gathers small tables into row groups of about ``rows`` rows
    (one write per row group: many small writes cost more than the data)."""

    def __init__(self, path: Path, schema: pa.Schema, rows: int) -> None:
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.schema = schema
        self.rows = rows
        self.pending: list[pa.Table] = []
        self.n = 0
        self.written = 0  # rows, in all

    def write_table(self, table: pa.Table) -> None:
        if table.num_rows:
            self.pending.append(table)
            self.n += table.num_rows
            self.written += table.num_rows
            if self.n >= self.rows:
                self.flush()

    def flush(self) -> None:
        if self.pending:
            self.writer.write_table(pa.concat_tables(self.pending), row_group_size=max(self.n, 1))
            self.pending, self.n = [], 0

    def close(self) -> None:
        self.flush()
        self.writer.close()


def _copy_rows(pf: _TempTable, keep: np.ndarray | None, writer: _ParquetSink, batch_size: int) -> None:
    """Append a per-file table's rows (those where ``keep``, by row number) to ``writer``."""
    start = 0
    for batch in pf.iter_batches(batch_size=batch_size):
        n = batch.num_rows
        table = pa.Table.from_batches([batch])
        if keep is not None:
            mask = keep[start:start + n]
            table = table.filter(pa.array(mask)) if not mask.all() else table
        start += n
        if table.num_rows:
            writer.write_table(table.cast(writer.schema))


class _Lookups:
    """The corpus look-up tables as Arrow arrays: what :func:`resolve_references` does
    with pandas ``map``, with ``pyarrow.compute.index_in`` (hash look-ups, no copies)."""

    def __init__(self, alias: Mapping[str, str], by_doi: Mapping[str, str], by_key: Mapping[str, str]) -> None:
        # DOIs start with "10." and reference keys never do (an author key has no dot):
        # one look-up in both finds what a DOI key finds among DOIs, another among keys.
        self.tables = [
            (pa.array(list(t.keys()), pa.string()), pa.array(list(t.values()), pa.string()))
            for t in (alias, {**by_doi, **by_key})
        ]

    @staticmethod
    def _get(values: pa.Array, table: tuple[pa.Array, pa.Array]) -> pa.Array:
        keys, targets = table
        return targets.take(pc.index_in(values, value_set=keys))

    def resolve(self, citing_id: pa.Array, cited_key: pa.Array, cited_id: pa.Array) -> pa.Array:
        alias, by_doi_or_key = self.tables
        by_cited_key = self._get(cited_key, by_doi_or_key)
        if cited_id.null_count < len(cited_id):  # (WoS and Scopus references carry no cited id)
            by_cited_key = pc.coalesce(self._get(cited_id, alias), by_cited_key)
        cited = by_cited_key
        return pc.if_else(pc.fill_null(pc.equal(cited, citing_id), False), pa.scalar(None, pa.string()), cited)


def _match_centers(buf: _Buffer, matcher: Any) -> None:
    if matcher is None:
        return
    cols = buf.cols["authorships"]
    if not cols["work_id"]:
        return
    cols["center"] = _centers(matcher, {k: cols[k] for k in ("address", "institution", "institution_id")})


def _centers(matcher: Any, columns: Mapping[str, list[Any]]) -> list[str | None]:
    centers = matcher.match_frame(pd.DataFrame(columns))
    return [None if pd.isna(c) else str(c) for c in centers]


def _centers_of(auth: pa.Table, matcher: Any) -> pa.Array:
    """The center column of authorship rows given as an Arrow table."""
    if matcher is None or not auth.num_rows:
        return pa.nulls(auth.num_rows, pa.string())
    columns = {"address": auth.column("address").to_pylist(), "institution": auth.column("institution").to_pylist(),
               "institution_id": [None] * auth.num_rows}
    return pa.array(_centers(matcher, columns), pa.string())


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
