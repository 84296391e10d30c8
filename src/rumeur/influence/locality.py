"""An author's place, read from the location they typed, and how close it is to a place asked
for. The gazetteer is rumeur.places (`locate`); a text it cannot read stays unknown."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

try:  # the gazetteer's reader; without it (a partial install) every place stays unknown
    from rumeur.places import locate as _locate
except ImportError:  # pragma: no cover - rumeur.places ships with rumeur
    _locate = None


@lru_cache(maxsize=65536)
def place_of(text: str | None) -> dict[str, str | None] | None:
    """{city, region, country} of a typed location, or None when it names no known place.
    Cached: the same few thousand locations come back on every ranking."""
    if not text or not text.strip() or _locate is None:
        return None
    found: Any = _locate(text)
    if found is None or getattr(found, "country", None) is None:
        return None
    return {"city": found.city, "region": found.region, "country": found.country}


LEVELS = ("city", "region", "country")


def asked_level(asked: dict[str, str | None]) -> str:
    """The level a place asked for names: "city", "region" or "country"."""
    return next(level for level in LEVELS if asked[level] is not None)


def closeness(place: dict[str, str | None] | None, asked: dict[str, str | None]) -> float:
    """How close `place` is to the place asked for: 1 inside it, 0.5 in the region around the
    city asked (or the country around the region), 0.25 one level further, 0 elsewhere or
    unknown. The rankings keep the authors at 0.5 and above: a city's neighbours, not its
    country."""
    if place is None or place["country"] is None or place["country"] != asked["country"]:
        return 0.0
    start = LEVELS.index(asked_level(asked))
    for step, level in enumerate(LEVELS[start:]):
        if place[level] is not None and place[level] == asked[level]:
            return 1.0 / (2**step)
    return 0.0
