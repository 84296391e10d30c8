"""From the pieces of a text to one place. The rules, in order:

1. The first piece that names a city is the city; the other pieces (a country, a region, a
   department, a flag, a state code) narrow its namesakes ("Paris, TX"). A later piece that
   names both a city and an area is read as the area ("New York, New York").
2. A piece that is both a city and an area ("Paris", the city and the department; "Québec")
   is the city that lies in that area; when none does ("Vienne", a department and a city of
   another region), it is the area, unless another piece picks a city.
3. A city's own name outranks another city's other name ("Saint-Étienne" is not
   Saint-Étienne-du-Rouvray, which GeoNames also calls so).
4. Among the namesakes left, one is chosen only when it is alone or at least ten times as
   populous as the next ("Paris" is Paris, France; "Springfield" is no city, only the United
   States that all its namesakes share).
5. A second city ("Marseille / Aix") keeps the first when it lies in the same region, only the
   country when it lies in the same country, and nothing when the two disagree.
6. Pieces that disagree with each other ("France, Canada") give nothing: unknown, not guessed.
7. A French postcode counts only when nothing else names another country (a US ZIP looks the
   same).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rumeur.places import gazetteer
from rumeur.places.gazetteer import Area, City
from rumeur.places.place import UNKNOWN, Place
from rumeur.places.reading import Piece

# How much more populous the largest namesake must be to be taken for the name alone.
DOMINANCE = 10

Choices = tuple[Area, ...]


def resolve(parts: Sequence[Piece], marks: Sequence[Piece], postcodes: Sequence[Piece]) -> Place:
    cities, context = _split(parts)
    context += [piece.areas for piece in marks]
    if postcodes and _french(cities, context):
        context += [piece.areas for piece in postcodes]
        if not cities:
            cities = [piece for piece in postcodes if piece.cities][:1]
    if cities and cities[0].areas:
        first = _first(cities[0], context)
        if first is None:  # the piece is the area it names
            context.append(cities[0].areas)
            cities = cities[1:]
        else:
            cities[0] = first
    conflict, country, region = _settle(context)
    if conflict:
        return UNKNOWN
    return _place(cities, context, country, region)


def _split(parts: Sequence[Piece]) -> tuple[list[Piece], list[Choices]]:
    cities: list[Piece] = []
    context: list[Choices] = []
    for piece in parts:
        if piece.cities and not (cities and piece.areas):
            cities.append(piece)
        elif piece.areas:
            context.append(piece.areas)
    return cities, context


def _first(piece: Piece, context: list[Choices]) -> Piece | None:
    """The first city piece that also names areas: its namesakes in those areas; or, when
    none lies there, its namesakes in the other pieces' areas, if they name any."""
    narrowed = _narrowed(piece.cities, context)
    inside = tuple(c for c in narrowed if any(_fits(c, a) for a in piece.areas))
    if inside:
        return Piece(inside, (), piece.own)
    if context and narrowed:
        return Piece(tuple(narrowed), (), piece.own)
    return None


def _place(
    cities: list[Piece], context: list[Choices], country: str | None, region: str | None
) -> Place:
    if not cities:
        return _named(None, region, country)
    found = [_narrowed(piece.cities, context) for piece in cities]
    first = _preferred(found[0], cities[0].own)
    if not first:  # the city named is in none of the areas named: the areas alone
        return _named(None, region, country)
    city = _chosen(first)
    if city is None:
        shared_country = _shared(c.country for c in first) or country
        shared_region = _shared(c.region for c in first) or region
        return _named(None, shared_region, shared_country)
    for other in found[1:]:
        if any(c.id == city.id or (c.region and c.region == city.region) for c in other):
            continue
        if any(c.country == city.country for c in other):
            return _named(None, region, city.country)
        return _named(None, region, country)
    return _named(city.name, city.region or region, city.country)


def _named(city: str | None, region: str | None, country: str | None) -> Place:
    return Place(city, gazetteer.region_name(region) if region else None, country)


def _narrowed(namesakes: Iterable[City], context: list[Choices]) -> list[City]:
    return [c for c in namesakes if all(any(_fits(c, a) for a in choices) for choices in context)]


def _preferred(namesakes: list[City], own: frozenset[int]) -> list[City]:
    named = [c for c in namesakes if c.id in own]
    return named or namesakes


def _fits(city: City, area: Area) -> bool:
    if city.country != area.country:
        return False
    return area.region is None or city.region is None or city.region == area.region


def _chosen(namesakes: list[City]) -> City | None:
    unique = sorted({c.id: c for c in namesakes}.values(), key=lambda c: -c.population)
    if len(unique) == 1 or unique[0].population >= DOMINANCE * unique[1].population:
        return unique[0]
    return None


def _shared(values: Iterable[str | None]) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _settle(context: list[Choices]) -> tuple[bool, str | None, str | None]:
    """Do the pieces disagree? If not, the one country they all allow (None when a piece such
    as "CA" leaves two), and the one region those that name one agree on."""
    if not context:
        return False, None, None
    countries = set.intersection(*({a.country for a in choices} for choices in context))
    if len(countries) != 1:
        return not countries, None, None
    country = countries.pop()
    regions: set[str] | None = None
    for choices in context:
        named = {a.region for a in choices if a.country == country}
        if None in named:
            continue
        regions = named if regions is None else regions & named
    return False, country, (next(iter(regions)) if regions and len(regions) == 1 else None)


def _french(cities: list[Piece], context: list[Choices]) -> bool:
    """May a five-digit number be a French postcode here?"""
    if any(not any(a.country == "FR" for a in choices) for choices in context):
        return False
    return not cities or any(c.country == "FR" for c in cities[0].cities)
