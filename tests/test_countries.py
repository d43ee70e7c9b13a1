"""Country names (WoS, Scopus, English) → ISO 3166-1 alpha-2, and countries of addresses."""

from __future__ import annotations

import pycountry
import pytest

from wpimap.io.countries import country_from_address, country_to_iso2

# Web of Science address spellings, typed from WoS exports (expected codes by hand).
WOS_NAMES = {
    "England": "GB", "Scotland": "GB", "Wales": "GB", "North Ireland": "GB",
    "Peoples R China": "CN", "Bosnia & Herceg": "BA", "U Arab Emirates": "AE",
    "Czech Republic": "CZ", "South Korea": "KR", "Korea": "KR", "Taiwan": "TW",
    "Russia": "RU", "Vietnam": "VN", "Iran": "IR", "Turkiye": "TR", "Turkey": "TR",
    "Cote Ivoire": "CI", "Dem Rep Congo": "CD", "Rep Congo": "CG", "Papua N Guinea": "PG",
    "Trinid & Tobago": "TT", "St Kitts & Nevi": "KN", "Neth Antilles": "CW",
    "Byelarus": "BY", "Yugoslavia": "RS", "Fed Rep Ger": "DE", "W Germany": "DE",
    "Ger Dem Rep": "DE", "USSR": "RU", "Cent Afr Republ": "CF", "Equat Guinea": "GQ",
    "Sao Tome & Prin": "ST", "Antigua & Barbu": "AG", "Serbia Monteneg": "RS",
    "Rep of Georgia": "GE", "Syria": "SY", "Laos": "LA", "Macedonia": "MK",
    "North Macedonia": "MK", "Palestine": "PS", "Fr Polynesia": "PF", "Swaziland": "SZ",
    "Cape Verde": "CV", "Brunei": "BN", "Guinea Bissau": "GW", "Marshall Island": "MH",
    "Falkland Island": "FK", "Turks & Caicos": "TC", "St Lucia": "LC", "St Vincent": "VC",
    "Western Samoa": "WS", "Zaire": "CD", "Burma": "MM", "Hong Kong": "HK", "Macau": "MO",
    "Dominican Rep": "DO", "Mongol Peo Rep": "MN", "Kosovo": "XK", "Vatican": "VA",
    "USA": "US", "Japan": "JP", "Germany": "DE", "France": "FR", "Singapore": "SG",
    "Netherlands": "NL", "Australia": "AU", "Canada": "CA", "Brazil": "BR", "India": "IN",
    "Israel": "IL", "Switzerland": "CH", "South Africa": "ZA", "New Zealand": "NZ",
    "Saudi Arabia": "SA", "Oman": "OM", "Zambia": "ZM", "Iceland": "IS", "Kazakhstan": "KZ",
}

# Standard English / ISO / Scopus spellings.
STANDARD_NAMES = {
    "United States": "US", "United States of America": "US", "United Kingdom": "GB",
    "China": "CN", "Russian Federation": "RU", "Viet Nam": "VN", "Korea, Republic of": "KR",
    "Republic of Korea": "KR", "Czechia": "CZ", "Türkiye": "TR", "Côte d'Ivoire": "CI",
    "Iran, Islamic Republic of": "IR", "Bolivia": "BO", "Tanzania": "TZ",
    "Congo, The Democratic Republic of the": "CD", "Democratic Republic of the Congo": "CD",
    "Netherlands": "NL", "The Netherlands": "NL", "Taiwan, Province of China": "TW",
    "Bosnia and Herzegovina": "BA", "Trinidad and Tobago": "TT", "Papua New Guinea": "PG",
    "Saint Kitts and Nevis": "KN", "Belarus": "BY", "Moldova": "MD", "North Korea": "KP",
    "Lao People's Democratic Republic": "LA", "Eswatini": "SZ", "Cabo Verde": "CV",
}


@pytest.mark.parametrize(("name", "code"), sorted(WOS_NAMES.items()))
def test_wos_country_names(name, code):
    assert country_to_iso2(name) == code


@pytest.mark.parametrize(("name", "code"), sorted(STANDARD_NAMES.items()))
def test_standard_country_names(name, code):
    assert country_to_iso2(name) == code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("PEOPLES R CHINA", "CN"), ("peoples r. china", "CN"), ("People's R China", "CN"),
        ("Bosnia & Herceg.", "BA"), ("BOSNIA & HERCEG", "BA"), ("  england  ", "GB"),
        ("U.S.A.", "US"), ("u arab emirates", "AE"), ("Cote d'Ivoire", "CI"),
        ("COTE D IVOIRE", "CI"), ("Trinidad & Tobago", "TT"), ("NORTH IRELAND", "GB"),
        ("Guinea-Bissau", "GW"), ("TIMOR-LESTE", "TL"), ("türkiye", "TR"), ("TURKIYE", "TR"),
    ],
)
def test_case_and_punctuation_do_not_matter(name, code):
    assert country_to_iso2(name) == code


@pytest.mark.parametrize("name", [None, "", "   ", ".", "Atlantis", "Univ Tokyo", "CA", "IN", "DE 19716"])
def test_unknown_names_and_codes_are_not_countries(name):
    # ISO codes are not names: "CA" ends California addresses, "IN" Indiana ones.
    assert country_to_iso2(name) is None


def test_every_iso_short_name_maps_to_its_code():
    wrong = {c.name: country_to_iso2(c.name) for c in pycountry.countries if country_to_iso2(c.name) != c.alpha_2}
    assert wrong == {}


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Stanford Univ, Stanford, CA 94305 USA.", "US"),
        ("Univ Michigan, Dept Sociol, Ann Arbor, MI 48104 USA", "US"),
        ("Urol Associates N Texas, 1001 Waldrop Dr,Suite 708, Arlington, TX 76012 USA.", "US"),
        ("SENTARA CANC INST, CTR UROL ONCOL, NORFOLK, VA USA.", "US"),
        ("Missouri State Univ, Dept Psychol, Springfield, MO USA.", "US"),
        ("TULANE UNIV,SCH MED,DEPT OTOLARYNGOL,NEW ORLEANS,LA 70112.", "US"),
        ("ST LOUIS UNIV,MED CTR,ST LOUIS,MO", "US"),
        ("BAYLOR COLL MED,HOUSTON,TX 77030-3498", "US"),
        ("TULANE UNIV,SCH MED,1430 TULANE AVE,NEW ORLEANS,LA 70112, USA.", "US"),
        ("USA", "US"),
        ("Tohoku Univ, WPI Adv Inst Mat Res, Sendai, Miyagi 9808577, Japan.", "JP"),
        ("Xiamen Univ, Dept Mat Sci & Engn, Xiamen 361005, Peoples R China.", "CN"),
        ("EBI, EMBL Outstn, Cambridge CB10 1SD, England", "GB"),
        ("Islamic Univ Gaza, Dept Phys, Gaza, Palestinian Aut, Israel.", "IL"),
        ("DOMAINE UNIV ST JEROME,ECOLE NATL SUPER PHYS MARSEILLE,F-13397 MARSEILLE 20,FRANCE.", "FR"),
        ("Univ Queensland, Sch Psychol, St Lucia, Qld, Australia.", "AU"),
        ("Commiss Org Eastern Caribbean States, Morne, Castries, St Lucia.", "LC"),
        ("Prirodno Matemat Fak, Sarajevo, Bosnia & Herceg.", "BA"),
        ("VNU HCM, Spintron Res Grp, Ho Chi Minh City, Vietnam.", "VN"),
        ("Univ Calgary, Calgary, AB T2N 1N4, Canada", "CA"),
        ("Inst Marine Affairs, Chaguaramas, Trinid & Tobago.", "TT"),
    ],
)
def test_country_from_address(address, code):
    assert country_from_address(address) == code


@pytest.mark.parametrize(
    "address",
    [None, "", " . ", "Some Inst, Nowhere Land.", "Univ Queensland, St Lucia, Qld 4072",
     "CA 94305", "MA"],  # a bare state code or ZIP with no other element is not enough
)
def test_country_from_address_unknown(address):
    assert country_from_address(address) is None


def test_no_country_name_ends_with_usa():
    # country_from_address reads "... USA" as the United States before any table look-up
    from wpimap.io.countries import _table, country_from_address

    assert [k for k in _table() if k.endswith(" usa")] == []
    assert country_from_address("Stanford Univ, Stanford, CA 94305 USA.") == "US"
    assert country_from_address("Univ X, New York, NY 10027 USA") == "US"
