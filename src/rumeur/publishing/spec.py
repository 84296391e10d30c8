"""A message as `rumeur publish FILE` and `POST /api/w/SLUG/publish` take it (docs/publish.md,
"The file"): `{"text", "accounts", "at"}` and, optionally, `variants` (per network or per
account), `media`, `title`, `visibility`, `spoiler`, `type` (the content type) and `template`.
A message that cannot be read is refused whole with one line naming the key; nothing of a file
is scheduled until every message in it reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any
from zoneinfo import ZoneInfo

from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.publishing.rules import Media

MESSAGE_KEYS = frozenset(
    {"text", "accounts", "at", "variants", "media", "title", "visibility", "spoiler", "type",
     "template", "subreddit", "url", "poll"}
)  # fmt: skip
VARIANT_KEYS = frozenset(
    {"text", "title", "media", "visibility", "spoiler", "subreddit", "url", "poll"}
)  # fmt: skip
POLL_KEYS = frozenset({"options", "expires_in", "multiple"})
POLL_EXPIRES = 86_400  # a poll's duration when the message gives none: a day
# Terminal control characters: a file's key is shown with them made visible, never obeyed.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")  # and lone surrogates
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # what no database column takes as text
MAX_TEXT = 100_000  # far above every network's limit: a file's mistake, not a message
YEARS = (1970, 2999)  # a time outside is a mistake, and some are beyond what the store holds


class SpecError(RumeurError):
    """A message that cannot be read: one line, naming where."""


@dataclass(frozen=True, slots=True)
class Spec:
    text: str
    accounts: tuple[str, ...]
    at: datetime  # timezone-aware
    timezone: str  # as written: "+01:00", or the workspace's zone for a time without one
    fields: dict[str, Any] = field(default_factory=dict)  # title, media, visibility...
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    content_type: str | None = None
    template: str | None = None


def read(data: Any, zone: str, where: str = "message") -> Spec:
    """One message read from its JSON; SpecError naming `where` and the key otherwise."""
    if not isinstance(data, Mapping):
        raise SpecError(_("{where}: a message is a JSON object").format(where=where))
    unknown = sorted(set(data) - MESSAGE_KEYS)
    if unknown:
        raise SpecError(_("{where}: unknown key {key!r}").format(where=where, key=unknown[0]))
    text = _string(data.get("text"), f"{where}.text", required=True)
    accounts = data.get("accounts")
    if (
        not isinstance(accounts, list)
        or not accounts
        or not all(isinstance(a, str) and a for a in accounts)
    ):
        raise SpecError(_("{where}.accounts: a list of account names").format(where=where))
    at, written = read_time(data.get("at"), zone, f"{where}.at")
    variants = data.get("variants") or {}
    if not isinstance(variants, Mapping):
        raise SpecError(_("{where}.variants: an object").format(where=where))
    names = [_string(a, f"{where}.accounts", limit=200) for a in accounts]
    return Spec(
        text=text,
        accounts=tuple(dict.fromkeys(names)),
        at=at,
        timezone=written,
        fields=_fields(data, where),
        variants={
            str(k): _variant(v, f"{where}.variants.{printable(str(k))}")
            for k, v in variants.items()
        },
        content_type=_string(data.get("type"), f"{where}.type", limit=64) or None,
        template=_string(data.get("template"), f"{where}.template", limit=64) or None,
    )


def read_time(value: Any, zone: str, where: str) -> tuple[datetime, str]:
    """An ISO 8601 time and how it was written: its offset, or `zone` when it gives none."""
    if not isinstance(value, str) or not value:
        raise SpecError(_("{where}: a time such as 2026-12-24T09:00:00+01:00").format(where=where))
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise _not_a_time(where, value) from None
    if at.tzinfo is None:
        at, written_in = at.replace(tzinfo=ZoneInfo(zone)), zone
    else:
        offset = at.strftime("%z")
        written_in = "Z" if value.endswith("Z") else f"{offset[:3]}:{offset[3:]}"
    try:
        in_utc = at.astimezone(UTC)
    except OverflowError:
        in_utc = None
    if in_utc is None or not YEARS[0] <= in_utc.year <= YEARS[1]:
        raise _not_a_time(where, value)
    return at, written_in


def _not_a_time(where: str, value: str) -> SpecError:
    return SpecError(
        _("{where}: {value!r} is not a time such as 2026-12-24T09:00:00+01:00").format(
            where=where, value=value[:40]
        )
    )


def _fields(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    found = {k: data[k] for k in VARIANT_KEYS - {"text"} if k in data}
    return _variant(found, where) if found else {}


def _variant(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, str):
        return {"text": _string(value, where, required=True)}
    if not isinstance(value, Mapping):
        raise SpecError(_("{where}: a text or an object").format(where=where))
    unknown = sorted(set(value) - VARIANT_KEYS)
    if unknown:
        raise SpecError(_("{where}: unknown key {key!r}").format(where=where, key=unknown[0]))
    found: dict[str, Any] = {}
    for key in VARIANT_KEYS - {"media", "poll"}:
        if key in value:
            found[key] = _string(value[key], f"{where}.{key}")
    if "media" in value:
        found["media"] = _media(value["media"], f"{where}.media")
    if value.get("poll") is not None:
        found["poll"] = _poll(value["poll"], f"{where}.poll")
    return found


def _poll(value: Any, where: str) -> dict[str, Any]:
    """A poll as Mastodon takes one: `{"options": [...], "expires_in": seconds, "multiple"}`;
    how many options and how long is the network's rule (rules.py), checked per account."""
    if not isinstance(value, Mapping):
        raise SpecError(_('{where}: an object such as {{"options": ["A", "B"]}}').format(
            where=where))  # fmt: skip
    unknown = sorted(set(value) - POLL_KEYS)
    if unknown:
        raise SpecError(_("{where}: unknown key {key!r}").format(where=where, key=unknown[0]))
    options = value.get("options")
    if not isinstance(options, list) or not options or len(options) > 20:
        raise SpecError(_("{where}.options: a list of answers").format(where=where))
    expires = value.get("expires_in", POLL_EXPIRES)
    if isinstance(expires, bool) or not isinstance(expires, int) or expires <= 0:
        raise SpecError(_("{where}.expires_in: a number of seconds").format(where=where))
    multiple = value.get("multiple", False)
    if not isinstance(multiple, bool):
        raise SpecError(_("{where}.multiple: true or false").format(where=where))
    texts = [_string(o, f"{where}.options[{i}]", required=True, limit=200)
             for i, o in enumerate(options)]  # fmt: skip
    return {"options": texts, "expires_in": expires, "multiple": multiple}


def _media(value: Any, where: str) -> tuple[Media, ...]:
    if not isinstance(value, list):
        raise SpecError(_('{where}: a list of {{"path", "alt"}}').format(where=where))
    found = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"path": item}
        if not isinstance(item, Mapping) or not isinstance(item.get("path"), str):
            raise SpecError(_("{where}[{i}]: an object with a path").format(where=where, i=i))
        alt = item.get("alt", "")
        path = _string(item["path"], f"{where}[{i}].path", required=True, limit=1000)
        found.append(Media(path, _string(alt, f"{where}[{i}].alt", limit=2000)))
    return tuple(found)


def _string(value: Any, where: str, *, required: bool = False, limit: int = MAX_TEXT) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise SpecError(_("{where}: a text").format(where=where))
    if len(value) > limit or UNSTORABLE.search(value):
        raise SpecError(
            _("{where}: at most {limit} characters of text (no NUL, no lone surrogate)").format(
                where=where, limit=limit
            )
        )
    return value


def written(at: datetime, timezone: str) -> datetime:
    """`at` in the zone it was written in (an offset, `Z`, or a zone name)."""
    if timezone == "Z":
        return at.astimezone(UTC)
    if timezone[:1] in "+-":
        sign = -1 if timezone[0] == "-" else 1
        hours, _sep, minutes = timezone[1:].partition(":")
        delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
        return at.astimezone(dt_timezone(sign * delta))
    return at.astimezone(ZoneInfo(timezone))


def printable(text: str) -> str:
    """`text` with its terminal control characters shown as `\\xNN` (docs/architecture.md,
    "Untrusted text in the terminal")."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
