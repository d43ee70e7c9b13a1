"""The common output of every reader: one :class:`Record` or :class:`Reject` per input record.

Readers (``wpimap.io.openalex``, ``wpimap.io.wos``, ``wpimap.io.scopus``) are generators
``read_xxx(path, **options) -> Iterator[Record | Reject]`` that yield exactly one item per
input record, in file order, with a 1-based ``record`` number. Whole-file problems (not
decodable, empty, truncated, not the format) raise :class:`InputFileError` with a one-line
message naming the file. Ingestion (:mod:`wpimap.ingest`) turns the items into the
normalized tables of :mod:`wpimap.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class InputFileError(Exception):
    """A whole input file cannot be read; the message is one line naming the file."""


@dataclass(slots=True)
class Authorship:
    """One (author, affiliation) pair of a record.

    Attributes
    ----------
    author_position : int or None
        1-based position of the author in the byline; None for an address that no
        named author is attached to (old WoS C1 lines).
    author : str or None
        Author name as printed.
    institution : str or None
        Institution name (WoS: first element of the address; OpenAlex: display name).
    country : str or None
        ISO 3166-1 alpha-2 code.
    address : str or None
        Raw affiliation string.
    institution_id : str or None
        ROR or OpenAlex institution ID when the source has one.
    """

    author_position: int | None
    author: str | None
    institution: str | None
    country: str | None
    address: str | None = None
    institution_id: str | None = None


@dataclass(slots=True)
class Record:
    """A normalized publication record (one row of ``works`` plus its child rows).

    Attributes
    ----------
    record : int
        1-based record number within its file.
    work_id : str
        Source ID: OpenAlex ``W…``, ``WOS:…`` (UT), Scopus EID ``2-s2.0-…``.
    year : int or None
    doc_type : str or None
        Lower case, first type only (``article``, ``review``…).
    title, source : str or None
    fields : list of str
    doi : str or None
        Lower case, without ``https://doi.org/``.
    cited_by_count : int or None
        Citation count carried by the record itself (OpenAlex, WoS TC, Scopus).
    ref_key : str or None
        Non-DOI cited-reference key of this work (see ``wpimap.io.refs``).
    authorships : list of Authorship
    references : list of (cited_key, cited_id)
        cited_id is set when the source gives the cited work's ID (OpenAlex).
    """

    record: int
    work_id: str
    year: int | None = None
    doc_type: str | None = None
    title: str | None = None
    source: str | None = None
    fields: list[str] = field(default_factory=list)
    doi: str | None = None
    cited_by_count: int | None = None
    ref_key: str | None = None
    authorships: list[Authorship] = field(default_factory=list)
    references: list[tuple[str | None, str | None]] = field(default_factory=list)


@dataclass(slots=True)
class Reject:
    """An input record that could not be normalized.

    Attributes
    ----------
    record : int
        1-based record number within its file.
    reason : str
        One line: what is wrong with the record.
    """

    record: int
    reason: str


def normalize_doi(doi: str | None) -> str | None:
    """Return a DOI in lower case without resolver prefix, or None when it is not a DOI.

    Parameters
    ----------
    doi : str or None
        ``10.1000/XYZ``, ``https://doi.org/10.1000/xyz``, ``doi:10.1000/xyz``...

    Returns
    -------
    str or None
    """
    if not doi:
        return None
    d = doi.strip().lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if d.startswith(prefix):
            d = d[len(prefix):].strip()
            break
    d = d.rstrip(".,;")
    return d if d.startswith("10.") and "/" in d else None


def normalize_doc_type(value: str | None) -> str | None:
    """Return the first document type in lower case (``Article; Early Access`` → ``article``).

    Parameters
    ----------
    value : str or None

    Returns
    -------
    str or None
    """
    if not value:
        return None
    first = value.split(";", 1)[0].strip().lower()
    return first or None
