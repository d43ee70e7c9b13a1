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

_NON_ALNUM = re.compile(r"[^0-9A-Z ]+")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    # NFKD and drop combining marks: "Müller" -> "MULLER".
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
    name = name.strip()
    if not name or name.lower().strip("[]") == "anonymous":
        return ""
    if "," in name:
        surname, _, given = name.partition(",")
    else:
        parts = name.split()
        if len(parts) == 1:
            return _fold(parts[0])
        # "Smith JK" / "Smith J.K." / "van der Berg A": initials are the last token
        surname, given = " ".join(parts[:-1]), parts[-1]
    s = _fold(surname)
    g = _fold(given)
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
    a = author_key(author)
    y = _token(year)
    s = _fold(source) if source else ""
    v = _token(volume)
    p = _token(page)
    if not (a or s) or not (y or v or p):
        return None
    return f"{a}|{y}|{s}|{v}|{p}"
