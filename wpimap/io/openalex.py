"""OpenAlex works reader: snapshot JSON Lines, single work JSON, and the web CSV export.

Accepted inputs (gzip-compressed or not, detected by content):

* snapshot part files — one work per line (``.jsonl``, ``.jsonl.gz``, ``part_000.gz``),
  streamed line by line; blank lines are skipped and not counted as records;
* one work as returned by ``/works/W…`` (a JSON object, possibly pretty-printed), a JSON
  array of works, or an API list response ``{"meta": …, "results": [...]}``;
* the web CSV export (``openalex.org`` → Export → CSV): dotted column names
  (``authorships.author.display_name``, ``authorships.institutions.display_name``,
  ``authorships.countries``, ``primary_topic.field.display_name``…), list values
  joined by ``|``.

Mapping (JSON): ``work_id`` is the short ID ``W…``; ``doc_type`` the lower-case
``type`` (the Crossref-style ``journal-article`` of old snapshots becomes ``article``);
``source`` is ``primary_location.source.display_name`` (``host_venue.display_name`` in
old snapshots); ``fields`` are the field display names of ``primary_topic`` then of the
other ``topics`` (unique, in order), else the level-0 ``concepts``; one
:class:`Authorship` per (author, institution) with the institution's ``country_code``
and its short ``I…`` ID (the ROR when there is no OpenAlex ID), plus one row per country
of ``authorships[].countries`` that no institution of the author covers, or a single
row without institution/country for an author with neither; ``references`` are the
``referenced_works`` as ``(W…, W…)``.

The CSV export flattens the lists of all authors into one cell, so an institution can
be tied to its author only when the export lists exactly one institution per author
(then ``authorships.countries`` also has one entry per author and gives the country).
Otherwise each distinct institution becomes a row without author position (country
from ``authorships.institutions.country_code`` when that column is present) and each
country of ``authorships.countries`` not covered that way a row without institution:
the work's institution and country sets are exact, author attribution is not.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from wpimap.io.detect import _GZIP_ERRORS, decode_sample, gzip_error, open_input, read_sample
from wpimap.io.records import (
    Authorship,
    InputFileError,
    Record,
    Reject,
    normalize_doc_type,
    normalize_doi,
)
from wpimap.io.refs import make_ref_key

_PREFIXES = ("https://openalex.org/", "http://openalex.org/", "openalex.org/")
_DOC_TYPES = {"journal-article": "article", "proceedings-article": "conference paper"}
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "das", "dos", "du", "di", "la", "le", "ter", "ten", "bin", "al", "el"}


def short_id(value: Any) -> str | None:
    """Return an OpenAlex ID without its ``https://openalex.org/`` prefix.

    Parameters
    ----------
    value : str or None
        ``https://openalex.org/W2741809807`` or ``W2741809807``.

    Returns
    -------
    str or None
        ``W2741809807``; None for an empty value.
    """
    if not value or not isinstance(value, str):
        return None
    v = value.strip()
    low = v.lower()
    for p in _PREFIXES:
        if low.startswith(p):
            v = v[len(p):]
            break
    v = v.strip("/")
    return v or None


def surname_first(name: str | None) -> str | None:
    """Turn a display name ``Given Names Surname`` into ``Surname, Given Names``.

    Lower-case particles before the surname stay with it (``Jan van der Berg`` →
    ``van der Berg, Jan``). Names that already contain a comma are returned as they are.

    Parameters
    ----------
    name : str or None

    Returns
    -------
    str or None
    """
    if not name:
        return None
    name = " ".join(name.split())
    if "," in name:
        return name
    parts = name.split(" ")
    if len(parts) == 1:
        return name
    i = len(parts) - 1
    while i > 1 and parts[i - 1].lower() in _PARTICLES and parts[i - 1][:1].islower():
        i -= 1
    return f"{' '.join(parts[i:])}, {' '.join(parts[:i])}"


def _doc_type(value: Any) -> str | None:
    t = normalize_doc_type(value if isinstance(value, str) else None)
    return _DOC_TYPES.get(t, t) if t else None


def _int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _unique(values: Iterable[Any]) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, str) and v.strip() and v.strip() not in out:
            out.append(v.strip())
    return out


def _get(obj: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(k)
    return obj


def work_to_record(work: Any, record: int) -> Record | Reject:
    """Normalize one OpenAlex work object (API / snapshot JSON).

    Parameters
    ----------
    work : dict
        The parsed work.
    record : int
        1-based record number within its file.

    Returns
    -------
    Record or Reject
        Reject when the work is not an object or has no ``W…`` id.
    """
    if not isinstance(work, Mapping):
        return Reject(record, f"not a JSON object (a {type(work).__name__})")
    wid = short_id(work.get("id"))
    if not wid:
        return Reject(record, "work without id")
    year = _int(work.get("publication_year"))
    source = _get(work, "primary_location", "source", "display_name") or _get(work, "host_venue", "display_name")
    fields = _unique(
        [_get(work, "primary_topic", "field", "display_name")]
        + [_get(t, "field", "display_name") for t in (work.get("topics") or [])]
    )
    if not fields:
        fields = _unique(
            c.get("display_name") for c in (work.get("concepts") or []) if isinstance(c, Mapping) and c.get("level") == 0
        )
    authorships: list[Authorship] = []
    first_author = None
    for i, au in enumerate(work.get("authorships") or []):
        if not isinstance(au, Mapping):
            continue
        pos = i + 1
        name = _get(au, "author", "display_name") or au.get("raw_author_name")
        if i == 0:
            first_author = name
        raws = au.get("raw_affiliation_strings") or ([au["raw_affiliation_string"]] if au.get("raw_affiliation_string") else [])
        address = "; ".join(r for r in raws if isinstance(r, str) and r) or None
        covered: set[str] = set()
        for inst in au.get("institutions") or []:
            if not isinstance(inst, Mapping):
                continue
            cc = inst.get("country_code") or None
            if cc:
                covered.add(cc)
            authorships.append(
                Authorship(
                    pos,
                    name,
                    inst.get("display_name") or None,
                    cc,
                    address,
                    short_id(inst.get("id")) or (inst.get("ror") or None),
                )
            )
        extra = [c for c in _unique(au.get("countries") or []) if c not in covered]
        for c in extra:
            authorships.append(Authorship(pos, name, None, c, address, None))
        if not (au.get("institutions") or extra):
            authorships.append(Authorship(pos, name, None, None, address, None))
    biblio = work.get("biblio") or {}
    refs = [(s, s) for s in (short_id(r) for r in (work.get("referenced_works") or [])) if s]
    return Record(
        record=record,
        work_id=wid,
        year=year,
        doc_type=_doc_type(work.get("type")),
        title=work.get("title") or work.get("display_name") or None,
        source=source or None,
        fields=fields,
        doi=normalize_doi(work.get("doi") if isinstance(work.get("doi"), str) else None),
        cited_by_count=_int(work.get("cited_by_count")),
        ref_key=make_ref_key(surname_first(first_author), year, source, biblio.get("volume"), biblio.get("first_page")),
        authorships=authorships,
        references=refs,
    )


def _split(value: str | None, sep: str = "|") -> list[str]:
    if value is None or value == "":
        return []
    return [v.strip() for v in value.split(sep)]


def _col(row: Mapping[str, str], *names: str) -> str | None:
    for n in names:
        v = row.get(n)
        if v is not None and v.strip() != "":
            return v.strip()
    return None


def csv_row_to_record(row: Mapping[str, str], record: int) -> Record | Reject:
    """Normalize one row of the OpenAlex web CSV export.

    Parameters
    ----------
    row : mapping
        Column name → cell (``csv.DictReader`` row).
    record : int
        1-based record number (data row) within its file.

    Returns
    -------
    Record or Reject
    """
    if None in row:  # more cells than header columns
        return Reject(record, f"row has {len(row) - 1 + len(row[None])} cells, the header has {len(row) - 1}")
    wid = short_id(_col(row, "id", "ids.openalex"))
    if not wid:
        return Reject(record, "work without id")
    year = _int(_col(row, "publication_year"))
    source = _col(row, "primary_location.source.display_name", "host_venue.display_name")
    fields = _unique(
        _split(_col(row, "primary_topic.field.display_name"))
        + _split(_col(row, "topics.field.display_name"))
    )
    if not fields:
        names = _split(_col(row, "concepts.display_name"))
        levels = _split(_col(row, "concepts.level"))
        if len(levels) == len(names):
            fields = _unique(n for n, lv in zip(names, levels, strict=True) if _int(lv) == 0)
    authors = _split(_col(row, "authorships.author.display_name", "authorships.raw_author_name"))
    inst_names = _split(_col(row, "authorships.institutions.display_name"))
    inst_ids = _split(_col(row, "authorships.institutions.id"))
    inst_rors = _split(_col(row, "authorships.institutions.ror"))
    inst_cc = _split(_col(row, "authorships.institutions.country_code"))
    countries = _split(_col(row, "authorships.countries"))
    raw_affs = _split(_col(row, "authorships.raw_affiliation_strings", "authorships.raw_affiliation_string"))
    n_inst = len(inst_names)

    def inst_id(j: int) -> str | None:
        iid = short_id(inst_ids[j]) if j < len(inst_ids) and inst_ids[j] else None
        return iid or (inst_rors[j] if j < len(inst_rors) and inst_rors[j] else None)

    def inst_country(j: int) -> str | None:
        return inst_cc[j] if len(inst_cc) == n_inst and inst_cc[j] else None

    authorships: list[Authorship] = []
    aligned = bool(authors) and n_inst in (0, len(authors)) and len(countries) in (0, len(authors))
    if aligned:
        for i, name in enumerate(authors):
            inst = inst_names[i] if n_inst and inst_names[i] else None
            cc = inst_country(i) if inst else None
            cc = cc or (countries[i] if countries and countries[i] else None)
            address = raw_affs[i] if len(raw_affs) == len(authors) and raw_affs[i] else None
            authorships.append(Authorship(i + 1, name or None, inst, cc, address, inst_id(i) if inst else None))
    else:
        seen: set[tuple[str, str | None]] = set()
        covered: set[str] = set()
        for j, name in enumerate(inst_names):
            if not name:
                continue
            key = (name, inst_id(j))
            if key in seen:
                continue
            seen.add(key)
            cc = inst_country(j)
            if cc:
                covered.add(cc)
            authorships.append(Authorship(None, None, name, cc, None, inst_id(j)))
        for c in _unique(countries):
            if c not in covered:
                authorships.append(Authorship(None, None, None, c, None, None))
        if not authorships:
            authorships = [Authorship(i + 1, n or None, None, None) for i, n in enumerate(authors)]
    refs = [(s, s) for s in (short_id(r) for r in _split(_col(row, "referenced_works"))) if s]
    return Record(
        record=record,
        work_id=wid,
        year=year,
        doc_type=_doc_type(_col(row, "type")),
        title=_col(row, "title", "display_name"),
        source=source,
        fields=fields,
        doi=normalize_doi(_col(row, "doi")),
        cited_by_count=_int(_col(row, "cited_by_count")),
        ref_key=make_ref_key(
            surname_first(authors[0]) if authors else None,
            year,
            source,
            _col(row, "biblio.volume"),
            _col(row, "biblio.first_page"),
        ),
        authorships=authorships,
        references=refs,
    )


def _first_line_json(line: bytes) -> Any:
    try:
        return json.loads(line)
    except ValueError:
        return None


def _read_jsonl(path: str | os.PathLike[str]) -> Iterator[Record | Reject]:
    n = 0
    fh = open_input(path)
    try:
        with fh:
            for raw in fh:
                if not raw.strip():
                    continue
                n += 1
                try:
                    work = json.loads(raw)
                except UnicodeDecodeError as exc:
                    yield Reject(n, f"line is not UTF-8 text ({exc.reason})")
                    continue
                except ValueError as exc:
                    yield Reject(n, f"invalid JSON: {str(exc).splitlines()[0]}")
                    continue
                yield work_to_record(work, n)
    except _GZIP_ERRORS as exc:
        raise gzip_error(path, exc) from None


def _read_json_document(path: str | os.PathLike[str]) -> Iterator[Record | Reject]:
    fh = open_input(path)
    try:
        with fh:
            data = fh.read()
    except _GZIP_ERRORS as exc:
        raise gzip_error(path, exc) from None
    try:
        doc = json.loads(data)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not decodable as UTF-8 JSON ({exc.reason})") from None
    except ValueError:
        # Not one JSON document: JSON Lines whose first line is broken.
        yield from _read_jsonl(path)
        return
    if isinstance(doc, Mapping) and isinstance(doc.get("results"), list) and "id" not in doc:
        doc = doc["results"]
    works = doc if isinstance(doc, list) else [doc]
    for i, work in enumerate(works, start=1):
        yield work_to_record(work, i)


def _read_csv(path: str | os.PathLike[str]) -> Iterator[Record | Reject]:
    fh = open_input(path)
    try:
        with fh, io.TextIOWrapper(fh, encoding="utf-8-sig", newline="") as text:
            reader = csv.DictReader(text)
            if not reader.fieldnames or "id" not in [c.strip() for c in reader.fieldnames]:
                raise InputFileError(f"{path}: CSV without an 'id' column; not an OpenAlex export")
            reader.fieldnames = [c.strip() for c in reader.fieldnames]
            n = 0
            for row in reader:
                if not any(v for k, v in row.items() if k is not None):
                    continue
                n += 1
                yield csv_row_to_record(row, n)
    except _GZIP_ERRORS as exc:
        raise gzip_error(path, exc) from None
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path}: not decodable as UTF-8 ({exc.reason})") from None
    except csv.Error as exc:
        raise InputFileError(f"{path}: malformed CSV ({exc})") from None


def read_openalex(path: str | os.PathLike[str], **opts: Any) -> Iterator[Record | Reject]:
    """Read OpenAlex works from a snapshot part file, a work JSON or a web CSV export.

    Parameters
    ----------
    path : path-like
        ``.jsonl``, ``.jsonl.gz``, ``.gz`` part file, ``.json`` or ``.csv``; the kind
        is decided from the content.
    **opts
        Ignored (accepted so that all readers share one call signature).

    Yields
    ------
    Record or Reject
        One per work (JSON Lines: per non-blank line; CSV: per data row), in file order.
        A line that is not valid JSON, or a work without id, is a Reject.

    Raises
    ------
    InputFileError
        Missing, empty, undecodable or truncated (gzip) file, or content that is
        neither JSON nor an OpenAlex CSV export.
    """
    sample = read_sample(path)
    if not sample.strip():
        raise InputFileError(f"{path}: empty file")
    text = decode_sample(path, sample).lstrip()
    if not text:
        raise InputFileError(f"{path}: empty file")
    if text[0] == "[":
        yield from _read_json_document(path)
    elif text[0] == "{":
        first = text.split("\n", 1)[0]
        # One complete object on the first line → JSON Lines (streamed).
        if isinstance(_first_line_json(first.encode()), Mapping) or "\n" not in text.rstrip():
            yield from _read_jsonl(path)
        else:
            yield from _read_json_document(path)
    else:
        yield from _read_csv(path)
