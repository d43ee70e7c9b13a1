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
optionally gzip-compressed. The file is streamed in chunks of about 1M characters:
memory is bounded by one chunk plus one record, whatever the file size. A plain-text
record whose every line is a field or a continuation is cut into fields with one split
(``_fast_record``); any other goes through the line-by-line reader, which says what is
wrong (both give the same fields; tests check it on every real record).
:func:`read_wos_deferred` leaves the CR entries unkeyed for callers that key many at
once; :func:`read_wos_cr_text` gives them as one string per record (ingestion splits,
strips and keys them with Arrow kernels).

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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import IO

from wpimap.io.countries import country_from_address
from wpimap.io.records import (
    Authorship,
    InputFileError,
    Record,
    Reject,
    normalize_doc_type,
    normalize_doi,
)
from wpimap.io.refs import author_key, ref_key_fast, wos_cr_key

__all__ = ["WosReadStats", "read_wos", "read_wos_cr_text", "read_wos_deferred", "sniff_wos", "parse_addresses", "parse_reprint"]


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


_ER_LINE = re.compile(r"\nER[ \t]*\n")  # the ER line with the newline before it
_CHUNK_CHARS = 1 << 20
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


# Fast path for the usual block: one record "PT …" whose every line is a field
# ("XX value" or a bare "XX") or a continuation (leading space), without blank lines,
# a repeated tag, a second PT or an EF. One split cuts the block into fields (a
# newline not followed by a space), and the first three characters of every field
# are checked against the valid field starts; anything else goes through the line
# loop below, which also says what is wrong.
_FIELD_SPLIT = re.compile(r"\n(?! )")
_TAGS = [a + b for a in sorted(_TAG_CHARS) for b in sorted(_TAG_CHARS2)]
_FIELD_STARTS = frozenset([t + " " for t in _TAGS] + [t + "\n" for t in _TAGS] + _TAGS)
_USED_ORDER = tuple(sorted(_USED_TAGS))


def _fast_record(block: str, raw_cr: bool = False) -> dict[str, list[str]] | None:
    """The fields of a well-formed one-record block, or None to take the line loop.

    With ``raw_cr`` the CR field is kept as one string (its lines joined by newlines,
    not yet stripped one by one) for :func:`read_wos_cr_text`.
    """
    rec_text = block.lstrip("\n")
    if rec_text[:3] != "PT ":
        return None
    fields = _FIELD_SPLIT.split(rec_text)
    by_start = {f[:3]: f for f in fields}
    if len(by_start) != len(fields) or not by_start.keys() <= _FIELD_STARTS:
        return None  # a repeated field start, a blank line, a line that is no field
    tags = {k[:2] for k in by_start}
    if len(tags) != len(fields) or "EF" in tags:
        return None  # a repeated tag ("AU x" and a bare "AU"), or EF
    rec: dict[str, list[str]] = {}
    strip = str.strip
    get = by_start.get
    for tag in _USED_ORDER:
        if tag not in tags:
            continue
        f = get(tag + " ") or get(tag + "\n") or tag
        value = f[3:].strip()
        if raw_cr and tag == "CR":
            rec[tag] = value  # type: ignore[assignment]
        elif not value:
            rec[tag] = []
        elif "\n" in value:
            lines = list(map(strip, value.split("\n")))
            rec[tag] = [ln for ln in lines if ln] if "" in lines else lines
        else:
            rec[tag] = [value]
    return rec


def _plain_block(block: str, first_line: int, state: _PlainState, raw_cr: bool = False) -> Iterator[RawItem]:
    """Records of one block of lines that ends before an ``ER`` line (normally one record).

    Only the fields the normalization reads are collected; every line is still checked
    to be a field (``XX value``), a continuation (leading spaces) or empty. A second PT
    or an EF inside the block closes the record read so far as a Reject (it lost its
    ``ER``); FN/VR header lines before a record are skipped.
    """
    fast = _fast_record(block, raw_cr) if raw_cr else _fast_record(block)
    if fast is not None:
        state.record_no += 1
        state.open_record = True
        yield state.record_no, fast, None
        return
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


def _er_lines(buf: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each match of :data:`_ER_LINE` in ``buf``, found with str.find."""
    find = buf.find
    n = len(buf)
    i = find("\nER")
    while i >= 0:
        j = i + 3
        while j < n and buf[j] in " \t":
            j += 1
        if j < n and buf[j] == "\n":
            yield i, j + 1
            i = find("\nER", j + 1)
        else:
            i = find("\nER", i + 1)


def _plain_records(text: IO[str], first: str, path: Path, raw_cr: bool = False) -> Iterator[RawItem]:
    """Records of a plain-text export, read in chunks of about 1 MB.

    Memory holds one chunk plus the record that straddles it, whatever the file size.
    """
    state = _PlainState()
    buf = first
    line_no = 1  # line number of buf[0]
    eof = False
    while not eof:
        chunk = text.read(_CHUNK_CHARS)
        if chunk:
            buf += chunk
        else:
            eof = True
            if buf and not buf.endswith("\n"):
                buf += "\n"
        pos = 0
        for start, end in _er_lines(buf):
            block = buf[pos:start]
            yield from _plain_block(block, line_no, state, raw_cr)
            line_no += block.count("\n") + 2
            pos = end
        if pos:
            buf = buf[pos:]
    # Whatever follows the last ER: EF, blank lines, or a record cut short.
    tail = list(_plain_block(buf, line_no, state, raw_cr))
    if state.open_record:
        raise InputFileError(
            f"{path}: truncated: record {state.record_no} has no ER line before the end of the file"
        )
    yield from tail


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


# ---------------------------------------------------------------------------
# Normalization of one record
# ---------------------------------------------------------------------------


def _text(rec: dict[str, list[str]], tag: str) -> str | None:
    lines = rec.get(tag)
    if not lines:
        return None
    return " ".join(lines) if len(lines) > 1 else lines[0]


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

    __slots__ = ("names", "_exact", "_keys")

    def __init__(self, af: list[str], au: list[str]) -> None:
        self.names = af if af else au
        exact: dict[str, int] = {}
        for names in (af, au):
            for i, name in enumerate(names, 1):
                exact.setdefault(name.lower(), i)
        self._exact = exact
        self._keys: dict[str, int | None] | None = None

    def position(self, name: str) -> int | None:
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


def _authorships(rec: dict[str, list[str]]) -> list[Authorship]:
    byline = _Byline(rec.get("AF") or [], rec.get("AU") or [])
    pairs: list[tuple[list[str] | None, str]] = parse_addresses(rec.get("C1") or ())
    if not pairs and rec.get("RP"):
        pairs = list(parse_reprint("; ".join(rec["RP"])))  # type: ignore[arg-type]
    rows: list[tuple[int | None, str | None, str]] = []
    seen: set[tuple[object, str]] = set()
    covered: set[int] = set()
    for names, address in pairs:
        if names is None:
            if (None, address) not in seen:
                seen.add((None, address))
                rows.append((None, None, address))
            continue
        for name in names:
            pos = byline.position(name)
            who: object = pos if pos is not None else name
            if (who, address) in seen:
                continue
            seen.add((who, address))
            if pos is not None:
                covered.add(pos)
                rows.append((pos, byline.names[pos - 1], address))
            else:
                rows.append((None, name, address))
    for i, name in enumerate(byline.names, 1):
        if i not in covered:
            rows.append((i, name, ""))
    rows.sort(key=lambda r: (r[0] is None, r[0] or 0))
    out = []
    for pos, name, address in rows:
        if address:
            out.append(Authorship(pos, name, _institution(address), country_from_address(address), address))
        else:
            out.append(Authorship(pos, name, None, None, None))
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


def _year(rec: dict[str, list[str]]) -> int | None:
    for tag in ("PY", "EA"):
        value = _text(rec, tag)
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


def _normalize(
    record_no: int, rec: dict[str, list[str]], stats: WosReadStats, defer_cr: bool = False
) -> Record | Reject:
    work_id = _work_id(_text(rec, "UT"))
    if work_id is None:
        return Reject(record_no, "no UT (WoS accession number)")
    year = _year(rec)
    au = rec.get("AU") or []
    crs = rec.get("CR")
    if defer_cr:
        references = []  # keyed later by the caller (read_wos_deferred)
    elif crs:
        keys = list(map(wos_cr_key, crs))
        unique = dict.fromkeys(keys)
        skipped = keys.count(None)
        if skipped:
            del unique[None]
            stats.references_skipped += skipped
        stats.references_duplicate += len(keys) - skipped - len(unique)
        references: list[tuple[str | None, str | None]] = [(key, None) for key in unique]
    else:
        references = []
    if not defer_cr:
        stats.references += len(references)
    wc = _text(rec, "WC")
    volume = _text(rec, "VL")
    page = _text(rec, "BP")
    return Record(
        record=record_no,
        work_id=work_id,
        year=year,
        doc_type=normalize_doc_type(_text(rec, "DT")),
        title=_text(rec, "TI"),
        source=_text(rec, "SO"),
        fields=[f for f in (s.strip() for s in wc.split(";")) if f] if wc else [],
        doi=normalize_doi(_text(rec, "DI")),
        cited_by_count=_int(_text(rec, "TC")),
        ref_key=ref_key_fast(  # = make_ref_key, faster
            au[0] if au else None, year, _text(rec, "J9") or _text(rec, "JI") or _text(rec, "SO"), volume, page
        ),
        authorships=_authorships(rec),
        references=references,
    )


# ---------------------------------------------------------------------------
# Public reader
# ---------------------------------------------------------------------------


def read_wos(
    path: str | os.PathLike[str],
    *,
    stats: WosReadStats | None = None,
    encoding: str | None = None,
    **_options: object,
) -> Iterator[Record | Reject]:
    """Read a Web of Science export (plain text or tab-delimited), one item per record.

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
        text = io.TextIOWrapper(fb, encoding=enc, newline=None)  # type: ignore[arg-type]
        yield from _read_text(text, path, st, _options.get("_defer_cr") or False)  # type: ignore[arg-type]
    finally:
        fb.close()


def read_wos_deferred(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    **_options: object,
) -> Iterator[tuple[Record | Reject, list[str]]]:
    """Like :func:`read_wos`, with each record's CR entries left unkeyed.

    For callers that key the references of many records at once with
    :func:`wpimap.io.refs.wos_cr_keys` (ingestion): computing the keys of thousands of
    entries together is much faster than one by one. Each Record comes with an empty
    ``references`` list and its raw CR entries; the caller gets the same references as
    :func:`read_wos` gives with ``keys = wos_cr_keys(entries)``, then, per record, the
    distinct non-null keys in order of first appearance.

    Parameters
    ----------
    path : path-like
        The export file (optionally gzip-compressed).
    encoding : str, optional
        Force a text encoding.
    **_options
        Ignored (options meant for other readers).

    Yields
    ------
    (Record or Reject, list of str)
        The item and its CR entries (empty for a Reject).

    Raises
    ------
    InputFileError
        As :func:`read_wos`.
    """
    yield from read_wos(path, encoding=encoding, _defer_cr=True)  # type: ignore[misc]


def read_wos_cr_text(
    path: str | os.PathLike[str],
    *,
    encoding: str | None = None,
    **_options: object,
) -> Iterator[tuple[Record | Reject, str]]:
    """Like :func:`read_wos_deferred`, with each record's CR entries as one string.

    The string holds the entries separated by newlines, each maybe with surrounding
    white space and with empty lines among them; stripping each line and dropping the
    empty ones gives the list :func:`read_wos_deferred` yields. Ingestion splits, strips
    and keys the entries of many records at once with Arrow kernels.

    Parameters
    ----------
    path : path-like
        The export file (optionally gzip-compressed).
    encoding : str, optional
        Force a text encoding.
    **_options
        Ignored (options meant for other readers).

    Yields
    ------
    (Record or Reject, str)
        The item and its CR text (empty for a Reject or a record without CR).

    Raises
    ------
    InputFileError
        As :func:`read_wos`.
    """
    yield from read_wos(path, encoding=encoding, _defer_cr="text")  # type: ignore[misc]


def _read_text(
    text: io.TextIOWrapper, path: Path, st: WosReadStats, defer_cr: bool | str = False
) -> Iterator[Record | Reject] | Iterator[tuple[Record | Reject, list[str] | str]]:
    as_text = defer_cr == "text"
    try:
        first = text.readline()
        while first and not first.strip():
            first = text.readline()
        first = first.lstrip("\ufeff")
        if _looks_plain(first):
            st.format = "plain"
            raw: Iterator[RawItem] = _plain_records(text, first, path, as_text)
        elif "\t" in first and _looks_tab_header(first):
            st.format = "tab"
            raw = _tab_records(text, first, path)
        elif not first.strip():
            raise InputFileError(f"{path}: empty file")
        elif "\x00" in first:
            raise InputFileError(f"{path}: binary file (NUL bytes), not a text export")
        else:
            raise InputFileError(
                f"{path}: not a Web of Science export (expected 'FN ' or a 'PT<tab>AU…' header, found {first[:30]!r})"
            )
        for record_no, rec, reason in raw:
            if rec is None:
                item: Record | Reject = Reject(record_no, reason or "unreadable record")
            else:
                try:
                    item = _normalize(record_no, rec, st, bool(defer_cr))
                except Exception as exc:  # one bad record must not stop the file
                    item = Reject(record_no, f"cannot normalize: {type(exc).__name__}: {exc}")
            if type(item) is Reject:
                st.rejects += 1
                if defer_cr:
                    yield item, ("" if as_text else [])  # type: ignore[misc]
                    continue
            else:
                st.records += 1
            if as_text:
                cr = rec.get("CR") or ""  # type: ignore[union-attr]
                yield item, (cr if type(cr) is str else "\n".join(cr))  # type: ignore[misc]
            elif defer_cr:
                yield item, (rec.get("CR") or [])  # type: ignore[misc, union-attr]
            else:
                yield item
    except UnicodeDecodeError as exc:
        where = f"after record {st.records + st.rejects}" if st.records + st.rejects else "at the start"
        raise InputFileError(f"{path}: not decodable as {st.encoding} {where} ({exc.reason})") from None
    except (OSError, EOFError) as exc:
        raise InputFileError(f"{path}: cannot be read ({exc})") from None
