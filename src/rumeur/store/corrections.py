"""Labels corrected by the team (issue #17): an analyst or community manager says a post's
sentiment, emotion or complaint reason is wrong and gives the right one, in the web app, the
REST API or `rumeur labels import`.

The newest correction of each (workspace, post, field) is kept in `label_corrections` with who
made it, when, and what the model said then; every correction, the replaced ones too, is logged
in `label_correction_log`. The post's label column takes the corrected value, so that every
page, count and export follows, and the rollups move from the old label's rows to the new
one's in the same transaction (as `rumeur reenrich` moves them). A correction outranks the model
and the source: the writer and `rumeur reenrich` put it back over their answers (corrected.py).

A correction may also name a text alone (no stored post): an example for the workspace's
adapter (`rumeur models adapt` reads them all with `corrections_for`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, insert, select, update

from rumeur.errors import RumeurError
from rumeur.i18n import _, number
from rumeur.store.author_stats import move_author_days
from rumeur.store.corrected import CHUNK, FIELDS, NONE, column_value
from rumeur.store.relabel import _stored
from rumeur.store.schema import (
    enrichments,
    label_correction_log,
    label_corrections,
    post_brands,
    posts,
)
from rumeur.store.store import Store
from rumeur.store.writer import SOURCE_VERSION, _apply_rollups, _state

if TYPE_CHECKING:
    from rumeur.config import Workspace

__all__ = [
    "FIELDS",
    "NONE",
    "Correction",
    "CorrectionError",
    "Wanted",
    "check_author",
    "check_text",
    "check_value",
    "corrections_for",
    "label_choices",
    "post_corrections",
    "posts_in",
    "record_correction",
    "record_corrections",
]
MAX_TEXT = 20_000  # characters of a text-only correction
MAX_AUTHOR = 64  # as users.name


class CorrectionError(RumeurError):
    """A correction that cannot be recorded: an unknown field or value, a post not in the
    workspace, an empty text. One line, naming what is wrong."""


@dataclass(frozen=True, slots=True)
class Correction:
    workspace: str
    post_id: int | None  # None: a text given alone
    text: str  # the post's text when the correction names a post
    field: str  # sentiment, emotion or reason
    value: str  # `none` for a reason: the post is no complaint
    model_value: str | None  # what the model (else the source) said when it was corrected
    author: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "field": self.field,
            "value": self.value,
            "model_value": self.model_value,
            "corrected_by": self.author,
            "corrected_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Wanted:
    """One correction asked for: a post's id, or a text alone, and the field's new value."""

    post_id: int | None
    text: str | None
    field: str
    value: str


# --- the values a correction may give ------------------------------------------------------


def label_choices(workspace: Workspace) -> dict[str, tuple[str, ...]]:
    """What each field may be corrected to in `workspace`: the shipped models' classes for the
    sentiment and the emotion (and `none`, no clear emotion); for the reason, the workspace's
    own reasons (`reason_names`: the demo's are the airline ones, another workspace never sees
    them), and `none` (no complaint)."""
    emotions = _classes("emotion")
    return {
        "sentiment": _classes("sentiment"),
        "emotion": emotions if NONE in emotions else (*emotions, NONE),
        "reason": (*workspace.reason_names, NONE),
    }


@cache
def _classes(task: str) -> tuple[str, ...]:
    # The model's card only: loading the weights to learn their classes would cost seconds.
    card = resources.files("rumeur.nlp") / "models" / f"{task}.json"
    return tuple(json.loads(card.read_text(encoding="utf-8"))["classes"])


def check_value(field: str, value: Any, choices: Mapping[str, Sequence[str]]) -> str:
    """`value` if `field` may take it, else CorrectionError naming the field and the choices."""
    if field not in FIELDS:
        raise CorrectionError(
            _("{field}: not a label field; expected one of {fields}").format(
                field=json.dumps(field, ensure_ascii=False)[:80], fields=", ".join(FIELDS)
            )
        )
    allowed = choices.get(field, ())
    if not isinstance(value, str) or value not in allowed:
        shown = json.dumps(value, ensure_ascii=False)[:80]
        raise CorrectionError(
            _("{field}: {value} is not one of {choices}").format(
                field=field, value=shown, choices=", ".join(allowed)
            )
        )
    return value


# --- recording ------------------------------------------------------------------------------


def record_correction(
    target: Store | Engine,
    workspace: str,
    post_id: int | None,
    text: str | None,
    field: str,
    value: str,
    author: str,
) -> Correction:
    """Record one correction (the value already checked with `check_value`) and apply it."""
    return record_corrections(target, workspace, [Wanted(post_id, text, field, value)], author)[0]


def record_corrections(
    target: Store | Engine, workspace: str, wanted: Sequence[Wanted], author: str
) -> list[Correction]:
    """Record `wanted` in one transaction: every one, or none when one cannot be."""
    check_author(author)
    store = target if isinstance(target, Store) else Store(target)
    now = datetime.now(UTC)
    with store.transaction() as conn:
        return [_record(conn, workspace, w, author, now) for w in wanted]


def check_author(author: str) -> str:
    """`author` if it can be recorded as who corrected, else CorrectionError."""
    if not author.strip() or len(author) > MAX_AUTHOR:
        message = _("author: a name of 1 to {n} characters is expected")
        raise CorrectionError(message.format(n=MAX_AUTHOR))
    return author


def check_text(text: str) -> str:
    """A text corrected alone, trimmed, if it can be recorded, else CorrectionError."""
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        message = _("text: 1 to {n} characters are expected")
        raise CorrectionError(message.format(n=number(MAX_TEXT)))
    # JSON may write a NUL or half a surrogate pair (\u0000, \ud800): neither is text that
    # PostgreSQL keeps or UTF-8 writes (the text's hash is of its UTF-8).
    if "\x00" in text or _unencodable(text):
        raise CorrectionError(_("text: holds a NUL character or a lone surrogate"))
    return text


def _unencodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _record(
    conn: Connection, workspace: str, wanted: Wanted, author: str, now: datetime
) -> Correction:
    if wanted.field not in FIELDS:
        check_value(wanted.field, wanted.value, {wanted.field: (wanted.value,)})  # the field alone
    if wanted.post_id is None:
        return _record_text(conn, workspace, wanted, author, now)
    pid, field = wanted.post_id, wanted.field
    stored = _stored(conn, [pid]).get(pid)
    if stored is None or not any(ws == workspace for ws, _b in stored["memberships"]):
        raise CorrectionError(
            _("post {id}: no such post in workspace {workspace}").format(
                id=pid, workspace=workspace
            )
        )
    model = _model_label(conn, pid, field)
    if model is None:
        model = _previous_model_value(conn, workspace, pid, field) or stored[field]
    c = label_corrections.c
    key = (c.workspace == workspace, c.post_id == pid, c.field == field)
    row = {"value": wanted.value, "model_value": model, "author": author, "created_at": now}
    _upsert(conn, key, {"workspace": workspace, "post_id": pid, "field": field, **row})
    _log(conn, {"workspace": workspace, "post_id": pid, "field": field, **row})
    _apply_label(conn, stored, field, column_value(field, wanted.value), now)
    return Correction(workspace, pid, stored["text"], field, wanted.value, model, author, now)


def _record_text(
    conn: Connection, workspace: str, wanted: Wanted, author: str, now: datetime
) -> Correction:
    text = check_text(wanted.text or "")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    c = label_corrections.c
    key = (c.workspace == workspace, c.text_sha == sha, c.field == wanted.field)
    row = {
        "workspace": workspace, "text_sha": sha, "field": wanted.field, "value": wanted.value,
        "model_value": None, "author": author, "created_at": now,
    }  # fmt: skip
    _upsert(conn, key, {**row, "text": text})
    _log(conn, row)
    return Correction(workspace, None, text, wanted.field, wanted.value, None, author, now)


def _upsert(conn: Connection, key: tuple[Any, ...], row: dict[str, Any]) -> None:
    # Under the writers' lock (Store.transaction): no other writer slips in between the two.
    found = conn.execute(select(label_corrections.c.id).where(*key)).scalar_one_or_none()
    if found is None:
        conn.execute(insert(label_corrections).values(row))
    else:
        changed = {k: row[k] for k in ("value", "model_value", "author", "created_at")}
        conn.execute(update(label_corrections).where(label_corrections.c.id == found), changed)


def _log(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(label_correction_log).values(row))


def _model_label(conn: Connection, pid: int, field: str) -> str | None:
    """The newest model's answer for the post's `field` (not the source's label)."""
    e = enrichments.c
    query = (
        select(e.label)
        .where(e.post_id == pid, e.task == field, e.version != SOURCE_VERSION, e.label != "")
        .order_by(e.created_at.desc())
        .limit(1)
    )
    return conn.execute(query).scalar_one_or_none()


def _previous_model_value(conn: Connection, workspace: str, pid: int, field: str) -> str | None:
    c = label_corrections.c
    query = select(c.model_value).where(
        c.workspace == workspace, c.post_id == pid, c.field == field
    )
    return conn.execute(query).scalar_one_or_none()


def _apply_label(
    conn: Connection, stored: dict[str, Any], field: str, value: str | None, now: datetime
) -> None:
    """Give the post its corrected label and move it between the rollups' rows: the old
    label's rows lose it, the new one's gain it (every workspace it belongs to counts it)."""
    if stored[field] == value:
        return
    was = _state(stored, stored["memberships"])
    new = {**stored, field: value}
    conn.execute(update(posts).where(posts.c.id == stored["id"]).values(**{field: value}))
    after = _state(new, new["memberships"], was.facets)  # the label moves, the words stay
    _apply_rollups(conn, {stored["id"]: was}, {stored["id"]: after})
    move_author_days(conn, {stored["id"]: was}, {stored["id"]: after})
    stored[field] = value  # a second correction of the post in the same batch starts here


# --- reading --------------------------------------------------------------------------------


def corrections_for(
    target: Store | Engine | Connection, workspace: str, field: str | None = None
) -> list[Correction]:
    """The workspace's corrections (of `field` only, when given), oldest first; a post's
    correction carries the post's text."""
    if isinstance(target, Connection):
        return _read(target, workspace, field)
    engine = target.engine if isinstance(target, Store) else target
    with engine.connect() as conn:
        return _read(conn, workspace, field)


def _read(
    conn: Connection, workspace: str, field: str | None, post_id: int | None = None
) -> list[Correction]:
    c = label_corrections.c
    query = (
        select(label_corrections, posts.c.text.label("post_text"))
        .outerjoin(posts, posts.c.id == c.post_id)
        .where(c.workspace == workspace)
        .order_by(c.created_at, c.id)
    )
    if field is not None:
        query = query.where(c.field == field)
    if post_id is not None:
        query = query.where(c.post_id == post_id)
    return [
        Correction(
            r.workspace, r.post_id, r.post_text if r.post_id is not None else r.text or "",
            r.field, r.value, r.model_value, r.author, r.created_at,
        )
        for r in conn.execute(query)
    ]  # fmt: skip


def posts_in(target: Store | Engine, workspace: str, ids: Iterable[int]) -> set[int]:
    """Those of `ids` that are posts of `workspace`."""
    wanted = sorted(set(ids))
    found: set[int] = set()
    engine = target.engine if isinstance(target, Store) else target
    with engine.connect() as conn:
        for start in range(0, len(wanted), CHUNK):
            b = post_brands.c
            query = select(b.post_id).where(
                b.workspace == workspace, b.post_id.in_(wanted[start : start + CHUNK])
            )
            found.update(conn.execute(query).scalars())
    return found


def post_corrections(conn: Connection, workspace: str, post_id: int) -> dict[str, Correction]:
    """field -> the workspace's correction of the post, for its page and its JSON."""
    return {c.field: c for c in _read(conn, workspace, None, post_id)}
