"""Research-center matching: which authorship addresses belong to a WPI (or user) center.

The centers and their affiliation patterns live in ``config/centers.yaml`` (format and
matching rules documented in that file's header). :class:`CenterMatcher` fills the
``center`` column of the ``authorships`` table:

1. IDs first: an ``institution_id`` that is one of a center's ROR or OpenAlex IDs
   gives that center.
2. Otherwise the center's patterns (one precompiled, case-insensitive regex per
   center) are searched in ``"<address> ; <institution>"``; a string that matches one
   of the center's ``exclude`` regexes is never that center.
3. The first center in file order that matches wins; no match gives null.

:meth:`CenterMatcher.match_frame` does this once per unique ID and once per unique
address text (Arrow dictionary encoding, i.e. a factorize, then a vectorized RE2
pre-filter over the unique strings and the exact Python regexes on the few candidates),
so millions of authorship rows cost only as much as their distinct affiliations.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml

__all__ = [
    "Center",
    "CenterConfigError",
    "CenterMatcher",
    "load_centers",
    "centers_table",
    "normalize_institution_id",
    "re2_prefilter",
]

REGEX_FLAGS = re.IGNORECASE | re.DOTALL
_KNOWN_KEYS = {"id", "name", "host", "country", "start_year", "patterns", "exclude", "ror", "openalex"}
_ROR_RE = re.compile(
    r"^(?:https?://)?(?:www\.)?ror\.org/(0[a-z0-9]{6}[0-9]{2})/?$|^(0[a-z0-9]{6}[0-9]{2})$", re.I
)
_OPENALEX_RE = re.compile(r"^(?:https?://openalex\.org/)?(I\d+)$", re.I)
_ID_SPLIT = re.compile(r"[|;,\s]+")


class CenterConfigError(ValueError):
    """A centers file cannot be used; the message is one line naming the file and the entry."""


@dataclass(frozen=True, slots=True)
class Center:
    """One research center (or any institution a user wants tracked).

    Attributes
    ----------
    id : str
        Short id stored in ``authorships.center``.
    name : str
        Full English name.
    host : str or None
        Host institution.
    country : str or None
        ISO 3166-1 alpha-2 code.
    start_year : int or None
        Year the center started.
    patterns : tuple of str
        Case-insensitive regexes searched in each address / institution string.
    exclude : tuple of str
        Regexes that veto this center.
    ror : tuple of str
        ROR IDs, normalized to ``https://ror.org/0xxxxxxxx``.
    openalex : tuple of str
        OpenAlex institution IDs, normalized to ``I123…``.
    """

    id: str
    name: str
    host: str | None = None
    country: str | None = None
    start_year: int | None = None
    patterns: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ror: tuple[str, ...] = ()
    openalex: tuple[str, ...] = ()


def normalize_institution_id(value: str | None) -> list[str]:
    """Normalize an institution ID field to comparable keys.

    Parameters
    ----------
    value : str or None
        One ID or several separated by ``|``, ``;``, ``,`` or blanks: ROR
        (``https://ror.org/0abcdef12``, ``ror.org/…`` or bare ``0abcdef12``) or
        OpenAlex (``https://openalex.org/I123`` or ``I123``).

    Returns
    -------
    list of str
        Keys ``ror:0abcdef12`` / ``openalex:I123`` (unknown forms are skipped).
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    keys: list[str] = []
    for part in _ID_SPLIT.split(str(value).strip()):
        if not part:
            continue
        m = _ROR_RE.match(part)
        if m:
            keys.append("ror:" + (m.group(1) or m.group(2)).lower())
            continue
        m = _OPENALEX_RE.match(part)
        if m:
            keys.append("openalex:" + m.group(1).upper())
    return keys


def _fail(path: Path, where: str, reason: str) -> CenterConfigError:
    return CenterConfigError(f"{path}: {where}: {reason}")


def _str_list(path: Path, where: str, key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(path, where, f"'{key}' must be a list of non-empty strings")
    return [v.strip() for v in value]


def _compile_checked(path: Path, where: str, key: str, i: int, pattern: str) -> re.Pattern[str]:
    try:
        rx = re.compile(pattern, REGEX_FLAGS)
    except re.error as exc:
        raise _fail(path, where, f"{key}[{i}]: bad regex {pattern!r} ({exc})") from None
    if rx.search("") is not None:
        raise _fail(
            path,
            where,
            f"{key}[{i}]: regex {pattern!r} matches an empty string (it would match every address)",
        )
    return rx


def _parse_center(path: Path, index: int, entry: Any) -> Center:
    where = f"centers[{index}]"
    if not isinstance(entry, dict):
        raise _fail(path, where, "each center must be a mapping with id, name and patterns")
    cid = entry.get("id")
    if cid is not None:
        where = f"center {str(cid)!r}"
    unknown = sorted(set(entry) - _KNOWN_KEYS)
    if unknown:
        raise _fail(
            path,
            where,
            f"unknown key(s) {', '.join(map(repr, unknown))} (known: {', '.join(sorted(_KNOWN_KEYS))})",
        )
    if not isinstance(cid, str) or not cid.strip():
        raise _fail(path, where, "missing or empty 'id'")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, where, "missing or empty 'name'")
    for key in ("host", "country"):
        if entry.get(key) is not None and not isinstance(entry[key], str):
            raise _fail(path, where, f"'{key}' must be a string")
    start_year = entry.get("start_year")
    if start_year is not None and (isinstance(start_year, bool) or not isinstance(start_year, int)):
        raise _fail(path, where, f"'start_year' must be an integer year, got {start_year!r}")
    patterns = _str_list(path, where, "patterns", entry.get("patterns"))
    exclude = _str_list(path, where, "exclude", entry.get("exclude"))
    for key, values in (("patterns", patterns), ("exclude", exclude)):
        for i, p in enumerate(values):
            _compile_checked(path, where, key, i, p)
    ror: list[str] = []
    for i, v in enumerate(_str_list(path, where, "ror", entry.get("ror"))):
        m = _ROR_RE.match(v)
        if not m:
            raise _fail(path, where, f"ror[{i}]: {v!r} is not a ROR ID (https://ror.org/0xxxxxxxx)")
        ror.append("https://ror.org/" + (m.group(1) or m.group(2)).lower())
    openalex: list[str] = []
    for i, v in enumerate(_str_list(path, where, "openalex", entry.get("openalex"))):
        m = _OPENALEX_RE.match(v)
        if not m:
            raise _fail(path, where, f"openalex[{i}]: {v!r} is not an OpenAlex institution ID (I123…)")
        openalex.append(m.group(1).upper())
    if not (patterns or ror or openalex):
        raise _fail(path, where, "needs at least one of 'patterns', 'ror', 'openalex'")
    return Center(
        id=cid.strip(),
        name=name.strip(),
        host=entry.get("host"),
        country=entry.get("country"),
        start_year=start_year,
        patterns=tuple(patterns),
        exclude=tuple(exclude),
        ror=tuple(ror),
        openalex=tuple(openalex),
    )


def load_centers(path: str | os.PathLike[str]) -> list[Center]:
    """Read and validate a centers file (``config/centers.yaml`` format).

    Parameters
    ----------
    path : path-like
        YAML file with a top-level ``centers:`` list.

    Returns
    -------
    list of Center
        In file order (the order decides ties).

    Raises
    ------
    CenterConfigError
        One-line message naming the file and the center / key at fault: unreadable
        file, YAML syntax, missing id or name, unknown key, bad regex, bad ID,
        duplicate id.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CenterConfigError(
            f"{path}: cannot read centers file ({exc.__class__.__name__}: {exc})"
        ) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise CenterConfigError(f"{path}: not valid YAML{at}: {problem}") from None
    if not isinstance(data, dict) or not isinstance(data.get("centers"), list):
        raise CenterConfigError(f"{path}: expected a top-level 'centers:' list")
    centers: list[Center] = []
    seen: set[str] = set()
    for i, entry in enumerate(data["centers"]):
        center = _parse_center(path, i, entry)
        if center.id in seen:
            raise _fail(path, f"center {center.id!r}", "duplicate id")
        seen.add(center.id)
        centers.append(center)
    return centers


def _join_text(address: str | None, institution: str | None) -> str | None:
    parts = [p for p in (address, institution) if isinstance(p, str) and p]
    return " ; ".join(parts) if parts else None


# Python ``\s``, ``\w``, ``\d`` are Unicode-aware; RE2's are ASCII. These expansions make
# the RE2 pre-filter accept at least what Python accepts.
_RE2_CLASS_EXPANSION = {
    "s": r"\s\p{Z}\x{85}\x{0b}\x{1c}-\x{1f}",
    "w": r"\w\p{L}\p{N}\p{M}",
    "d": r"\d\p{Nd}",
}


def _group_end(pattern: str, start: int) -> int | None:
    """Index just after the ``)`` closing the group that opens at ``start``."""
    depth, i, n, in_class = 0, start, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "^":
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                i += 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _drop_lookarounds(pattern: str) -> tuple[str, list[str]] | None:
    """Remove every look-around group; return the rest and the positive look-ahead bodies."""
    out: list[str] = []
    bodies: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            j = i + 1
            if pattern[j : j + 1] == "^":
                j += 1
            if pattern[j : j + 1] == "]":
                j += 1
            out.append(pattern[i:j])
            i = j
            continue
        for opener in ("(?=", "(?!", "(?<=", "(?<!"):
            if pattern.startswith(opener, i):
                end = _group_end(pattern, i)
                if end is None:
                    return None
                if opener == "(?=":
                    bodies.append(pattern[i + len(opener) : end - 1])
                i = end
                break
        else:
            out.append(ch)
            i += 1
    return "".join(out), bodies


def _re2_translate(pattern: str) -> str:
    """Rewrite class escapes for RE2 and drop word-boundary assertions (a superset)."""
    out: list[str] = []
    i, n, in_class = 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nx = pattern[i + 1]
            if nx in "bB" and not in_class:
                i += 2
                continue
            if nx in _RE2_CLASS_EXPANSION:
                exp = _RE2_CLASS_EXPANSION[nx]
                out.append(exp if in_class else f"[{exp}]")
                i += 2
                continue
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            in_class = True
            j = i + 1
            if pattern[j : j + 1] == "^":
                j += 1
            if pattern[j : j + 1] == "]":
                j += 1
            out.append(pattern[i:j])
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def re2_prefilter(pattern: str, _depth: int = 0) -> str | None:
    """An RE2 regex that matches every string the Python regex ``pattern`` matches.

    Look-arounds are removed (``^(?=.*A)(?=.*B)`` becomes ``A``), word boundaries
    dropped and ``\\s``, ``\\w``, ``\\d`` widened to their Unicode meaning, so the result
    is a necessary condition, checked fast and vectorized by pyarrow (RE2) before the
    exact Python regex runs on the few candidates.

    Parameters
    ----------
    pattern : str
        A Python regex (used with ``IGNORECASE | DOTALL``).

    Returns
    -------
    str or None
        The RE2 pattern, or None when none can be derived (then every string is a
        candidate).
    """
    dropped = _drop_lookarounds(pattern)
    if dropped is None or _depth > 3:
        return None
    rest, bodies = dropped
    if rest.strip("^$") == "":
        if not bodies:
            return None
        body = bodies[0]
        body = body[2:] if body.startswith(".*") else body
        return re2_prefilter(body, _depth + 1)
    candidate = "(?s)" + _re2_translate(rest)
    try:
        pc.match_substring_regex(pa.array([""], pa.string()), candidate, ignore_case=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return candidate


def _union(patterns: Iterable[str | None]) -> str | None:
    pats = list(patterns)
    if not pats or any(p is None for p in pats):
        return None
    return "|".join(f"(?:{p})" for p in pats)


def _arrow_strings(frame: pd.DataFrame, name: str) -> pa.Array:
    """Column ``name`` as one Arrow large_string array, empty strings and NaN as null."""
    n = len(frame)
    if name not in frame.columns:
        return pa.nulls(n, pa.large_string())
    arr = pa.array(frame[name], from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_null(arr.type):
        return pa.nulls(n, pa.large_string())
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise TypeError(f"authorships column {name!r} must hold strings, not {arr.type}")
    arr = arr.cast(pa.large_string())
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.large_string()), arr)


class CenterMatcher:
    """Match affiliations to research centers.

    Parameters
    ----------
    centers : sequence of Center
        In priority order (first match wins).

    Notes
    -----
    Each center's patterns are combined into one precompiled Python regex
    ``(?:p1)|(?:p2)|…`` (flags ``IGNORECASE | DOTALL``); its excludes likewise. Before
    the Python regexes run, a pre-filter derived from the patterns by
    :func:`re2_prefilter` (a necessary condition, evaluated by pyarrow's RE2 on the
    whole array of strings at once) keeps only candidate strings, so the slow exact
    check runs on a tiny share of the addresses. :meth:`match` (one string) runs the
    Python regexes directly; both give the same result because the pre-filter is a
    necessary condition (tested on every shipped pattern).
    """

    def __init__(self, centers: Sequence[Center]) -> None:
        self.centers: list[Center] = list(centers)
        ids = [c.id for c in self.centers]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate center ids in {ids}")
        self._include: list[re.Pattern[str] | None] = []
        self._exclude: list[re.Pattern[str] | None] = []
        for c in self.centers:
            self._include.append(
                re.compile("|".join(f"(?:{p})" for p in c.patterns), REGEX_FLAGS) if c.patterns else None
            )
            self._exclude.append(
                re.compile("|".join(f"(?:{p})" for p in c.exclude), REGEX_FLAGS) if c.exclude else None
            )
        self._re2: list[str | None] = [_union(re2_prefilter(p) for p in c.patterns) for c in self.centers]
        with_patterns = [r for c, r in zip(self.centers, self._re2, strict=True) if c.patterns]
        self._re2_any: str | None = _union(with_patterns)
        self._has_patterns = bool(with_patterns)
        self._id_map: dict[str, str] = {}
        for c in self.centers:
            for r in c.ror:
                self._id_map.setdefault("ror:" + r.rsplit("/", 1)[-1].lower(), c.id)
            for o in c.openalex:
                self._id_map.setdefault("openalex:" + o.upper(), c.id)

    @classmethod
    def from_yaml(cls, path: str | os.PathLike[str]) -> CenterMatcher:
        """Build a matcher from a centers file.

        Parameters
        ----------
        path : path-like
            ``config/centers.yaml`` or a file of the same format.

        Returns
        -------
        CenterMatcher
        """
        return cls(load_centers(path))

    @property
    def ids(self) -> list[str]:
        """Center ids in priority order."""
        return [c.id for c in self.centers]

    def match_id(self, institution_id: str | None) -> str | None:
        """Center of an institution ID.

        Parameters
        ----------
        institution_id : str or None
            ROR or OpenAlex ID(s), see :func:`normalize_institution_id`.

        Returns
        -------
        str or None
            The first center listing one of the IDs, else None.
        """
        for key in normalize_institution_id(institution_id):
            hit = self._id_map.get(key)
            if hit is not None:
                return hit
        return None

    def match_text(self, text: str | None) -> str | None:
        """Center whose patterns match ``text`` (and no exclude does), or None.

        Parameters
        ----------
        text : str or None
            ``"<address> ; <institution>"`` or any affiliation string.

        Returns
        -------
        str or None
            The first center in file order that matches. Plain Python regexes, no pre-filter: the reference semantics that
        :meth:`match_frame` reproduces (its RE2 pre-filter only drops strings that
        cannot match).
        """
        if not isinstance(text, str) or not text:
            return None
        for c, inc, exc in zip(self.centers, self._include, self._exclude, strict=True):
            if inc is not None and inc.search(text) and (exc is None or exc.search(text) is None):
                return c.id
        return None

    def _match_texts(self, texts: np.ndarray) -> np.ndarray:
        """Center id (or None) of each string of an object array of non-null strings."""
        out = np.full(len(texts), None, dtype=object)
        if not self._has_patterns or len(texts) == 0:
            return out
        arr = pa.array(texts, type=pa.large_string())

        def re2_hits(idx: np.ndarray, pattern: str) -> np.ndarray:
            mask = pc.match_substring_regex(arr.take(pa.array(idx)), pattern, ignore_case=True)
            return idx[mask.to_numpy(zero_copy_only=False)]

        cand = np.arange(len(texts))
        if self._re2_any is not None:
            cand = re2_hits(cand, self._re2_any)
        for c, inc, exc, re2 in zip(self.centers, self._include, self._exclude, self._re2, strict=True):
            if cand.size == 0:
                break
            if inc is None:
                continue
            sub = cand if re2 is None else re2_hits(cand, re2)
            ok = np.fromiter(
                (
                    inc.search(texts[i]) is not None and (exc is None or exc.search(texts[i]) is None)
                    for i in sub
                ),
                dtype=bool,
                count=len(sub),
            )
            won = sub[ok]
            out[won] = c.id
            cand = np.setdiff1d(cand, won, assume_unique=True)
        return out

    def match(
        self,
        address: str | None,
        institution: str | None = None,
        institution_id: str | None = None,
    ) -> str | None:
        """Center of one authorship.

        Parameters
        ----------
        address : str or None
            Raw affiliation string (WoS C1 address, Scopus affiliation, OpenAlex raw
            affiliation).
        institution : str or None
            Institution name.
        institution_id : str or None
            ROR or OpenAlex institution ID(s).

        Returns
        -------
        str or None
            The center id: by ID first, else by pattern on ``"<address> ; <institution>"``.
        """
        hit = self.match_id(institution_id)
        if hit is not None:
            return hit
        return self.match_text(_join_text(address, institution))

    def match_frame(self, authorships: pd.DataFrame) -> pd.Series:
        """Center of every row of an authorships table.

        Parameters
        ----------
        authorships : pandas.DataFrame
            Any of the columns ``address``, ``institution``, ``institution_id``
            (missing columns count as null).

        Returns
        -------
        pandas.Series
            Center ids (null where none matched), aligned with ``authorships.index``;
            equal to :meth:`match` applied row by row. Each distinct ID and each
            distinct address text is matched once.
        """
        n = len(authorships)
        if n == 0:
            return pd.Series([], index=authorships.index, name="center", dtype=object)
        address, institution, inst_id = (
            _arrow_strings(authorships, c) for c in ("address", "institution", "institution_id")
        )
        null = pa.scalar(None, pa.large_string())

        # 1. IDs: once per distinct institution_id (dictionary encoding = factorize).
        by_id = pa.nulls(n, pa.large_string())
        if self._id_map and inst_id.null_count < n:
            enc = pc.dictionary_encode(inst_id)
            hits = [self.match_id(v) for v in enc.dictionary.to_pylist()]
            by_id = pa.array(hits, pa.large_string()).take(enc.indices)

        # 2. Patterns: once per distinct "<address> ; <institution>" text not matched by ID.
        both = pc.binary_join_element_wise(address, institution, pa.scalar(" ; ", pa.large_string()))
        text = pc.coalesce(both, address, institution)  # as _join_text: "a ; i", "a", "i" or null
        text = pc.if_else(pc.is_valid(by_id), null, text)
        by_text = pa.nulls(n, pa.large_string())
        if text.null_count < n:
            enc = pc.dictionary_encode(text)
            uniques = enc.dictionary.to_numpy(zero_copy_only=False)
            by_text = pa.array(self._match_texts(uniques), pa.large_string()).take(enc.indices)
        result = pc.coalesce(by_id, by_text).to_numpy(zero_copy_only=False)
        return pd.Series(result, index=authorships.index, name="center", dtype=object)

    def fill(self, authorships: pd.DataFrame) -> pd.DataFrame:
        """Fill the ``center`` column.

        Parameters
        ----------
        authorships : pandas.DataFrame
            An authorships table (see :mod:`wpimap.tables`).

        Returns
        -------
        pandas.DataFrame
            A copy with ``center`` set by :meth:`match_frame`.
        """
        out = authorships.copy()
        out["center"] = self.match_frame(authorships)
        return out


def centers_table(centers: Iterable[Center]) -> pd.DataFrame:
    """Centers as a table for reports.

    Parameters
    ----------
    centers : iterable of Center

    Returns
    -------
    pandas.DataFrame
        One row per center: id, name, host, country, start_year.
    """
    rows = [(c.id, c.name, c.host, c.country, c.start_year) for c in centers]
    return pd.DataFrame(rows, columns=["id", "name", "host", "country", "start_year"]).astype(
        {"start_year": "Int64"}
    )
