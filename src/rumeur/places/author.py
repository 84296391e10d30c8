"""An author's place from all they give: the location they typed, their biography, and the
places of their posts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rumeur.places.locate import locate
from rumeur.places.place import UNKNOWN, Place
from rumeur.places.prose import locate_in_text

# The posts' places speak for the author only when they agree: at least this many posts with a
# place, and this share of them naming the same one.
MIN_POSTS = 2
AGREEMENT = 2 / 3


def locate_author(
    location: str | None,
    profile_text: str | None = None,
    post_places: Iterable[Place | str | None] = (),
) -> Place:
    """The typed location first; the biography, then the posts' agreed place, only fill what
    it leaves unknown, and only when they lie in the same country (and region, if both say)."""
    place = locate(location)
    for other in (locate_in_text(profile_text), agreed(post_places)):
        place = _completed(place, other)
    return place


def agreed(places: Iterable[Place | str | None]) -> Place:
    known = [p for p in (_place(p) for p in places) if p.known]
    if len(known) < MIN_POSTS:
        return UNKNOWN
    for key in (lambda p: p, lambda p: Place(country=p.country)):
        top, count = Counter(key(p) for p in known).most_common(1)[0]
        if count >= AGREEMENT * len(known):
            return top
    return UNKNOWN


def _place(value: Place | str | None) -> Place:
    return value if isinstance(value, Place) else locate(value)


def _completed(place: Place, other: Place) -> Place:
    if not other.known:
        return place
    if not place.known:
        return other
    if place.country != other.country or place.city:
        return place
    if place.region and other.region and place.region != other.region:
        return place
    return Place(other.city, place.region or other.region, place.country)
