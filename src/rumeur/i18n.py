"""The translation layer. Messages are written in English in the code and translated from the
gettext catalogues in `locale/` (read with Babel, so no compile step is needed).

The language comes from `RUMEUR_LANG`, else from the usual `LC_ALL`, `LC_MESSAGES` and `LANG`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

LANGUAGES = ("en", "fr")
_current: list[str] = []
# The web app serves users in several languages at once: one request's choice, in its context.
_request: ContextVar[str | None] = ContextVar("rumeur_language", default=None)


def language() -> str:
    chosen = _request.get()
    if chosen is not None:
        return chosen
    if _current:
        return _current[-1]
    for name in ("RUMEUR_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        if value[:2].lower() in LANGUAGES:
            return value[:2].lower()
    return "en"


def set_language(code: str) -> None:
    _current[:] = [code if code in LANGUAGES else "en"]


@contextmanager
def using(code: str) -> Iterator[None]:
    """Messages and formats in `code` (fr or en) inside the block, for this context only."""
    token = _request.set(code if code in LANGUAGES else "en")
    try:
        yield
    finally:
        _request.reset(token)


def gettext(message: str) -> str:
    lang = language()
    if lang == "en":
        return message
    return catalogue(lang).get(message) or message


_ = gettext


def pgettext(context: str, message: str) -> str:
    """`message` as translated in `context` (a `msgctxt` of the catalogue): for the few English
    words that two parts of the app translate differently."""
    lang = language()
    if lang == "en":
        return message
    return _entries(lang).get((context, message)) or message


@cache
def catalogue(lang: str) -> dict[str, str]:
    """The translations of `lang` without a context, by message."""
    return {m: text for (context, m), text in _entries(lang).items() if context is None}


@cache
def _entries(lang: str) -> dict[tuple[str | None, str], str]:
    # Imported here: English (and so `rumeur --help` in English) never reads a catalogue.
    from babel.messages.pofile import read_po

    path = resources.files("rumeur") / "locale" / lang / "LC_MESSAGES" / "rumeur.po"
    with path.open("rb") as fh:
        catalog = read_po(fh)
    return {
        (m.context, m.id): m.string for m in catalog if m.id and isinstance(m.id, str) and m.string
    }


def number(value: float, digits: int = 0) -> str:
    """A number in the current language's style (11,570 in English, 11 570 in French)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return _format(value, pattern)


def percent(value: float) -> str:
    return _format(value, "#,##0.0%")


def _format(value: float, pattern: str) -> str:
    """What Babel's `format_decimal` and `format_percent` write, with the parsed pattern and the
    locale kept: a month's dashboard writes about 500 numbers, and parsing both again for each
    cost more than writing it."""
    return _pattern(pattern).apply(value, _locale(language()))


@cache
def _pattern(pattern: str) -> Any:
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


@cache
def _locale(code: str) -> Any:
    from babel import Locale

    return Locale.parse(code)


def day(value: date) -> str:
    from babel.dates import format_date

    return format_date(value, format="medium", locale=language())


def moment(value: datetime, zone: ZoneInfo, style: str = "medium") -> str:
    """A date and time in `zone`, in the current language's style."""
    from babel.dates import format_datetime

    return format_datetime(value.astimezone(zone), format=style, tzinfo=zone, locale=language())


def duration(seconds: float) -> str:
    """A length of time rounded to its largest unit, in the current language (`3 minutes`,
    `2 heures`)."""
    from babel.dates import format_timedelta

    return format_timedelta(seconds, threshold=1.0, locale=language())
