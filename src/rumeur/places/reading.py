"""What each piece of a typed place may mean: the text cut at its separators, and each piece
read as cities, areas (countries, regions, departments), or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rumeur.places import gazetteer
from rumeur.places.folding import fold
from rumeur.places.gazetteer import Area, City

# Longer texts are read up to here: a place is a few words, and the reading stays cheap
# whatever an author typed.
MAX_LENGTH = 200

_FLAG = re.compile("([\U0001f1e6-\U0001f1ff]{2})")
# A French postcode stands alone (a longer number is a phone or an id); a number in brackets
# is a department ("Angers (49)").
_POSTCODE = re.compile(r"(?<![\d\w])(\d{5})(?![\d\w])")
_DEPARTMENT = re.compile(r"\(\s*(\d\d|2[AaBb]|97\d)\s*\)")
_SEPARATORS = re.compile(r"[,/|;•·()\[\]\n\t]+|\s[-–—]\s|\s[&+]\s|[–—]")
# An arrondissement or district number after a city: "Lyon 3e", "PARIS 15", "Paris 15ème",
# "Marseille 8eme arr.", "Paris 1er", "Paris Cedex 07".
_DISTRICT = re.compile(
    r"\s+(?:cedex\s*)?\d{1,2}\s*(?:e|er|ere|eme|ème|è|ᵉ|ᵉʳ|th|st|nd|rd)?\.?"
    r"(?:\s*arr(?:ondissement)?\.?)?\s*$|\s+cedex$",
    re.IGNORECASE,
)
# Words before a place in a typed location or a biography.
_LEADS = (
    "based in", "living in", "lives in", "live in", "born in", "from", "in", "near", "around",
    "greater", "base a", "basee a", "bases a", "basees a", "vit a", "vis a", "habite a",
    "habite", "originaire de", "pres de", "region", "a", "de", "du", "en", "au", "sur",
)  # fmt: skip
# Words typed in a location field that GeoNames also gives as another name of some city
# ("She", "Africa"): pronouns and continents are no city, whatever the gazetteer says.
_NOT_PLACES = frozenset({
    "she", "her", "hers", "he", "him", "his", "they", "them", "it", "we", "any", "all", "elle",
    "il", "iel", "lui", "eux", "xe", "ze", "fae", "africa", "afrique", "europe", "asia", "asie",
    "america", "amerique", "americas", "oceania", "oceanie", "antarctica", "world", "monde",
})  # fmt: skip
# Postcodes whose department is one city: Paris (75), Lyon (690xx) and Marseille (130xx).
_POSTCODE_CITIES = {"75": 2988507, "690": 2996944, "130": 2995469}


@dataclass(frozen=True, slots=True)
class Piece:
    """One piece of the text and what it may mean. `cities` are the namesakes, `areas` the
    areas it may name (one piece, "CA", may be California or Canada)."""

    cities: tuple[City, ...] = ()
    areas: tuple[Area, ...] = ()
    own: frozenset[int] = frozenset()  # the cities whose own name it is, not another name


def flags(text: str) -> list[Piece]:
    """Each flag emoji (two regional indicators) as a country."""
    found = []
    for pair in _FLAG.findall(text):
        code = "".join(chr(ord(c) - 0x1F1E6 + ord("A")) for c in pair)
        if code in gazetteer.countries()[1]:
            found.append(Piece(areas=(Area(code),)))
    return found


def departments(text: str) -> list[Piece]:
    table = gazetteer.departments()
    found = (table.get(number.upper()) for number in _DEPARTMENT.findall(text))
    return [Piece(areas=(area,)) for area in found if area is not None]


def postcodes(text: str) -> list[Piece]:
    """French postcodes as their department (and the city, for Paris, Lyon and Marseille).
    Only trusted when nothing else says another country: a US ZIP looks the same."""
    table = gazetteer.departments()
    by_id = gazetteer.cities()[0]
    found = []
    for code in _POSTCODE.findall(text):
        number = code[:3] if code.startswith("97") else code[:2]
        if number == "20":
            number = "2A" if code < "20200" else "2B"
        if (area := table.get(number)) is None:
            continue
        city = next((by_id[i] for p, i in _POSTCODE_CITIES.items() if code.startswith(p)), None)
        own = frozenset({city.id}) if city else frozenset()
        found.append(Piece((city,) if city else (), (area,), own))
    return found


def pieces(text: str) -> list[Piece]:
    """The text's pieces, in order, each read on its own."""
    text = _FLAG.sub(" ", _POSTCODE.sub(" ", _DEPARTMENT.sub(" ", text)))
    found = []
    for part in _SEPARATORS.split(text):
        piece = read(part)
        if piece.cities or piece.areas:
            found.append(piece)
    return found


def read(part: str) -> Piece:
    """One piece: as typed, then without its district number, then without leading words
    ("based in", "à")."""
    part = part.strip()
    codes = _codes(part)
    if codes.areas:
        return codes
    for candidate in (part, _DISTRICT.sub("", part)):
        folded = fold(candidate)
        if not folded:
            continue
        for words in _without_leads(folded):
            if words in _NOT_PLACES:
                return Piece()
            piece = _names(words)
            if piece.cities or piece.areas:
                return piece
    return Piece()


def _without_leads(folded: str) -> list[str]:
    found = [folded]
    rest = folded
    while True:
        lead = next((w for w in _LEADS if rest.startswith(w + " ")), None)
        if lead is None:
            return found
        rest = rest[len(lead) + 1 :]
        found.append(rest)


def _codes(part: str) -> Piece:
    """A piece typed as a code in capitals: a US state or Canadian province ("TX", "QC"), a
    country ("FR", "USA")."""
    if not re.fullmatch(r"[A-Z]{2,3}", part):
        return Piece()
    regions = gazetteer.areas()[1].get(part, ())
    country = gazetteer.countries()[1].get(part)
    return Piece(areas=(*regions, *((Area(country),) if country else ())))


def _names(folded: str) -> Piece:
    by_id, city_names, own = gazetteer.cities()
    area_names = gazetteer.areas()[0]
    country = gazetteer.countries()[0].get(folded)
    areas = (*area_names.get(folded, ()), *((Area(country),) if country else ()))
    cities = tuple(by_id[i] for i in city_names.get(folded, ()))
    return Piece(cities, areas, own.get(folded, frozenset()))
