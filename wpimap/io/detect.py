"""Input format detection from file content, and dispatch to the readers.

:func:`detect_format` looks at the first bytes of a file (inside gzip when the file is
gzip-compressed, whatever its name) and decides between ``openalex`` (JSON object,
JSON Lines or the web CSV export), ``wos`` (plain text ``FN``/``PT`` or tab-delimited
``PT\\t`` header, UTF-8 or UTF-16 with BOM) and ``scopus`` (CSV export). The file name
is never needed. :func:`read_records` runs the matching reader.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from wpimap.io.records import InputFileError, Record, Reject

FORMATS = ("openalex", "wos", "scopus")
GZIP_MAGIC = b"\x1f\x8b"
_SAMPLE = 1 << 16
_OPENALEX_ID = re.compile(r"^(?:https?://openalex\.org/)?W\d+$", re.IGNORECASE)
_GZIP_ERRORS = (EOFError, OSError, zlib.error)


def is_gzip(path: str | os.PathLike[str]) -> bool:
    """Return True when the file starts with the gzip magic bytes.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    bool
    """
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_input(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a file for binary reading, decompressing it when it is gzip (by content).

    Parameters
    ----------
    path : path-like

    Returns
    -------
    binary file object
        Reading a truncated gzip stream raises ``EOFError``; callers turn it into
        :class:`InputFileError` with :func:`gzip_error`.

    Raises
    ------
    InputFileError
        The file does not exist or is a directory.
    """
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"{path}: file not found")
    if p.is_dir():
        raise InputFileError(f"{path}: is a directory, not a file")
    if is_gzip(p):
        return gzip.open(p, "rb")
    return open(p, "rb")


def gzip_error(path: str | os.PathLike[str], exc: BaseException) -> InputFileError:
    """Return the one-line :class:`InputFileError` for a truncated or corrupt gzip file.

    Parameters
    ----------
    path : path-like
    exc : exception
        The ``EOFError`` / ``zlib.error`` / ``gzip.BadGzipFile`` raised while reading.

    Returns
    -------
    InputFileError
    """
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return InputFileError(f"{path}: truncated or corrupt gzip data ({reason})")


def read_sample(path: str | os.PathLike[str], size: int = _SAMPLE) -> bytes:
    """Return up to ``size`` bytes of the (decompressed) content of a file.

    Parameters
    ----------
    path : path-like
    size : int

    Returns
    -------
    bytes

    Raises
    ------
    InputFileError
        Missing file, or gzip data that ends before ``size`` bytes could be read
        and without its end-of-stream marker.
    """
    fh = open_input(path)
    try:
        with fh:
            return fh.read(size)
    except _GZIP_ERRORS as exc:
        raise gzip_error(path, exc) from None


def decode_sample(path: str | os.PathLike[str], data: bytes) -> str:
    """Decode the start of a file: UTF-16 or UTF-8 BOM, else UTF-8.

    A sample cut inside a multi-byte character is decoded up to that character.

    Parameters
    ----------
    path : path-like
        Only used in the error message.
    data : bytes

    Returns
    -------
    str
        The text without BOM.

    Raises
    ------
    InputFileError
        The bytes are not UTF-8 / UTF-16 text.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        text = decoder.decode(data, final=False)
    except UnicodeDecodeError as exc:
        # Old WoS exports may be Latin-1: accept them when the header is a WoS header.
        head = data[: exc.start].decode("utf-8", "replace") if exc.start else ""
        latin = data.decode("latin-1")
        if _wos_header(latin.lstrip("\ufeff")) or _wos_header(head):
            return latin
        raise InputFileError(
            f"{path}: not decodable as UTF-8 or UTF-16 text (byte {exc.start}: {exc.reason})"
        ) from None
    if "\x00" in text[:4096]:
        raise InputFileError(f"{path}: binary content (NUL bytes), not a text export")
    return text.lstrip("\ufeff")


def _wos_header(text: str) -> bool:
    first = text.lstrip("\r\n ").split("\n", 1)[0].rstrip("\r")
    return first.startswith("FN ") or first.startswith("PT\t") or re.match(r"^PT [A-Z]\b", first) is not None


def _csv_header(text: str) -> list[str]:
    try:
        row = next(csv.reader(io.StringIO(text)), [])
    except csv.Error:
        return []
    return [c.strip().lstrip("\ufeff") for c in row]


def _openalex_json(text: str) -> bool:
    stripped = text.lstrip()
    first = stripped.split("\n", 1)[0].strip()
    try:
        obj: Any = json.loads(first)
    except ValueError:
        obj = None
    if isinstance(obj, dict) and "id" not in obj and isinstance(obj.get("results"), list):
        obj = obj["results"][0] if obj["results"] else None  # API list response
    if isinstance(obj, list):
        obj = obj[0] if obj else None
    if isinstance(obj, dict):
        wid = obj.get("id")
        return isinstance(wid, str) and _OPENALEX_ID.match(wid) is not None
    # A pretty-printed object / array, or an API list response ({"meta":…,"results":[…]}).
    return re.search(r'"id"\s*:\s*"(?:https?://openalex\.org/)?W\d+"', stripped) is not None


def detect_format(path: str | os.PathLike[str]) -> str:
    """Detect the export format of a file from its content.

    Rules, in order: gzip content is looked at after decompression; WoS plain text
    starts with ``FN `` (or ``PT J``), WoS tab-delimited with a ``PT\\t`` header (UTF-8
    or UTF-16, BOM allowed); JSON (an object, an array or JSON Lines) whose first work
    has an OpenAlex ``id`` (``W…``) is OpenAlex; a CSV header with ``id`` and dotted
    ``authorships.…`` columns is the OpenAlex web export; a CSV header with ``EID`` or
    with ``Authors`` and ``Source title`` is Scopus.

    Parameters
    ----------
    path : path-like

    Returns
    -------
    str
        ``"openalex"``, ``"wos"`` or ``"scopus"``.

    Raises
    ------
    InputFileError
        ``"<path>: <reason>"`` when the file is missing, empty, undecodable, truncated
        or of no known format.
    """
    data = read_sample(path)
    if not data.strip():
        raise InputFileError(f"{path}: empty file")
    text = decode_sample(path, data)
    body = text.lstrip("\r\n\t ")
    if not body:
        raise InputFileError(f"{path}: empty file")
    if _wos_header(body):
        return "wos"
    if body[0] in "{[":
        if _openalex_json(body):
            return "openalex"
        raise InputFileError(f"{path}: JSON content without an OpenAlex work id (W…); not a known format")
    header = _csv_header(body)
    cols = set(header)
    if "id" in cols and (
        any(c.startswith("authorships.") for c in header)
        or {"publication_year", "display_name"} <= cols
    ):
        return "openalex"
    if "EID" in cols or {"Authors", "Source title"} <= cols or {"Authors", "Title", "Year"} <= cols:
        return "scopus"
    first = body.split("\n", 1)[0].rstrip("\r")
    raise InputFileError(f"{path}: unknown format (first line: {first[:60]!r})")


def read_records(
    path: str | os.PathLike[str], fmt: str = "auto", **opts: Any
) -> Iterator[Record | Reject]:
    """Read a file with the reader of its format.

    Parameters
    ----------
    path : path-like
    fmt : {"auto", "openalex", "wos", "scopus"}
        ``auto`` runs :func:`detect_format`.
    **opts
        Passed to the reader (e.g. ``source_fields`` for Scopus); readers ignore
        options they do not know.

    Yields
    ------
    Record or Reject
        One per input record, in file order.

    Raises
    ------
    InputFileError
        Whole-file problems (see :func:`detect_format` and the readers).
    ValueError
        ``fmt`` is not one of the known formats.
    """
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "openalex":
        from wpimap.io.openalex import read_openalex

        return read_openalex(path, **opts)
    if fmt == "scopus":
        from wpimap.io.scopus import read_scopus

        return read_scopus(path, **opts)
    if fmt == "wos":
        from wpimap.io.wos import read_wos

        return read_wos(path, **opts)
    raise ValueError(f"unknown input format {fmt!r}; expected 'auto' or one of {', '.join(FORMATS)}")
