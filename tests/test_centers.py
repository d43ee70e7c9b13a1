"""Research-center matching (config/centers.yaml + wpimap.centers).

Expected values come from outside the matcher: the brief's table of centers, hand-written
WoS / Scopus address forms, and plain substring counts over the real exports in
../shared/data computed here with an independent, minimal C1 / affiliation parser.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wpimap.centers import (
    REGEX_FLAGS,
    CenterConfigError,
    CenterMatcher,
    load_centers,
    normalize_institution_id,
    re2_prefilter,
)

ROOT = Path(__file__).resolve().parents[1]
CENTERS_YAML = ROOT / "config" / "centers.yaml"


@pytest.fixture(scope="module")
def matcher() -> CenterMatcher:
    return CenterMatcher.from_yaml(CENTERS_YAML)


# --------------------------------------------------------------------------- the file
PROGRAM = {  # from the WPI program: id -> (host, start year)
    "AIMR": ("Tohoku University", 2007),
    "MANA": ("National Institute for Materials Science", 2007),
    "iCeMS": ("Kyoto University", 2007),
    "IFReC": ("Osaka University", 2007),
    "Kavli IPMU": ("University of Tokyo", 2007),
    "I2CNER": ("Kyushu University", 2010),
    "IIIS": ("University of Tsukuba", 2012),
    "ELSI": ("Tokyo Institute of Technology", 2012),
    "ITbM": ("Nagoya University", 2012),
    "IRCN": ("University of Tokyo", 2017),
    "NanoLSI": ("Kanazawa University", 2017),
    "ICReDD": ("Hokkaido University", 2018),
    "ASHBI": ("Kyoto University", 2018),
}


def test_config_lists_the_13_wpi_centers() -> None:
    centers = load_centers(CENTERS_YAML)
    assert [c.id for c in centers] == list(PROGRAM)
    for c in centers:
        assert (c.host, c.start_year) == PROGRAM[c.id]
        assert c.country == "JP" and c.patterns
        assert not c.ror and not c.openalex  # no unverified IDs in the shipped file


def test_synthetic_world_names_match_their_center(matcher: CenterMatcher) -> None:
    # synth names a center's institution "<name>, <host>"
    for c in matcher.centers:
        assert matcher.match(f"{c.name}, {c.host}") == c.id
        assert matcher.match(None, f"{c.name}, {c.host}") == c.id


# --------------------------------------------------------------------------- hits
HITS = [
    ("Tohoku Univ, WPI Adv Inst Mat Res, Sendai, Miyagi 9808577, Japan.", "AIMR"),
    (
        "Tohoku Univ, Adv Inst Mat Res AIMR, World Premier Initiat WPI Ctr, Sendai, Miyagi 9808577, Japan.",
        "AIMR",
    ),
    ("Tohoku Univ, World Premier Initiat Ctr, Adv Inst Mat Res, Sendai, Miyagi 9808577, Japan.", "AIMR"),
    ("Tohoku Univ, World Premier Int Res Ctr Initiat WPI, Sendai, Miyagi, Japan", "AIMR"),
    ("TOHOKU UNIV, ADV INST MAT RES, SENDAI, MIYAGI 9808577, JAPAN", "AIMR"),
    (
        "Advanced Institute for Materials Research (WPI-AIMR), Tohoku University, 2-1-1 Katahira, Sendai 980-8577, Japan",
        "AIMR",
    ),
    ("Natl Inst Mat Sci, Int Ctr Mat Nanoarchitecton MANA, Tsukuba, Ibaraki 3050044, Japan", "MANA"),
    ("Natl Inst Mat Sci, WPI Ctr Mat Nanoarchitecton WPI MANA, Tsukuba, Ibaraki, Japan", "MANA"),
    ("Int Ctr Mat Nanoarchitecton, Tsukuba, Ibaraki 3050044, Japan", "MANA"),  # no NIMS context: still MANA
    ("NIMS, MANA, 1-1 Namiki, Tsukuba, Japan", "MANA"),
    ("Natl Inst Mat Sci, World Premier Int Res Ctr Initiat WPI, Tsukuba, Japan", "MANA"),
    (
        "Research Center for Materials Nanoarchitectonics (MANA), National Institute for Materials Science, Tsukuba",
        "MANA",
    ),
    ("Kyoto Univ, Inst Integrated Cell Mat Sci WPI iCeMS, Kyoto 6068501, Japan", "iCeMS"),
    ("Institute for Integrated Cell-Material Sciences (WPI-iCeMS), Kyoto University, Kyoto, Japan", "iCeMS"),
    ("Osaka Univ, Immunol Frontier Res Ctr, Suita, Osaka 5650871, Japan.", "IFReC"),
    ("WPI Immunology Frontier Research Center (IFReC), Osaka University, Suita, Japan", "IFReC"),
    ("Osaka Univ, WPI, Suita, Osaka, Japan", "IFReC"),
    ("Univ Tokyo, Kavli Inst Phys & Math Universe WPI, Kashiwa, Chiba 2778583, Japan", "Kavli IPMU"),
    ("Univ Tokyo, Kavli IPMU WPI, UTIAS, Kashiwa, Chiba, Japan", "Kavli IPMU"),
    ("Univ Tokyo, Inst Phys & Math Universe, Kashiwa, Chiba 2778568, Japan", "Kavli IPMU"),
    ("Univ Tokyo, IPMU, Kashiwa, Chiba 2778568, Japan", "Kavli IPMU"),
    (
        "Kavli Institute for the Physics and Mathematics of the Universe (WPI), The University of Tokyo, Kashiwa",
        "Kavli IPMU",
    ),
    ("Kyushu Univ, Int Inst Carbon Neutral Energy Res WPI I2CNER, Fukuoka 8190395, Japan", "I2CNER"),
    (
        "International Institute for Carbon-Neutral Energy Research (WPI-I2CNER), Kyushu University, Fukuoka",
        "I2CNER",
    ),
    ("Univ Tsukuba, Int Inst Integrat Sleep Med WPI IIIS, Tsukuba, Ibaraki 3058575, Japan", "IIIS"),
    ("Univ Tsukuba, IIIS, Tsukuba, Ibaraki, Japan", "IIIS"),
    ("Tokyo Inst Technol, Earth Life Sci Inst, Meguro Ku, Tokyo 1528550, Japan", "ELSI"),
    ("Tokyo Inst Technol, ELSI, Tokyo, Japan", "ELSI"),
    ("Nagoya Univ, Inst Transformat Biomol WPI ITbM, Chikusa Ku, Nagoya, Aichi 4648602, Japan", "ITbM"),
    ("Institute of Transformative Bio-Molecules (WPI-ITbM), Nagoya University, Nagoya, Japan", "ITbM"),
    ("Univ Tokyo, Int Res Ctr Neurointelligence WPI IRCN, Bunkyo Ku, Tokyo, Japan", "IRCN"),
    ("Kanazawa Univ, Nano Life Sci Inst WPI NanoLSI, Kanazawa, Ishikawa 9201192, Japan", "NanoLSI"),
    (
        "Hokkaido Univ, Inst Chem React Design & Discovery WPI ICReDD, Sapporo, Hokkaido 0010021, Japan",
        "ICReDD",
    ),
    ("Hokkaido Univ, WPI, Sapporo, Japan", "ICReDD"),
    ("Kyoto Univ, Inst Adv Study Human Biol WPI ASHBI, Kyoto 6068501, Japan", "ASHBI"),
    # Unicode blanks (no-break spaces) do not hide a center
    ("Tohoku Univ,\u00a0WPI\u00a0Adv\u00a0Inst\u00a0Mat\u00a0Res, Sendai, Japan", "AIMR"),
]


@pytest.mark.parametrize(("address", "expected"), HITS)
def test_hits(matcher: CenterMatcher, address: str, expected: str) -> None:
    assert matcher.match(address) == expected


# --------------------------------------------------------------------------- misses
MISSES = [
    "Kavli Institute of NanoScience, Delft University of Technology, 2628 CJ Delft, Netherlands",
    "Delft Univ Technol, Kavli Inst Nanosci, Lorentzweg 1, NL-2628 CJ Delft, Netherlands",
    "Kavli Institute for Theoretical Physics, University of California, Santa Barbara, CA, United States",
    "Univ Chicago, Kavli Inst Cosmol Phys, Chicago, IL 60637 USA",
    "Stanford Univ, Kavli Inst Particle Astrophys & Cosmol, Stanford, CA 94305 USA",
    "Norwegian Univ Sci & Technol, Kavli Inst Syst Neurosci, Trondheim, Norway",
    "Kavli Inst Astron & Astrophys, Peking Univ, Beijing, Peoples R China",
    "Hullermeier E, 2010, IPMU 2010, P169, DOI 10.1007/978-3-642-14049-5_18",
    "International Conference on Information Processing and Management of Uncertainty, IPMU 2010",
    "Perny P., 1998, P IPMU C, P302.",
    "Proceedings of IPMU'06, pp. 683-690",
    "Tohoku Univ, Inst Mat Res, Sendai, Miyagi 9808577, Japan.",  # IMR, not AIMR
    "Institute for Materials Research, Tohoku University, Sendai 980-8577, Japan",
    "Tohoku Univ, Grad Sch Engn, Sendai, Miyagi 9808579, Japan.",
    "Tohoku Inst Technol, Sendai, Miyagi 9828577, Japan.",
    "Advanced Materials Research Institute, University of New Orleans, LA 70148, United States",
    "Natl Inst Mat Sci, Tsukuba, Ibaraki 3050047, Japan",  # NIMS alone is not MANA
    "Elements Strategy Initiative Center for Magnetic Materials (ESICMM), National Institute for Materials Science, Tsukuba",
    "Chiarini A, 2019, J MANUF TECHNOL MANA, V30, P180",
    "Schwab Anna K., 2011, COASTAL HAZARDS MANA",
    "Kyoto Univ, WPI, Kyoto, Japan",  # two WPI centers at Kyoto: ambiguous
    "Univ Tokyo, World Premier Int Res Ctr Initiat WPI, Tokyo, Japan",  # two at UTokyo
    "Osaka Univ, WPI PRIMe, Premium Res Inst Human Metaverse Med, Suita, Japan",  # Osaka's other WPI
    "Worcester Polytech Inst, WPI, Worcester, MA 01609 USA",
    "International Institute of Informatics and Systemics (IIIS)",
    "Tsinghua Univ, Inst Interdisciplinary Informat Sci IIIS, Beijing, Peoples R China",
    "Univ Tsukuba, Fac Med, Tsukuba, Ibaraki, Japan",
    "Osaka Univ, Res Ctr ELSI, Suita, Osaka, Japan",  # ethical, legal and social issues
    "2019 22nd International Conference on Electrical Machines and Systems (ICEMS), Harbin",
    "17th Siam Physics Congress: Carbon Neutrality, SPC 2022",
    "",
]


@pytest.mark.parametrize("address", MISSES)
def test_lookalikes_do_not_fire(matcher: CenterMatcher, address: str) -> None:
    assert matcher.match(address) is None
    assert matcher.match(None, address) is None


def test_nulls(matcher: CenterMatcher) -> None:
    assert matcher.match(None) is None
    assert matcher.match(None, None, None) is None


def test_address_and_institution_combine(matcher: CenterMatcher) -> None:
    # OpenAlex: raw affiliation names the unit, the institution the host.
    assert matcher.match("WPI-AIMR, Sendai", "Tohoku University") == "AIMR"
    assert matcher.match("Sendai", "Tohoku University") is None


# --------------------------------------------------------------------------- real files
def _wos_plain_addresses(path: Path) -> list[tuple[int, str]]:
    """(record number, C1 address) pairs of a WoS plain-text file, C1 continuation lines included."""
    out: list[tuple[int, str]] = []
    record, in_c1 = 1, False
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        tag = line[:2]
        if tag == "ER":
            record += 1
        if tag == "C1":
            in_c1 = True
        elif tag.strip():
            in_c1 = False
        if in_c1:
            address = re.sub(r"^\[[^\]]*\]\s*", "", line[3:].strip())
            out.append((record, address))
    return out


def _wos_tab_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE))


# independent truth: a plain substring that only a center's own name contains
TRUTH_SUBSTRINGS = {
    "Adv Inst Mat Res": "AIMR",
    "Immunol Frontier Res Ctr": "IFReC",
    "Center for Materials Nanoarchitectonics": "MANA",
}


def _truth(address: str) -> str | None:
    for sub, cid in TRUTH_SUBSTRINGS.items():
        if sub in address:
            return cid
    return None


@pytest.mark.realdata
def test_wos_plain_files(shared_data: Path, matcher: CenterMatcher) -> None:
    found: dict[tuple[str, int], set[str]] = {}
    expected: dict[tuple[str, int], set[str]] = {}
    n_addresses = 0
    for path in sorted((shared_data / "wos").glob("*.txt")):
        if "tab" in path.name:
            continue
        for record, address in _wos_plain_addresses(path):
            n_addresses += 1
            if (hit := matcher.match(address)) is not None:
                found.setdefault((path.name, record), set()).add(hit)
            if (truth := _truth(address)) is not None:
                expected.setdefault((path.name, record), set()).add(truth)
    assert n_addresses > 3000
    assert found == expected
    # by hand (grep C1 lines): 3 AIMR records in the bit-pattern file, 1 IFReC in wosfile's
    per_center = pd.Series([c for v in found.values() for c in v]).value_counts().to_dict()
    assert per_center == {"AIMR": 3, "IFReC": 1}
    assert {f for f, _ in found} == {"bibx_bit_pattern.txt", "wosfile_plaintext.txt"}


@pytest.mark.realdata
def test_wos_tab_files_match_the_same_record(shared_data: Path, matcher: CenterMatcher) -> None:
    for name in ("wosfile_tab_utf8.txt", "wosfile_tab_utf16.txt"):
        rows = _wos_tab_rows(shared_data / "wos" / name)
        assert len(rows) == 50
        hits = {}
        for row in rows:
            addresses = [a for a in re.split(r"(?:^|;\s*)\[[^\]]*\]\s*", row["C1"] or "") if a.strip()]
            centers = {matcher.match(a) for a in addresses} - {None}
            truths = {_truth(a) for a in addresses} - {None}
            assert centers == truths
            if centers:
                hits[row["UT"]] = centers
        assert len(hits) == 1 and list(hits.values()) == [{"IFReC"}]


@pytest.mark.realdata
def test_scopus_affiliations(shared_data: Path, matcher: CenterMatcher) -> None:
    found, expected = [], []
    for path in sorted((shared_data / "scopus").glob("*.csv")):
        frame = pd.read_csv(path, dtype=str)
        for i, value in frame["Affiliations"].dropna().items():
            for address in value.split("; "):
                if (hit := matcher.match(address)) is not None:
                    found.append((path.name, i, hit))
                if (truth := _truth(address)) is not None:
                    expected.append((path.name, i, truth))
    assert found == expected == [("bibx_scopus.csv", 225, "MANA")]


@pytest.mark.realdata
def test_real_lookalikes_in_scopus(shared_data: Path, matcher: CenterMatcher) -> None:
    frame = pd.read_csv(shared_data / "scopus" / "bibx_scopus.csv", dtype=str)
    addresses = [a for v in frame["Affiliations"].dropna() for a in v.split("; ")]
    kavli = [a for a in addresses if "Kavli" in a]
    imr = [a for a in addresses if a.startswith("Institute for Materials Research, Tohoku")]
    nims = [
        a for a in addresses if "National Institute for Materials Science" in a and "Nanoarchitecton" not in a
    ]
    assert len(kavli) == 2 and imr and nims  # Delft NanoScience + UCSB theoretical physics
    assert all(matcher.match(a) is None for a in kavli + imr + nims)
    # the IIIS look-alike (a conference sponsor) and a Carbon Neutrality congress: whole CSV cells
    cells = frame.stack().astype(str)
    for needle in ("Informatics and Systemics (IIIS)", "Carbon Neutrality"):
        hits = cells[cells.str.contains(needle, regex=False)].tolist()
        assert hits
        assert all(matcher.match(cell) is None for cell in hits)


@pytest.mark.realdata
def test_ipmu_conference_references(shared_data: Path, matcher: CenterMatcher) -> None:
    lines = [
        line
        for path in sorted((shared_data / "bibtex").glob("*.bib"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if "IPMU" in line
    ]
    assert len(lines) == 9  # grep -c IPMU over bibtex/*.bib
    pieces = [p for line in lines for p in line.split("; ") if "IPMU" in p]
    assert all(matcher.match(p) is None for p in lines + pieces)


# --------------------------------------------------------------------------- IDs
def _write(tmp_path: Path, text: str, name: str = "centers.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CUSTOM = """
centers:
  - id: LAB
    name: My Lab
    patterns: ['\\bMy Lab\\b']
    ror: ["https://ror.org/0abcdef12", "0zyxwvu98"]
    openalex: ["I123456789", "https://openalex.org/i42"]
  - id: AIMR
    name: Advanced Institute for Materials Research
    patterns: ['Adv Inst Mat Res']
"""


def test_id_matching(tmp_path: Path) -> None:
    m = CenterMatcher.from_yaml(_write(tmp_path, CUSTOM))
    assert m.match(None, None, "https://ror.org/0abcdef12") == "LAB"
    assert m.match(None, None, "ror.org/0ABCDEF12") == "LAB"
    assert m.match(None, None, "0zyxwvu98") == "LAB"
    assert m.match(None, None, "https://openalex.org/I123456789") == "LAB"
    assert m.match(None, None, "I42") == "LAB"
    assert m.match(None, None, "I4") is None
    assert m.match(None, None, "I999|https://ror.org/0abcdef12") == "LAB"
    # IDs come first: an address of another center does not override the ID
    assert m.match("Tohoku Univ, Adv Inst Mat Res", None, "I123456789") == "LAB"
    assert m.match("Tohoku Univ, Adv Inst Mat Res", None, "I999") == "AIMR"
    assert normalize_institution_id("https://ror.org/0abcdef12 | I7") == ["ror:0abcdef12", "openalex:I7"]


# --------------------------------------------------------------------------- bad files
BAD = [
    ("centers:\n  - name: X\n    patterns: [a]\n", ["centers[0]", "missing or empty 'id'"]),
    (
        "centers:\n  - id: X\n    name: X\n    patterns: ['Inst (Mat']\n",
        ["center 'X'", "patterns[0]", "bad regex"],
    ),
    (
        "centers:\n  - id: X\n    name: X\n    patterns: [ok]\n    exclude: ['a[']\n",
        ["center 'X'", "exclude[0]"],
    ),
    ("centers:\n  - id: X\n    name: X\n    patterns: ['(WPI)?']\n", ["center 'X'", "empty string"]),
    ("centers:\n  - id: X\n    name: X\n    pattern: [a]\n", ["center 'X'", "unknown key", "'pattern'"]),
    ("centers:\n  - id: X\n    name: X\n", ["center 'X'", "at least one of"]),
    (
        "centers:\n  - {id: X, name: X, patterns: [a]}\n  - {id: X, name: Y, patterns: [b]}\n",
        ["center 'X'", "duplicate id"],
    ),
    ("centers:\n  - {id: X, name: X, patterns: [a], ror: [ror-123]}\n", ["center 'X'", "ror[0]"]),
    ("centers:\n  - {id: X, name: X, patterns: [a], openalex: [W123]}\n", ["center 'X'", "openalex[0]"]),
    ("centers:\n  - {id: X, name: X, patterns: [a], start_year: soon}\n", ["center 'X'", "start_year"]),
    ("centers:\n  - {id: X, name: X, patterns: 7}\n", ["center 'X'", "'patterns' must be a list"]),
    ("centers: {id: X}\n", ["top-level 'centers:' list"]),
    ("centers:\n  - id: X\n   name: [unclosed\n", ["not valid YAML", "line"]),
]


@pytest.mark.parametrize(("text", "fragments"), BAD)
def test_bad_files_give_one_line_errors(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = _write(tmp_path, text, "my_centers.yaml")
    with pytest.raises(CenterConfigError) as info:
        load_centers(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:")
    for fragment in fragments:
        assert fragment in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CenterConfigError, match=r"nope\.yaml: cannot read"):
        CenterMatcher.from_yaml(tmp_path / "nope.yaml")


# --------------------------------------------------------------------------- frames
def _reference_match(centers, address, institution, institution_id, id_map) -> str | None:
    """Brute force: plain Python regexes, no pre-filter, no factorization."""
    for key in normalize_institution_id(institution_id):
        if key in id_map:
            return id_map[key]
    parts = [p for p in (address, institution) if isinstance(p, str) and p]
    if not parts:
        return None
    text = " ; ".join(parts)
    for c in centers:
        if any(re.search(p, text, REGEX_FLAGS) for p in c.patterns) and not any(
            re.search(p, text, REGEX_FLAGS) for p in c.exclude
        ):
            return c.id
    return None


def test_match_frame_equals_row_by_row(tmp_path: Path, matcher: CenterMatcher) -> None:
    custom = CenterMatcher.from_yaml(_write(tmp_path, CUSTOM))
    addresses = [a for a, _ in HITS] + MISSES + [None, np.nan, "", "My Lab, Somewhere"]
    institutions = [None, "Tohoku University", "", "Kyoto University", "My Lab"]
    ids = [None, "I123456789", "https://ror.org/0abcdef12", "I999", ""]
    rng = np.random.default_rng(7)
    n = 3000  # with many repeats
    frame = pd.DataFrame(
        {
            "work_id": [f"W{i}" for i in range(n)],
            "address": [addresses[i] for i in rng.integers(0, len(addresses), n)],
            "institution": [institutions[i] for i in rng.integers(0, len(institutions), n)],
            "institution_id": [ids[i] for i in rng.integers(0, len(ids), n)],
        },
        index=pd.Index(rng.permutation(n) + 100, name="row"),
    )
    for m in (matcher, custom):
        got = m.match_frame(frame)
        assert got.index.equals(frame.index)
        row_by_row = [
            m.match(a, i, d)
            for a, i, d in frame[["address", "institution", "institution_id"]].itertuples(index=False)
        ]
        id_map = {f"ror:{r.rsplit('/', 1)[-1]}": c.id for c in m.centers for r in c.ror}
        id_map |= {f"openalex:{o}": c.id for c in m.centers for o in c.openalex}
        brute = [
            _reference_match(m.centers, a, i, d, id_map)
            for a, i, d in frame[["address", "institution", "institution_id"]].itertuples(index=False)
        ]
        assert got.tolist() == row_by_row == brute
        assert got.notna().sum() > 0


def test_match_frame_matches_each_unique_text_once(
    matcher: CenterMatcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    original = matcher._match_texts

    def spy(texts):
        seen.append(len(texts))
        return original(texts)

    monkeypatch.setattr(matcher, "_match_texts", spy)
    addresses = ["Tohoku Univ, WPI Adv Inst Mat Res", "Univ X", "Osaka Univ, Immunol Frontier Res Ctr"]
    frame = pd.DataFrame({"address": addresses * 1000})
    got = matcher.match_frame(frame)
    assert seen == [3]
    assert got.value_counts().to_dict() == {"AIMR": 1000, "IFReC": 1000}


def test_match_frame_edge_cases(matcher: CenterMatcher) -> None:
    assert matcher.match_frame(pd.DataFrame({"address": pd.Series([], dtype=str)})).tolist() == []
    only_inst = pd.DataFrame({"institution": ["Nano Life Science Institute, Kanazawa University", None]})
    assert matcher.match_frame(only_inst).tolist() == ["NanoLSI", None]
    arrow = pd.DataFrame({"address": pd.array(["Univ Tokyo, Kavli IPMU", None], dtype="string[pyarrow]")})
    assert matcher.match_frame(arrow).tolist() == ["Kavli IPMU", None]


def test_re2_prefilter_is_a_necessary_condition(matcher: CenterMatcher) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = (
        [a for a, _ in HITS] + MISSES[:-1] + ["é\u00a0Tohoku\u2003Univ\u00a0WPI", "ÉLSI Tokyo Inst Technol"]
    )
    arr = pa.array(texts)
    for c in matcher.centers:
        for p in c.patterns:
            pre = re2_prefilter(p)
            assert pre is not None, p  # every shipped pattern gets a fast pre-filter
            fast = pc.match_substring_regex(arr, pre, ignore_case=True).to_pylist()
            exact = [re.search(p, t, REGEX_FLAGS) is not None for t in texts]
            assert all(f or not e for f, e in zip(fast, exact, strict=True)), p
    assert re2_prefilter(r"(a)\1") is None  # back-references: no pre-filter, still correct
    assert re2_prefilter(r"^(?=.*\bAIMR\b)(?=.*Tohoku)") == "(?s)AIMR"
