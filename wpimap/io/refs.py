"""Cited-reference keys: the normalized identity of a cited work.

A reference is keyed by its DOI when it has one (lower case, ``10.…``); otherwise by
``AUTHOR|YEAR|SOURCE|VOLUME|PAGE`` built by :func:`make_ref_key` from the first author
(surname and first initial), the year, the source title or abbreviation, the volume and
the first page, each upper-cased and stripped of punctuation and accents. A work of the
corpus carries the same key (``works.ref_key``), so references resolve to it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from wpimap.io.records import normalize_doi

_NON_ALNUM = re.compile(r"[^0-9A-Z ]+")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    # NFKD and drop combining marks: "Müller" -> "MULLER" (skipped for plain ASCII, the
    # common case, where it changes nothing).
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _NON_ALNUM.sub(" ", text.upper())).strip()


def author_key(name: str | None) -> str:
    """Return ``SURNAME I`` (surname and first initial) for an author name.

    Accepts ``Smith, John``, ``Smith, J.``, ``Smith J``, ``SMITH JK``, ``Smith J.K.``.

    Parameters
    ----------
    name : str or None

    Returns
    -------
    str
        Empty when there is no usable name (``[Anonymous]`` included).
    """
    if not name:
        return ""
    return _author_key_with(name, _fold)


def _author_key_with(name: str, fold) -> str:
    name = name.strip()
    if not name or name.lower().strip("[]") == "anonymous":
        return ""
    if "," in name:
        surname, _, given = name.partition(",")
    else:
        parts = name.split()
        if len(parts) == 1:
            return fold(parts[0])
        # "Smith JK" / "Smith J.K." / "van der Berg A": initials are the last token
        surname, given = " ".join(parts[:-1]), parts[-1]
    s = fold(surname)
    g = fold(given)
    return f"{s} {g[0]}" if g else s


def _token(value: object) -> str:
    if value is None:
        return ""
    text = _fold(str(value)).replace(" ", "")
    return text


def make_ref_key(
    author: str | None,
    year: int | str | None,
    source: str | None,
    volume: str | None,
    page: str | None,
) -> str | None:
    """Build the non-DOI key of a cited work.

    Parameters
    ----------
    author : str or None
        First author, any of the forms :func:`author_key` accepts.
    year : int or str or None
    source : str or None
        Source title or abbreviation (WoS J9 / CR form, Scopus source title).
    volume, page : str or None
        Volume and first page; a leading ``V`` / ``P`` (WoS CR) must be removed by the caller.

    Returns
    -------
    str or None
        ``AUTHOR|YEAR|SOURCE|VOLUME|PAGE``, or None when it would not identify a work
        (no author and no source, or neither year, volume nor page).
    """
    return _join_key(author_key(author), _token(year), _fold(source) if source else "", _token(volume), _token(page))


def _join_key(a: str, y: str, s: str, v: str, p: str) -> str | None:
    # The key from its folded parts; None when it would not identify a work.
    if not (a or s) or not (y or v or p):
        return None
    return f"{a}|{y}|{s}|{v}|{p}"


# ---------------------------------------------------------------------------
# Web of Science cited-reference (CR) strings
# ---------------------------------------------------------------------------
# A CR entry is "Author, Year, Source, V<volume>, P<page>, DOI <doi>", every element
# optional: "[Anonymous], 2007, JOURNALISTICA, V5, P27", "1988, J AM COLL CARDIOL, V12,
# P529" (no author), "Hexemer A., ADV GRAZING INCIDENC" (no year), "Gong Ping, 2007, V381,
# P59" (no source), "..., DOI [10.1038/nmat4724, 10.1038/NMAT4724]" (several DOIs: the
# first is taken), "..., DOI DOI 10.3406/ARSS.1976.3454" (doubled label).

_CR_DOI = re.compile(r",\s*DOI\b\s*(.*)$")
# At the source position only a token that is clearly a volume/page ("V381", "P59")
# is taken as such: "PSYCHOMETRIKA" and "VACUUM" are sources.
_CR_VP_STRICT = re.compile(r"[VP]\d\S*")
# After the source: "V45", "V 96", "VB 29", "V78 Suppl 1", "VSuppl 1" (not "VOLS 1-5",
# "VOL I", "VEETEELT") and "P425", "pD418", "pII180", "pA", "p[1" (not "PROCEEDINGS",
# "Patent No. 6351409").
_CR_VOLUME = re.compile(r"V(?!OLS?\b)\s?((?:[A-Za-z]{1,3}\s?)?\d.*|Suppl.*)")
_CR_PAGE = re.compile(r"[Pp]\s?([A-Za-z]{0,3}\d\S*|[A-Z]{1,2}|\[\S*)")


@dataclass(frozen=True, slots=True)
class CitedReference:
    """The elements of one WoS cited-reference string (all optional).

    Attributes
    ----------
    author, year, source, volume, page : str or None
        As printed, volume and page without their leading ``V`` / ``P``.
    doi : str or None
        The first DOI of the entry, normalized (lower case, ``10.…``).
    """

    author: str | None
    year: str | None
    source: str | None
    volume: str | None
    page: str | None
    doi: str | None


def _first_doi(text: str) -> str | None:
    text = text.strip()
    if text.startswith("["):
        # "[10.x, 10.y]"; a DOI may itself hold brackets: 10.1603/0022-2585(2008)45[775:AWRDFM]2.0.CO;2
        inner = text[1:-1] if text.endswith("]") else text[1:]
        candidates = inner.split(", ")
    else:
        candidates = [text]
    for cand in candidates:
        cand = cand.strip()
        while cand[:4].upper() == "DOI ":
            cand = cand[4:].strip()
        if cand.endswith("]") and "[" not in cand:  # "DOI [10.x], 10.x]" (sic)
            cand = cand[:-1]
        # WoS sometimes breaks a DOI with spaces ("10.1002/ ange.20 1206554")
        doi = normalize_doi("".join(cand.split()))
        if doi:
            doi = doi.rstrip("/")
            if "/" in doi:
                return doi
    return None


def _split_doi(entry: str) -> tuple[str, str | None]:
    """Return (the entry before its DOI element, the first DOI or None)."""
    head = entry.strip()
    k = head.find(", DOI ")
    if k >= 0:
        return head[:k], _first_doi(head[k + 6 :])
    if "DOI" not in head:
        return head, None
    if head[:4].upper() == "DOI ":
        return "", _first_doi(head[4:])
    m = _CR_DOI.search(head)
    if m is None:
        return head, None
    return head[: m.start()], _first_doi(m.group(1))


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isdigit()


def _parse_head(head: str) -> tuple[str | None, str | None, str | None, str | None, str | None]:
    parts = [p.strip() for p in head.split(",")] if head else []
    author = year = source = volume = page = None
    i, n = 0, len(parts)
    if n and not _is_year(parts[0]):
        author = parts[0] or None
        i = 1
    if i < n and _is_year(parts[i]):
        year = parts[i]
        i += 1
    if i < n:
        part = parts[i]
        if not (part[:1] in ("V", "P") and _CR_VP_STRICT.fullmatch(part)):
            source = part or None
            i += 1
    for part in parts[i:]:
        first = part[:1]
        if first == "V":
            if volume is None and (mv := _CR_VOLUME.fullmatch(part)):
                volume = mv.group(1)
        elif first in ("P", "p") and page is None and (mp := _CR_PAGE.fullmatch(part)):
            page = mp.group(1)
    return author, year, source, volume, page


def parse_wos_cr(entry: str) -> CitedReference:
    """Split one Web of Science cited-reference (CR) entry into its elements.

    Parameters
    ----------
    entry : str
        One CR line, e.g. ``Ahuja G, 2000, ADMIN SCI QUART, V45, P425, DOI 10.2307/2667105``.

    Returns
    -------
    CitedReference
        The first element is the author unless it is a 4-digit year; the element after
        the year is the source unless it is a bare ``V123``/``P123``; the first later
        ``V…`` and ``P…`` elements are volume and page; ``DOI x``, ``DOI DOI x`` and
        ``DOI [x, y]`` give the first valid DOI. ``[Anonymous]`` is kept as the author
        (:func:`author_key` turns it into an empty author).
    """
    head, doi = _split_doi(entry)
    return CitedReference(*_parse_head(head), doi)


# Same results as make_ref_key / author_key / _fold / _token, with an ASCII fast path
# (str.translate instead of NFKD + a per-character filter) and caches: a CR key becomes
# ~10x cheaper. tests/test_wos.py checks the equality on every real CR entry and on
# random (also non-ASCII) text with hypothesis.
_FOLD_TABLE = {c: (chr(c).upper() if chr(c).isalnum() else " ") for c in range(128)}
_TOKEN_TABLE = {c: (chr(c).upper() if chr(c).isalnum() else None) for c in range(128)}


def _fold_fast(text: str) -> str:
    if text.isascii():
        return " ".join(text.translate(_FOLD_TABLE).split())
    return _fold(text)


def _token_fast(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return text.translate(_TOKEN_TABLE) if text.isascii() else _token(text)


@lru_cache(maxsize=1 << 16)
def _author_key_fast(name: str) -> str:
    # author_key with _fold_fast (cached).
    return _author_key_with(name, _fold_fast)


@lru_cache(maxsize=1 << 15)
def _source_key(text: str) -> str:
    return _fold_fast(text)


def ref_key_fast(
    author: str | None,
    year: int | str | None,
    source: str | None,
    volume: str | None,
    page: str | None,
) -> str | None:
    """Same result as :func:`make_ref_key`, faster (ASCII fast path, cached names).

    Parameters
    ----------
    author, year, source, volume, page
        As for :func:`make_ref_key`.

    Returns
    -------
    str or None
    """
    return _join_key(
        _author_key_fast(author) if author else "",
        _token_fast(year),
        _source_key(source) if source else "",
        _token_fast(volume),
        _token_fast(page),
    )


# The usual shapes "Author, 2000, SOURCE[, V12][, P345]" in one match (digits only for
# volume and page, so that their keys are the digits themselves).
_CR_COMMON = re.compile(r"([^,]+), ([0-9]{4}), ([^,]+)(?:, V([0-9]+))?(?:, P([0-9]+))?")


@lru_cache(maxsize=1 << 16)
def wos_cr_key(entry: str) -> str | None:
    """Return the ``cited_key`` of one WoS cited-reference entry.

    Parameters
    ----------
    entry : str
        One CR line.

    Returns
    -------
    str or None
        The DOI when the entry has one, else ``make_ref_key(author, year, source,
        volume, page)`` of :func:`parse_wos_cr`; None when neither identifies a work
        (e.g. ``CREATION EVOLUTION E`` or ``Hexemer A., ADV GRAZING INCIDENC``: no
        year, volume or page).
    """
    # The hot path of WoS ingestion: parse_wos_cr + make_ref_key inlined (same result,
    # checked by the tests on every real CR entry).
    k = entry.find(", DOI ")
    if k < 0 and "DOI" not in entry:
        m = _CR_COMMON.fullmatch(entry.strip())
        if m is not None:
            author, year, source, volume, page = m.groups()
            if not (len(author.strip()) == 4 and author.strip().isdigit()) and not (
                source.lstrip()[:1] in ("V", "P") and _CR_VP_STRICT.fullmatch(source.strip())
            ):
                a = _author_key_fast(author)
                s = _source_key(source)
                if not (a or s):
                    return None
                return f"{a}|{year}|{s}|{volume or ''}|{page or ''}"
    if k >= 0:
        rest = entry[k + 6 :].lstrip()
        if rest[:3] == "10." and " " not in rest and rest.isprintable():  # (no white space at all)
            d = rest.lower().rstrip(".,;").rstrip("/")
            if d[:3] == "10." and "/" in d:
                return d
        doi = _first_doi(rest)
        if doi:
            return doi
        head = entry[:k].strip()
    else:
        head, doi = _split_doi(entry)
        if doi:
            return doi
    if not head:
        return None
    parts = [p.strip() for p in head.split(",")]
    n = len(parts)
    i = 0
    author = parts[0]
    if len(author) == 4 and author.isdigit():
        author = ""
    else:
        i = 1
    year = ""
    if i < n:
        part = parts[i]
        if len(part) == 4 and part.isdigit():
            year = part if part.isascii() else _token(part)
            i += 1
    source = ""
    if i < n:
        part = parts[i]
        if not (part[:1] in ("V", "P") and _CR_VP_STRICT.fullmatch(part)):
            source = part
            i += 1
    volume = page = ""
    for part in parts[i:]:
        first = part[:1]
        if first == "V":
            if not volume and (mv := _CR_VOLUME.fullmatch(part)):
                volume = _token_fast(mv.group(1)) or " "
        elif first in ("P", "p") and not page and (mp := _CR_PAGE.fullmatch(part)):
            page = _token_fast(mp.group(1)) or " "
    volume, page = volume.strip(), page.strip()
    a = _author_key_fast(author) if author else ""
    s = _source_key(source) if source else ""
    if not (a or s) or not (year or volume or page):
        return None
    return f"{a}|{year}|{s}|{volume}|{page}"


# ---------------------------------------------------------------------------
# Many CR entries at once
# ---------------------------------------------------------------------------
# Two shapes cover most entries and are keyed with pyarrow string kernels (a split at
# the first ", DOI ", a shape test by one regular expression, then literal splits,
# slices and case mapping, which are much faster than regex extraction); every other
# entry (non-ASCII, "DOI [..]", no year, punctuation in the source, ...) goes through
# wos_cr_key. The shapes are chosen so that the vectorized key is exactly the one
# wos_cr_key gives (tests/test_wos.py checks it on every real entry and on generated
# ones):
#
# * "Author, 2000, Source[, V12][, P345]" (ASCII, no "DOI"): the author "[Anonymous]"
#   or space-separated tokens of letters, each with at most one trailing "." and with
#   inner hyphens between letters, the last of several tokens also with inner dots
#   ("M.M.") (author_key: all tokens but the last upper-cased without dots, hyphens
#   read as spaces, then a space and the first letter of the last token; a single
#   token upper-cased without its dot, hyphens read as spaces); the source letters and
#   digits in words separated by spaces or one hyphen, not a bare volume/page such as
#   "V381" (its fold: upper-cased, hyphens read as spaces, runs of spaces as one); the
#   volume "V" and digits, maybe after one letter ("VE83C"), the page "P" or "p" and
#   digits, maybe after up to three letters ("pD418"), each with letters or digits
#   after them (_CR_VOLUME / _CR_PAGE: the text after "V" / "P", upper-cased).
# * "…, DOI 10.x/y" (after the first ", DOI ": ASCII, no white space): the DOI
#   lower-cased, without trailing ".,;" and then "/"; also "…, DOI DOI 10.x/y" (no
#   bracket either).
_VEC_COMMON = (
    r"^(?:\[Anonymous\]|[A-Za-z]+(?:-[A-Za-z]+)*\.?(?: [A-Za-z]+(?:-[A-Za-z]+)*\.?)*"
    r"(?: [A-Za-z]+(?:[-.][A-Za-z]+)*\.?)?), [0-9]{4}, "
    r"(?:[VP](?:[A-Za-z][A-Za-z0-9]*)?|[0-9A-OQ-UW-Za-z][A-Za-z0-9]*)(?:(?: +|-)[A-Za-z0-9]+)*"
    r"(?:, V[A-Za-z]?[0-9][A-Za-z0-9]*)?(?:, [Pp][A-Za-z]{0,3}[0-9][A-Za-z0-9]*)?$"
)
# What follows the first ", DOI " of a shape-2 entry (that first one is the one
# wos_cr_key reads): a DOI of printable ASCII without space, or the doubled label
# "DOI 10.x" read as _first_doi reads it when the DOI holds no bracket either.
_VEC_DOI_TAIL = r"^(?:10\.[\x21-\x7e]*|DOI 10\.[\x21-\x5a\x5c\x5e-\x7e]*)$"
_VEC_MIN = 600  # fewer entries than this: the per-entry path is as fast (cold caches)


def wos_cr_keys(entries: list[str]) -> list[str | None]:
    """Return :func:`wos_cr_key` of many CR entries, the usual shapes vectorized.

    Parameters
    ----------
    entries : list of str
        CR lines (thousands at a time: each call has a fixed cost of about 1 ms).

    Returns
    -------
    list of str or None
        ``[wos_cr_key(e) for e in entries]``, computed with pyarrow string kernels for
        the two usual shapes (author, year, source, volume, page; a single plain DOI)
        and entry by entry for the others.
    """
    if len(entries) < _VEC_MIN:
        return [wos_cr_key(e) for e in entries]
    import pyarrow as pa

    out: list[str | None] = wos_cr_keys_arrow(pa.array(entries, pa.string())).to_pylist()
    return out


def wos_cr_keys_arrow(entries: Any) -> Any:
    """Return :func:`wos_cr_key` of an Arrow array of CR entries, as an Arrow array.

    Parameters
    ----------
    entries : pyarrow.StringArray
        CR lines, already stripped (no nulls).

    Returns
    -------
    pyarrow.StringArray
        The key of each entry (null where :func:`wos_cr_key` gives None): the two
        usual shapes computed with pyarrow string kernels, the others entry by entry.
    """
    import pyarrow as pa

    keys, codes = wos_cr_key_codes(entries)
    return keys.take(pa.array(codes, mask=codes < 0))


def wos_cr_key_codes(entries: Any) -> tuple[Any, Any]:
    """The distinct keys of many CR entries and, per entry, the position of its key.

    Each distinct entry is keyed once (:func:`wos_cr_keys_arrow` = ``keys`` taken at
    ``codes``).

    Parameters
    ----------
    entries : pyarrow.StringArray
        CR lines, already stripped (no nulls).

    Returns
    -------
    keys : pyarrow.StringArray
        The distinct keys (no null), in order of first appearance.
    codes : numpy.ndarray of int64
        Per entry, its key's position in ``keys``; -1 where :func:`wos_cr_key` gives None.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(entries) < _VEC_MIN:  # a fixed cost of about 1 ms: one by one is as fast
        coded = pc.dictionary_encode(pa.array([wos_cr_key(e) for e in entries.to_pylist()], pa.string()))
        return coded.dictionary, np.asarray(pc.fill_null(coded.indices, -1)).astype(np.int64)
    distinct = pc.dictionary_encode(entries)  # (a cited work recurs within an export)
    coded = pc.dictionary_encode(_vec_cr_keys(distinct.dictionary))  # two entries may share a key
    key_of_distinct = np.asarray(pc.fill_null(coded.indices, -1)).astype(np.int64)
    return coded.dictionary, key_of_distinct[np.asarray(distinct.indices)]


def _vec_cr_keys(entries: Any) -> Any:
    """:func:`wos_cr_key` of each entry, the usual shapes with Arrow kernels."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(entries) < _VEC_MIN:
        return pa.array([wos_cr_key(e) for e in entries.to_pylist()], pa.string())
    arr = entries
    pieces, where = [], []
    # "DOI" anywhere: shape 2 or another entry (wos_cr_key reads a DOI first); none:
    # maybe shape 1
    any_doi = _contains(arr, b"DOI")

    # Shape 1: author, year, source[, volume][, page] (the regular expression also
    # leaves out a source that is a bare volume/page, "V381": wos_cr_key's business)
    plain = np.flatnonzero(~any_doi)
    sub = arr.take(plain)
    mask1 = _np(pc.match_substring_regex(sub, _VEC_COMMON))
    sub = sub.filter(mask1)
    if len(sub):
        parts = pc.split_pattern(sub, ", ")
        flat = pc.list_flatten(parts)
        offsets = np.asarray(parts.offsets)
        first = offsets[:-1] - offsets[0]  # (positions in the flat pieces)
        n = np.diff(offsets)
        author, year, source = (flat.take(pa.array(first + i)) for i in range(3))
        # the 4th piece is V<volume> or P<page>, the 5th P<page>
        has3 = n > 3
        third_is_v = _np(pc.fill_null(pc.starts_with(flat.take(pa.array(first + 3, mask=~has3)), "V"), False))
        vol_at = np.where(third_is_v, first + 3, -1)
        page_at = np.where(n > 4, first + 4, np.where(has3 & ~third_is_v, first + 3, -1))
        volume, page = (pc.utf8_slice_codeunits(flat.take(pa.array(at, mask=at < 0)), 1) for at in (vol_at, page_at))
        tokens = pc.split_pattern(author, " ", max_splits=1, reverse=True)
        t_offsets = np.asarray(tokens.offsets)
        t_first = t_offsets[:-1] - t_offsets[0]
        t_flat = pc.list_flatten(tokens)
        head = pc.replace_substring(pc.replace_substring(t_flat.take(pa.array(t_first)), ".", ""), "-", " ")
        last = t_flat.take(pa.array(t_first + 1, mask=np.diff(t_offsets) < 2))  # null: a single token
        a = pc.binary_join_element_wise(head, pc.utf8_slice_codeunits(last, 0, 1), " ", null_handling="skip")
        anonymous = pc.is_in(pc.ascii_lower(author), value_set=pa.array(["anonymous", "[anonymous]"]))
        a = pc.if_else(anonymous, "", a)
        source = pc.replace_substring(source, "-", " ")
        if _contains(source, b"  ").any():
            source = pc.replace_substring_regex(source, "  +", " ")
        # (all ASCII: one upper-casing of the whole key)
        pieces.append(pc.ascii_upper(pc.binary_join_element_wise(a, year, source, volume, page, "|",
                                                                 null_handling="replace", null_replacement="")))
        where.append(plain[mask1])

    # Shape 2: a plain DOI after the first ", DOI " (the entry before it does not matter)
    maybe_doi = np.flatnonzero(any_doi)
    if len(maybe_doi):
        halves = pc.split_pattern(arr.take(maybe_doi), ", DOI ", max_splits=1)  # at the first ", DOI "
        h_offsets = np.asarray(halves.offsets)
        split = np.diff(h_offsets) == 2
        with_doi = maybe_doi[split]
        # the second piece of each split entry, taken from the flat pieces by position
        second = h_offsets[:-1][split] + 1 - h_offsets[0]
        doi = pc.list_flatten(halves).take(pa.array(second))
        mask2 = _np(pc.match_substring_regex(doi, _VEC_DOI_TAIL))
        doi = doi.filter(mask2)
        doi = pc.if_else(pc.starts_with(doi, "DOI "), pc.utf8_slice_codeunits(doi, 4), doi)
        doi = pc.utf8_rtrim(pc.utf8_rtrim(pc.ascii_lower(doi), ".,;"), "/")
        good = _np(pc.match_substring(doi, "/"))  # (it starts with "10.")
        pieces.append(doi.filter(good))  # the others: wos_cr_key reads further
        where.append(with_doi[mask2][good])

    # Every other entry, one by one; then each key back to its entry's position.
    done = np.zeros(len(arr), dtype=bool)
    for w in where:
        done[w] = True
    todo = np.flatnonzero(~done)
    if len(todo):
        rest_entries = arr.take(pa.array(todo)).to_pylist()
        pieces.append(pa.array([wos_cr_key(e) for e in rest_entries], pa.string()))
        where.append(todo)
    if not pieces:
        return pa.array([], pa.string())
    order = np.concatenate(where)
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    keys = pa.concat_arrays([p.cast(pa.string()) for p in pieces])
    return keys.take(pa.array(inverse))


def _np(mask: Any) -> Any:
    """A boolean Arrow array without nulls as a numpy array."""
    return mask.to_numpy(zero_copy_only=False)


def _contains(strings: Any, pattern: bytes) -> Any:
    """Per string (Arrow string array), whether it holds ``pattern``, as numpy bools.

    The same as ``pyarrow.compute.match_substring`` (which tests each string in turn,
    ~2.5x slower here): the pattern's bytes compared at every position of the data
    buffer at once with numpy, then each hit assigned to its string by the offsets.
    """
    import numpy as np

    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32, count=len(strings) + 1, offset=4 * strings.offset)
    start, stop = int(offsets[0]), int(offsets[-1])
    out = np.zeros(len(strings), dtype=bool)
    k = len(pattern)
    if stop - start < k:
        return out
    data = np.frombuffer(strings.buffers()[2], dtype=np.uint8)[start:stop]
    hit = data[: len(data) - k + 1] == pattern[0]
    for j in range(1, k):
        hit &= data[j : len(data) - k + 1 + j] == pattern[j]
    at = np.flatnonzero(hit) + start
    row = np.searchsorted(offsets, at, side="right") - 1
    out[row[at + k <= offsets[row + 1]]] = True  # (not across the end of a string)
    return out
