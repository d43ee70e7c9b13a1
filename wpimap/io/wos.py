"""Web of Science exports: plain text (tagged) and tab-delimited → :class:`Record`.

Formats (detected from content, not from the file name)
--------------------------------------------------------
Plain text
    ``FN Clarivate Analytics Web of Science`` / ``VR 1.0`` header, then records of
    ``XX value`` lines, continuation lines indented by three spaces, each record ended
    by ``ER``, the file by ``EF``. Multi-valued fields (AU, AF, C1, CR, RP) carry one item
    per line; other fields wrap and are joined with a space.
Tab-delimited
    A header row of field tags (``PT\\tAU\\tBA…``), one record per row, multi-valued
    fields joined by ``; ``. Values are never quoted (titles hold ``"``), so rows are
    split on tabs only, never with a CSV dialect.

Encodings: UTF-8 with or without BOM, UTF-16 (LE/BE, BOM or not), CRLF or LF line ends,
optionally gzip-compressed.

Reading in chunks, in columns
-----------------------------
:func:`read_wos_batches` reads the file ``chunk_chars`` characters at a time (4M by
default, usually a whole export file of 500 to 1,000 records): memory holds one chunk,
its tables and the record that straddles it, whatever the file size. The records of a
chunk (the plain-text blocks between ``ER`` lines) are cut into lines and fields with
Arrow kernels at once (:func:`_fast_fields`);
a block that is not one well-formed record (a blank or malformed line, a repeated tag,
a second PT, EF, the header) goes through the line-by-line reader (:func:`_plain_block`),
which says what is wrong; both give the same fields (tests check it on every real
record). Tab-delimited rows are split one by one. Each chunk is then normalized into
Arrow tables (:class:`WosBatch`): the per-record rules below in one loop over the
records, the CR entries of all records keyed at once with
:func:`wpimap.io.refs.wos_cr_key_codes` (each distinct entry once). :func:`read_wos`
gives the same records as :class:`~wpimap.io.records.Record` objects, one at a time.

Mapping to :class:`~wpimap.io.records.Record`
---------------------------------------------
work_id ``WOS:`` + UT (a UT that already has a prefix keeps it; the old ``ISI:`` prefix
becomes ``WOS:``); year PY, else the year of EA (early access), else None; doc_type
from DT; title TI; source SO; fields WC split on ``;``; doi DI; cited_by_count TC;
ref_key ``make_ref_key(first AU, year, J9 | JI | SO, VL, BP)``.

Authorships, from C1 (RP when C1 is absent or empty):

* ``[Author A; Author B] Inst, Dept, City, Country.`` attributes the address to the named
  authors; the names are matched to byline positions through AF, then AU, then
  ``author_key`` (surname + initial) when that is unique. A bracketed name found in no
  byline gets a row with a null position.
* An address without brackets (old records: ``NEW ORLEANS,LA 70112.``) gives one row with
  a null author_position and author.
* RP ``Smith, J (corresponding author), Inst, …, Country.`` (or ``reprint author``,
  several separated by ``; ``) attributes its address to the named author(s).
* One row per (author, address); every byline author that no address is attributed to
  gets one row with null institution, address and country (so a record with only
  unattributed old-style addresses lists its authors and its addresses separately).
* address = the whole address without the bracket prefix and trailing period;
  institution = its first comma element; country = :func:`country_from_address`.

References, from CR, one entry per line: ``cited_key`` = the entry's DOI (``DOI 10.x``,
``DOI DOI 10.x``, ``DOI [10.x, 10.y]`` → first DOI), else ``make_ref_key(author, year,
source, volume, page)`` (see :func:`wpimap.io.refs.parse_wos_cr`); cited_id is None
(ingestion resolves it). An entry that yields no key at all (no DOI and neither year,
volume nor page, e.g. ``CREATION EVOLUTION E``) is skipped, and an entry whose key
repeats an earlier one of the same record is dropped (a work is cited once); both are
counted in :class:`WosReadStats` (pass ``stats=WosReadStats()``), the record itself is
still normalized.

Errors
------
Whole-file problems raise :class:`~wpimap.io.records.InputFileError` with the message
``<path>: <reason>``: missing, empty, binary or undecodable file, content that is not a
WoS export, and a *truncated* file — the last plain-text record has no ``ER`` line, or
the last tab-delimited row has fewer fields than the header and no line end. Truncation
is a file error, not a reject, because the file itself is damaged (a download or copy
that stopped); records yielded before the error are complete, and the caller decides
whether to keep them (ingestion stops the run, as for any file error). A file holding a
header and no record yields nothing.

A single record that cannot be read yields :class:`~wpimap.io.records.Reject` (missing
UT, a line that is neither a field nor a continuation, a record cut by the next ``PT``
or by ``EF`` without ``ER``, a tab row with a different number of fields than the
header…). Every input record gives exactly one Record or Reject.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import re
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import IO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from wpimap.io.countries import country_from_address
from wpimap.io.records import (
    Authorship,
    InputFileError,
    Record,
    Reject,
    normalize_doc_type,
    normalize_doi,
)
from wpimap.io.refs import author_key, ref_key_fast, wos_cr_key_codes

__all__ = [
    "WHITESPACE", "WosBatch", "WosReadStats", "parse_addresses", "parse_reprint", "read_wos", "read_wos_batches",
    "sniff_wos",
]


@dataclass(slots=True)
class WosReadStats:
    """Counters filled by :func:`read_wos` when passed as ``stats=``.

    Attributes
    ----------
    format : str
        ``plain`` or ``tab`` once the file has been opened.
    encoding : str
        The text encoding used.
    records, rejects : int
        Records yielded as Record / Reject.
    references : int
        References kept (one per distinct cited_key of a record).
    references_skipped : int
        CR entries that gave no key at all (no DOI, no year/volume/page).
    references_duplicate : int
        CR entries whose key repeated an earlier one of the same record.
    """

    format: str = ""
    encoding: str = ""
    records: int = 0
    rejects: int = 0
    references: int = 0
    references_skipped: int = 0
    references_duplicate: int = 0


# Tags read by the normalization (the others are never split nor joined).
_USED_TAGS = frozenset(
    {"PT", "AU", "AF", "TI", "SO", "DT", "C1", "RP", "CR", "TC", "J9", "JI", "PY", "EA", "VL",
     "BP", "DI", "WC", "UT"}
)
_C1_SPLIT = re.compile(r";\s*(?=\[)|;\s+(?![^\[]*\])")
_RP_LABEL = re.compile(r"\s*\((?:corresponding|reprint) author\)\s*,?\s*", re.IGNORECASE)
_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")
_UT_PREFIX = re.compile(r"^([A-Za-z]+):")

_SNIFF_BYTES = 4096


# ---------------------------------------------------------------------------
# Opening and detection
# ---------------------------------------------------------------------------


def _open_binary(path: Path) -> IO[bytes]:
    try:
        fh: IO[bytes] = open(path, "rb")  # closed by the caller
    except FileNotFoundError:
        raise InputFileError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise InputFileError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be opened ({exc.strerror})") from None
    if fh.peek(2)[:2] == b"\x1f\x8b":  # type: ignore[attr-defined]
        fh.close()
        fh = gzip.open(path, "rb")  # type: ignore[assignment]
    return fh


def _sniff_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    sample = head[:512]
    if b"\x00" in sample:
        # UTF-16 without BOM: NULs in every other byte of ASCII text.
        even, odd = sample[0::2], sample[1::2]
        if odd and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return "utf-16-le"
        if even and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return "utf-16-be"
        return None  # binary
    return "utf-8"


def _looks_tab_header(line: str) -> bool:
    cells = line.rstrip("\r\n").split("\t")
    tags = [c.strip() for c in cells if c.strip()]
    return (
        len(tags) >= 3
        and tags[0] in ("PT", "FN")
        and all(len(t) == 2 and t[0].isupper() and (t[1].isupper() or t[1].isdigit()) for t in tags)
    )


def _looks_plain(line: str) -> bool:
    return line.startswith("FN ") or line.rstrip() == "FN" or line.startswith("PT ")


def sniff_wos(head: bytes) -> str | None:
    """Tell from the first bytes of a file whether it is a WoS export, and which kind.

    Parameters
    ----------
    head : bytes
        The first bytes of the (decompressed) file; a few hundred are enough.

    Returns
    -------
    str or None
        ``"plain"``, ``"tab"`` or None.
    """
    encoding = _sniff_encoding(head)
    if encoding is None:
        return None
    text = head.decode(encoding, errors="ignore").lstrip("\ufeff\r\n\t ")
    first = text.split("\n", 1)[0]
    if _looks_plain(first):
        return "plain"
    if "\t" in first and _looks_tab_header(first):
        return "tab"
    return None


# ---------------------------------------------------------------------------
# Raw record readers: (record_no, tags) or (record_no, reject reason)
# ---------------------------------------------------------------------------

RawItem = tuple[int, dict[str, list[str]] | None, str | None]


_CHUNK_CHARS = 1 << 22  # 4 MB: a whole export file (500 to 1,000 records) is usually one chunk
_TAG_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_TAG_CHARS2 = _TAG_CHARS | frozenset("0123456789")


_FIELD_END = re.compile(r"\n(?! )")  # the end of a field: a newline not followed by a space
_CR_MARK = "\x00CR"  # stands for the CR field cut out of a block (never a real line: NUL)
_CR_MARK_LINE = "CR \x00"


class _PlainState:
    __slots__ = ("record_no", "open_record")

    def __init__(self) -> None:
        self.record_no = 0
        self.open_record = False  # the block ended inside a record (no ER after it)


def _plain_block(block: str, first_line: int, state: _PlainState) -> Iterator[RawItem]:
    """Records of one block of lines that ends before an ``ER`` line, read line by line.

    The general reader of a plain-text block, for the blocks that the columnar path
    (:func:`_fast_fields`) does not take, and for the end of a file. Only the fields
    the normalization reads are collected; every line is still checked to be a field
    (``XX value``), a continuation (leading spaces) or empty. A second PT or an EF
    inside the block closes the record read so far as a Reject (it lost its ``ER``);
    FN/VR header lines before a record are skipped.
    """
    used = _USED_TAGS
    rec: dict[str, list[str]] | None = None
    cur: list[str] | None = None
    in_field = False
    bad: str | None = None
    start = first_line
    lineno = first_line - 1
    valid_tags: set[str] = set()
    # The CR field (half of the lines) is cut out in one piece and stood for by a
    # marker line, so that the per-line loop below only sees the other fields.
    cr_lines: list[str] = []
    i = block.find("\nCR ")
    if i >= 0:
        m = _FIELD_END.search(block, i + 4)
        j = m.start() if m else len(block)
        cr_lines = [ln.strip() for ln in block[i + 4 : j].split("\n")]
        if "" in cr_lines:
            cr_lines = [ln for ln in cr_lines if ln]
        lines: Iterable[str] = chain(block[:i].split("\n"), (_CR_MARK,), block[j + 1 :].split("\n"))
        cr_count = block.count("\n", i + 1, j) + 1
    else:
        lines = block.split("\n")
        cr_count = 0
    for line in lines:
        lineno += 1
        if line[:1] == " ":
            if cur is not None:
                value = line.strip()
                if value:
                    cur.append(value)
            elif rec is not None and not in_field and bad is None and line.strip():
                bad = f"line {lineno}: continuation line before any field"
            continue
        if not line or line.isspace():
            continue
        tag = line[:2]
        if tag not in valid_tags:
            if len(tag) == 2 and tag[0] in _TAG_CHARS and tag[1] in _TAG_CHARS2:
                valid_tags.add(tag)
            else:
                tag = ""
        if line is _CR_MARK:
            tag, line = "CR", _CR_MARK_LINE
            lineno += cr_count - 1
        if not tag or line[2:3] not in (" ", ""):
            if rec is None:
                state.record_no += 1
                rec, start = {}, lineno
            if bad is None:
                bad = f"line {lineno}: neither a field tag nor a continuation: {line[:40]!r}"
            cur, in_field = None, False
            continue
        if rec is None:
            if tag in ("FN", "VR", "EF", "ER"):
                cur, in_field = None, False
                continue
            state.record_no += 1
            rec, start = {}, lineno
        elif tag == "EF" or (tag == "PT" and "PT" in rec):
            what = "EF" if tag == "EF" else "the next PT"
            yield state.record_no, None, f"record starting on line {start} has no ER before {what}"
            bad, cur, in_field = None, None, False
            if tag == "EF":
                rec = None
                continue
            state.record_no += 1
            rec, start = {}, lineno
        in_field = True
        if tag in used:
            cur = rec.get(tag)
            if cur is None:
                cur = rec[tag] = []
            if line is _CR_MARK_LINE:
                cur.extend(cr_lines)
            else:
                value = line[3:].strip()
                if value:
                    cur.append(value)
        else:
            cur = None
    state.open_record = rec is not None
    if rec is not None:
        yield state.record_no, (None if bad else rec), bad


# ---------------------------------------------------------------------------
# Plain text, a chunk at a time: the usual records in columns, the others line by line
# ---------------------------------------------------------------------------

# Fields read by the normalization, apart from CR: joined with a space (one text per
# record) or kept as a list of lines / items.
_TEXT_TAGS = ("UT", "PY", "EA", "DT", "TI", "SO", "WC", "DI", "TC", "J9", "JI", "VL", "BP")
_LIST_TAGS = ("AU", "AF", "C1", "RP")
_WANTED = _TEXT_TAGS + _LIST_TAGS + ("CR",)
_CR_CODE = len(_WANTED) - 1
# every valid tag, the wanted ones first (their code is their index in _WANTED)
_ALL_TAGS = pa.array(
    list(_WANTED) + [t for t in (a + b for a in sorted(_TAG_CHARS) for b in sorted(_TAG_CHARS2)) if t not in _WANTED],
    pa.binary(),
)
_EF_CODE = _ALL_TAGS.to_pylist().index(b"EF")
_TAG_CODE = np.full(1 << 16, -1, dtype=np.int64)  # 256 * first byte + second byte -> tag code
for _code, _tag in enumerate(_ALL_TAGS.to_pylist()):
    _TAG_CODE[_tag[0] * 256 + _tag[1]] = _code
# The white space str.strip() removes (str.isspace), for pyarrow.compute.utf8_trim
# (tests/test_wos.py checks it against every code point).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# FN / VR lines and empty lines before the first record (the line loop skips them too).
_HEADER_LINES = re.compile(rb"(?:(?:FN|VR)(?: [^\n]*)?\n|\n)*")


class _Fields:
    """The fields of the records of one chunk, before normalization.

    ``text[tag][i]`` is the text of field ``tag`` of record ``i`` (its lines joined by
    a space, None when absent or empty), ``lists[tag][i]`` the lines / items of a
    multi-valued field (None or a list), ``cr`` the CR entries of all records as
    (Arrow array of stripped non-empty entries, record index of each entry) parts.
    ``reason[i]`` is set for a record that could not be read (a Reject).
    """

    __slots__ = ("n", "record_no", "reason", "text", "lists", "cr")

    def __init__(self, n: int) -> None:
        self.n = n
        self.record_no: list[int] = [0] * n
        self.reason: list[str | None] = [None] * n
        self.text: dict[str, list[str | None]] = {t: [None] * n for t in _TEXT_TAGS}
        self.lists: dict[str, list[list[str] | None]] = {t: [None] * n for t in _LIST_TAGS}
        self.cr: list[tuple[pa.Array, np.ndarray]] = []

    def set_raw(self, i: int, record_no: int, rec: dict[str, list[str]] | None, reason: str | None) -> None:
        """Fill record ``i`` from the fields of the line loop or a tab-delimited row."""
        self.record_no[i] = record_no
        if rec is None:
            self.reason[i] = reason or "unreadable record"
            return
        for tag in _TEXT_TAGS:
            lines = rec.get(tag)
            if lines:
                self.text[tag][i] = " ".join(lines) if len(lines) > 1 else lines[0]
        for tag in _LIST_TAGS:
            lines = rec.get(tag)
            if lines:
                self.lists[tag][i] = lines
        crs = rec.get("CR")
        if crs:
            self.cr.append((pa.array(crs, pa.string()), np.full(len(crs), i, dtype=np.int64)))


def _np(arr: pa.Array) -> np.ndarray:
    return arr.to_numpy(zero_copy_only=False)


def _fast_fields(
    lines: pa.Array, parent: np.ndarray, n: int
) -> tuple[np.ndarray, dict[str, list[str | None]], dict[str, list[list[str] | None]], pa.Array, np.ndarray]:
    """Read the well-formed one-record blocks of a chunk in columns (Arrow kernels).

    ``lines`` are the lines of ``n`` blocks, each with its line end ``\\n``, ``parent``
    the block of each line (non-decreasing). A block is taken when its first line that is not empty starts with
    ``PT `` and every later line is a field (``XX value`` or a bare ``XX``, ``X`` a
    capital letter, the second also a digit) or a continuation (leading space), with no
    tag twice and no ``EF``; any other block goes through the line loop
    (:func:`_plain_block`), which says what is wrong. Both give the same fields
    (tests/test_wos.py checks it on every real record and on edge cases): a field's
    lines stripped (the first one after its tag), empty ones dropped.

    Returns
    -------
    taken : numpy.ndarray of bool
        Per block, whether it was read here.
    text, lists : dict
        Per field, a list over the blocks (None where absent or the block not taken).
    cr, cr_block : pyarrow.StringArray, numpy.ndarray
        The CR entries of the taken blocks (stripped, non-empty) and their block.
    """
    # The first three bytes of each line, read from the array's buffers with numpy (a
    # tag is ASCII: byte k is character k wherever it matters).
    starts = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=4 * lines.offset)
    data = np.frombuffer(lines.buffers()[2], dtype=np.uint8)
    size = np.diff(starts)
    head = np.zeros((3, len(size)), dtype=np.uint8)  # 0 past the end of a line
    if len(data):
        last = len(data) - 1
        for k in range(3):
            np.putmask(head[k], size > k, data.take(np.minimum(starts[:-1] + k, last)))
    # The empty lines that open a block are no part of it (the line loop skips them).
    filled = np.flatnonzero((size > 1) | ((size == 1) & (head[0] != 10)))
    first = np.full(n, len(size), dtype=np.int64)  # first line of each block that is not empty
    at = np.flatnonzero(np.diff(parent[filled], prepend=-1))  # (parent is sorted)
    blocks_filled = parent[filled[at]]
    first[blocks_filled] = filled[at]
    opening = first[parent] > np.arange(len(parent))
    taken = np.zeros(n, dtype=bool)
    fl = first[blocks_filled]
    taken[blocks_filled] = (head[0, fl] == ord("P")) & (head[1, fl] == ord("T")) & (head[2, fl] == ord(" "))
    # Field lines: a tag (all valid tags numbered, the wanted ones first) then a space or
    # the end of the line; continuations: a leading space.
    code = _TAG_CODE[head[0].astype(np.int32) * 256 + head[1]]
    field = (code >= 0) & ((head[2] == ord(" ")) | (head[2] == ord("\n")))
    cont = head[0] == ord(" ")
    blank2 = (head[1] == ord(" ")) | (head[1] == ord("\n"))  # a second character that trim removes
    if opening.any():
        keep_lines = ~opening
        lines, parent = lines.filter(pa.array(keep_lines)), parent[keep_lines]
        code, field, cont, blank2 = code[keep_lines], field[keep_lines], cont[keep_lines], blank2[keep_lines]
    raw = lines.view(pa.binary())
    taken[parent[~(cont | field)]] = False
    code = np.where(field, code, -1)
    taken[parent[code == _EF_CODE]] = False
    fcode = code[field]
    if len(fcode):  # a tag twice in a block (counted per block over the tags of the chunk only)
        used = np.zeros(len(_ALL_TAGS), dtype=np.int64)
        used[fcode] = 1
        compact = np.cumsum(used) - 1  # tag code -> its rank among the tags of the chunk
        width = int(compact[-1]) + 1
        seen = np.bincount(parent[field].astype(np.int64) * width + compact[fcode])
        taken[np.flatnonzero(seen > 1) // width] = False

    # Each line's field (a continuation takes the field above it), the wanted ones kept.
    above = np.maximum.accumulate(np.where(field, np.arange(len(field)), 0))
    code = code[above]
    keep = taken[parent] & (code >= 0) & (code < len(_WANTED))
    keep_arr = pa.array(keep)
    raw, parent, code_np = raw.filter(keep_arr), parent[keep], code[keep]
    # (an explicit stop: binary_slice without one fails in pyarrow 26, "Negative buffer resize")
    longest = pc.max(pc.binary_length(raw)).as_py() or 0
    kept_field = field[keep]
    if (kept_field | blank2[keep]).all():
        # (the usual chunk: every continuation starts with two blanks) two characters off
        # every line, the tag of a field line and white space of a continuation line,
        # the rest trimmed: the same values as below, without a choice per line
        value = pc.binary_slice(raw, 2, longest + 1).view(pa.string())
    else:
        value = pc.if_else(pa.array(kept_field), pc.binary_slice(raw, 3, longest + 1), raw).view(pa.string())
    value = pc.utf8_trim(value, WHITESPACE)  # (the line end too)
    v_offsets = np.frombuffer(value.buffers()[1], dtype=np.int32, count=len(value) + 1, offset=4 * value.offset)
    nonempty = np.diff(v_offsets) > 0
    # the CR entries, and the other values by field (file order kept within each): one
    # take each from the trimmed lines
    is_cr = code_np == _CR_CODE
    at = np.flatnonzero(nonempty & is_cr)
    cr, cr_block = value.take(pa.array(at)), parent[at]
    at = np.flatnonzero(nonempty & ~is_cr)
    at = at[np.argsort(code_np[at], kind="stable")]
    value, parent, code_np = value.take(pa.array(at)), parent[at], code_np[at]
    bounds = np.searchsorted(code_np, np.arange(len(_WANTED)))
    text: dict[str, list[str | None]] = {}
    lists: dict[str, list[list[str] | None]] = {}
    for c, name in enumerate(_WANTED[:-1]):
        a, b = int(bounds[c]), int(bounds[c + 1])
        if a == b:
            (text if name in _TEXT_TAGS else lists)[name] = [None] * n  # type: ignore[index]
            continue
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(np.bincount(parent[a:b], minlength=n), out=offsets[1:])
        per_block = pa.ListArray.from_arrays(pa.array(offsets), value.slice(a, b - a))
        if name in _TEXT_TAGS:
            text[name] = [t or None for t in pc.binary_join(per_block, " ").to_pylist()]
        else:
            lists[name] = [v or None for v in per_block.to_pylist()]
    return taken, text, lists, cr, cr_block


def _split_chunk(buf: bytes, first_may_end: bool, start: int = 0) -> tuple[pa.Array, list[int], int]:
    """The complete lines of ``buf[start:]`` (UTF-8, each with its line end), the indices
    of the ``ER`` lines that end its records, and the offset in ``buf`` of the text after
    the last of those (0 when there is none).

    An ER line is ``ER`` and maybe spaces or tabs, with a line end after it and a line
    end before it: never the first line of ``buf`` (unless ``first_may_end``: a line
    end came before it) nor the line right after another ER line that ended a record
    (that one's line end was taken). Raises UnicodeDecodeError when a complete line is
    not UTF-8.
    """
    # The lines are views of buf itself (offsets after each "\n", found with numpy).
    ends_at = np.flatnonzero(np.frombuffer(buf, dtype=np.uint8, offset=start) == 10)
    offsets = np.full(len(ends_at) + 1, start, dtype=np.int32)
    offsets[1:] += ends_at + 1
    lines = pa.StringArray.from_buffers(len(ends_at), pa.py_buffer(offsets), pa.py_buffer(buf))
    try:
        lines.validate(full=True)  # UTF-8
    except pa.ArrowInvalid:
        buf[start : int(offsets[-1])].decode("utf-8")  # raises the decoding error, with its reason
        raise
    candidates = np.flatnonzero(_np(pc.starts_with(lines, "ER")))
    ends: list[int] = []
    if len(candidates):
        for i, line in zip(candidates.tolist(), lines.take(pa.array(candidates)).to_pylist(), strict=True):
            if line[:-1].rstrip(" \t") != "ER" or (i == 0 and not first_may_end) or (ends and i == ends[-1] + 1):
                continue
            ends.append(i)
    return lines, ends, int(offsets[ends[-1] + 1]) if ends else 0


def _chunk_fields(lines: pa.Array, ends: list[int], line_no: int, state: _PlainState) -> _Fields:
    """The records of the blocks of ``lines`` ended by the ER lines ``ends`` (non-empty);
    ``line_no`` is the line number of ``lines[0]``."""
    n = len(ends)
    is_end = np.zeros(ends[-1] + 1, dtype=bool)
    is_end[ends] = True
    # The block of each line: the ER lines before it. The ER line that ends a block is
    # left in it (one more field line, of a tag nothing reads): no copy of the lines.
    parent = np.cumsum(is_end) - is_end
    taken, text, lists, cr, cr_block = _fast_fields(lines.slice(0, ends[-1] + 1), parent, n)
    if taken.all():  # the usual chunk: one record per block, all read in columns
        f = _Fields(0)
        f.n = n
        f.record_no = list(range(state.record_no + 1, state.record_no + 1 + n))
        f.reason = [None] * n
        f.text, f.lists = text, lists
        f.cr = [(cr, cr_block.astype(np.int64))] if len(cr) else []
        state.record_no += n
        state.open_record = True
        return f
    # Some blocks go through the line loop (they may hold 0, 1 or more records).
    raw: list[tuple[int, int, dict[str, list[str]] | None, str | None]] = []  # (block or -1, no, rec, reason)
    start = 0
    for b, end in enumerate(ends):
        if taken[b]:
            state.record_no += 1
            state.open_record = True
            raw.append((b, state.record_no, None, None))
        else:
            block = "".join(lines.slice(start, end - start).to_pylist())[:-1]
            for record_no, rec, reason in _plain_block(block, line_no + start, state):
                raw.append((-1, record_no, rec, reason))
        start = end + 1
    f = _Fields(len(raw))
    blocks = [b for b, _, _, _ in raw]
    # the columns of the blocks read in columns, field by field (None for the others) ...
    for tag in _TEXT_TAGS:
        texts = text[tag]
        f.text[tag] = [texts[b] if b >= 0 else None for b in blocks]
    for tag in _LIST_TAGS:
        items = lists[tag]
        f.lists[tag] = [items[b] if b >= 0 else None for b in blocks]
    f.record_no = [record_no for _, record_no, _, _ in raw]
    index_of_block = np.full(n, -1, dtype=np.int64)
    for i, (b, record_no, rec, reason) in enumerate(raw):  # ... then the records of the line loop
        if b < 0:
            f.set_raw(i, record_no, rec, reason)
        else:
            index_of_block[b] = i
    if len(cr):
        f.cr.insert(0, (cr, index_of_block[cr_block]))
    return f


class _Utf8Source:
    """Bytes of a UTF-8 file with the line ends TextIOWrapper(newline=None) gives
    (``\\r\\n`` and ``\\r`` read as ``\\n``), read without decoding them."""

    def __init__(self, fb: IO[bytes]) -> None:
        self.fb = fb
        self.held = b""  # a "\r" at the end of a read, maybe the first half of "\r\n"

    def read(self, n: int) -> bytes:
        """The next bytes (about ``n``); empty at the end of the file."""
        while True:
            more = self.fb.read(n)
            data, self.held = self.held + more, b""
            if more and data.endswith(b"\r"):
                data, self.held = data[:-1], b"\r"
            if data or not more:
                break
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return data


def _plain_start(head: bytes, encoding: str) -> bool:
    """Whether a UTF-8 file opens (after blank lines) with a plain-text header line."""
    if encoding not in ("utf-8", "utf-8-sig"):
        return False
    text = head.decode("utf-8", errors="ignore").replace("\r\n", "\n").replace("\r", "\n")
    for line in text.split("\n")[:-1]:  # complete lines
        if line.strip():
            return _looks_plain(line.lstrip("\ufeff"))
    return False


def _utf8_plain_fields(fb: IO[bytes], path: Path, state: _PlainState, chunk_chars: int) -> Iterator[_Fields]:
    """:func:`_plain_fields` of a UTF-8 file, its bytes never decoded to Python text."""
    src = _Utf8Source(fb)
    buf = src.read(chunk_chars)
    start = 0  # (offsets into buf, not slices: no copy of a chunk)
    while True:  # blank lines before the first line are skipped, as _read_text does
        i = buf.find(b"\n", start)
        if i < 0:
            more = src.read(chunk_chars)
            if not more:
                break
            buf += more
            continue
        if buf[start:i].decode("utf-8").strip():
            break
        start = i + 1
    while buf.startswith(b"\xef\xbb\xbf", start):  # BOMs (U+FEFF) before the first line
        start += 3
    yield from _plain_fields(src.read, buf, path, state, chunk_chars, start)


def _plain_fields(
    read: Callable[[int], bytes], buf: bytes, path: Path, state: _PlainState, chunk_chars: int, start: int = 0
) -> Iterator[_Fields]:
    """The records of a plain-text export, one :class:`_Fields` per chunk read.

    ``read(n)`` gives the next bytes (UTF-8, ``\\n`` line ends; empty at the end of
    the file), ``buf[start:]`` those read already, from the first line on. Memory holds
    one chunk of ``chunk_chars`` plus the record that straddles it, whatever the file size.
    """
    line_no = 1  # line number of the line at buf[start]
    eof = False
    header = True
    first_may_end = False
    while not eof:
        chunk = read(chunk_chars)
        if chunk:
            buf += chunk
        else:
            eof = True
            if buf and not buf.endswith(b"\n"):
                buf += b"\n"
        del chunk
        if header:  # the header lines (complete ones) are skipped
            header = False
            skip = _HEADER_LINES.match(buf, start).end()  # type: ignore[union-attr]
            if skip > start:
                line_no += buf.count(b"\n", start, skip)
                start = skip
                first_may_end = True
        lines, ends, used = _split_chunk(buf, first_may_end, start)
        if ends:
            first_may_end = False
            fields = _chunk_fields(lines, ends, line_no, state)
            line_no += ends[-1] + 1
            buf, start = buf[used:], 0
            del lines
            yield fields
    # Whatever follows the last ER: EF, blank lines, or a record cut short.
    tail = list(_plain_block(buf[start:].decode("utf-8"), line_no, state))
    if state.open_record:
        raise InputFileError(
            f"{path}: truncated: record {state.record_no} has no ER line before the end of the file"
        )
    if tail:
        f = _Fields(len(tail))
        for i, (record_no, rec, reason) in enumerate(tail):
            f.set_raw(i, record_no, rec, reason)
        yield f


def _split_c1(value: str) -> list[str]:
    return [p for p in (s.strip() for s in _C1_SPLIT.split(value)) if p]


def _split_items(value: str) -> list[str]:
    return [p for p in (s.strip() for s in value.split("; ")) if p]


def _tab_records(lines: IO[str], header: str, path: Path) -> Iterator[RawItem]:
    tags = [t.strip().lstrip("\ufeff") for t in header.rstrip("\r\n").split("\t")]
    while tags and not tags[-1]:
        tags.pop()
    ntags = len(tags)
    used = [(i, t) for i, t in enumerate(tags) if t in _USED_TAGS]
    record_no = 0
    lineno = 1
    for lineno, raw in enumerate(lines, 2):
        has_end = raw.endswith("\n")
        line = raw.rstrip("\r\n")
        if not line or line.isspace():
            continue
        record_no += 1
        values = line.split("\t")
        if len(values) < ntags:
            if not has_end:
                raise InputFileError(
                    f"{path}: truncated: last row (line {lineno}) has {len(values)} of {ntags} fields"
                )
            yield record_no, None, f"line {lineno}: {len(values)} fields, the header has {ntags}"
            continue
        if len(values) > ntags and any(v.strip() for v in values[ntags:]):
            yield record_no, None, f"line {lineno}: {len(values)} fields, the header has {ntags} (tab inside a field?)"
            continue
        rec: dict[str, list[str]] = {}
        for i, tag in used:
            v = values[i].strip()
            if not v:
                continue
            if tag == "C1":
                rec[tag] = _split_c1(v)
            elif tag in ("AU", "AF", "CR"):
                rec[tag] = _split_items(v)
            else:
                rec[tag] = [v]
        yield record_no, rec, None


_TAB_ROWS_PER_CHAR = 1 / 4096  # tab-delimited rows per batch: chunk_chars / 4096 (rows of ~4-8 kB)


def _tab_fields(lines: IO[str], header: str, path: Path, chunk_chars: int) -> Iterator[_Fields]:
    """The rows of a tab-delimited export, one :class:`_Fields` per batch of rows."""
    per_batch = max(1, int(chunk_chars * _TAB_ROWS_PER_CHAR))
    pending: list[RawItem] = []

    def fields() -> _Fields:
        f = _Fields(len(pending))
        for i, (record_no, rec, reason) in enumerate(pending):
            f.set_raw(i, record_no, rec, reason)
        pending.clear()
        return f

    try:
        for item in _tab_records(lines, header, path):
            pending.append(item)
            if len(pending) >= per_batch:
                yield fields()
    except (InputFileError, UnicodeDecodeError, OSError, EOFError):
        if pending:  # the complete rows before a damaged end or undecodable text
            yield fields()
        raise
    if pending:
        yield fields()


# ---------------------------------------------------------------------------
# Normalization of one record
# ---------------------------------------------------------------------------


def _institution(address: str) -> str | None:
    inst = address.split(",", 1)[0].strip()
    return inst or None


def parse_addresses(lines: Iterable[str]) -> list[tuple[list[str] | None, str]]:
    """Split C1 items into (names, address) pairs.

    Parameters
    ----------
    lines : iterable of str
        One address per item, ``[Name A; Name B] Inst, …, Country.`` or, in old
        records, ``INST,DEPT,CITY,ST 12345.`` without names.

    Returns
    -------
    list of (list of str or None, str)
        The bracketed names (None when the item has no bracket) and the address
        without trailing period.
    """
    out: list[tuple[list[str] | None, str]] = []
    for item in lines:
        item = item.strip()
        names: list[str] | None = None
        if item.startswith("["):
            close = item.find("]")
            if close > 0:
                names = [n.strip() for n in item[1:close].split(";") if n.strip()]
                item = item[close + 1 :].strip()
        address = item.rstrip(" .;")
        if address:
            out.append((names, address))
        elif names:
            out.append((names, ""))
    return out


def parse_reprint(value: str) -> list[tuple[list[str], str]]:
    """Split an RP field into (names, address) pairs.

    Parameters
    ----------
    value : str
        ``Smith, J (corresponding author), Inst, …, Country.; Jones, K (corresponding
        author), Inst2, …, Country.`` (``reprint author`` in older exports; several
        names may share one address: ``Smith, J; Jones, K (corresponding author), …``).

    Returns
    -------
    list of (list of str, str)
        Empty when the field has no ``(… author)`` label.
    """
    pieces = _RP_LABEL.split(value.strip())
    if len(pieces) < 2:
        return []
    out: list[tuple[list[str], str]] = []
    names_part = pieces[0]
    for k in range(1, len(pieces)):
        chunk = pieces[k]
        if k < len(pieces) - 1:
            # "address.; Next, N" -> the address, then the next names
            cut = chunk.rfind(".;")
            if cut >= 0:
                address, next_names = chunk[:cut], chunk[cut + 2 :]
            else:
                cut = chunk.rfind(";")
                address, next_names = (chunk[:cut], chunk[cut + 1 :]) if cut >= 0 else (chunk, "")
        else:
            address, next_names = chunk, ""
        names = [n.strip() for n in names_part.split(";") if n.strip()]
        address = address.strip().rstrip(" .;")
        if address or names:
            out.append((names, address))
        names_part = next_names
    return out


class _Byline:
    """Author names → 1-based byline positions (AF, then AU, then surname + initial)."""

    __slots__ = ("names", "_af", "_au", "_exact", "_keys")

    def __init__(self, af: list[str], au: list[str]) -> None:
        self.names = af if af else au
        self._af, self._au = af, au
        self._exact: dict[str, int] | None = None  # built on the first look-up (old records have none)
        self._keys: dict[str, int | None] | None = None

    def position(self, name: str) -> int | None:
        if self._exact is None:
            exact: dict[str, int] = {}
            for names in (self._af, self._au):
                for i, n in enumerate(names, 1):
                    exact.setdefault(n.lower(), i)
            self._exact = exact
        pos = self._exact.get(name.lower())
        if pos is not None:
            return pos
        if self._keys is None:
            keys: dict[str, int | None] = {}
            for i, n in enumerate(self.names, 1):
                k = author_key(n)
                keys[k] = None if (k in keys and keys[k] != i) else i
            self._keys = keys
        return self._keys.get(author_key(name))


AuthorshipRow = tuple[int | None, str | None, str | None, str | None, str | None]  # pos, author, inst, country, address


def _authorship_rows(af: list[str], au: list[str], c1: list[str] | None, rp: list[str] | None) -> list[AuthorshipRow]:
    """(author_position, author, institution, country, address) rows of one record."""
    byline = _Byline(af, au)
    pairs: list[tuple[list[str] | None, str]] = parse_addresses(c1 or ())
    if not pairs and rp:
        pairs = list(parse_reprint("; ".join(rp)))  # type: ignore[arg-type]
    # rows with a byline position (sorted by it, stably), then those without one (in order)
    placed: list[tuple[int, str, str]] = []
    unplaced: list[tuple[None, str | None, str]] = []
    seen: set[tuple[object, str]] = set()
    covered: set[int] = set()
    for names, address in pairs:
        if names is None:
            if (None, address) not in seen:
                seen.add((None, address))
                unplaced.append((None, None, address))
            continue
        for name in names:
            pos = byline.position(name)
            who: object = pos if pos is not None else name
            if (who, address) in seen:
                continue
            seen.add((who, address))
            if pos is not None:
                covered.add(pos)
                placed.append((pos, byline.names[pos - 1], address))
            else:
                unplaced.append((None, name, address))
    if covered:
        placed.extend((i, name, "") for i, name in enumerate(byline.names, 1) if i not in covered)
        placed.sort(key=itemgetter(0))
    else:  # no address attributed to a byline author: the byline in order
        placed = [(i, name, "") for i, name in enumerate(byline.names, 1)]
    rows: list[tuple[int | None, str | None, str]] = [*placed, *unplaced]
    places: dict[str, tuple[str | None, str | None]] = {}  # address -> (institution, country)
    out: list[AuthorshipRow] = []
    for pos, name, address in rows:
        if address:
            place = places.get(address)
            if place is None:
                place = places[address] = (_institution(address), country_from_address(address))
            out.append((pos, name, place[0], place[1], address))
        else:
            out.append((pos, name, None, None, None))
    return out


def _work_id(ut: str | None) -> str | None:
    if not ut:
        return None
    ut = ut.strip()
    m = _UT_PREFIX.match(ut)
    if m is None:
        return f"WOS:{ut}"
    if m.group(1).upper() in ("WOS", "ISI"):
        return "WOS:" + ut[m.end() :].strip()
    return ut


def _year(py: str | None, ea: str | None) -> int | None:
    for value in (py, ea):
        if value:
            m = _YEAR.search(value)
            if m:
                return int(m.group(1))
    return None


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() else None


# ---------------------------------------------------------------------------
# Normalization of a chunk of records → Arrow tables
# ---------------------------------------------------------------------------

BATCH_WORKS_SCHEMA = pa.schema(
    [("record", pa.int64()), ("work_id", pa.string()), ("year", pa.int32()), ("doc_type", pa.string()),
     ("title", pa.string()), ("source", pa.string()), ("fields", pa.list_(pa.string())), ("doi", pa.string()),
     ("cited_by_count", pa.int64()), ("ref_key", pa.string())]
)
BATCH_AUTHORSHIPS_SCHEMA = pa.schema(
    [("rec", pa.int64()), ("author_position", pa.int32()), ("author", pa.string()), ("institution", pa.string()),
     ("address", pa.string()), ("country", pa.string())]
)
BATCH_REFERENCES_SCHEMA = pa.schema([("rec", pa.int64()), ("cited_key", pa.string())])
BATCH_REJECTS_SCHEMA = pa.schema([("record", pa.int64()), ("reason", pa.string())])


@dataclass(slots=True)
class WosBatch:
    """The normalized records of one chunk of a WoS export, as Arrow tables.

    Attributes
    ----------
    works : pyarrow.Table
        One row per record read (:data:`BATCH_WORKS_SCHEMA`): ``record`` (1-based
        number in the file), ``work_id``, ``year``, ``doc_type``, ``title``, ``source``,
        ``fields``, ``doi``, ``cited_by_count``, ``ref_key``.
    authorships : pyarrow.Table
        ``rec`` (the row of the record in ``works``), ``author_position``, ``author``,
        ``institution``, ``address``, ``country``; rows of a record in order.
    references : pyarrow.Table
        ``rec`` and ``cited_key``: per record, its distinct keys in order of first
        appearance in CR.
    rejects : pyarrow.Table
        ``record`` and ``reason`` of the records that could not be read.
    cr_counts : numpy.ndarray
        Shape (3, works rows): per record, its CR entries kept as references, skipped
        (no key) and dropped (a key repeated).
    """

    works: pa.Table
    authorships: pa.Table
    references: pa.Table
    rejects: pa.Table
    cr_counts: np.ndarray

    @property
    def num_records(self) -> int:
        """Input records of the chunk (normalized plus rejected)."""
        return self.works.num_rows + self.rejects.num_rows

    def items(self) -> list[Record | Reject]:
        """The chunk as :class:`Record` / :class:`Reject` objects, in record order."""
        w = self.works.to_pydict()
        nw = len(w["record"])
        a = self.authorships.to_pydict()
        a_off = np.zeros(nw + 1, dtype=np.int64)
        np.cumsum(np.bincount(np.asarray(a["rec"], dtype=np.int64), minlength=nw), out=a_off[1:])
        r_keys = self.references.column("cited_key").to_pylist()
        r_off = np.zeros(nw + 1, dtype=np.int64)
        np.cumsum(np.bincount(_np(self.references.column("rec").combine_chunks()).astype(np.int64), minlength=nw),
                  out=r_off[1:])
        a_rows = list(zip(a["author_position"], a["author"], a["institution"], a["country"], a["address"],
                          strict=True))
        out: list[tuple[int, Record | Reject]] = []
        for k in range(nw):
            out.append((w["record"][k], Record(
                record=w["record"][k], work_id=w["work_id"][k], year=w["year"][k], doc_type=w["doc_type"][k],
                title=w["title"][k], source=w["source"][k], fields=w["fields"][k], doi=w["doi"][k],
                cited_by_count=w["cited_by_count"][k], ref_key=w["ref_key"][k],
                authorships=[Authorship(*row) for row in a_rows[a_off[k]:a_off[k + 1]]],
                references=[(key, None) for key in r_keys[r_off[k]:r_off[k + 1]]],
            )))
        for record_no, reason in zip(*self.rejects.to_pydict().values(), strict=True):
            out.append((record_no, Reject(record_no, reason)))
        out.sort(key=lambda pair: pair[0])
        return [item for _, item in out]


def _cr_references(f: _Fields, row_of: np.ndarray, n_works: int, st: WosReadStats) -> tuple[pa.Table, np.ndarray]:
    """The references of the kept records: CR entries keyed, distinct per record; and
    per record, the entries kept, skipped (no key) and dropped (a repeat)."""
    counts = np.zeros((3, n_works), dtype=np.int64)
    if not f.cr:
        return BATCH_REFERENCES_SCHEMA.empty_table(), counts
    entries = pa.concat_arrays([e for e, _ in f.cr]) if len(f.cr) > 1 else f.cr[0][0]
    rows = row_of[np.concatenate([r for _, r in f.cr])]
    kept = rows >= 0  # the entries of rejected records are dropped
    if not kept.all():
        entries, rows = entries.filter(pa.array(kept)), rows[kept]
    total = np.bincount(rows, minlength=n_works)
    keys, codes = wos_cr_key_codes(entries)
    valid = codes >= 0
    st.references_skipped += int(len(valid) - valid.sum())
    codes, rows = codes[valid], rows[valid]
    with_key = np.bincount(rows, minlength=n_works)
    # first appearance of each (record, key) pair (pandas' hash-based duplicated)
    import pandas as pd  # (imported here: reading WoS needs no pandas otherwise)

    pair = rows * max(len(keys), 1) + codes
    take = np.flatnonzero(~pd.Series(pair, copy=False).duplicated().to_numpy())
    rows = rows[take]
    if len(rows) > 1 and (np.diff(rows) < 0).any():  # parts read line by line come last: record order
        order = np.argsort(rows, kind="stable")
        take, rows = take[order], rows[order]
    st.references_duplicate += int(len(pair) - len(take))
    st.references += len(take)
    counts[0] = np.bincount(rows, minlength=n_works)
    counts[1] = total - with_key
    counts[2] = with_key - counts[0]
    return pa.Table.from_arrays([pa.array(rows, pa.int64()), keys.take(pa.array(codes[take]))],
                                schema=BATCH_REFERENCES_SCHEMA), counts


def _normalize_fields(f: _Fields, st: WosReadStats, known: Container[str] | None = None) -> WosBatch:
    """Normalize the records of one chunk (the per-record rules; CR keyed in columns);
    a record whose work id is ``known`` gets no authorships and references."""
    t, li = f.text, f.lists
    ut, py, ea, dt, ti, so, wc, di, tc, j9, ji, vl, bp = (t[tag] for tag in _TEXT_TAGS)
    au, af, c1, rp = (li[tag] for tag in _LIST_TAGS)
    works: list[tuple] = []
    a_rec: list[int] = []  # the works row of each authorship row
    a_rows: list[AuthorshipRow] = []
    rejects: list[tuple[int, str]] = []
    row_of = np.full(f.n, -1, dtype=np.int64)
    skip_cr: list[int] = []
    for i in range(f.n):
        reason = f.reason[i]
        if reason is None:
            try:
                work_id = _work_id(ut[i])
                if work_id is None:
                    reason = "no UT (WoS accession number)"
                else:
                    year = _year(py[i], ea[i])
                    authors = au[i] or []
                    fields = wc[i]
                    row = (f.record_no[i], work_id, year, normalize_doc_type(dt[i]), ti[i], so[i],
                           [x for x in (s.strip() for s in fields.split(";")) if x] if fields else [],
                           normalize_doi(di[i]), _int(tc[i]),
                           ref_key_fast(  # = make_ref_key, faster
                               authors[0] if authors else None, year, j9[i] or ji[i] or so[i], vl[i], bp[i]))
                    if known is not None and work_id in known:  # a duplicate, dropped by the caller
                        auth = []
                        skip_cr.append(i)
                    else:
                        auth = _authorship_rows(af[i] or [], authors, c1[i], rp[i])
            except Exception as exc:  # one bad record must not stop the file
                reason = f"cannot normalize: {type(exc).__name__}: {exc}"
        if reason is not None:
            rejects.append((f.record_no[i], reason))
            continue
        k = len(works)
        row_of[i] = k
        works.append(row)
        if auth:
            a_rec.extend([k] * len(auth))
            a_rows.extend(auth)
    st.records += len(works)
    st.rejects += len(rejects)
    cr_row = row_of
    if skip_cr:
        cr_row = row_of.copy()
        cr_row[skip_cr] = -1
    references, cr_counts = _cr_references(f, cr_row, len(works), st)
    names = BATCH_WORKS_SCHEMA.names
    w_cols = list(zip(*works, strict=True)) if works else [()] * len(names)
    # authorship tuples are (pos, author, institution, country, address)
    pos, author, inst, country, address = zip(*a_rows, strict=True) if a_rows else ([],) * 5
    a_cols = [a_rec, pos, author, inst, address, country]
    return WosBatch(
        works=pa.Table.from_arrays([pa.array(c, type=fld.type) for c, fld in zip(w_cols, BATCH_WORKS_SCHEMA,
                                                                                  strict=True)],
                                   schema=BATCH_WORKS_SCHEMA),
        authorships=pa.Table.from_arrays(
            [pa.array(c, type=fld.type) for c, fld in zip(a_cols, BATCH_AUTHORSHIPS_SCHEMA, strict=True)],
            schema=BATCH_AUTHORSHIPS_SCHEMA),
        references=references,
        rejects=pa.Table.from_arrays([pa.array([r for r, _ in rejects], pa.int64()),
                                      pa.array([m for _, m in rejects], pa.string())], schema=BATCH_REJECTS_SCHEMA),
        cr_counts=cr_counts,
    )


# ---------------------------------------------------------------------------
# Public readers
# ---------------------------------------------------------------------------


def read_wos_batches(
    path: str | os.PathLike[str],
    *,
    stats: WosReadStats | None = None,
    encoding: str | None = None,
    chunk_chars: int | None = None,
    known_ids: Container[str] | None = None,
    **_options: object,
) -> Iterator[WosBatch]:
    """Read a Web of Science export chunk by chunk, as normalized Arrow tables.

    Parameters
    ----------
    path : path-like
        The export file (optionally gzip-compressed).
    stats : WosReadStats, optional
        Filled while reading (see :func:`read_wos`).
    encoding : str, optional
        Force a text encoding instead of detecting it from the BOM / byte pattern.
    chunk_chars : int, optional
        Characters (bytes of UTF-8) read at a time (default 4M, usually a whole export
        file): memory holds one chunk, its tables and the record that straddles it,
        whatever the file size.
    known_ids : container of str, optional
        Work ids read already (from earlier files): such a record, a duplicate the
        caller drops, gets its ``works`` row but no authorships and references.
    **_options
        Options meant for other readers are accepted and ignored.

    Yields
    ------
    WosBatch
        The records of each chunk, in file order; every input record is in exactly
        one batch, as a work or as a reject.

    Raises
    ------
    InputFileError
        ``<path>: <reason>`` when the whole file cannot be read: missing, empty, binary,
        undecodable, not a WoS export, or truncated (see the module documentation).
    """
    path = Path(path)
    st = stats if stats is not None else WosReadStats()
    fb = _open_binary(path)
    try:
        try:
            head = fb.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]  # type: ignore[attr-defined]
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise InputFileError(f"{path}: cannot be read ({exc})") from None
        if not head:
            raise InputFileError(f"{path}: empty file")
        enc = encoding or _sniff_encoding(head)
        if enc is None:
            raise InputFileError(f"{path}: binary file (NUL bytes), not a text export")
        try:
            codecs.lookup(enc)
        except LookupError:
            raise InputFileError(f"{path}: unknown encoding {enc!r}") from None
        st.encoding = enc
        chunk_chars = chunk_chars or _CHUNK_CHARS
        if _plain_start(head, enc):  # the usual export: its bytes go to Arrow as they are
            st.format = "plain"
            yield from _batches(_utf8_plain_fields(fb, path, _PlainState(), chunk_chars), path, st, known_ids)
        else:
            text = io.TextIOWrapper(fb, encoding=enc, newline=None)  # type: ignore[arg-type]
            yield from _read_text(text, path, st, chunk_chars, known_ids)
    finally:
        fb.close()


def read_wos(
    path: str | os.PathLike[str],
    *,
    stats: WosReadStats | None = None,
    encoding: str | None = None,
    **_options: object,
) -> Iterator[Record | Reject]:
    """Read a Web of Science export (plain text or tab-delimited), one item per record.

    The records of :func:`read_wos_batches`, as objects.

    Parameters
    ----------
    path : path-like
        The export file (optionally gzip-compressed).
    stats : WosReadStats, optional
        Filled while reading: format, encoding, records, rejects, references kept,
        skipped (no key) and duplicate CR entries.
    encoding : str, optional
        Force a text encoding instead of detecting it from the BOM / byte pattern.
    **_options
        Options meant for other readers are accepted and ignored, so one option
        mapping can be passed to every reader.

    Yields
    ------
    Record or Reject
        In file order, numbered from 1; exactly one per input record.

    Raises
    ------
    InputFileError
        ``<path>: <reason>`` when the whole file cannot be read: missing, empty, binary,
        undecodable, not a WoS export, or truncated (see the module documentation).
    """
    st = stats if stats is not None else WosReadStats()
    inner = WosReadStats()  # counts per batch; st counts per item yielded
    try:
        for batch in read_wos_batches(path, stats=inner, encoding=encoding):
            st.format, st.encoding = inner.format, inner.encoding
            kept, skipped, repeated = batch.cr_counts.tolist()
            row = 0
            for item in batch.items():
                if type(item) is Reject:
                    st.rejects += 1
                else:
                    st.records += 1
                    st.references += kept[row]
                    st.references_skipped += skipped[row]
                    st.references_duplicate += repeated[row]
                    row += 1
                yield item
    finally:
        st.format, st.encoding = inner.format, inner.encoding


def _read_text(
    text: io.TextIOWrapper, path: Path, st: WosReadStats, chunk_chars: int, known: Container[str] | None = None
) -> Iterator[WosBatch]:
    try:
        first = text.readline()
        while first and not first.strip():
            first = text.readline()
        first = first.lstrip("\ufeff")
        if _looks_plain(first):
            st.format = "plain"
            chunks: Iterator[_Fields] = _plain_fields(
                lambda n: text.read(n).encode("utf-8"), first.encode("utf-8"), path, _PlainState(), chunk_chars
            )
        elif "\t" in first and _looks_tab_header(first):
            st.format = "tab"
            chunks = _tab_fields(text, first, path, chunk_chars)
        elif not first.strip():
            raise InputFileError(f"{path}: empty file")
        elif "\x00" in first:
            raise InputFileError(f"{path}: binary file (NUL bytes), not a text export")
        else:
            raise InputFileError(
                f"{path}: not a Web of Science export (expected 'FN ' or a 'PT<tab>AU…' header, found {first[:30]!r})"
            )
    except UnicodeDecodeError as exc:
        raise _decode_error(path, st, exc) from None
    except (OSError, EOFError) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc})") from None
    yield from _batches(chunks, path, st, known)


def _batches(
    chunks: Iterator[_Fields], path: Path, st: WosReadStats, known: Container[str] | None = None
) -> Iterator[WosBatch]:
    try:
        for fields in chunks:
            yield _normalize_fields(fields, st, known)
    except UnicodeDecodeError as exc:
        raise _decode_error(path, st, exc) from None
    except (OSError, EOFError) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc})") from None


def _decode_error(path: Path, st: WosReadStats, exc: UnicodeDecodeError) -> InputFileError:
    where = f"after record {st.records + st.rejects}" if st.records + st.rejects else "at the start"
    return InputFileError(f"{path}: not decodable as {st.encoding} {where} ({exc.reason})")
