"""Reading a field of a network's JSON payload, or saying which field is wrong: the same checks
for every network, so that a malformed item is rejected with the same kind of line."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dateutil import parser as dateparser

from rumeur.errors import RowError


def need_dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    if not isinstance(value, dict):
        raise RowError(key, "missing or not an object")
    return value


def need_str(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise RowError(key, "missing or not a string")
    return value


def count_or_none(obj: dict[str, Any], key: str) -> int | None:
    """A count the network may leave out (None); a negative or non-integer one is wrong."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RowError(key, f"not a count: {value!r}")
    return value


def count(obj: dict[str, Any], key: str) -> int:
    value = count_or_none(obj, key)
    return 0 if value is None else value


def parse_time(value: Any, name: str) -> datetime:
    """A network's ISO 8601 time in UTC; one without an offset is read as UTC, the networks'
    own zone. Python reads up to six decimals; dateutil reads the longer ones some clients
    write, so every network accepts what any of them sends."""
    if not isinstance(value, str) or not value:
        raise RowError(name, "missing time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = dateparser.isoparse(value)
        except ValueError:
            raise RowError(name, f"bad time {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
