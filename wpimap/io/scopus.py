"""Scopus CSV reader (old and 2020s export headers).

The file is read with the :mod:`csv` module (quoted cells with embedded newlines are
normal), streamed, UTF-8 with or without BOM, gzip-compressed or not. Columns are
found by name, so the column order and the presence of optional columns (``Author full
names``, ``Author(s) ID``, ``Funding Texts``, ``Publication Stage``…) do not matter.

Rules (documented choices):

* ``work_id`` is the ``EID`` (``2-s2.0-…``); when that cell is empty the EID is taken
  from the ``eid=`` parameter of the ``Link`` URL; a row with neither is rejected (a
  DOI is not used as an ID: it would make the same work look like two different
  works across sources, and duplicates are merged by DOI at ingestion anyway).
* ``cited_by_count`` is ``Cited by``; Scopus leaves the cell empty for uncited works,
  so an empty cell is 0 (None only when the column is absent).
* ``fields`` come from the user's ``source_fields`` table (Scopus has no subject
  categories), looked up by the upper-cased, whitespace-collapsed source title.
* ``ref_key`` uses the first author, year, ``Abbreviated Source Title`` (else ``Source
  title``), ``Volume``, ``Page start``: Scopus and WoS reference strings cite sources by
  their abbreviation, so this key matches far more citing references (on
  ``bibx_scopus.csv``: 195 of 16,017 references match a record's key with the
  abbreviation, 26 with the full title).
* Authorships come from ``Authors with affiliations`` (one ``; ``-separated entry per
  author, in byline order: ``Name, Affiliation[, Affiliation…]``). An author with
  several affiliations has them joined by ``, `` in that entry, so the entry is cut
  into affiliations by matching the affiliations listed in the ``Affiliations`` column;
  text that matches none is kept as one affiliation. Positions follow the ``Authors``
  list (matched by author key, else by order when both lists have the same length).
  Without that column, each ``Affiliations`` entry becomes a row without author.
* ``country`` = :func:`wpimap.io.countries.country_from_address` of the affiliation
  (its last comma element; US state + ZIP forms).
* ``institution`` = the first comma element naming a university-level body
  (University, Universität, Université, Universidad, College, Academy, Institute of
  Technology, Hochschule, École, …), else the first element naming an institute,
  hospital, centre, laboratory, company or agency, else the first element.
* References: the ``References`` cell split on ``; `` (titles containing ``; `` then
  give a fragment that does not parse; it is counted as skipped). Each entry is keyed
  by its DOI when one appears in it, else by :func:`make_ref_key` of the first author,
  the year in parentheses, the source, volume and first page (both the older
  ``Authors, Title (2005) Source, 12 (3), pp. 345-350`` and the newer
  ``Authors, Title, Source, 12, 3, pp. 345-350, (2005)`` forms); see
  :func:`parse_scopus_reference`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any

from wpimap.io.countries import country_from_address
from wpimap.io.detect import _GZIP_ERRORS, gzip_error, open_input
from wpimap.io.records import (
    Authorship,
    InputFileError,
    Record,
    Reject,
    normalize_doc_type,
    normalize_doi,
)
from wpimap.io.refs import author_key, make_ref_key

# Header variants seen across export years → canonical name.
_ALIASES = {
    "authors": "Authors",
    "author": "Authors",
    "title": "Title",
    "document title": "Title",
    "year": "Year",
    "source title": "Source title",
    "source": "Source",  # the database name ("Scopus")
    "volume": "Volume",
    "page start": "Page start",
    "cited by": "Cited by",
    "doi": "DOI",
    "link": "Link",
    "affiliations": "Affiliations",
    "authors with affiliations": "Authors with affiliations",
    "references": "References",
    "document type": "Document Type",
    "eid": "EID",
    "abbreviated source title": "Abbreviated Source Title",
}
_EID_IN_LINK = re.compile(r"[?&]eid=(2-s2\.0-[0-9A-Za-z]+)")
_DOI = re.compile(r"10\.\d{4,9}/(?:[^\s,;]|;(?!\s))+")  # SICI DOIs hold ";"
_YEAR_END = re.compile(r",?\s*\((\d{4})[a-z]?\)[\s.,;]*$")
_YEAR_MID = re.compile(r"\((\d{4})[a-z]?\)\s")
_PAGES = re.compile(r"\bpp?\.\s*([A-Za-z]?\d+[A-Za-z]?\d*)")
_NUMERIC = re.compile(r"^[A-Za-z]{0,2}\d+[A-Za-z]?(?:[-/]\d+)?\.?$")
_VOL_ISSUE = re.compile(r"^([A-Za-z]{0,2}\d+[A-Za-z]?(?:[-/]\d+)?)\s*(?:\(.*\))?\s*\.?\s*$")
_UNI = re.compile(
    r"univ|college|academy|academia|akademi|institute of technology|polytechn|politecn|hochschule"
    r"|[eé]cole|escuela|scuola|ecole|school of medicine|medical school|eth z",
    re.IGNORECASE,
)
_ORG = re.compile(
    r"institut|istituto|instituto|inst\.|hospital|klinik|clinic|cent(?:er|re)|centro|laborator|lab\b"
    r"|company|corporation|corp\b|inc\b|ltd|gmbh|\bag\b|\bsa\b|foundation|agency|council|ministry"
    r"|organi[sz]ation|observatory|museum|cnrs|inserm|csic|riken|nasa",
    re.IGNORECASE,
)


def source_key(title: str | None) -> str:
    """Return the lookup key of a source title: upper case, whitespace collapsed.

    Parameters
    ----------
    title : str or None

    Returns
    -------
    str
    """
    return " ".join((title or "").upper().split())


def institution_of(affiliation: str | None) -> str | None:
    """Pick the institution element of a Scopus affiliation string.

    Parameters
    ----------
    affiliation : str or None
        ``Department of Physics, Xiamen University, Xiamen, 361005, China``.

    Returns
    -------
    str or None
        The first element naming a university-level body, else the first naming an
        institute / hospital / centre / laboratory / company / agency, else the first
        element (``Xiamen University`` here).
    """
    if not affiliation:
        return None
    parts = [p.strip() for p in affiliation.split(",") if p.strip()]
    if not parts:
        return None
    body = parts[:-1] or parts  # the last element is the country
    for pattern in (_UNI, _ORG):
        for p in body:
            if pattern.search(p):
                return p
    return parts[0]


def _is_initials(text: str) -> bool:
    """``T.``, ``W.J.``, ``J.-P.``, ``Š.``, ``Ch.``, ``JK`` — not ``Yu`` or ``Li``."""
    t = text.replace(" ", "")
    if not t or len(t) > 12:
        return False
    tokens = [x for x in re.split(r"[.\-]", t) if x]
    if not tokens:
        return False
    for x in tokens:
        if len(x) == 1 and x.isupper():
            continue
        if len(x) == 2 and x[0].isupper() and x[1].islower() and f"{x}." in t:
            continue
        if len(x) <= 3 and x.isalpha() and x.isupper() and "." not in t:
            continue
        return False
    return True


def _looks_like_name(text: str) -> bool:
    """``Kang W.``, ``de Boer F.R.``, ``Gao S.-P.`` (surname then initials)."""
    parts = text.split()
    return 2 <= len(parts) <= 6 and not any(ch.isdigit() for ch in text) and _is_initials(parts[-1])


def split_authors(value: str | None) -> list[str]:
    """Split the ``Authors`` cell of a Scopus export into names.

    Handles ``Gong B.; Wang L.`` (2020s), ``Yagai T., Kimura Y.`` and
    ``Pan, Y., Yu, C.`` (older exports); ``[No author name available]`` gives none.

    Parameters
    ----------
    value : str or None

    Returns
    -------
    list of str
    """
    if not value or value.strip().lower().startswith("[no author"):
        return []
    value = value.strip()
    if ";" in value:
        return [p.strip() for p in value.split(";") if p.strip()]
    parts = [p.strip() for p in value.split(", ") if p.strip()]
    if len(parts) >= 2 and len(parts) % 2 == 0 and all(_is_initials(p) for p in parts[1::2]) and not any(
        _is_initials(p) for p in parts[0::2]
    ):
        return [f"{parts[i]}, {parts[i + 1]}" for i in range(0, len(parts), 2)]
    return parts


def _merge_countryless(pieces: list[str]) -> list[str]:
    """Join a piece without country to the next piece.

    A short listed affiliation can match inside a longer one that the ``Affiliations``
    column does not list; the country-less head is then part of what follows.
    """
    out: list[str] = []
    carry = ""
    for k, piece in enumerate(pieces):
        piece = f"{carry}, {piece}" if carry else piece
        if k < len(pieces) - 1 and country_from_address(piece) is None:
            carry = piece
            continue
        carry = ""
        out.append(piece)
    return out


def _split_entry(entry: str, affiliations: list[str]) -> tuple[str, list[str]]:
    """Cut one ``Authors with affiliations`` entry into (name, affiliations)."""
    entry = entry.strip()
    # Known affiliations of the record, longest first, located in the entry.
    hits: list[tuple[int, int]] = []
    for aff in sorted({a for a in affiliations if a}, key=len, reverse=True):
        start = 0
        while True:
            i = entry.find(aff, start)
            if i < 0:
                break
            j = i + len(aff)
            boundary_left = i == 0 or entry[max(0, i - 2):i] == ", "
            boundary_right = j == len(entry) or entry[j:j + 2] == ", "
            if boundary_left and boundary_right and not any(i < e and s < j for s, e in hits):
                hits.append((i, j))
            start = i + 1
    hits.sort()
    if hits and hits[0][0] > 0:
        name = entry[: hits[0][0]].rstrip(", ").strip()
        affs: list[str] = []
        pos = hits[0][0]
        for s, e in hits:
            gap = entry[pos:s].strip(", ").strip()
            if gap:
                affs.append(gap)
            affs.append(entry[s:e])
            pos = e
        tail = entry[pos:].strip(", ").strip()
        if tail:
            affs.append(tail)
        return name, _merge_countryless(affs)
    # No known affiliation: the name is "Surname, I." or "Surname I." (first element).
    parts = entry.split(", ")
    if len(parts) >= 2 and _is_initials(parts[1]):
        name, rest = f"{parts[0]}, {parts[1]}", parts[2:]
    else:
        name, rest = parts[0], parts[1:]
    return name.strip(), ([", ".join(rest)] if rest else [])


def parse_authorships(
    authors: str | None, authors_with_affiliations: str | None, affiliations: str | None
) -> list[Authorship]:
    """Build the authorship rows of one Scopus record.

    Parameters
    ----------
    authors : str or None
        The ``Authors`` cell.
    authors_with_affiliations : str or None
        The ``Authors with affiliations`` cell.
    affiliations : str or None
        The ``Affiliations`` cell (``; ``-separated, one full affiliation each).

    Returns
    -------
    list of Authorship
        One row per (author, affiliation); an author without affiliation gets one row
        with institution and country None. Without ``Authors with affiliations``, one
        row per affiliation with author_position None.
    """
    names = split_authors(authors)
    affs = [a.strip() for a in (affiliations or "").split("; ") if a.strip()]
    rows: list[Authorship] = []
    entries = [e for e in (authors_with_affiliations or "").split("; ") if e.strip()]
    if not entries:
        for aff in affs:
            rows.append(Authorship(None, None, institution_of(aff), country_from_address(aff), aff))
        if not rows:
            rows = [Authorship(i + 1, n, None, None) for i, n in enumerate(names)]
        return rows
    keys = [author_key(n) for n in names]
    used: set[int] = set()
    same_length = len(entries) == len(names)
    for k, entry in enumerate(entries):
        name, entry_affs = _split_entry(entry, affs)
        pos: int | None = None
        if same_length and keys[k] == author_key(name):
            pos = k + 1
        else:
            key = author_key(name)
            for i, ki in enumerate(keys):
                if i not in used and ki and ki == key:
                    pos = i + 1
                    break
            if pos is None and same_length:
                pos = k + 1
        if pos is not None:
            used.add(pos - 1)
        if not entry_affs:
            rows.append(Authorship(pos, name or None, None, None))
        for aff in entry_affs:
            rows.append(Authorship(pos, name or None, institution_of(aff), country_from_address(aff), aff))
    return rows


def _first_author(text: str, new_form: bool) -> str | None:
    parts = [p.strip() for p in text.split(", ")]
    if not parts or not parts[0]:
        return None
    if len(parts) >= 2 and _is_initials(parts[1]) and not _is_initials(parts[0]):
        return f"{parts[0]}, {parts[1]}"
    first = parts[0]
    if _looks_like_name(first):
        return first
    if not new_form and len(first.split()) <= 2 and not any(ch.isdigit() for ch in first) and len(parts) > 1:
        return first  # "Blau, (1964) Exchange and Power…": surname only
    return None


def _volume(text: str | None) -> str | None:
    if not text:
        return None
    m = _VOL_ISSUE.match(text.strip())
    return m.group(1) if m else None


def parse_scopus_reference(text: str | None) -> str | None:
    """Return the ``cited_key`` of one Scopus reference string.

    Parameters
    ----------
    text : str or None
        Older form ``Smith J., Jones K., Title, (2005) Nature, 12 (3), pp. 345-350.``
        (also ``Smith, J., Title (2005) Nature, 12, p. 345``) or newer form
        ``Smith J., Jones K., Title, Nature, 12, 3, pp. 345-350, (2005)``.

    Returns
    -------
    str or None
        The lower-case DOI when the string contains one; else
        ``AUTHOR|YEAR|SOURCE|VOLUME|PAGE`` from :func:`make_ref_key`; None when the
        string has no DOI and no year in parentheses, or too little to build a key.
    """
    if not text or not text.strip():
        return None
    text = " ".join(text.split())
    m = _DOI.search(text)
    if m:
        doi = normalize_doi(m.group(0).rstrip(").]"))
        if doi:
            return doi
    end = _YEAR_END.search(text)
    if end:  # newer form: ..., Source, Vol, Issue, pp. a-b, (2005)
        year = end.group(1)
        parts = [p.strip() for p in text[: end.start()].split(", ")]
        page = volume = None
        if parts and (pm := _PAGES.match(parts[-1])):
            page = pm.group(1)
            parts.pop()
        numeric: list[str] = []
        while parts and len(numeric) < 2 and len(parts) > 1 and _NUMERIC.match(parts[-1]):
            numeric.insert(0, parts.pop().rstrip("."))
        if numeric:
            volume = numeric[0]
        source = parts.pop() if len(parts) > 1 else None
        author = _first_author(", ".join(parts), new_form=True) if parts else None
        if source is None and parts and author is None:
            source = parts[0]
        return make_ref_key(author, year, source, volume, page)
    mid = _YEAR_MID.search(text + " ")
    if not mid:
        return None
    year = mid.group(1)
    before = text[: mid.start()].strip().rstrip(",").strip()
    after = [p.strip() for p in text[mid.end():].split(", ")]
    source = after[0].rstrip(".").strip() if after and after[0] else None
    volume = _volume(after[1]) if len(after) > 1 else None
    pm = _PAGES.search(text[mid.end():])
    page = pm.group(1) if pm else None
    author = _first_author(before, new_form=False) if before else None
    return make_ref_key(author, year, source, volume, page)


def parse_references(cell: str | None) -> tuple[list[tuple[str | None, str | None]], int]:
    """Parse a ``References`` cell.

    Parameters
    ----------
    cell : str or None

    Returns
    -------
    references : list of (cited_key, None)
        In order; a key cited twice by the same record is kept once.
    skipped : int
        Entries that gave no key.
    """
    refs: list[tuple[str | None, str | None]] = []
    seen: set[str] = set()
    skipped = 0
    if not cell:
        return refs, 0
    for entry in cell.split("; "):
        if not entry.strip():
            continue
        key = parse_scopus_reference(entry)
        if key is None:
            skipped += 1
        elif key not in seen:
            seen.add(key)
            refs.append((key, None))
    return refs, skipped


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        try:
            return int(float(value))
        except ValueError:
            return None


def _canonical_header(header: list[str]) -> list[str]:
    out = []
    for h in header:
        h2 = h.strip().lstrip("\ufeff").strip().strip('"')
        out.append(_ALIASES.get(h2.lower(), h2))
    return out


def row_to_record(
    row: Mapping[str, str],
    record: int,
    source_fields: Mapping[str, list[str]] | None = None,
    stats: MutableMapping[str, int] | None = None,
) -> Record | Reject:
    """Normalize one Scopus CSV row (keys: canonical column names).

    Parameters
    ----------
    row : mapping
        Column → cell.
    record : int
        1-based data-row number.
    source_fields : mapping, optional
        :func:`source_key` of a source title → fields.
    stats : mutable mapping, optional
        ``references`` and ``references_skipped`` are incremented.

    Returns
    -------
    Record or Reject
    """
    eid = (row.get("EID") or "").strip()
    if not eid:
        m = _EID_IN_LINK.search(row.get("Link") or "")
        eid = m.group(1) if m else ""
    if not eid:
        return Reject(record, "no EID (Scopus record id) in the EID or Link column")
    year = _int(row.get("Year"))
    source = (row.get("Source title") or "").strip() or None
    abbrev = (row.get("Abbreviated Source Title") or "").strip() or None
    names = split_authors(row.get("Authors"))
    page = (row.get("Page start") or "").strip() or None
    volume = (row.get("Volume") or "").strip() or None
    refs, skipped = parse_references(row.get("References"))
    if stats is not None:
        stats["references"] = stats.get("references", 0) + len(refs)
        stats["references_skipped"] = stats.get("references_skipped", 0) + skipped
    cited = row.get("Cited by")
    fields = list(source_fields.get(source_key(source), [])) if source_fields and source else []
    return Record(
        record=record,
        work_id=eid,
        year=year,
        doc_type=normalize_doc_type(row.get("Document Type")),
        title=(row.get("Title") or "").strip() or None,
        source=source,
        fields=fields,
        doi=normalize_doi(row.get("DOI")),
        cited_by_count=(_int(cited) or 0) if cited is not None else None,
        ref_key=make_ref_key(names[0] if names else None, year, abbrev or source, volume, page),
        authorships=parse_authorships(
            row.get("Authors"), row.get("Authors with affiliations"), row.get("Affiliations")
        ),
        references=refs,
    )


def read_scopus(
    path: str | os.PathLike[str],
    source_fields: Mapping[str, list[str]] | None = None,
    stats: MutableMapping[str, int] | None = None,
    **opts: Any,
) -> Iterator[Record | Reject]:
    """Read a Scopus CSV export.

    Parameters
    ----------
    path : path-like
        Scopus CSV (UTF-8, BOM allowed; gzip-compressed allowed).
    source_fields : mapping, optional
        Source title → list of fields; keys are compared by :func:`source_key`.
    stats : mutable mapping, optional
        Receives counters ``references`` (keys produced) and ``references_skipped``
        (reference entries that could not be parsed).
    **opts
        Ignored.

    Yields
    ------
    Record or Reject
        One per non-empty data row, in file order. A row with more or fewer cells
        than the header, or without EID, is a Reject.

    Raises
    ------
    InputFileError
        Missing, empty, undecodable or truncated (gzip) file, malformed CSV, or a
        header without the Scopus columns.
    """
    table = {source_key(k): list(v) for k, v in source_fields.items()} if source_fields else None
    fh = open_input(path)
    try:
        with fh, io.TextIOWrapper(fh, encoding="utf-8-sig", newline="") as text:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise InputFileError(f"{path}: empty file")
            header = _canonical_header(header)
            if "EID" not in header and not {"Authors", "Title"} <= set(header):
                raise InputFileError(f"{path}: no Scopus header (EID / Authors / Title columns missing)")
            width = len(header)
            n = 0
            for cells in reader:
                if not cells or not any(c.strip() for c in cells):
                    continue
                n += 1
                if len(cells) != width:
                    # A trailing empty cell is harmless (some exports end rows with a comma).
                    if len(cells) == width + 1 and not cells[-1].strip():
                        cells = cells[:-1]
                    else:
                        yield Reject(n, f"row has {len(cells)} cells, the header has {width}")
                        continue
                yield row_to_record(dict(zip(header, cells, strict=True)), n, table, stats)
    except _GZIP_ERRORS as exc:
        raise gzip_error(path, exc) from None
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not decodable as UTF-8 ({exc.reason})") from None
    except csv.Error as exc:
        raise InputFileError(f"{path}: malformed CSV ({exc})") from None
