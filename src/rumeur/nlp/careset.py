"""The customer-care development set: short posts written by the project, as customers write
them to or about brands (post, rail, energy, telecom, banking, retail), each labelled with its
kind of message and its sentiment. See `data/README.md` for how it was written and labelled.

The set is small and hand-made, so every record is checked on reading: a training or
measuring script that gets a list back can trust every label, and a bad record stops the
reading with one line naming the file, the line and the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from rumeur.errors import InputError
from rumeur.i18n import _

LANGS = ("fr", "en")
DOMAINS = ("post", "rail", "energy", "telecom", "banking", "retail")
KINDS = ("complaint", "thanks", "question", "information", "sarcasm")
SENTIMENTS = ("negative", "neutral", "positive")
FIELDS = ("id", "lang", "domain", "kind", "sentiment", "text")
_ID = re.compile(r"(?P<lang>[a-z]{2})-\d{4}")


def dev_set_path() -> Path:
    """Where the shipped set lies (inside the package, so that the wheel carries it)."""
    return Path(str(resources.files("rumeur.nlp") / "data" / "care-dev.jsonl"))


@dataclass(frozen=True, slots=True)
class CarePost:
    id: str
    lang: str
    domain: str
    kind: str
    sentiment: str
    text: str


class CareSetError(InputError):
    """A record of the development set is malformed: `str()` is one line with file, line and
    field."""

    def __init__(self, path: Path, line: int, field: str, reason: str) -> None:
        super().__init__(
            _("{path}, line {line}, field {field}: {reason}").format(
                path=path, line=line, field=field, reason=reason
            )
        )
        self.path, self.line, self.field, self.reason = path, line, field, reason


def read_care_set(path: Path | None = None) -> list[CarePost]:
    """Every record of the set at `path` (the shipped one by default), in file order.
    Raises `CareSetError` on the first bad record."""
    path = dev_set_path() if path is None else Path(path)
    posts: list[CarePost] = []
    ids: dict[str, int] = {}
    texts: dict[str, int] = {}
    for number, value in _objects(path):
        post = _post(path, number, value)
        _unique(path, number, "id", post.id, ids)
        # The same text twice would sit in two folds of a cross-validation and flatter it.
        _unique(path, number, "text", " ".join(post.text.lower().split()), texts)
        posts.append(post)
    return posts


def _objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            _("{path}: cannot be read ({reason})").format(path=path, reason=exc.strerror)
        ) from None
    except UnicodeDecodeError:
        raise InputError(_("{path}: not UTF-8 text").format(path=path)) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            reason = _("not valid JSON ({error} at column {column})").format(
                error=exc.msg, column=exc.colno
            )
            raise CareSetError(path, number, "-", reason) from None
        if not isinstance(value, dict):
            raise CareSetError(path, number, "-", _("a JSON object was expected"))
        yield number, value


def _post(path: Path, number: int, value: dict[str, Any]) -> CarePost:
    for name in value:
        if name not in FIELDS:
            raise CareSetError(path, number, name, _("unexpected field"))
    for name in FIELDS:
        if not isinstance(value.get(name), str) or not value[name].strip():
            raise CareSetError(path, number, name, _("a non-empty string is required"))
    for name, allowed in (
        ("lang", LANGS),
        ("domain", DOMAINS),
        ("kind", KINDS),
        ("sentiment", SENTIMENTS),
    ):
        if value[name] not in allowed:
            reason = _("{value!r} is not one of {allowed}").format(
                value=value[name], allowed=", ".join(allowed)
            )
            raise CareSetError(path, number, name, reason)
    match = _ID.fullmatch(value["id"])
    if match is None or match["lang"] != value["lang"]:
        reason = _("{value!r} should read {lang}-NNNN").format(
            value=value["id"], lang=value["lang"]
        )
        raise CareSetError(path, number, "id", reason)
    if value["kind"] == "sarcasm" and value["sentiment"] != "negative":
        # The guidelines: sarcasm praises in words and complains in fact.
        raise CareSetError(path, number, "sentiment", _("a sarcastic post is negative"))
    return CarePost(**{name: value[name] for name in FIELDS})


def _unique(path: Path, number: int, field: str, key: str, seen: dict[str, int]) -> None:
    if key in seen:
        reason = _("the same as line {line}").format(line=seen[key])
        raise CareSetError(path, number, field, reason)
    seen[key] = number
