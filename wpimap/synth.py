"""Synthetic bibliometric world with planted truth.

The generator writes OpenAlex snapshot records (JSON Lines, gzip part files) whose
structure is known: research areas made of fronts of highly cited ("core") papers,
countries with their own propensity per area, research centers (``config/centers.yaml``)
as Japanese institutions with high international co-authorship and impact, and a
lifecycle of areas (persist, split, merge, die, emerge). ``truth.parquet`` /
``truth.json`` record the planted structure so that the pipeline's output can be
scored against it.

How the planted fronts become the pipeline's core papers
--------------------------------------------------------
Works of a (publication year, field) cell are counted (articles and reviews only, as the
core selection does) and ``ceil(core_percent/100 * n)`` of them are planted as core
papers, chosen among the cell's front works. Within a year, core papers come first (they
are "published early"), and only core papers receive same-year citations; every other
reference points to an earlier year. Citing papers of a front cite mostly the core
papers of their own front, then of the rest of their area, of the parent areas
(lineage) and, with probability ``mixing``, of any area. So at every period end the
planted core papers are the most cited of their cell, and co-citation among them
follows the planted fronts and areas.

Generation is vectorized (numpy) and streamed: the per-work attributes live in memory
(a few arrays of length ``n_works``), the references and authorships are generated per
part file from a per-part random stream, once to count citations and once to write, so
memory is bounded by the part size.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from wpimap.tables import write_bytes_atomic, write_parquet_atomic

__all__ = [
    "COUNTRIES",
    "FIELDS",
    "SynthParams",
    "SynthSummary",
    "World",
    "generate",
    "load_centers",
    "make_world",
]

SYNTH_VERSION = "1"
WORK_ID_BASE = 2_000_000_000
_TEXT_BATCH = 8192  # works whose JSON text is built at once
AUTHOR_ID_BASE = 5_000_000_000
INSTITUTION_ID_BASE = 100_000_000

# OpenAlex fields (id, display name, similarity group). Groups drive the field
# similarity (same group: similar) and the interdisciplinary flag of areas.
FIELDS: list[tuple[int, str, str]] = [
    (26, "Mathematics", "formal"),
    (17, "Computer Science", "formal"),
    (31, "Physics and Astronomy", "matter"),
    (25, "Materials Science", "matter"),
    (16, "Chemistry", "matter"),
    (15, "Chemical Engineering", "matter"),
    (19, "Earth and Planetary Sciences", "earth"),
    (23, "Environmental Science", "earth"),
    (21, "Energy", "earth"),
    (22, "Engineering", "earth"),
    (13, "Biochemistry, Genetics and Molecular Biology", "bio"),
    (11, "Agricultural and Biological Sciences", "bio"),
    (24, "Immunology and Microbiology", "bio"),
    (28, "Neuroscience", "bio"),
    (30, "Pharmacology, Toxicology and Pharmaceutics", "bio"),
    (27, "Medicine", "health"),
    (29, "Nursing", "health"),
    (36, "Health Professions", "health"),
    (33, "Social Sciences", "social"),
    (32, "Psychology", "social"),
    (20, "Economics, Econometrics and Finance", "social"),
    (14, "Business, Management and Accounting", "social"),
]
# relative output of each field (same order as FIELDS)
_FIELD_WEIGHTS = [3, 7, 7, 5, 6, 2, 3, 4, 2, 8, 9, 4, 3, 3, 2, 15, 1, 1, 4, 2, 2, 1]
_DOMAINS = {
    "formal": ("3", "Physical Sciences"),
    "matter": ("3", "Physical Sciences"),
    "earth": ("3", "Physical Sciences"),
    "bio": ("1", "Life Sciences"),
    "health": ("4", "Health Sciences"),
    "social": ("2", "Social Sciences"),
}

# ISO-2, name, relative output, international co-authorship rate of the papers it leads,
# impact (citation fitness multiplier), breadth (share of areas the country is active in)
COUNTRIES: list[tuple[str, str, float, float, float, float]] = [
    ("US", "United States", 18.0, 0.30, 1.25, 0.97),
    ("CN", "China", 20.0, 0.18, 0.95, 0.85),
    ("GB", "United Kingdom", 5.5, 0.55, 1.30, 0.80),
    ("DE", "Germany", 5.0, 0.45, 1.15, 0.78),
    ("JP", "Japan", 4.0, 0.12, 0.75, 0.45),
    ("FR", "France", 3.5, 0.50, 1.10, 0.60),
    ("IN", "India", 4.0, 0.15, 0.70, 0.45),
    ("IT", "Italy", 3.5, 0.45, 1.00, 0.55),
    ("CA", "Canada", 3.0, 0.45, 1.15, 0.55),
    ("AU", "Australia", 3.0, 0.50, 1.20, 0.55),
    ("ES", "Spain", 2.8, 0.45, 0.95, 0.50),
    ("KR", "South Korea", 2.8, 0.25, 0.85, 0.40),
    ("BR", "Brazil", 2.5, 0.30, 0.70, 0.40),
    ("NL", "Netherlands", 1.8, 0.55, 1.35, 0.50),
    ("RU", "Russia", 2.0, 0.20, 0.55, 0.30),
    ("CH", "Switzerland", 1.5, 0.60, 1.40, 0.45),
    ("SE", "Sweden", 1.3, 0.55, 1.20, 0.40),
    ("PL", "Poland", 1.3, 0.35, 0.70, 0.30),
    ("IR", "Iran", 1.8, 0.20, 0.70, 0.30),
    ("TR", "Turkey", 1.6, 0.20, 0.60, 0.30),
    ("TW", "Taiwan", 1.2, 0.25, 0.80, 0.30),
    ("BE", "Belgium", 1.0, 0.60, 1.20, 0.35),
    ("DK", "Denmark", 0.9, 0.55, 1.35, 0.35),
    ("AT", "Austria", 0.7, 0.60, 1.10, 0.30),
    ("IL", "Israel", 0.6, 0.45, 1.10, 0.30),
    ("NO", "Norway", 0.6, 0.55, 1.10, 0.30),
    ("FI", "Finland", 0.5, 0.50, 1.10, 0.30),
    ("PT", "Portugal", 0.8, 0.50, 0.90, 0.30),
    ("CZ", "Czechia", 0.6, 0.45, 0.80, 0.25),
    ("MX", "Mexico", 0.7, 0.40, 0.65, 0.25),
    ("SG", "Singapore", 0.6, 0.55, 1.40, 0.30),
    ("ZA", "South Africa", 0.5, 0.50, 0.80, 0.25),
    ("EG", "Egypt", 0.6, 0.35, 0.75, 0.20),
    ("SA", "Saudi Arabia", 0.7, 0.60, 1.00, 0.25),
    ("GR", "Greece", 0.5, 0.45, 0.85, 0.25),
    ("IE", "Ireland", 0.4, 0.55, 1.10, 0.25),
    ("NZ", "New Zealand", 0.4, 0.50, 1.00, 0.25),
    ("AR", "Argentina", 0.4, 0.40, 0.70, 0.20),
    ("MY", "Malaysia", 0.6, 0.40, 0.75, 0.20),
    ("TH", "Thailand", 0.4, 0.40, 0.70, 0.20),
]

# How often a country is drawn as a foreign partner, relative to its output (Japan's
# papers are less often international than its output alone would make them).
_PARTNER_FACTOR = {"JP": 0.2, "CN": 0.7, "IN": 0.6, "RU": 0.5, "KR": 0.7, "TR": 0.6, "IR": 0.5, "BR": 0.8}

# Built-in list of the WPI centers, used only when the centers file is absent.
_BUILTIN_CENTERS: list[dict[str, Any]] = [
    {"id": "AIMR", "name": "Advanced Institute for Materials Research", "host": "Tohoku University", "start_year": 2007},
    {"id": "Kavli IPMU", "name": "Kavli Institute for the Physics and Mathematics of the Universe", "host": "The University of Tokyo", "start_year": 2007},
    {"id": "iCeMS", "name": "Institute for Integrated Cell-Material Sciences", "host": "Kyoto University", "start_year": 2007},
    {"id": "IFReC", "name": "Immunology Frontier Research Center", "host": "Osaka University", "start_year": 2007},
    {"id": "MANA", "name": "International Center for Materials Nanoarchitectonics", "host": "National Institute for Materials Science", "start_year": 2007},
    {"id": "I2CNER", "name": "International Institute for Carbon-Neutral Energy Research", "host": "Kyushu University", "start_year": 2010},
    {"id": "IIIS", "name": "International Institute for Integrative Sleep Medicine", "host": "University of Tsukuba", "start_year": 2012},
    {"id": "ELSI", "name": "Earth-Life Science Institute", "host": "Tokyo Institute of Technology", "start_year": 2012},
    {"id": "ITbM", "name": "Institute of Transformative Bio-Molecules", "host": "Nagoya University", "start_year": 2012},
    {"id": "NanoLSI", "name": "Nano Life Science Institute", "host": "Kanazawa University", "start_year": 2017},
    {"id": "IRCN", "name": "International Research Center for Neurointelligence", "host": "The University of Tokyo", "start_year": 2017},
    {"id": "ASHBi", "name": "Institute for the Advanced Study of Human Biology", "host": "Kyoto University", "start_year": 2018},
    {"id": "SKCM2", "name": "International Institute for Sustainability with Knotted Chiral Meta Matter", "host": "Hiroshima University", "start_year": 2022},
]
# research fields of the WPI centers (by id, case-insensitive prefix), for the field affinity
_CENTER_FIELDS = {
    "aimr": ["Materials Science", "Physics and Astronomy", "Mathematics"],
    "kavli": ["Physics and Astronomy", "Mathematics"],
    "ipmu": ["Physics and Astronomy", "Mathematics"],
    "icems": ["Chemistry", "Biochemistry, Genetics and Molecular Biology", "Materials Science"],
    "ifrec": ["Immunology and Microbiology", "Medicine"],
    "mana": ["Materials Science", "Chemistry", "Physics and Astronomy"],
    "i2cner": ["Energy", "Chemical Engineering", "Materials Science"],
    "iiis": ["Neuroscience", "Medicine"],
    "elsi": ["Earth and Planetary Sciences", "Biochemistry, Genetics and Molecular Biology"],
    "itbm": ["Chemistry", "Agricultural and Biological Sciences"],
    "nanolsi": ["Biochemistry, Genetics and Molecular Biology", "Materials Science"],
    "ircn": ["Neuroscience", "Computer Science"],
    "ashbi": ["Biochemistry, Genetics and Molecular Biology", "Medicine"],
    "skcm": ["Physics and Astronomy", "Mathematics", "Materials Science"],
    "prime": ["Medicine", "Computer Science"],
    "icredd": ["Chemistry", "Computer Science", "Chemical Engineering"],
    "qup": ["Physics and Astronomy"],
}

_DOC_TYPES = ["article", "review", "book-chapter", "letter", "editorial"]
_DOC_TYPE_P = [0.86, 0.08, 0.03, 0.02, 0.01]

_SYLLABLES = [
    "ka", "to", "ri", "ne", "mo", "sa", "lu", "vi", "da", "pe", "zo", "ga", "chi", "ren", "tal",
    "mir", "qua", "dor", "fen", "bel", "xan", "tor", "lis", "mar", "kin", "sol", "vex", "ul", "an", "or",
]
_NOUNS = [
    "dynamics", "synthesis", "model", "analysis", "mechanism", "network", "response", "structure",
    "transport", "regulation", "inference", "stability", "design", "imaging", "control", "signaling",
]
_GIVEN = [
    "Anna", "Ben", "Chen", "Daniel", "Elena", "Fatima", "Hiro", "Ines", "Jun", "Karl", "Lena", "Maria",
    "Nikhil", "Olga", "Pedro", "Qing", "Rosa", "Sara", "Takumi", "Uma", "Victor", "Wei", "Yuki", "Zoe",
    "Ahmed", "Bruno", "Clara", "Dmitri", "Emma", "Felix", "Grace", "Hana", "Ivan", "Julia", "Kenji", "Lucas",
]
_SURNAMES = [
    "Smith", "Wang", "Li", "Zhang", "Tanaka", "Suzuki", "Mueller", "Schmidt", "Martin", "Bernard", "Rossi",
    "Garcia", "Kim", "Park", "Singh", "Kumar", "Silva", "Santos", "Ivanov", "Jones", "Brown", "Taylor",
    "Sato", "Watanabe", "Chen", "Liu", "Yamamoto", "Nakamura", "Dubois", "Fischer", "Weber", "Novak",
    "Kowalski", "Jensen", "Hansen", "Nielsen", "Cohen", "Levi", "Yilmaz", "Demir", "Ahmadi", "Hosseini",
    "Nguyen", "Tran", "Lopez", "Gonzalez", "Moreau", "Russo", "Costa", "Ferreira", "Andersson", "Virtanen",
    "Papadopoulos", "Murphy", "Kelly", "Wilson", "Lee", "Chang", "Huang", "Lin", "Ito", "Kobayashi",
]


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class SynthParams:
    """Parameters of the synthetic world (presets: :meth:`preset`).

    Attributes
    ----------
    scale : str
        Name of the preset the parameters came from (recorded in the truth).
    n_works : int
        Number of works over the whole span (all document types).
    year_start, year_end : int
        Publication years (inclusive).
    growth : float
        Annual growth rate of output (works per year grow as ``exp(growth * t)``).
    n_fields : int
        Number of fields used (first ``n_fields`` of :data:`FIELDS`, at most 22).
    n_countries : int
        Number of countries used (the first of :data:`COUNTRIES`, 5 to 40; JP is 5th).
    fields_per_area : int
        Fields per backbone area (backbone areas are built within field groups).
    area_copies : int
        Parallel backbone areas per field chunk (more areas in larger worlds).
    fronts_per_field : int
        Fronts per field of an area.
    n_splits, n_merges, n_deaths, n_emerging : int
        Lifecycle events: areas that split in two, pairs of areas that merge, extra areas
        that die before the end, and emerging areas born late that grow fast.
    emerging_growth : float
        Annual growth rate (log) of emerging areas.
    interdisciplinary_share : float
        Share of the extra (dying / emerging) areas whose fronts come from two or three
        field groups (interdisciplinary areas).
    front_share : float
        Share of works that belong to an area (the rest is background).
    field_purity : float
        Probability that a front work has its front's home field (else another field of
        its area or of the field's group).
    core_percent : float
        Planted core papers per (year, field) cell: ``ceil(core_percent/100 * n)`` of the
        cell's articles and reviews.
    mean_refs : float
        Mean number of references of an article (reviews: three times more).
    core_ref_share : float
        Share of a front work's references that go to core papers.
    background_core_ref_share : float
        Same for background works (they cite core papers of their field).
    front_cohesion : float
        Share of within-area core references that go to the citing work's own front.
    mixing : float
        Share of core references that go to any area (the rest stay in the area).
    lineage : float
        Share of core references of a split/merged area that go to its parent areas.
    recent_share : float
        Probability that a reference is drawn among the last ``recent_years`` only.
    recent_years : int
        Width of that recency window.
    area_ref_share : float
        Share of a front work's non-core references that go to works of its area (the
        rest: its field 70%, anything 30%).
    mean_authors : float
        Mean number of authors per work.
    center_share : float
        Base probability that a Japanese-led work is from a research center (0.1; tiny:
        0.25, so that the test world has enough center papers).
    center_tilt : float
        Multiplier of that probability in interdisciplinary or emerging areas.
    center_intl : float
        International co-authorship rate of center works.
    center_impact : float
        Citation fitness multiplier of center works (and weight when planting core papers).
    center_core_boost : float
        Extra weight of center works when the core papers of a cell are drawn (so that
        centers have Top1% papers and participate in areas).
    intl_impact : float
        Fitness multiplier of internationally co-authored works.
    inactive_propensity : float
        Propensity of a country in an area it is not active in (active: lognormal around 1).
    max_fitness : float
        Cap of the citation fitness of non-core works (``impact * (1 + Pareto(3))``), so
        that no background paper outgrows the planted core papers of its cell.
    core_fitness_tail : float
        Core papers' citation fitness is ``1 + core_fitness_tail * Pareto(3)``: 0 gives
        equally attractive core papers, larger values a heavier tail among them.
    works_per_part : int
        Works per JSON Lines part file (also the chunk of the reference generator).
    keep_refs_links : int
        Worlds with up to this many expected links keep the references in memory between
        the counting pass and the writing pass; larger ones regenerate them per part
        (bounded memory: O(n_works) plus one part).
    gzip_level : int
        Compression level of the part files.
    gzip_backend : {'zlib', 'isal', 'auto'}
        Compressor: the standard library's zlib (default: the same bytes everywhere),
        python-isal (several times faster; its own, equally deterministic, bytes), or
        isal when installed else zlib. The ``large`` preset uses ``auto``.
    """

    scale: str = "small"
    n_works: int = 40_000
    year_start: int = 2005
    year_end: int = 2020
    growth: float = 0.04
    n_fields: int = 22
    n_countries: int = 40
    fields_per_area: int = 2
    area_copies: int = 1
    fronts_per_field: int = 1
    n_splits: int = 2
    n_merges: int = 1
    n_deaths: int = 2
    n_emerging: int = 4
    emerging_growth: float = 0.5
    interdisciplinary_share: float = 0.6
    front_share: float = 0.6
    field_purity: float = 0.85
    core_percent: float = 1.0
    mean_refs: float = 18.0
    core_ref_share: float = 0.6
    background_core_ref_share: float = 0.03
    front_cohesion: float = 0.65
    mixing: float = 0.08
    lineage: float = 0.1
    recent_share: float = 0.5
    recent_years: int = 3
    area_ref_share: float = 0.5
    mean_authors: float = 5.0
    center_share: float = 0.1
    center_tilt: float = 2.5
    center_intl: float = 0.72
    center_impact: float = 2.2
    center_core_boost: float = 3.0
    intl_impact: float = 1.3
    inactive_propensity: float = 0.05
    max_fitness: float = 3.0
    core_fitness_tail: float = 0.3
    works_per_part: int = 50_000
    keep_refs_links: int = 20_000_000
    gzip_level: int = 1
    gzip_backend: str = "zlib"

    @classmethod
    def preset(cls, scale: str = "small", **overrides: Any) -> SynthParams:
        """Return the parameters of a size preset, with explicit overrides.

        Parameters
        ----------
        scale : {'tiny', 'small', 'medium', 'large'}
            tiny: ~6k works (~0.1M links, test suite); small: ~40k works (~0.7M
            links, README default run); medium: ~0.3M works (~6M links); large:
            ~2.7M works (~5e7 links, streamed).
        **overrides
            Any attribute of :class:`SynthParams`.

        Returns
        -------
        SynthParams
        """
        presets: dict[str, dict[str, Any]] = {
            "tiny": dict(n_works=6_000, mean_refs=15.0, n_splits=1, n_merges=1, n_deaths=1, n_emerging=3,
                         center_share=0.25, works_per_part=3_000),
            "small": dict(n_works=40_000, mean_refs=18.0, fronts_per_field=1, area_copies=1,
                          works_per_part=20_000),
            "medium": dict(n_works=300_000, mean_refs=20.0, fields_per_area=1, fronts_per_field=2,
                           area_copies=2, n_splits=6, n_merges=3, n_deaths=6, n_emerging=10,
                           works_per_part=50_000),
            "large": dict(n_works=2_700_000, mean_refs=20.0, fields_per_area=1, fronts_per_field=3,
                          area_copies=6, n_splits=20, n_merges=10, n_deaths=20, n_emerging=30,
                          works_per_part=100_000, gzip_backend="auto"),
        }
        if scale not in presets:
            raise ValueError(f"synth: unknown scale {scale!r} (expected one of {', '.join(presets)})")
        known = {f.name for f in fields(cls)}
        bad = sorted(set(overrides) - known)
        if bad:
            raise ValueError(f"synth: unknown parameter(s) {', '.join(bad)}")
        p = replace(cls(scale=scale), **presets[scale])
        p = replace(p, **overrides)
        p.validate()
        return p

    def validate(self) -> None:
        """Raise ``ValueError`` (one line) when a parameter is out of range."""
        if self.year_end < self.year_start:
            raise ValueError("synth: year_end before year_start")
        if not 1 <= self.n_fields <= len(FIELDS):
            raise ValueError(f"synth: n_fields must be in 1..{len(FIELDS)}")
        if not 5 <= self.n_countries <= len(COUNTRIES):
            raise ValueError(f"synth: n_countries must be in 5..{len(COUNTRIES)}")
        if self.n_works < 100:
            raise ValueError("synth: n_works must be at least 100")
        for name in ("front_share", "field_purity", "core_ref_share", "background_core_ref_share",
                     "front_cohesion", "mixing", "lineage", "recent_share", "area_ref_share",
                     "center_share", "center_intl", "interdisciplinary_share"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"synth: {name} must be in [0, 1], got {v}")
        if self.gzip_backend not in ("zlib", "isal", "auto"):
            raise ValueError(f"synth: gzip_backend must be zlib, isal or auto, got {self.gzip_backend!r}")
        if self.works_per_part < 1:
            raise ValueError("synth: works_per_part must be positive")


@dataclass
class SynthSummary:
    """What :func:`generate` wrote.

    Attributes
    ----------
    out_dir : str
    works, links, parts, core_papers, areas : int
        Counts of works, citing links (references inside the corpus), part files,
        planted core papers and planted areas.
    seconds : float
        Wall time of the generation.
    files : list of str
        Written files, relative to ``out_dir``.
    """

    out_dir: str
    works: int
    links: int
    parts: int
    core_papers: int
    areas: int
    seconds: float
    files: list[str] = field(default_factory=list)


@dataclass
class World:
    """A synthetic world in memory, in the normalized data contract.

    Attributes
    ----------
    works, authorships, references : pandas.DataFrame
        As :mod:`wpimap.tables` (``source_file`` is ``"synthetic"``).
    truth : pandas.DataFrame
        One row per work, the columns of ``truth.parquet``.
    meta : dict
        The content of ``truth.json`` (areas, fronts, countries, centers, parameters).
    params : SynthParams
    """

    works: pd.DataFrame
    authorships: pd.DataFrame
    references: pd.DataFrame
    truth: pd.DataFrame
    meta: dict[str, Any]
    params: SynthParams


# --------------------------------------------------------------------------- centers


def load_centers(path: str | os.PathLike[str] | None) -> tuple[list[dict[str, Any]], str]:
    """Read research centers from a centers YAML file, or the built-in WPI list.

    Parameters
    ----------
    path : path-like or None
        ``config/centers.yaml`` format (``centers: [{id, name, host, country,
        start_year, ...}]``). The built-in list of the 13 WPI centers is used only when
        ``path`` is None or does not exist.

    Returns
    -------
    centers : list of dict
        ``id``, ``name``, ``host``, ``country``, ``start_year``, ``ror``, ``openalex``.
    origin : str
        The file read, or ``"builtin"``.
    """
    if path is None or not Path(path).is_file():
        items, origin = [dict(c) for c in _BUILTIN_CENTERS], "builtin"
    else:
        import yaml

        try:
            doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ValueError(f"{path}: cannot read centers file: {str(exc).splitlines()[0]}") from exc
        if not isinstance(doc, dict) or not isinstance(doc.get("centers"), list):
            raise ValueError(f"{path}: expected a mapping with a 'centers' list")
        items, origin = [], str(path)
        for i, c in enumerate(doc["centers"], 1):
            if not isinstance(c, dict) or not c.get("id") or not c.get("name"):
                raise ValueError(f"{path}: center {i}: needs at least 'id' and 'name'")
            items.append(dict(c))
    out = []
    for c in items:
        if str(c.get("country", "JP")).upper() != "JP":
            continue
        out.append(
            {
                "id": str(c["id"]),
                "name": str(c["name"]),
                "host": str(c.get("host") or ""),
                "country": "JP",
                "start_year": int(c.get("start_year") or 0),
                "ror": list(c.get("ror") or []),
                "openalex": list(c.get("openalex") or []),
            }
        )
    return out, origin


def _center_fields(center_id: str, field_names: list[str]) -> np.ndarray:
    key = center_id.lower().replace(" ", "").replace("-", "")
    for prefix, names in _CENTER_FIELDS.items():
        if key.startswith(prefix) or prefix in key:
            aff = np.array([3.0 if n in names else 0.3 for n in field_names])
            return aff
    return np.ones(len(field_names))


# --------------------------------------------------------------------------- the world


def _pseudo_word(rng: np.random.Generator, n_syl: int) -> str:
    return "".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), n_syl))


class _Pool:
    """Weighted sampling of earlier works within groups (vectorized)."""

    def __init__(self, groups: np.ndarray, members: np.ndarray, weights: np.ndarray, n_total: int):
        key = groups.astype(np.int64) * n_total + members.astype(np.int64)
        order = np.argsort(key, kind="stable")
        self.key = key[order]
        self.members = members[order].astype(np.int64)
        self.cw = np.concatenate([[0.0], np.cumsum(weights[order], dtype=np.float64)])
        self.n_total = n_total

    def sample(self, rng: np.random.Generator, group: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Members of ``group`` with index in ``[lo, hi)``, weighted; -1 when none."""
        if len(group) == 0:
            return np.empty(0, np.int64)
        base = group.astype(np.int64) * self.n_total
        a = np.searchsorted(self.key, base + lo, side="left")
        b = np.searchsorted(self.key, base + hi, side="left")
        ok = b > a
        wa, wb = self.cw[a], self.cw[b]
        u = wa + rng.random(len(group)) * (wb - wa)
        pos = np.searchsorted(self.cw, u, side="right") - 1
        pos = np.clip(pos, a, np.maximum(b - 1, a))
        pos = np.minimum(pos, len(self.members) - 1)
        out = self.members[pos]
        out[~ok] = -1
        return out


@dataclass
class _Plan:
    """Everything of the world that is held in memory (per-work arrays and entities)."""

    p: SynthParams
    seed: int
    years: np.ndarray
    year_start_idx: np.ndarray  # first work index of each year (len n_years + 1)
    field_names: list[str]
    field_ids: list[int]
    field_group: np.ndarray
    countries: list[tuple[str, str, float, float, float, float]]
    areas: list[dict[str, Any]]
    fronts: list[dict[str, Any]]
    # per work (index order)
    year: np.ndarray
    area: np.ndarray  # -1 background
    front: np.ndarray  # -1 background
    fld: np.ndarray
    doc: np.ndarray
    core: np.ndarray
    lead: np.ndarray
    partners: np.ndarray  # (n, 3), -1 padded
    center: np.ndarray  # -1 none
    fitness: np.ndarray
    journal: np.ndarray
    volume: np.ndarray
    page: np.ndarray
    has_doi: np.ndarray
    title_words: np.ndarray  # (n, 2) noun indices
    # entities
    inst_country: np.ndarray
    inst_name: list[str]
    inst_city: list[str]
    inst_center: np.ndarray  # -1 or center index
    inst_weight: np.ndarray
    inst_author_offset: np.ndarray
    inst_author_n: np.ndarray
    country_home_inst: list[np.ndarray]
    centers: list[dict[str, Any]]
    centers_origin: str
    center_inst: np.ndarray
    center_fields: np.ndarray
    propensity: np.ndarray  # (n_countries, n_areas)
    journals: list[tuple[str, int]]  # (name, field)
    area_parent: np.ndarray  # (n_areas, 2) -1 padded
    n_fallback_cells: int = 0
    pools: dict[str, _Pool] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.year)


def _build_areas(p: SynthParams, rng: np.random.Generator, field_group: np.ndarray) -> list[dict[str, Any]]:
    """Areas with fields and lifecycle (birth/death years inclusive, parents)."""
    y0, y1 = p.year_start, p.year_end
    span = y1 - y0 + 1
    groups = sorted(set(field_group.tolist()), key=lambda g: int(np.flatnonzero(field_group == g)[0]))
    areas: list[dict[str, Any]] = []

    def add(fields_: list[int], birth: int, death: int, kind: str, parents: list[int], emerging: bool) -> int:
        gs = {int(field_group[f]) for f in fields_}
        areas.append(
            {
                "area": len(areas),
                "fields": [int(f) for f in fields_],
                "birth": int(birth),
                "death": int(death),
                "kind": kind,
                "parents": parents,
                "children": [],
                "emerging": bool(emerging),
                "interdisciplinary": len(gs) >= 2,
                "size": float(rng.lognormal(0.0, 0.35)),
                "growth": float(p.emerging_growth if emerging else rng.normal(0.02, 0.03)),
            }
        )
        return len(areas) - 1

    backbone: list[int] = []
    for _copy in range(p.area_copies):
        for g in groups:
            fs = np.flatnonzero(field_group == g).tolist()
            for k in range(0, len(fs), p.fields_per_area):
                backbone.append(add(fs[k:k + p.fields_per_area], y0, y1, "persistent", [], False))
    # splits: a backbone area with >= 1 field ends; two children share its fields
    cand = [a for a in backbone]
    order = rng.permutation(len(cand))
    used: set[int] = set()
    mid_lo, mid_hi = y0 + max(2, span // 4), y0 + max(3, (3 * span) // 4)
    n_split = 0
    for i in order:
        if n_split >= p.n_splits:
            break
        a = cand[i]
        if a in used:
            continue
        used.add(a)
        year = int(rng.integers(mid_lo, mid_hi + 1))
        areas[a]["death"] = year - 1
        areas[a]["kind"] = "split"
        fs = areas[a]["fields"]
        halves = [fs[: max(1, len(fs) // 2)], fs[max(1, len(fs) // 2):] or fs]
        for h in halves:
            c = add(h, year, y1, "split-child", [a], False)
            areas[a]["children"].append(c)
        n_split += 1
    # merges: two backbone areas of the same group end; one child takes both fields
    n_merge = 0
    for g in groups:
        if n_merge >= p.n_merges:
            break
        same = [a for a in backbone if a not in used and field_group[areas[a]["fields"][0]] == g]
        if len(same) < 2:
            continue
        a, b = same[0], same[1]
        used.update((a, b))
        year = int(rng.integers(mid_lo, mid_hi + 1))
        for x in (a, b):
            areas[x]["death"] = year - 1
            areas[x]["kind"] = "merged"
        c = add(areas[a]["fields"] + areas[b]["fields"], year, y1, "merge-child", [a, b], False)
        areas[a]["children"].append(c)
        areas[b]["children"].append(c)
        n_merge += 1
    n_fields = len(field_group)

    n_extra = p.n_deaths + p.n_emerging
    n_inter = math.ceil(p.interdisciplinary_share * n_extra) if len(groups) >= 2 else 0
    # interdisciplinary extras alternate between emerging and dying areas (emerging first)
    kinds = ["emerging"] * p.n_emerging + ["dying"] * p.n_deaths
    em = [k for k in range(n_extra) if kinds[k] == "emerging"]
    dy = [k for k in range(n_extra) if kinds[k] == "dying"]
    alternating = [x for pair in zip(em, dy, strict=False) for x in pair]
    alternating += em[len(dy):] + dy[len(em):]
    inter_set = set(alternating[:n_inter])

    def extra_fields(inter: bool) -> list[int]:
        if inter:
            gs = rng.choice(len(groups), size=min(len(groups), int(rng.integers(2, 4))), replace=False)
            return [int(rng.choice(np.flatnonzero(field_group == groups[g]))) for g in gs]
        return [int(rng.integers(0, n_fields))]

    for k in range(n_extra):
        if kinds[k] == "dying":
            death = int(rng.integers(y0 + max(2, span // 3), y1 - 1))
            add(extra_fields(k in inter_set), y0, death, "dying", [], False)
        else:
            birth = int(rng.integers(max(y0 + 1, y1 - 6), max(y0 + 2, y1 - 2)))
            add(extra_fields(k in inter_set), birth, y1, "emerging", [], True)
    return areas


def _plan(p: SynthParams, seed: int, centers_path: str | os.PathLike[str] | None) -> _Plan:
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0])))
    years = np.arange(p.year_start, p.year_end + 1)
    n_years = len(years)
    fl = FIELDS[: p.n_fields]
    field_names = [f[1] for f in fl]
    field_ids = [f[0] for f in fl]
    group_names = sorted({f[2] for f in fl}, key=[f[2] for f in fl].index)
    field_group = np.array([group_names.index(f[2]) for f in fl])
    field_w = np.array(_FIELD_WEIGHTS[: p.n_fields], float)
    field_w /= field_w.sum()

    countries = COUNTRIES[: p.n_countries]  # JP is the 5th: always kept (n_countries >= 5)
    n_c = len(countries)
    c_weight = np.array([c[2] for c in countries])
    c_weight = c_weight / c_weight.sum()
    c_intl = np.array([c[3] for c in countries])
    c_impact = np.array([c[4] for c in countries])
    c_breadth = np.array([c[5] for c in countries])
    jp = [c[0] for c in countries].index("JP")

    areas = _build_areas(p, rng, field_group)
    n_a = len(areas)
    # fronts: fronts_per_field per field of each area
    fronts: list[dict[str, Any]] = []
    for a in areas:
        for f in a["fields"]:
            for _ in range(p.fronts_per_field):
                a.setdefault("fronts", []).append(len(fronts))
                fronts.append({"front": len(fronts), "area": a["area"], "field": int(f),
                               "weight": float(rng.lognormal(0.0, 0.3))})
    front_area = np.array([f["area"] for f in fronts])
    front_field = np.array([f["field"] for f in fronts])
    area_parent = np.full((n_a, 2), -1, np.int64)
    for a in areas:
        for k, par in enumerate(a["parents"][:2]):
            area_parent[a["area"], k] = par

    # --- works per year, background / front, field, doc type
    yw = np.exp(p.growth * (years - years[0]))
    n_per_year = rng.multinomial(p.n_works, yw / yw.sum())
    year = np.repeat(years, n_per_year)
    n = len(year)
    is_front = rng.random(n) < p.front_share
    front = np.full(n, -1, np.int64)
    for y in years:
        sel = np.flatnonzero((year == y) & is_front)
        act = [f["front"] for f in fronts if areas[f["area"]]["birth"] <= y <= areas[f["area"]]["death"]]
        if not act or len(sel) == 0:
            continue
        act = np.array(act)
        w = np.array([
            fronts[f]["weight"] * areas[front_area[f]]["size"]
            * math.exp(areas[front_area[f]]["growth"] * (y - areas[front_area[f]]["birth"]))
            * (0.5 if areas[front_area[f]]["emerging"] else 1.0)
            for f in act
        ])
        front[sel] = act[rng.choice(len(act), size=len(sel), p=w / w.sum())]
    is_front = front >= 0
    area = np.where(is_front, front_area[np.maximum(front, 0)], -1)
    fld = rng.choice(p.n_fields, size=n, p=field_w)
    # front works: home field, else another field of the area or of the field's group
    alt = []
    for f in fronts:
        cands = [x for x in areas[f["area"]]["fields"] if x != f["field"]]
        cands += [x for x in np.flatnonzero(field_group == field_group[f["field"]]).tolist() if x != f["field"]]
        alt.append(cands or [f["field"]])
    max_alt = max(len(c) for c in alt)
    alt_arr = np.array([c + [c[-1]] * (max_alt - len(c)) for c in alt])
    alt_n = np.array([len(c) for c in alt])
    fi = np.flatnonzero(is_front)
    pure = rng.random(len(fi)) < p.field_purity
    frs = front[fi]
    pick = (rng.random(len(fi)) * alt_n[frs]).astype(np.int64)
    fld[fi] = np.where(pure, front_field[frs], alt_arr[frs, pick])
    doc = rng.choice(len(_DOC_TYPES), size=n, p=_DOC_TYPE_P)

    # --- countries: lead by area propensity, partners for international works
    active = rng.random((n_c, n_a)) < c_breadth[:, None]
    propensity = np.where(active, rng.lognormal(0.0, 0.5, (n_c, n_a)), p.inactive_propensity)
    # background works: propensity per field (mild)
    fprop = rng.lognormal(0.0, 0.3, (n_c, p.n_fields))
    lead = np.empty(n, np.int64)
    for a in range(n_a):
        sel = np.flatnonzero(area == a)
        if len(sel):
            w = c_weight * propensity[:, a]
            lead[sel] = rng.choice(n_c, size=len(sel), p=w / w.sum())
    for f in range(p.n_fields):
        sel = np.flatnonzero((area < 0) & (fld == f))
        if len(sel):
            w = c_weight * fprop[:, f]
            lead[sel] = rng.choice(n_c, size=len(sel), p=w / w.sum())

    # --- centers
    centers, centers_origin = load_centers(centers_path)
    n_ce = len(centers)
    center = np.full(n, -1, np.int64)
    center_fields = np.array([_center_fields(c["id"], field_names) for c in centers]).reshape(n_ce, p.n_fields)
    if n_ce:
        tilt = np.array([p.center_tilt if (a["interdisciplinary"] or a["emerging"]) else 1.0 for a in areas])
        pc = np.where(area >= 0, p.center_share * tilt[np.maximum(area, 0)], p.center_share * 0.5)
        cand = np.flatnonzero((lead == jp) & (rng.random(n) < pc))
        start = np.array([c["start_year"] for c in centers])
        for i in cand:  # few works (a share of JP-led works); choice needs per-work eligibility
            ok = start <= year[i]
            if not ok.any():
                continue
            w = center_fields[:, fld[i]] * ok
            center[i] = int(rng.choice(n_ce, p=w / w.sum()))
    intl_rate = c_intl[lead]
    intl_rate = np.where(center >= 0, p.center_intl, intl_rate)
    intl = rng.random(n) < intl_rate
    n_part = np.where(intl, 1 + np.minimum(rng.poisson(0.6, n), 2), 0)
    partners = np.full((n, 3), -1, np.int64)
    # partners drawn by output weight times area propensity (background: field propensity)
    for k in range(3):
        need = np.flatnonzero(n_part > k)
        if len(need) == 0:
            continue
        pw = c_weight * np.array([_PARTNER_FACTOR.get(c[0], 1.0) for c in countries])
        cum = np.cumsum(pw)
        draw = np.searchsorted(cum, rng.random(len(need)) * cum[-1], side="right")
        draw = np.minimum(draw, n_c - 1)
        # a second draw weighted by area propensity for front works (accept-reject once)
        a_need = area[need]
        prop = np.where(a_need >= 0, propensity[draw, np.maximum(a_need, 0)], 1.0)
        redraw = rng.random(len(need)) > prop / (prop + 0.5)
        draw2 = np.minimum(np.searchsorted(cum, rng.random(len(need)) * cum[-1], side="right"), n_c - 1)
        draw = np.where(redraw, draw2, draw)
        dup = (draw == lead[need]) | (partners[need, :k] == draw[:, None]).any(axis=1)
        for _retry in range(4 if k == 0 else 0):  # the first partner must be foreign
            d2 = np.minimum(np.searchsorted(cum, rng.random(len(need)) * cum[-1], side="right"), n_c - 1)
            draw = np.where(dup, d2, draw)
            dup = draw == lead[need]
        draw = np.where(dup, -1, draw)
        partners[need, k] = draw
    # make partners dense: -1 at the end
    partners = -np.sort(-partners, axis=1)
    has_intl = partners[:, 0] >= 0

    impact = c_impact[lead] * np.where(has_intl, p.intl_impact, 1.0) * np.where(center >= 0, p.center_impact, 1.0)

    # --- plant core papers: ceil(core_percent% of articles+reviews) per (year, field) cell
    ar = doc <= 1
    cell = (year - years[0]) * p.n_fields + fld
    n_cells = n_years * p.n_fields
    cell_n = np.bincount(cell[ar], minlength=n_cells)
    quota = np.ceil(cell_n * p.core_percent / 100.0 - 1e-9).astype(np.int64)
    elig = ar & is_front
    key = np.log(impact * np.where(center >= 0, p.center_core_boost, 1.0)) + rng.gumbel(size=n)
    core = np.zeros(n, bool)
    n_fallback = 0
    elig_cells = np.bincount(cell[elig], minlength=n_cells)
    # fallback: a cell without front works takes its core from background works
    fb_cells = (quota > 0) & (elig_cells == 0)
    n_fallback = int(fb_cells.sum())
    cand_mask = elig | (ar & fb_cells[cell])
    cidx = np.flatnonzero(cand_mask)
    order = np.lexsort((-key[cidx], cell[cidx]))
    cs = cidx[order]
    ccell = cell[cs]
    first = np.searchsorted(ccell, ccell, side="left")
    rank = np.arange(len(cs)) - first
    core[cs[rank < quota[ccell]]] = True

    # --- order works: year, core first, then random
    perm = np.lexsort((rng.random(n), ~core, year))
    year, area, front, fld, doc, core, lead, partners, center, impact = (
        x[perm] for x in (year, area, front, fld, doc, core, lead, partners, center, impact)
    )
    year_start_idx = np.searchsorted(year, np.append(years, years[-1] + 1))

    # --- fitness: core heavy-tailed and large; others heavy-tailed, capped
    fitness = np.minimum(impact * (1.0 + rng.pareto(3.0, n)), p.max_fitness)
    fitness = np.where(core, 1.0 + p.core_fitness_tail * rng.pareto(3.0, n), fitness)

    # --- institutions
    inst_country: list[int] = []
    inst_name: list[str] = []
    inst_city: list[str] = []
    inst_center: list[int] = []
    inst_weight: list[float] = []
    home_inst: list[list[int]] = [[] for _ in range(n_c)]
    n_inst_scale = max(1.0, (p.n_works / 40_000) ** 0.5)
    kinds = ["University of {}", "{} University", "{} Institute of Technology", "{} Medical University",
             "National Laboratory of {}", "{} Research Institute"]
    for ci, c in enumerate(countries):
        k = max(3, int(round(c[2] * 2.5 * n_inst_scale)))
        names: list[str] = []
        if c[0] == "JP":
            names = sorted({ce["host"] for ce in centers if ce["host"]})
        while len(names) < k:
            city = _pseudo_word(rng, 2).capitalize() + _pseudo_word(rng, 1)
            nm = kinds[len(names) % len(kinds)].format(city)
            if nm not in names:
                names.append(nm)
        for j, nm in enumerate(names):
            home_inst[ci].append(len(inst_name))
            inst_country.append(ci)
            inst_name.append(nm)
            inst_city.append(_pseudo_word(rng, 2).capitalize())
            inst_center.append(-1)
            inst_weight.append(1.0 / (j + 1.0) ** 0.8)
    center_inst = np.empty(n_ce, np.int64)
    for k, ce in enumerate(centers):
        center_inst[k] = len(inst_name)
        inst_country.append(jp)
        inst_name.append(f"{ce['name']}, {ce['host']}" if ce["host"] else ce["name"])
        inst_city.append(_pseudo_word(rng, 2).capitalize())
        inst_center.append(k)
        inst_weight.append(0.0)  # only chosen for center works
    inst_weight_a = np.array(inst_weight)
    n_auth_inst = np.maximum(20, (inst_weight_a * 200 * n_inst_scale).astype(np.int64) + 20)
    inst_author_offset = np.concatenate([[0], np.cumsum(n_auth_inst)[:-1]])

    journals: list[tuple[str, int]] = []
    suffix = ["Letters", "Reviews", "Research", "Reports", "Advances", "Communications"]
    for f, nm in enumerate(field_names):
        for s in suffix[:4]:
            journals.append((f"Journal of {nm} {s}", f))
    jn_per_field = 4
    journal = fld * jn_per_field + rng.integers(0, jn_per_field, n)
    volume = (year - 1990).astype(np.int64) + journal % 7
    page = rng.integers(1, 3000, n)
    has_doi = rng.random(n) < 0.95
    title_words = rng.integers(0, len(_NOUNS), (n, 2))
    for a in areas:
        a["term"] = _pseudo_word(rng, 3)
    for f in fronts:
        f["term"] = _pseudo_word(rng, 2)

    plan = _Plan(
        p=p, seed=seed, years=years, year_start_idx=year_start_idx, field_names=field_names, field_ids=field_ids,
        field_group=field_group, countries=countries, areas=areas, fronts=fronts, year=year, area=area,
        front=front, fld=fld, doc=doc, core=core, lead=lead, partners=partners, center=center,
        fitness=fitness, journal=journal, volume=volume, page=page, has_doi=has_doi, title_words=title_words,
        inst_country=np.array(inst_country), inst_name=inst_name, inst_city=inst_city,
        inst_center=np.array(inst_center), inst_weight=inst_weight_a, inst_author_offset=inst_author_offset,
        inst_author_n=n_auth_inst, country_home_inst=[np.array(h) for h in home_inst], centers=centers,
        centers_origin=centers_origin, center_inst=center_inst, center_fields=center_fields,
        propensity=propensity, journals=journals, area_parent=area_parent, n_fallback_cells=n_fallback,
    )
    _build_pools(plan)
    return plan


def _build_pools(pl: _Plan) -> None:
    n = pl.n
    idx = np.arange(n, dtype=np.int64)
    c = pl.core
    nc = ~c
    fr = pl.front >= 0
    pl.pools = {
        "core_front": _Pool(pl.front[c], idx[c], pl.fitness[c], n),
        "core_area": _Pool(pl.area[c & fr], idx[c & fr], pl.fitness[c & fr], n),
        "core_field": _Pool(pl.fld[c], idx[c], pl.fitness[c], n),
        "core_all": _Pool(np.zeros(int(c.sum()), np.int64), idx[c], pl.fitness[c], n),
        "nc_area": _Pool(pl.area[nc & fr], idx[nc & fr], pl.fitness[nc & fr], n),
        "nc_field": _Pool(pl.fld[nc], idx[nc], pl.fitness[nc], n),
        "nc_all": _Pool(np.zeros(int(nc.sum()), np.int64), idx[nc], pl.fitness[nc], n),
    }


def _chunk_rng(seed: int, stream: int, chunk: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream, chunk])))


def _chunk_refs(pl: _Plan, chunk: int, lo_i: int, hi_i: int) -> tuple[np.ndarray, np.ndarray]:
    """References of works ``lo_i..hi_i-1``: (citing, cited) sorted, unique, in-corpus."""
    p = pl.p
    rng = _chunk_rng(pl.seed, 1, chunk)
    i = np.arange(lo_i, hi_i, dtype=np.int64)
    m = len(i)
    mean = np.where(pl.doc[i] == 1, 3.0 * p.mean_refs, p.mean_refs)
    mean = np.where(pl.doc[i] >= 2, 0.5 * p.mean_refs, mean)
    r = 3.0
    nref = rng.negative_binomial(r, r / (r + mean))
    is_fr = pl.front[i] >= 0
    pcore = np.where(is_fr, p.core_ref_share, p.background_core_ref_share)
    ncore = rng.binomial(nref, pcore)
    nnon = nref - ncore
    y = pl.year[i]
    yoff = y - pl.years[0]
    ysi = pl.year_start_idx

    def window_lo(cit: np.ndarray, years_back: int) -> np.ndarray:
        yy = np.maximum(yoff[cit] - years_back, 0)
        recent = rng.random(len(cit)) < p.recent_share
        return np.where(recent, ysi[yy], 0)

    # core references
    cit = np.repeat(np.arange(m), ncore)
    u = rng.random(len(cit))
    fr_c = is_fr[cit]
    has_par = np.zeros(len(cit), bool)
    par = np.full(len(cit), -1, np.int64)
    if fr_c.any():
        ar = pl.area[i[cit]]
        pp = pl.area_parent[np.maximum(ar, 0)]
        pick = (rng.random(len(cit)) < 0.5) & (pp[:, 1] >= 0)
        par = np.where(pick, pp[:, 1], pp[:, 0])
        has_par = fr_c & (par >= 0)
    t_mix = p.mixing
    t_lin = t_mix + np.where(has_par, p.lineage, 0.0)
    t_front = t_lin + (1.0 - t_lin) * p.front_cohesion
    cat = np.where(~fr_c, 4, np.where(u < t_mix, 3, np.where(u < t_lin, 2, np.where(u < t_front, 0, 1))))
    lo = window_lo(cit, p.recent_years - 1)
    hi = i[cit]  # earlier works only (core papers come first within a year)
    tgt = np.full(len(cit), -1, np.int64)
    pools = pl.pools
    for k, (pool, grp) in enumerate(
        [
            ("core_front", pl.front[i[cit]]),
            ("core_area", pl.area[i[cit]]),
            ("core_area", par),
            ("core_all", np.zeros(len(cit), np.int64)),
            ("core_field", pl.fld[i[cit]]),
        ]
    ):
        s = cat == k
        if s.any():
            tgt[s] = pools[pool].sample(rng, grp[s], lo[s], hi[s])
    citing = [i[cit]]
    cited = [tgt]
    # non-core references: strictly earlier years
    cit = np.repeat(np.arange(m), nnon)
    u = rng.random(len(cit))
    fr_c = is_fr[cit]
    p_area = np.where(fr_c, p.area_ref_share, 0.0)
    cat = np.where(u < p_area, 0, np.where(u < p_area + (1 - p_area) * 0.7, 1, 2))
    lo = window_lo(cit, p.recent_years)
    hi = ysi[yoff[cit]]
    tgt = np.full(len(cit), -1, np.int64)
    for k, (pool, grp) in enumerate(
        [("nc_area", pl.area[i[cit]]), ("nc_field", pl.fld[i[cit]]), ("nc_all", np.zeros(len(cit), np.int64))]
    ):
        s = cat == k
        if s.any():
            tgt[s] = pools[pool].sample(rng, grp[s], lo[s], hi[s])
    citing.append(i[cit])
    cited.append(tgt)
    a = np.concatenate(citing)
    b = np.concatenate(cited)
    ok = (b >= 0) & (b != a)
    key = np.sort(a[ok] * pl.n + b[ok])
    key = key[np.concatenate([[True], key[1:] != key[:-1]])] if len(key) else key
    return key // pl.n, key % pl.n


def _chunks(pl: _Plan) -> list[tuple[int, int]]:
    w = pl.p.works_per_part
    return [(s, min(s + w, pl.n)) for s in range(0, pl.n, w)]


def _count_citations(pl: _Plan, keep: bool) -> tuple[np.ndarray, int, list[tuple[np.ndarray, np.ndarray]]]:
    """Citation counts of every work (pass 1); the references are kept when ``keep``."""
    counts = np.zeros(pl.n, np.int64)
    links = 0
    kept = []
    for k, (a, b) in enumerate(_chunks(pl)):
        citing, cited = _chunk_refs(pl, k, a, b)
        counts += np.bincount(cited, minlength=pl.n)
        links += len(cited)
        if keep:
            kept.append((citing, cited))
    return counts, links, kept


def _chunk_authors(pl: _Plan, chunk: int, lo_i: int, hi_i: int) -> dict[str, np.ndarray]:
    """Authorship rows of works ``lo_i..hi_i-1`` (one institution per author)."""
    p = pl.p
    rng = _chunk_rng(pl.seed, 2, chunk)
    i = np.arange(lo_i, hi_i, dtype=np.int64)
    m = len(i)
    npart = (pl.partners[i] >= 0).sum(axis=1)
    na = 1 + rng.poisson(max(p.mean_authors - 1.0, 0.0), m)
    na = np.minimum(np.maximum(na, 1 + npart), 40)
    w = np.repeat(np.arange(m), na)
    starts = np.concatenate([[0], np.cumsum(na)[:-1]])
    pos = np.arange(len(w)) - starts[w]
    # country slot of each author: 0 = lead, 1..npart = partners (each gets one author first)
    slot = np.where(pos == 0, 0, np.where(pos <= npart[w], pos, 0))
    rest = (pos > npart[w]) & (npart[w] > 0)
    rs = rng.random(len(w))
    rnd_slot = 1 + (rng.random(len(w)) * np.maximum(npart[w], 1)).astype(np.int64)
    slot = np.where(rest & (rs > 0.6), rnd_slot, slot)
    lead = pl.lead[i[w]]
    part = pl.partners[i[w], np.maximum(slot - 1, 0)]
    country = np.where(slot == 0, lead, part)
    # institution: the work's home institution of that country (70%) or another one
    n_c = len(pl.countries)
    home_pick = np.empty(len(w), np.int64)
    other_pick = np.empty(len(w), np.int64)
    wkey = rng.random((m, 4))  # per work and slot: the home institution draw
    hk = wkey[w, np.minimum(slot, 3)]
    ok_ = rng.random(len(w))
    for c in range(n_c):
        s = np.flatnonzero(country == c)
        if len(s) == 0:
            continue
        hi_ = pl.country_home_inst[c]
        cw = np.cumsum(pl.inst_weight[hi_])
        home_pick[s] = hi_[np.minimum(np.searchsorted(cw, hk[s] * cw[-1], side="right"), len(hi_) - 1)]
        other_pick[s] = hi_[np.minimum(np.searchsorted(cw, ok_[s] * cw[-1], side="right"), len(hi_) - 1)]
    inst = np.where(rng.random(len(w)) < 0.7, home_pick, other_pick)
    ce = pl.center[i[w]]
    is_ce = (ce >= 0) & (slot == 0)
    # center works: the lead-country (JP) authors are at the center, the first one surely
    is_ce &= (pos == 0) | (rng.random(len(w)) < 0.8)
    inst = np.where(is_ce, pl.center_inst[np.maximum(ce, 0)], inst)
    aid = pl.inst_author_offset[inst] + (rng.random(len(w)) ** 2 * pl.inst_author_n[inst]).astype(np.int64)
    return {"w": i[w], "pos": pos, "na": na[w], "inst": inst, "country": country, "author": aid}


def _author_names(aid: np.ndarray) -> pa.Array:
    g = pa.array(_GIVEN).take(pa.array(aid % len(_GIVEN)))
    s = pa.array(_SURNAMES).take(pa.array((aid // len(_GIVEN)) % len(_SURNAMES)))
    return pc.binary_join_element_wise(g, s, " ")


def _titles(pl: _Plan, lo_i: int, hi_i: int) -> pa.Array:
    """Titles of works ``lo_i..hi_i-1``: area and front terms for front works (labels)."""
    sl = slice(lo_i, hi_i)
    nouns = pa.array(_NOUNS)
    n1 = nouns.take(pa.array(pl.title_words[sl, 0]))
    n2 = nouns.take(pa.array(pl.title_words[sl, 1]))
    fname = pa.array([nm.split(",")[0].lower() for nm in pl.field_names]).take(pa.array(pl.fld[sl]))
    ar = pl.area[sl]
    fr = pl.front[sl]
    aterm = pa.array([a["term"].capitalize() for a in pl.areas] + [""]).take(
        pa.array(np.where(ar >= 0, ar, len(pl.areas))))
    fterm = pa.array([f["term"] for f in pl.fronts] + [""]).take(pa.array(np.where(fr >= 0, fr, len(pl.fronts))))
    front_t = pc.binary_join_element_wise(aterm, " ", fterm, " ", n1, " and ", n2, " in ", fname, "")
    back_t = pc.binary_join_element_wise("On the ", n1, " of ", n2, " in ", fname, "")
    return pc.if_else(pa.array(ar >= 0), front_t, back_t)


def _ror(inst: int) -> str:
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    v = inst * 2654435761 % (32**6)
    s = "".join(alphabet[(v >> (5 * k)) & 31] for k in range(6))
    return f"https://ror.org/0{s}{inst % 90 + 10:02d}"


def _inst_fragments(pl: _Plan) -> tuple[list[str], list[str], list[str]]:
    frags, raws, ids = [], [], []
    for k, nm in enumerate(pl.inst_name):
        cc = pl.countries[pl.inst_country[k]]
        ce = int(pl.inst_center[k])
        iid = f"https://openalex.org/I{INSTITUTION_ID_BASE + k}"
        ror = _ror(k)
        if ce >= 0:
            c = pl.centers[ce]
            if c["openalex"]:
                oid = str(c["openalex"][0])
                iid = oid if oid.startswith("http") else f"https://openalex.org/{oid}"
            if c["ror"]:
                ror = str(c["ror"][0])
        frags.append(json.dumps({"id": iid, "display_name": nm, "ror": ror, "country_code": cc[0]},
                                ensure_ascii=False))
        raws.append(json.dumps(f"{nm}, {pl.inst_city[k]}, {cc[1]}", ensure_ascii=False))
        ids.append(iid)
    return frags, raws, ids


def _gzip_open(fh: Any, name: str, level: int, backend: str) -> Any:
    if backend == "isal":
        from isal import igzip  # optional: python-isal, several times faster than zlib

        return igzip.IGzipFile(filename=name, mode="wb", fileobj=fh, compresslevel=min(level, 3), mtime=0)
    return gzip.GzipFile(filename=name, mode="wb", fileobj=fh, compresslevel=level, mtime=0)


def _gzip_backend(requested: str) -> str:
    if requested == "zlib":
        return "zlib"
    try:
        import isal.igzip  # noqa: F401
    except ImportError:
        if requested == "isal":
            raise ValueError("synth: gzip_backend 'isal' needs the python-isal package (pip install isal)") from None
        return "zlib"
    return "isal"


def _s(x: np.ndarray) -> pa.Array:
    return pa.array(x).cast(pa.string())


def _part_text(pl: _Plan, lo_i: int, hi_i: int, counts: np.ndarray, inst_frag: pa.Array, inst_raw: pa.Array,
               refs: tuple[np.ndarray, np.ndarray], au: dict[str, np.ndarray]) -> pa.Array:
    """The JSON Lines text of works ``lo_i..hi_i-1``, built column-wise with Arrow.

    ``refs`` and ``au`` hold (at least) the rows of these works, sorted by work.
    """
    a0, a1 = np.searchsorted(refs[0], [lo_i, hi_i])
    citing, cited = refs[0][a0:a1], refs[1][a0:a1]
    b0, b1 = np.searchsorted(au["w"], [lo_i, hi_i])
    au = {k: v[b0:b1] for k, v in au.items()}
    sl = slice(lo_i, hi_i)
    idx = np.arange(lo_i, hi_i, dtype=np.int64)
    # authorships
    pos, na = au["pos"], au["na"]
    pname = np.where(pos == 0, 0, np.where(pos == na - 1, 2, 1))
    ccodes = pa.array([c[0] for c in pl.countries])
    auth = pc.binary_join_element_wise(
        '{"author_position":"', pa.array(["first", "middle", "last"]).take(pa.array(pname)),
        '","author":{"id":"https://openalex.org/A', _s(au["author"] + AUTHOR_ID_BASE),
        '","display_name":"', _author_names(au["author"]),
        '"},"institutions":[', inst_frag.take(pa.array(au["inst"])),
        '],"countries":["', ccodes.take(pa.array(au["country"])),
        '"],"raw_affiliation_strings":[', inst_raw.take(pa.array(au["inst"])), "]}", "",
    )
    aoff = np.searchsorted(au["w"], np.arange(lo_i, hi_i + 1)).astype(np.int32)
    auths = pc.binary_join(pa.ListArray.from_arrays(pa.array(aoff), auth), ",")
    # references
    roff = np.searchsorted(citing, np.arange(lo_i, hi_i + 1))
    nref = np.diff(roff)
    rl = pa.ListArray.from_arrays(pa.array(roff.astype(np.int32)), _s(cited + WORK_ID_BASE))
    refs = pc.binary_join_element_wise('["https://openalex.org/W', pc.binary_join(rl, '","https://openalex.org/W'),
                                       '"]', "")
    refs = pc.if_else(pa.array(nref == 0), "[]", refs)
    # fields, topics, sources
    group_names = sorted({f[2] for f in FIELDS[: pl.p.n_fields]}, key=[f[2] for f in FIELDS].index)
    topics = []
    for f, (fid, nm) in enumerate(zip(pl.field_ids, pl.field_names, strict=True)):
        dom = _DOMAINS[group_names[pl.field_group[f]]]
        for t in range(3):
            topics.append(
                f'{{"id":"https://openalex.org/T{10000 + 10 * f + t}","display_name":"{nm.split(",")[0]} topic {t}",'
                f'"field":{{"id":"https://openalex.org/fields/{fid}","display_name":{json.dumps(nm)}}},'
                f'"domain":{{"id":"https://openalex.org/domains/{dom[0]}","display_name":"{dom[1]}"}}}}'
            )
    topic = pa.array(topics).take(pa.array(pl.fld[sl] * 3 + idx % 3))
    src = pa.array([
        f'{{"id":"https://openalex.org/S{3_000_000 + k}","display_name":{json.dumps(nm)},"type":"journal"}}'
        for k, (nm, _f) in enumerate(pl.journals)
    ]).take(pa.array(pl.journal[sl]))
    title = pc.binary_join_element_wise('"', _titles(pl, lo_i, hi_i), '"', "")
    doi = pc.if_else(pa.array(pl.has_doi[sl]),
                     pc.binary_join_element_wise(f'"https://doi.org/10.5555/wpimap.{pl.seed}.', _s(idx), '"', ""),
                     "null")
    year = _s(pl.year[sl])
    month = pa.array([f"{m:02d}" for m in range(1, 13)]).take(pa.array(idx % 12))
    text = pc.binary_join_element_wise(
        '{"id":"https://openalex.org/W', _s(idx + WORK_ID_BASE), '","doi":', doi,
        ',"title":', title, ',"display_name":', title, ',"publication_year":', year,
        ',"publication_date":"', year, "-", month, '-01","language":"en","type":"',
        pa.array(_DOC_TYPES).take(pa.array(pl.doc[sl])),
        '","primary_location":{"source":', src, '},"primary_topic":', topic, ',"topics":[', topic,
        '],"authorships":[', auths, '],"referenced_works":', refs,
        ',"referenced_works_count":', _s(nref), ',"cited_by_count":', _s(counts[sl]),
        ',"biblio":{"volume":"', _s(pl.volume[sl]), '","issue":null,"first_page":"', _s(pl.page[sl]),
        '","last_page":"', _s(pl.page[sl] + 9), '"}}\n', "",
    )
    return text


def _write_part(pl: _Plan, chunk: int, lo_i: int, hi_i: int, counts: np.ndarray, path: Path,
                inst_frag: pa.Array, inst_raw: pa.Array, backend: str,
                refs: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    refs = refs if refs is not None else _chunk_refs(pl, chunk, lo_i, hi_i)
    au = _chunk_authors(pl, chunk, lo_i, hi_i)
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh, _gzip_open(fh, path.name[:-3], pl.p.gzip_level, backend) as gz:
        for a in range(lo_i, hi_i, _TEXT_BATCH):  # bounded memory: text of a few thousand works at a time
            text = _part_text(pl, a, min(a + _TEXT_BATCH, hi_i), counts, inst_frag, inst_raw, refs, au)
            # the string array's data buffer is the concatenation of the lines: the file's bytes
            offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)
            b0, b1 = int(offsets[text.offset]), int(offsets[text.offset + len(text)])
            gz.write(memoryview(text.buffers()[2])[b0:b1])
    os.replace(tmp, path)
    return len(refs[1])


def _truth_table(pl: _Plan, counts: np.ndarray) -> pa.Table:
    """``truth.parquet``: one row per work with its planted labels."""
    n = pl.n
    inter = np.array([a["interdisciplinary"] for a in pl.areas] + [False])
    emerg = np.array([a["emerging"] for a in pl.areas] + [False])
    front_field = np.array([f["field"] for f in pl.fronts] + [0])
    has = pl.area >= 0
    no = ~has
    ccodes = pa.array([c[0] for c in pl.countries])
    cmat = np.concatenate([pl.lead[:, None], pl.partners], axis=1)
    cmask = cmat >= 0
    coff = np.concatenate([[0], np.cumsum(cmask.sum(axis=1))]).astype(np.int32)
    countries = pa.ListArray.from_arrays(pa.array(coff), ccodes.take(pa.array(cmat[cmask])))
    fnames = pa.array(pl.field_names)
    field_ = fnames.take(pa.array(pl.fld))
    cids = pa.array([c["id"] for c in pl.centers] + [None], pa.string())
    center = cids.take(pa.array(np.where(pl.center >= 0, pl.center, len(pl.centers))))
    wid = pc.binary_join_element_wise("W", _s(np.arange(n, dtype=np.int64) + WORK_ID_BASE), "")
    cols = {
        "work_id": wid,
        "year": pa.array(pl.year.astype(np.int32)),
        "doc_type": pa.array(_DOC_TYPES).take(pa.array(pl.doc)),
        "area": pa.array(pl.area.astype(np.int32), mask=no),
        "front": pa.array(pl.front.astype(np.int32), mask=no),
        "field": field_,
        "fields": pa.ListArray.from_arrays(pa.array(np.arange(n + 1, dtype=np.int32)), field_),
        "front_field": pc.if_else(pa.array(has), fnames.take(pa.array(front_field[pl.front])), pa.scalar(None, pa.string())),
        "is_planted_core": pa.array(pl.core),
        "area_interdisciplinary": pa.array(inter[pl.area], mask=no),
        "area_emerging": pa.array(emerg[pl.area], mask=no),
        "lead_country": ccodes.take(pa.array(pl.lead)),
        "countries": countries,
        "is_international": pa.array(pl.partners[:, 0] >= 0),
        "center": center,
        "cited_by_count": pa.array(counts.astype(np.int64)),
    }
    return pa.table(cols)


def _truth_meta(pl: _Plan, links: int) -> dict[str, Any]:
    p = pl.p
    ccodes = [c[0] for c in pl.countries]
    areas = []
    for a in pl.areas:
        sel = pl.area == a["area"]
        areas.append(
            {
                "area": a["area"], "kind": a["kind"], "birth": a["birth"], "death": a["death"],
                "parents": a["parents"], "children": a["children"], "emerging": a["emerging"],
                "interdisciplinary": a["interdisciplinary"],
                "fields": [pl.field_names[f] for f in a["fields"]],
                "field_mix": {pl.field_names[f]: round(float(v), 4) for f, v in
                              enumerate(np.bincount(pl.fld[sel & pl.core], minlength=p.n_fields)
                                        / max(1, int((sel & pl.core).sum()))) if v > 0},
                "fronts": a["fronts"], "term": a["term"], "works": int(sel.sum()),
                "core_papers": int((sel & pl.core).sum()),
            }
        )
    events = []
    for a in pl.areas:
        if a["kind"] == "split":
            events.append({"event": "split", "year": a["death"] + 1, "from": [a["area"]], "to": a["children"]})
        elif a["kind"] == "merge-child":
            events.append({"event": "merge", "year": a["birth"], "from": a["parents"], "to": [a["area"]]})
        elif a["kind"] == "dying":
            events.append({"event": "death", "year": a["death"] + 1, "from": [a["area"]], "to": []})
        elif a["kind"] == "emerging":
            events.append({"event": "birth", "year": a["birth"], "from": [], "to": [a["area"]]})
    countries = [
        {"code": c[0], "name": c[1], "output_weight": c[2], "lead_intl_rate": c[3], "impact": c[4],
         "breadth": c[5],
         "propensity": [round(float(v), 4) for v in pl.propensity[k]]}
        for k, c in enumerate(pl.countries)
    ]
    centers = [
        {"id": c["id"], "name": c["name"], "host": c["host"], "start_year": c["start_year"],
         "institution": pl.inst_name[int(pl.center_inst[k])],
         "planted": {"intl_rate": p.center_intl, "impact": p.center_impact, "tilt": p.center_tilt},
         "works": int((pl.center == k).sum()), "core_papers": int(((pl.center == k) & pl.core).sum())}
        for k, c in enumerate(pl.centers)
    ]
    return {
        "generator": "wpimap.synth",
        "version": SYNTH_VERSION,
        "seed": pl.seed,
        "params": asdict(p),
        "fields": [{"id": fid, "name": nm, "group": FIELDS[k][2]}
                   for k, (fid, nm) in enumerate(zip(pl.field_ids, pl.field_names, strict=True))],
        "areas": areas,
        "fronts": [{"front": f["front"], "area": f["area"], "field": pl.field_names[f["field"]],
                    "term": f["term"]} for f in pl.fronts],
        "events": events,
        "countries": countries,
        "country_codes": ccodes,
        "centers": centers,
        "centers_source": pl.centers_origin,
        "counts": {"works": pl.n, "links": int(links), "core_papers": int(pl.core.sum()),
                   "areas": len(pl.areas), "fronts": len(pl.fronts),
                   "fallback_core_cells": pl.n_fallback_cells},
        "core_rule": "ceil(core_percent/100 * n) planted core papers per (year, field) cell of articles+reviews",
    }


def generate(
    out_dir: str | os.PathLike[str],
    scale: str = "small",
    seed: int = 42,
    centers_path: str | os.PathLike[str] | None = "config/centers.yaml",
    **overrides: Any,
) -> SynthSummary:
    """Write a synthetic world as OpenAlex snapshot part files plus its truth.

    Parameters
    ----------
    out_dir : path-like
        Output folder: ``works/part_000.jsonl.gz``…, ``truth.parquet``, ``truth.json``.
    scale : {'tiny', 'small', 'medium', 'large'}
        Size preset (:meth:`SynthParams.preset`).
    seed : int
        Seed of every random draw; same seed and parameters give identical bytes.
    centers_path : path-like or None
        Research centers file (``config/centers.yaml``); built-in WPI list if absent.
    **overrides
        Any :class:`SynthParams` attribute (e.g. ``n_works=10_000``).

    Returns
    -------
    SynthSummary
    """
    t0 = time.perf_counter()
    p = SynthParams.preset(scale, **overrides)
    pl = _plan(p, seed, centers_path)
    keep = p.n_works * p.mean_refs <= p.keep_refs_links
    counts, links, kept = _count_citations(pl, keep)
    out = Path(out_dir)
    wdir = out / "works"
    wdir.mkdir(parents=True, exist_ok=True)
    chunks = _chunks(pl)
    width = max(3, len(str(len(chunks) - 1)))
    for old in wdir.glob("part_*.jsonl.gz"):
        old.unlink()
    frags, raws, _ = _inst_fragments(pl)
    frag_a, raw_a = pa.array(frags), pa.array(raws)
    backend = _gzip_backend(p.gzip_backend)
    files = []
    for k, (a, b) in enumerate(chunks):
        name = f"part_{k:0{width}d}.jsonl.gz"
        _write_part(pl, k, a, b, counts, wdir / name, frag_a, raw_a, backend, kept[k] if keep else None)
        files.append(f"works/{name}")
    meta = _truth_meta(pl, links)
    write_parquet_atomic(_truth_table(pl, counts), out / "truth.parquet")
    write_bytes_atomic((json.dumps(meta, indent=1, sort_keys=True) + "\n").encode("utf-8"), out / "truth.json")
    files += ["truth.parquet", "truth.json"]
    return SynthSummary(
        out_dir=str(out), works=pl.n, links=int(links), parts=len(chunks), core_papers=int(pl.core.sum()),
        areas=len(pl.areas), seconds=time.perf_counter() - t0, files=files,
    )


def make_world(
    scale: str = "tiny",
    seed: int = 42,
    centers_path: str | os.PathLike[str] | None = "config/centers.yaml",
    **overrides: Any,
) -> World:
    """Generate a synthetic world in memory, as normalized tables plus truth.

    The same draws as :func:`generate`: the tables equal what ingesting the written
    files gives (``source_file`` is ``"synthetic"`` and ``record`` the global 1-based
    work number here).

    Parameters
    ----------
    scale : {'tiny', 'small', 'medium', 'large'}
    seed : int
    centers_path : path-like or None
    **overrides
        Any :class:`SynthParams` attribute.

    Returns
    -------
    World
    """
    from wpimap.io.refs import make_ref_key

    p = SynthParams.preset(scale, **overrides)
    pl = _plan(p, seed, centers_path)
    citing_l, cited_l, au_l = [], [], []
    for k, (a, b) in enumerate(_chunks(pl)):
        c, d = _chunk_refs(pl, k, a, b)
        citing_l.append(c)
        cited_l.append(d)
        au_l.append(_chunk_authors(pl, k, a, b))
    citing = np.concatenate(citing_l)
    cited = np.concatenate(cited_l)
    counts = np.bincount(cited, minlength=pl.n).astype(np.int64)
    ids = np.array([f"W{WORK_ID_BASE + i}" for i in range(pl.n)], dtype=object)
    au = {k: np.concatenate([x[k] for x in au_l]) for k in au_l[0]}
    _, _, inst_ids = _inst_fragments(pl)
    names = _author_names(au["author"]).to_numpy(zero_copy_only=False)
    first_author = pd.Series(names).groupby(au["w"]).first().reindex(range(pl.n)).tolist()
    sources = [pl.journals[j][0] for j in pl.journal.tolist()]
    titles = _titles(pl, 0, pl.n).to_numpy(zero_copy_only=False)
    works = pd.DataFrame(
        {
            "work_id": ids,
            "year": pl.year.astype(np.int32),
            "doc_type": np.array(_DOC_TYPES, dtype=object)[pl.doc],
            "title": titles,
            "source": sources,
            "fields": [[pl.field_names[f]] for f in pl.fld.tolist()],
            "doi": [f"10.5555/wpimap.{seed}.{i}" if d else None for i, d in enumerate(pl.has_doi.tolist())],
            "cited_by_count": counts,
            "ref_key": [
                make_ref_key(nm, y, s, str(v), str(pg))
                for nm, y, s, v, pg in zip(first_author, pl.year.tolist(), sources, pl.volume.tolist(),
                                            pl.page.tolist(), strict=True)
            ],
            "source_file": "synthetic",
            "record": np.arange(1, pl.n + 1, dtype=np.int64),
        }
    )
    inst = au["inst"]
    ccodes = np.array([c[0] for c in pl.countries], dtype=object)
    cids = np.array([c["id"] for c in pl.centers] + [None], dtype=object)
    raw = np.array([f"{nm}, {pl.inst_city[k]}, {pl.countries[pl.inst_country[k]][1]}"
                    for k, nm in enumerate(pl.inst_name)], dtype=object)
    authorships = pd.DataFrame(
        {
            "work_id": ids[au["w"]],
            "author_position": (au["pos"] + 1).astype(np.int32),
            "author": names,
            "institution": np.array(pl.inst_name, dtype=object)[inst],
            "institution_id": np.array([s.rsplit("/", 1)[-1] for s in inst_ids], dtype=object)[inst],
            "address": raw[inst],
            "country": ccodes[au["country"]],
            "center": cids[pl.inst_center[inst]],
        }
    )
    references = pd.DataFrame({"citing_id": ids[citing], "cited_key": ids[cited], "cited_id": ids[cited]})
    truth = _truth_table(pl, counts).to_pandas()
    return World(works=works, authorships=authorships, references=references, truth=truth,
                 meta=_truth_meta(pl, len(cited)), params=p)
