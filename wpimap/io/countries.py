"""Country names of Web of Science, Scopus and plain English → ISO 3166-1 alpha-2.

Two layers, looked up through one normalized key (accents folded, case ignored, ``.`` and
apostrophes dropped, ``&`` read as ``and``, any other punctuation read as a space):

1. The standard names of ISO 3166-1 from :mod:`pycountry` (``name``, ``official_name``,
   ``common_name``), so ``Czechia``, ``Russian Federation``, ``Viet Nam``, ``Côte d'Ivoire``
   and every other English short name resolve without a hand-kept copy of the standard.
2. An explicit table on top (:data:`WOS_VARIANTS`): the abbreviated and historical names
   Web of Science prints in addresses (``Peoples R China``, ``Bosnia & Herceg``,
   ``U Arab Emirates``, ``Papua N Guinea``, ``Trinid & Tobago``, ``St Kitts & Nevi``,
   ``Cent Afr Republ``, the four UK nations…), the names Scopus and English texts use
   (``South Korea``, ``Taiwan``, ``Turkey``, ``Iran``, ``UK``, ``The Netherlands``…), and
   states that no longer exist. A withdrawn state is mapped to its principal successor
   (``USSR`` → RU, ``Yugoslavia`` and ``Serbia Monteneg`` → RS, ``Czechoslovakia`` → CZ,
   ``Fed Rep Ger``/``W Germany``/``Ger Dem Rep`` → DE, ``Neth Antilles`` → CW, ``Zaire`` →
   CD) so that counts over time stay on one current code; this is a documented choice,
   not an ISO rule.

ISO alpha-2/alpha-3 codes themselves are *not* accepted as names (``CA`` at the end of a
WoS address is California, ``IN`` is Indiana), except the customary ``USA``, ``UK`` and
``UAE``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["WOS_VARIANTS", "US_STATES", "country_to_iso2", "country_from_address", "country_key"]

# Explicit names on top of ISO 3166-1 (pycountry). Keys are written as the databases
# print them; they go through the same normalization as the looked-up name.
WOS_VARIANTS: dict[str, str] = {
    # United Kingdom: WoS prints the nations separately.
    "England": "GB", "Scotland": "GB", "Wales": "GB", "North Ireland": "GB",
    "Northern Ireland": "GB", "N Ireland": "GB", "UK": "GB", "U K": "GB", "Great Britain": "GB",
    "Britain": "GB", "United Kingdom": "GB",
    # United States
    "USA": "US", "U S A": "US", "United States": "US", "United States of America": "US",
    # China and its special regions
    "Peoples R China": "CN", "People R China": "CN", "PR China": "CN", "P R China": "CN",
    "Peoples Republic of China": "CN", "China": "CN", "Mainland China": "CN",
    "Hong Kong": "HK", "Hong Kong SAR": "HK", "Macau": "MO", "Macao": "MO",
    "Taiwan": "TW", "Republic of China": "TW", "Taiwan ROC": "TW", "Chinese Taipei": "TW",
    # Korea
    "South Korea": "KR", "Korea": "KR", "Rep of Korea": "KR", "Republic of Korea": "KR",
    "Korea Rep": "KR", "Korea South": "KR", "S Korea": "KR",
    "North Korea": "KP", "Dem Peoples R Korea": "KP", "DPR Korea": "KP", "Korea North": "KP",
    # Europe
    "Czech Republic": "CZ", "Czech Rep": "CZ", "Czechia": "CZ", "Czechoslovakia": "CZ",
    "Slovak Republic": "SK", "Slovak Rep": "SK",
    "Fed Rep Ger": "DE", "W Germany": "DE", "West Germany": "DE", "E Germany": "DE",
    "East Germany": "DE", "Ger Dem Rep": "DE", "German Democratic Republic": "DE",
    "Federal Republic of Germany": "DE", "Deutschland": "DE",
    "Bosnia & Herceg": "BA", "Bosnia & Herzegovina": "BA", "Bosnia": "BA",
    "Byelarus": "BY", "Belorussia": "BY", "Byelorussia": "BY",
    "Russia": "RU", "USSR": "RU", "U S S R": "RU", "Soviet Union": "RU",
    "Yugoslavia": "RS", "Serbia Monteneg": "RS", "Serbia & Montenegro": "RS",
    "Macedonia": "MK", "Rep of Macedonia": "MK", "North Macedonia": "MK", "FYR Macedonia": "MK",
    "Moldova": "MD", "Rep of Moldova": "MD", "Moldavia": "MD",
    "Rep of Georgia": "GE", "Georgia": "GE",
    "Kosovo": "XK",  # user-assigned code, used by the EU and the World Bank for Kosovo
    "The Netherlands": "NL", "Netherlands": "NL", "Holland": "NL",
    "Neth Antilles": "CW", "Netherlands Antilles": "CW",
    "Vatican": "VA", "Vatican City": "VA", "Holy See": "VA",
    "Turkey": "TR", "Turkiye": "TR",
    "Faroe Isl": "FO", "Faeroe Islands": "FO", "Azores": "PT", "Madeira": "PT",
    "Canary Islands": "ES", "Corsica": "FR",
    # Middle East, Asia
    "U Arab Emirates": "AE", "UAE": "AE", "United Arab Emirates": "AE",
    "Iran": "IR", "Islamic Republic of Iran": "IR", "Syria": "SY", "Syrian Arab Rep": "SY",
    "Palestine": "PS", "Palestinian Territory": "PS", "Palestinian Territories": "PS",
    "State of Palestine": "PS", "Palestinian Aut": "PS", "Gaza Strip": "PS", "West Bank": "PS",
    "Vietnam": "VN", "Viet Nam": "VN", "Laos": "LA", "Lao PDR": "LA",
    "Brunei": "BN", "Burma": "MM", "Myanmar": "MM", "Mongol Peo Rep": "MN",
    "East Timor": "TL", "Timor Leste": "TL", "Kyrgyz Republic": "KG", "Kirghizia": "KG",
    # Africa
    "Cote Ivoire": "CI", "Cote d Ivoire": "CI", "Ivory Coast": "CI",
    "Dem Rep Congo": "CD", "Democratic Republic of the Congo": "CD", "DR Congo": "CD",
    "Congo Dem Rep": "CD", "Zaire": "CD",
    "Rep Congo": "CG", "Republic of the Congo": "CG", "Congo Republic": "CG",
    "Congo Brazzaville": "CG", "Congo": "CG",
    "Cent Afr Republ": "CF", "Central African Rep": "CF",
    "Equat Guinea": "GQ", "Guinea Bissau": "GW",
    "Sao Tome & Prin": "ST", "Sao Tome E Prin": "ST",
    "Cape Verde": "CV", "Swaziland": "SZ", "Tanzania": "TZ", "Libya": "LY",
    "Libyan Arab Jamahiriya": "LY", "Gambia": "GM", "The Gambia": "GM",
    "Upper Volta": "BF", "Dahomey": "BJ", "Rhodesia": "ZW", "Senegambia": "SN",
    # Americas, Caribbean, Oceania
    "Trinid & Tobago": "TT", "Trinidad & Tobago": "TT",
    "St Kitts & Nevi": "KN", "St Kitts & Nevis": "KN", "St Kitts": "KN",
    "St Lucia": "LC", "St Vincent": "VC", "St Vincent & Grenadines": "VC",
    "Antigua & Barbu": "AG", "Antigua & Barbuda": "AG", "Antigua": "AG",
    "Turks & Caicos": "TC", "Cayman Islands": "KY", "Bahamas": "BS", "The Bahamas": "BS",
    "Dominican Rep": "DO", "Bolivia": "BO", "Venezuela": "VE",
    "Fr Polynesia": "PF", "French Polynesia": "PF", "Fr Guiana": "GF", "French Guiana": "GF",
    "Falkland Island": "FK", "Falkland Islands": "FK", "Falklands": "FK",
    "Papua N Guinea": "PG", "Papua New Guinea": "PG",
    "Marshall Island": "MH", "Solomon Isl": "SB", "Micronesia": "FM",
    "Fed States Micronesia": "FM", "N Mariana Isl": "MP", "Amer Samoa": "AS",
    "Western Samoa": "WS", "W Samoa": "WS", "Wallis & Futuna": "WF",
    "British Virgin Isl": "VG", "Brit Virgin Isl": "VG", "Br Virgin Isl": "VG",
    "US Virgin Isl": "VI", "Virgin Isl": "VI", "Virgin Islands": "VI",
    "Bonaire": "BQ", "Curacao": "CW", "Sint Maarten": "SX", "St Martin": "MF",
    "St Barthelemy": "BL", "St Helena": "SH", "St Pierre & Miquelon": "PM",
    "Reunion": "RE", "Norfolk Isl": "NF", "Christmas Isl": "CX", "Cocos Isl": "CC",
    "Svalbard": "SJ", "Surinam": "SR", "Pitcairn Isl": "PN",
    "Fr Austr Lands": "TF", "Antarctica": "AQ", "Greenland": "GL",
    "Micronesia Fed States": "FM",
}

# US state / district / territory postal codes (WoS old addresses: ``NEW ORLEANS,LA 70112``).
US_STATES: frozenset[str] = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP".split()
)

_DROP = re.compile(r"[.'\u2019`]")
_PUNCT = re.compile(r"[^0-9a-z]+")
# "CA 94305 USA", "MD USA", "USA", "NY 10021-1234 USA", "U.S.A." (after dot removal)
_USA_TAIL = re.compile(r"(?:^|\s)U\.?\s?S\.?\s?A\.?$", re.IGNORECASE)
# Old WoS form without country: "LA 70112", "TX77025", "OH" (upper-case state code)
_STATE_ZIP = re.compile(r"^([A-Z]{2})(?:\s*\d{5}(?:-\d{4})?)?$")


def country_key(name: str) -> str:
    """Return the normalized lookup key of a country name.

    Parameters
    ----------
    name : str
        Any spelling: ``Côte d'Ivoire``, ``PEOPLES R CHINA``, ``Bosnia & Herceg.``

    Returns
    -------
    str
        Lower case ASCII words separated by one space (``bosnia and herceg``).
    """
    if name.isascii():  # (NFKD changes no ASCII text)
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKD", name)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = _DROP.sub("", text.replace("&", " and "))
    return _PUNCT.sub(" ", text).strip()


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    import pycountry  # imported on first use: its import costs more than the table itself

    table: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value:
                table[country_key(value)] = country.alpha_2
                # "Korea, Republic of" -> also "Republic of Korea"
                if ", " in value:
                    head, _, tail = value.partition(", ")
                    table.setdefault(country_key(f"{tail} {head}"), country.alpha_2)
    # The explicit variants win over ISO names (e.g. "Congo" alone is the Republic).
    for name, code in WOS_VARIANTS.items():
        table[country_key(name)] = code
    for key in [k for k in table if k.startswith("the ")]:
        table.setdefault(key[4:], table[key])
    return table


@lru_cache(maxsize=4096)
def country_to_iso2(name: str | None) -> str | None:
    """Map a country name (WoS, Scopus or English) to its ISO 3166-1 alpha-2 code.

    Parameters
    ----------
    name : str or None
        ``Peoples R China``, ``England``, ``U Arab Emirates``, ``Czech Republic``,
        ``SOUTH KOREA``, ``Türkiye``, ``Bosnia & Herceg.``… Case, accents, dots,
        apostrophes and other punctuation do not matter; a leading ``The`` is optional.

    Returns
    -------
    str or None
        Two upper-case letters, or None when the name is not a known country.
    """
    if not name:
        return None
    key = country_key(name)
    if not key:
        return None
    table = _table()
    code = table.get(key)
    if code is None and key.startswith("the "):
        code = table.get(key[4:])
    return code


@lru_cache(maxsize=65536)
def country_from_address(address: str | None) -> str | None:
    """Return the ISO 3166-1 alpha-2 country of an affiliation address.

    The country is the last comma-separated element, after a trailing period is
    stripped. US addresses are recognized in their WoS forms: ``…, CA 94305 USA``,
    ``…, MD USA``, ``…, USA`` and the old upper-case form without country
    ``NEW ORLEANS,LA 70112.`` / ``CLEVELAND,OH`` (a US state code, optionally with ZIP).

    Parameters
    ----------
    address : str or None
        One affiliation (WoS C1/RP address, Scopus affiliation).

    Returns
    -------
    str or None
    """
    if not address:
        return None
    text = address.strip().rstrip(".;").strip()
    if not text:
        return None
    last = text.rsplit(",", 1)[-1].strip()
    if not last:
        return None
    if last.endswith(" USA"):  # "CA 94305 USA": no country name ends so (checked by a test)
        return "US"
    code = country_to_iso2(last)
    if code is not None:
        return code
    if _USA_TAIL.search(last):
        return "US"
    m = _STATE_ZIP.match(last)
    if m and m.group(1) in US_STATES and "," in text:
        return "US"
    return None
