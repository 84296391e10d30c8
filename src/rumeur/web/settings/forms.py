"""The settings forms, read and filled: each field of a form is named by its settings key path
(`competitors[1].terms`, `alerts.volume_ratio`, `notify.targets[0].url_env`), the path a
refused value's one-line error names, so that the error is shown next to the field it is about.

A form is read into the TOML-shaped data of its section (what `settings.sections.with_section`
checks): a field left empty is left out, so the setting's default applies; a list of items
keeps the rows that hold something and are not marked for removal. What the workspace holds is
turned back into the fields' text the same way, so the form shows it as it would be typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from rumeur.i18n import _
from rumeur.inbox.rules import tags_of
from rumeur.logs import redact_text
from rumeur.web.filters import FilterError

MAX_ITEMS = 200  # rows a list form may send: a brand has a few competitors, not thousands
TEXT_LIMIT = 10_000  # what one field may hold before the whole form is refused


class Kind(StrEnum):
    TEXT = "text"  # one line, trimmed
    AREA = "area"  # several lines kept as typed (a holding statement)
    LINES = "lines"  # a list, one item per line (terms hold spaces)
    WORDS = "words"  # a list, separated by commas or spaces (handles, names, addresses)
    CHECK = "check"  # a checkbox
    VALUE = "value"  # a number or a duration: the settings model reads the text
    CHOICE = "choice"  # one of a list (a select): a row holding only its choice is empty
    DAYS = "days"  # several checkboxes of one name


BRAND = {"name": Kind.TEXT, "terms": Kind.LINES, "handles": Kind.WORDS}
QUERY = {"name": Kind.TEXT, "query": Kind.AREA, "watch": Kind.CHECK}
REASON = {"name": Kind.TEXT, "examples": Kind.LINES, "query": Kind.AREA}
DEPARTMENT = {
    "slug": Kind.TEXT,
    "name": Kind.TEXT,
    "reasons": Kind.LINES,
    "first_response": Kind.VALUE,
    "next_response": Kind.VALUE,
    "approval": Kind.CHOICE,
    "seniors": Kind.WORDS,
}
STATEMENT = {
    "slug": Kind.TEXT,
    "title": Kind.TEXT,
    "title_fr": Kind.TEXT,
    "title_en": Kind.TEXT,
    "text_fr": Kind.AREA,
    "text_en": Kind.AREA,
}
HOURS = {"days": Kind.DAYS, "start": Kind.VALUE, "end": Kind.VALUE, "holidays": Kind.WORDS}
NOTIFY = {
    "escalate_after": Kind.VALUE,
    "escalation": Kind.WORDS,
    "growth": Kind.VALUE,
    "base_url": Kind.TEXT,
}
# Every field a target row may hold; `TARGET_KEYS` says which ones each kind takes.
TARGET = {
    "name": Kind.TEXT,
    "kind": Kind.CHOICE,
    "url_env": Kind.TEXT,
    "url_file": Kind.TEXT,
    "secret_env": Kind.TEXT,
    "secret_file": Kind.TEXT,
    "username": Kind.TEXT,
    "icon_url": Kind.TEXT,
    "host": Kind.TEXT,
    "port": Kind.VALUE,
    "security": Kind.CHOICE,  # the form's one choice for the settings' `starttls` and `ssl`
    "password_env": Kind.TEXT,
    "password_file": Kind.TEXT,
    "sender": Kind.TEXT,
    "to": Kind.WORDS,
}
TARGET_KINDS = ("email", "webhook", "slack", "mattermost", "teams")
_URL = ("name", "kind", "url_env", "url_file")
_SMTP = ("host", "port", "security", "username", "password_env", "password_file", "sender", "to")
TARGET_KEYS: dict[str, tuple[str, ...]] = {
    "email": ("name", "kind", *_SMTP),
    "webhook": (*_URL, "secret_env", "secret_file"),
    "slack": _URL,
    "mattermost": (*_URL, "username", "icon_url"),
    "teams": _URL,
}
SECURITY = ("none", "starttls", "ssl")


class FormError(FilterError):
    """A form that cannot be read at all (too many rows, a field too long): one line, a 400
    wherever it is raised."""


def text_of(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    value = value if isinstance(value, str) else ""
    if len(value) > TEXT_LIMIT:
        raise FormError(_("{name}: at most {n} characters").format(name=name, n=TEXT_LIMIT))
    return value


def read_value(form: Any, name: str, kind: Kind) -> Any:
    """The setting a field holds, or None when it is empty (the setting's default applies)."""
    if kind is Kind.DAYS:
        return [str(d) for d in form.getlist(name)]
    if kind is Kind.CHECK:
        return text_of(form, name) in ("1", "on", "true")
    raw = text_of(form, name)
    if kind is Kind.AREA:
        raw = raw.replace("\r\n", "\n").strip()
        return raw or None
    if kind is Kind.LINES:
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if kind is Kind.WORDS:
        return tags_of(raw)
    raw = raw.strip()
    if kind is Kind.VALUE and re.fullmatch(r"\d+,\d+", raw):
        raw = raw.replace(",", ".")  # a decimal comma, as French is written: 2,5
    return raw or None


def read_object(form: Any, prefix: str, kinds: Mapping[str, Kind]) -> dict[str, Any]:
    """The fields `prefix.key` of `kinds` as a table; empty fields are left out."""
    values = {key: read_value(form, f"{prefix}.{key}", kind) for key, kind in kinds.items()}
    return {key: value for key, value in values.items() if value is not None}


def rows_sent(form: Any, prefix: str) -> list[int]:
    """The row numbers of `prefix[i].*` the form holds, in order."""
    pattern = re.compile(re.escape(prefix) + r"\[(\d{1,4})\]\.")
    found = sorted({int(m.group(1)) for key in form if (m := pattern.match(key))})
    if len(found) > MAX_ITEMS:
        raise FormError(_("{name}: at most {n} rows").format(name=prefix, n=MAX_ITEMS))
    return found


def read_items(
    form: Any, prefix: str, kinds: Mapping[str, Kind]
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of a list form that hold something and are not marked `remove`, each with its
    row number in the form (an error names the item by its place in the list kept)."""
    items = []
    for i in rows_sent(form, prefix):
        row = f"{prefix}[{i}]"
        if read_value(form, f"{row}.remove", Kind.CHECK):
            continue
        item = read_object(form, row, kinds)
        if any(v not in (False, []) for k, v in item.items() if kinds[k] is not Kind.CHOICE):
            items.append((i, item))
    return items


def read_targets(form: Any, stored: Iterable[BaseModel]) -> list[tuple[int, dict[str, Any]]]:
    """The notification targets: each row keeps the keys of its kind. An address written in
    the settings file (`url`, itself a secret) is never in the page: a row that names neither
    `url_env` nor `url_file` keeps the stored target's `url`."""
    inline = {t.name: getattr(t, "url", None) for t in stored}
    targets = []
    for row, item in read_items(form, "notify.targets", TARGET):
        kind = str(item.get("kind") or "")
        keys = TARGET_KEYS.get(kind, tuple(item))
        target = {k: v for k, v in item.items() if k in keys and v not in ([], None)}
        if kind == "email":
            security = target.pop("security", "none")
            target["starttls"] = security == "starttls"
            target["ssl"] = security == "ssl"
        elif kind in TARGET_KEYS and not {"url_env", "url_file"} & set(target):
            kept = inline.get(str(target.get("name")))
            if kept:
                target["url"] = kept
        targets.append((row, target))
    return targets


# Filling a form from the workspace --------------------------------------------------------------


def shown(value: Any, kind: Kind) -> Any:
    """A setting as its field shows it (a checkbox and the days stay what they are)."""
    if value is None:
        return ""
    if kind in (Kind.LINES, Kind.WORDS):
        return ("\n" if kind is Kind.LINES else ", ").join(shown(v, Kind.TEXT) for v in value)
    if kind in (Kind.CHECK, Kind.DAYS):
        return value
    if isinstance(value, timedelta):
        return duration(value)
    if isinstance(value, date | Path):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def duration(value: timedelta) -> str:
    """`2h`, `30m`, `1d`: the largest unit that counts it whole, as the settings file takes it."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def fill_object(prefix: str, data: Mapping[str, Any], kinds: Mapping[str, Kind]) -> dict[str, Any]:
    return {f"{prefix}.{k}": shown(data.get(k), kind) for k, kind in kinds.items()}


def fill_items(
    prefix: str, items: Iterable[Mapping[str, Any]], kinds: Mapping[str, Kind]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for i, item in enumerate(items):
        values |= fill_object(f"{prefix}[{i}]", item, kinds)
    return values


def fill_target(prefix: str, target: Mapping[str, Any]) -> dict[str, Any]:
    """A target's row; its inline `url` is not a field (see `read_targets`)."""
    values = fill_object(prefix, target, TARGET)
    values[f"{prefix}.security"] = (
        "ssl" if target.get("ssl") else "starttls" if target.get("starttls") else "none"
    )
    return values


def typed(form: Any) -> dict[str, Any]:
    """A refused form's fields as they were typed, to show them again (the days as a list)."""
    values: dict[str, Any] = {}
    for key in form:
        listed = form.getlist(key)
        values[key] = listed if key.endswith(".days") else text_of(form, key)
    for key in list(values):
        if key.endswith(".remove") or key.endswith(".watch") or key.endswith(".enabled"):
            values[key] = values[key] in ("1", "on", "true")
        elif key.startswith("notify.") and isinstance(values[key], str):
            # An address with its token typed where a variable's name goes is refused; it is
            # not shown back either (the page would hold the secret).
            values[key] = redact_text(values[key])
    return values
