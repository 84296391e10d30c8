"""A place in a biography: after a pin (📍) or the words that introduce one ("based in",
"basée à"), or a flag. Read more cautiously than a typed location: only words that start with a
capital after such a lead, and at most four of them."""

from __future__ import annotations

import re

from rumeur.places.locate import locate
from rumeur.places.place import UNKNOWN, Place
from rumeur.places.reading import MAX_LENGTH

_LEAD = re.compile(
    r"(?:📍|🏠|\b(?:based in|living in|lives in|live in|from|born in|basée?s? (?:à|a|en)"
    r"|vit (?:à|a)|habite (?:à|a)|originaire de|installée? (?:à|a)|depuis|in|à|en))\s*"
    r"([^\n|,.;:!?()\[\]/•·]{2,60})",
    re.IGNORECASE,
)
_WORD = re.compile(r"\S+")


def locate_in_text(text: str | None) -> Place:
    if not text:
        return UNKNOWN
    text = text[: MAX_LENGTH * 5]
    for match in _LEAD.finditer(text):
        words = _WORD.findall(match.group(1))[:4]
        if not words or not words[0][:1].isupper():
            continue
        for size in range(len(words), 0, -1):
            place = locate(" ".join(words[:size]))
            if place.known:
                return place
    flagged = locate(" ".join(re.findall("[\U0001f1e6-\U0001f1ff]{2}", text)[:1]))
    return flagged
