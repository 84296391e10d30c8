"""`locate(text)`: a typed place, normalised."""

from __future__ import annotations

from rumeur.errors import InputError
from rumeur.i18n import _
from rumeur.places import reading
from rumeur.places.place import UNKNOWN, Place
from rumeur.places.reading import MAX_LENGTH
from rumeur.places.resolve import resolve


def locate(text: str | None) -> Place:
    """The place `text` names, or what of it can be told without guessing. Never raises: any
    text gives a Place, read up to MAX_LENGTH characters."""
    if not text or not text.strip():
        return UNKNOWN
    text = text[:MAX_LENGTH]
    marks = reading.flags(text) + reading.departments(text)
    return resolve(reading.pieces(text), marks, reading.postcodes(text))


def checked(text: str) -> str:
    """The one check of a place typed at a boundary (the command line, the API): its length.
    `locate` itself reads any text, up to MAX_LENGTH characters."""
    if len(text) > MAX_LENGTH:
        message = _("a place is at most {limit} characters long; this text has {length}")
        raise InputError(message.format(limit=MAX_LENGTH, length=len(text)))
    return text
