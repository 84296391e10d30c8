"""One row of a file, through its mapping, into a `Post`."""

from __future__ import annotations

import hashlib
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from rumeur import entities
from rumeur.errors import RowError
from rumeur.model import Author, Label, Metrics, Post
from rumeur.sources.files.expanded import expand
from rumeur.sources.files.mapping import Mapping
from rumeur.sources.text import unescape

PLATFORMS = {"twitter": "x", "x": "x", "x (twitter)": "x", "bsky": "bluesky"}
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


class RowNormaliser:
    def __init__(self, mapping: Mapping, brands: dict[str, str] | None = None) -> None:
        self.mapping = mapping
        self.columns = mapping.columns
        self.zone = ZoneInfo(mapping.timezone)
        # brand value in the file (lower-cased) -> the workspace's name for it
        self.brands = brands or {}

    def __call__(self, row: dict[str, Any]) -> Post:
        c = self.columns
        written = self._get(row, c.text).strip()
        text = unescape(written).strip()  # "&amp;" as X exports it: the author typed "&"
        if not text:
            raise RowError(c.text, "empty text")
        created = self.date(row, c.created_at)
        handle = self._get(row, c.author).strip().lstrip("@") or "unknown"
        platform = self._platform(row)
        url = self._get(row, c.url).strip() or None
        # The id derived from a text is derived from the cell as it stands, so that a file
        # imported before texts were decoded finds its posts again.
        native_id = self._native_id(row, url, handle, created, written)
        if url is None and self.mapping.url_template:
            url = self.mapping.url_template.format(author=handle, native_id=native_id)
        return self._post(row, text, created, handle, platform, url, native_id)

    def _post(
        self,
        row: dict[str, Any],
        text: str,
        created: datetime,
        handle: str,
        platform: str,
        url: str | None,
        native_id: str,
    ) -> Post:
        c = self.columns
        metrics = Metrics(**{m: self.count(row, getattr(c, m)) for m in _COUNTS})
        views = self._get(row, c.views)
        metrics.views = self.count(row, c.views) if views.strip() else None
        return Post(
            platform=platform,
            native_id=native_id,
            text=text,
            created_at=created,
            author=self._author(row, handle),
            url=url,
            title=unescape(self._get(row, c.title)).strip() or None,
            language=self._get(row, c.language).strip().lower() or None,
            metrics=metrics,
            mentions=entities.mentions(text),
            hashtags=entities.hashtags(text),
            links=expand(entities.links(text), row),
            brands=self._brands(row),
            labels=self._labels(row),
            location=self._get(row, c.location).strip() or None,
            raw=row,
        )

    @staticmethod
    def _get(row: dict[str, Any], key: str | None) -> str:
        if key is None:
            return ""
        value: Any = row.get(key)
        if type(value) is str:  # a CSV cell: some twenty per row, the rest is for JSON
            return value
        if value is None and "." in key and key not in row:
            value = row
            for part in key.split("."):  # a dotted path into nested JSON
                value = value.get(part) if isinstance(value, dict) else None
        return _as_text(key, value)

    def date(self, row: dict[str, Any], key: str) -> datetime:
        raw = self._get(row, key).strip()
        if not raw:
            raise RowError(key, "empty date")
        try:
            value = self._utc(raw)
        except (ValueError, OverflowError):  # an offset of 25 h, year 1 at +14:00 ...
            raise RowError(
                key, f"bad date {raw[:40]!r} (expected e.g. 2015-02-24T11:35:00-08:00)"
            ) from None
        if not EARLIEST <= value <= datetime.now(UTC) + timedelta(days=1):
            raise RowError(key, f"date {raw[:40]!r} is out of range (before 1990 or in the future)")
        return value

    def _utc(self, raw: str) -> datetime:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            value = dateparser.parse(raw, dayfirst=self.mapping.dayfirst)
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(UTC)

    def count(self, row: dict[str, Any], key: str | None) -> int:
        raw = self._get(row, key).strip()
        if not raw:
            return 0
        value = _whole_number(raw)
        if value is None:
            raise RowError(key or "", f"not a whole number: {raw[:20]!r}")
        if value < 0:
            raise RowError(key or "", f"negative count: {value}")
        return value

    def _platform(self, row: dict[str, Any]) -> str:
        value = self._get(row, self.columns.platform).strip().lower() or self.mapping.platform
        return PLATFORMS.get(value, value)

    def _native_id(
        self, row: dict[str, Any], url: str | None, handle: str, created: datetime, text: str
    ) -> str:
        if self.columns.native_id is not None:
            value = self._get(row, self.columns.native_id).strip()
            if not value:
                raise RowError(self.columns.native_id, "empty id")
            return value
        if url:
            return url[:128] if len(url) <= 128 else hashlib.sha1(url.encode()).hexdigest()
        seed = f"{handle}\n{created.isoformat()}\n{text}".encode()
        return hashlib.sha1(seed).hexdigest()

    def _author(self, row: dict[str, Any], handle: str) -> Author:
        c = self.columns
        followers = self._get(row, c.author_followers).strip()
        return Author(
            handle=handle,
            display_name=self._get(row, c.author_name).strip() or None,
            followers=self.count(row, c.author_followers) if followers else None,
            location=self._get(row, c.author_location).strip() or None,
        )

    def _brands(self, row: dict[str, Any]) -> list[str]:
        value = self._get(row, self.columns.brand).strip()
        if not value:
            return []
        return [self.brands.get(value.lower(), value)]

    def _labels(self, row: dict[str, Any]) -> list[Label]:
        labels = []
        for task, spec in self.mapping.labels.items():
            value = self._get(row, spec.column).strip()
            if not value:
                continue
            score_text = self._get(row, spec.score).strip()
            score = _decimal(score_text) if score_text else None
            if score_text and (score is None or not 0 <= score <= 1):
                reason = f"not a score between 0 and 1: {score_text[:20]!r}"
                raise RowError(spec.score or "", reason)
            labels.append(Label(task, value, score, self.mapping.label_origin))
        return labels


_COUNTS = ("likes", "reposts", "replies", "quotes")
_SPACES = re.compile(r"[\s\u00a0\u202f']")  # 1 200, 1\u202f200, 1'200 (Swiss)
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+$")  # 1,200 in an English export
_DOTTED = re.compile(r"^-?\d{1,3}(\.\d{3}){2,}$")  # 1.234.567 (German, Italian)
_PLAIN_DECIMAL = re.compile(r"-?\d+(?:\.\d+)?")  # 0.6614, 1, -3.5: read as they are
_EXACT_DIGITS = 15  # digits a float holds exactly: longer counts take the slow path as before


def _as_text(key: str, value: Any) -> str:
    """A JSON value as the text of a field: a number is written as JSON writes it (ids often
    come as numbers); true, false, an object or an array is no text, and rejects its row."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | dict | list):
        raise RowError(key, f"expected text or a number, found {_kind(value)}")
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a JSON object"
    return "a JSON array" if isinstance(value, list) else str(value).lower()


def _decimal(raw: str) -> float | None:
    """0.9, 0,9 (French) and 1 200,5 all read as numbers."""
    if _PLAIN_DECIMAL.fullmatch(raw):  # most cells: none of the rewrites below applies
        return float(raw)
    text = _SPACES.sub("", raw)
    if _DOTTED.match(text):
        text = text.replace(".", "")
    text = text.replace(",", "") if _THOUSANDS.match(text) else text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _whole_number(raw: str) -> int | None:
    """12, 1 200, 1,200, 1.2K and 3M (as listening tools export them) read as counts."""
    if len(raw) <= _EXACT_DIGITS and raw.isascii() and raw.isdigit():
        return int(raw)  # most cells; what the float below reads exactly
    text = _SPACES.sub("", raw)
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:].lower(), 1)
    value = _decimal(text[:-1] if scale > 1 else text)
    return None if value is None else round(value * scale)
