"""Schemas of the data contract and atomic Parquet/CSV writes.

The normalized tables (``results/normalized/*.parquet``) are the interface between
ingestion and every later stage. Their columns are fixed here; the docs in
``../shared/DESIGN.md`` and ``README.md`` describe the same contract.

works
    work_id (str, unique: OpenAlex ``W…``, WoS ``WOS:…``, Scopus ``2-s2.0-…``),
    year (int32, null when unknown), doc_type (lower case, first type only:
    ``article``, ``review``, ``proceedings paper``…), title, source (journal),
    fields (list<str>: WoS categories, OpenAlex fields, or config-mapped Scopus
    sources), doi (lower case, no resolver prefix), cited_by_count (int64, the
    count the database itself carried: OpenAlex ``cited_by_count``, WoS ``TC``,
    Scopus ``Cited by``), ref_key (the key a cited-reference string to this work
    would normalize to, used to resolve references), source_file, record (1-based
    record number in that file).
authorships
    One row per (author, affiliation) pair; an author with no affiliation has one
    row with null institution and country; an address not attributed to a named
    author (old WoS C1) has a null author_position. Columns: work_id,
    author_position (int32, 1-based), author, institution, institution_id (ROR or
    OpenAlex institution ID when known), address (the raw affiliation string),
    country (ISO 3166-1 alpha-2), center (id of the research center matched, else null).
references
    citing_id, cited_key (DOI when known, else ``author|year|source|volume|page``;
    OpenAlex IDs for OpenAlex references), cited_id (work_id of the cited work when
    it is in the corpus, else null).
rejects
    source_file, record (1-based), reason.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

WORKS_SCHEMA = pa.schema(
    [
        ("work_id", pa.string()),
        ("year", pa.int32()),
        ("doc_type", pa.string()),
        ("title", pa.string()),
        ("source", pa.string()),
        ("fields", pa.list_(pa.string())),
        ("doi", pa.string()),
        ("cited_by_count", pa.int64()),
        ("ref_key", pa.string()),
        ("source_file", pa.string()),
        ("record", pa.int64()),
    ]
)

AUTHORSHIPS_SCHEMA = pa.schema(
    [
        ("work_id", pa.string()),
        ("author_position", pa.int32()),
        ("author", pa.string()),
        ("institution", pa.string()),
        ("institution_id", pa.string()),
        ("address", pa.string()),
        ("country", pa.string()),
        ("center", pa.string()),
    ]
)

REFERENCES_SCHEMA = pa.schema(
    [
        ("citing_id", pa.string()),
        ("cited_key", pa.string()),
        ("cited_id", pa.string()),
    ]
)

REJECTS_SCHEMA = pa.schema(
    [
        ("source_file", pa.string()),
        ("record", pa.int64()),
        ("reason", pa.string()),
    ]
)

SCHEMAS: dict[str, pa.Schema] = {
    "works": WORKS_SCHEMA,
    "authorships": AUTHORSHIPS_SCHEMA,
    "references": REFERENCES_SCHEMA,
    "rejects": REJECTS_SCHEMA,
}


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()


def _atomic_target(path: str | os.PathLike[str]) -> tuple[Path, int, str]:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600 files; outputs get the usual mode
    return path, fd, tmp


def write_bytes_atomic(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    Parameters
    ----------
    data : bytes
        File content.
    path : path-like
        Destination; its parent directories are created.

    Returns
    -------
    pathlib.Path
        The destination path. A crash leaves either the old file or the new one,
        never a half-written file.
    """
    path, fd, tmp = _atomic_target(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_parquet_atomic(
    table: pa.Table,
    path: str | os.PathLike[str],
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write a Parquet file atomically, deterministically, with optional metadata.

    Parameters
    ----------
    table : pyarrow.Table
        The table to write.
    path : path-like
        Destination file.
    metadata : mapping, optional
        Stored as JSON under the ``wpimap`` key of the schema metadata (parameters
        and versions that made the table).

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    if metadata is not None:
        meta = dict(table.schema.metadata or {})
        meta[b"wpimap"] = json.dumps(metadata, sort_keys=True, default=str).encode()
        table = table.replace_schema_metadata(meta)
    path, fd, tmp = _atomic_target(path)
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd", write_statistics=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_frame_atomic(
    frame: Any,
    path: str | os.PathLike[str],
    schema: pa.Schema | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> Path:
    """Write a pandas DataFrame to Parquet (atomically), optionally cast to ``schema``.

    Parameters
    ----------
    frame : pandas.DataFrame
        The frame; its index is not stored.
    path : path-like
        Destination file.
    schema : pyarrow.Schema, optional
        Columns are selected and cast to this schema.
    metadata : mapping, optional
        See :func:`write_parquet_atomic`.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    if schema is not None:
        table = pa.Table.from_pandas(frame[schema.names], schema=schema, preserve_index=False)
    else:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    return write_parquet_atomic(table, path, metadata)


def write_csv_atomic(frame: Any, path: str | os.PathLike[str], float_format: str = "%.6g") -> Path:
    """Write a pandas DataFrame as CSV (UTF-8, ``\\n`` line ends, no index) atomically.

    Parameters
    ----------
    frame : pandas.DataFrame
        The frame.
    path : path-like
        Destination file.
    float_format : str
        printf-style format of floats, so outputs are byte-stable across runs.

    Returns
    -------
    pathlib.Path
        The destination path.
    """
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", float_format=float_format)
    return write_bytes_atomic(buf.getvalue().encode("utf-8"), path)


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Return the ``wpimap`` metadata stored in a Parquet file (empty when absent).

    Parameters
    ----------
    path : path-like
        A Parquet file written by :func:`write_parquet_atomic`.

    Returns
    -------
    dict
        The decoded metadata.
    """
    meta = pq.read_schema(path).metadata or {}
    raw = meta.get(b"wpimap")
    return json.loads(raw) if raw else {}


def empty_table(name: str) -> pa.Table:
    """Return an empty table of one of the normalized schemas.

    Parameters
    ----------
    name : {'works', 'authorships', 'references', 'rejects'}
        Table name.

    Returns
    -------
    pyarrow.Table
        Zero rows, the contract's columns and types.
    """
    return SCHEMAS[name].empty_table()
