"""Publishing's rows (docs/publish.md): the composer's master messages and their items, one per
owned account, each already expanded and checked by `rumeur.publishing` before it is stored.

An item's life:

    draft --> pending_approval --approve--> scheduled --> sending --> published
                                                |             |--> failed (refused for good)
                                                |             `--> unknown (reconciled by
                                                |                  reading the account)
                                                `--> late (past its moment by more than the
                                                     account's delay: flagged, not sent)

`pending_approval` goes through its workflow's steps (`step`, store/approvals.py); a rejection
sends it back to `draft`, and an edit starts a new `round` at the first step.

`create` writes a message and its items in one transaction. An item's `idempotency_key` is
fixed there, from the workspace, the account, the time and the text: scheduling the same file
twice finds the items of the first time instead of making new ones, and the sender reuses the
key on every try. `transition` moves an item from one status to another only if it is still in
one of the statuses expected (a conditional UPDATE), so that of two processes acting at once,
one does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, select, update

from rumeur.store.schema import publish_items, publish_messages
from rumeur.store.store import Store

ItemStatus = Literal[
    "draft", "pending_approval", "scheduled", "sending", "published", "failed", "late", "unknown"
]
STATUSES: tuple[ItemStatus, ...] = (
    "draft", "pending_approval", "scheduled", "sending", "published", "failed", "late", "unknown",
)  # fmt: skip
ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class NewItem:
    """One account's variant, expanded and checked, as `create` stores it."""

    account: str  # the owned account's name
    platform: str
    handle: str
    text: str
    at: datetime  # timezone-aware
    timezone: str  # how `at` was written: "+01:00", or a zone name
    status: ItemStatus = "scheduled"
    title: str | None = None
    media: Sequence[Mapping[str, Any]] = ()
    visibility: str | None = None
    spoiler: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    workspace: str
    message_id: int
    account: str
    platform: str
    handle: str
    text: str
    title: str | None
    media: list[dict[str, Any]]
    visibility: str | None
    spoiler: str | None
    extra: dict[str, Any]
    at: datetime
    timezone: str
    status: ItemStatus
    native_id: str | None
    native_url: str | None
    idempotency_key: str
    error: str | None
    author: str | None
    approved_by: str | None
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    step: int | None = None  # its workflow's step while pending approval (1 first)
    round: int = 1  # a change of text or a rejection starts a new round of approvals

    @classmethod
    def of(cls, row: Any) -> Item:
        return cls(**dict(row._mapping))


@dataclass(frozen=True, slots=True)
class Created:
    """What `create` stored: the message's id (None when every item existed already), and each
    item's id with whether it is new (False: the same item was scheduled before)."""

    message_id: int | None
    items: list[tuple[int, bool]]


def item_key(workspace: str, item: NewItem) -> str:
    """The item's idempotency key: the same account, time and text give the same key."""
    seen = "\x1f".join((workspace, item.account, item.at.isoformat(), item.title or "", item.text))
    return hashlib.sha256(seen.encode("utf-8")).hexdigest()[:40]


def create(
    store: Store,
    workspace: str,
    *,
    text: str,
    items: Sequence[NewItem],
    now: datetime,
    author: str | None = None,
    variants: Mapping[str, Any] | None = None,
    content_type: str | None = None,
    template: str | None = None,
) -> Created:
    """Store a master message and its items in one transaction. An item whose key exists
    already is not stored again (its id is given back, marked not new); the message is not
    stored when none of its items is new."""
    keys = [item_key(workspace, item) for item in items]
    i = publish_items.c
    with store.transaction() as conn:
        known = dict(
            conn.execute(select(i.idempotency_key, i.id).where(i.idempotency_key.in_(keys))).all()
        )
        if all(key in known for key in keys):
            return Created(None, [(known[key], False) for key in keys])
        message_id = conn.execute(
            insert(publish_messages)
            .values(
                workspace=workspace,
                author=author,
                text=text,
                variants=dict(variants or {}),
                content_type=content_type,
                template=template,
                created_at=now,
            )
            .returning(publish_messages.c.id)
        ).scalar_one()
        made: list[tuple[int, bool]] = []
        for key, item in zip(keys, items, strict=True):
            if key in known:
                made.append((known[key], False))
                continue
            values = _values(workspace, message_id, item, key, author, now)
            new_id = conn.execute(insert(publish_items).values(values).returning(i.id)).scalar_one()
            known[key] = new_id
            made.append((new_id, True))
        return Created(message_id, made)


def _values(
    workspace: str, message_id: int, item: NewItem, key: str, author: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "workspace": workspace, "message_id": message_id, "account": item.account,
        "platform": item.platform, "handle": item.handle, "text": item.text,
        "title": item.title, "media": [dict(m) for m in item.media],
        "visibility": item.visibility, "spoiler": item.spoiler, "extra": dict(item.extra),
        "at": item.at, "timezone": item.timezone, "status": item.status,
        "idempotency_key": key, "author": author, "created_at": now, "updated_at": now,
        "step": 1 if item.status == "pending_approval" else None,
    }  # fmt: skip


def item(store: Store, item_id: int) -> Item | None:
    with store.read() as conn:
        found = conn.execute(select(publish_items).where(publish_items.c.id == item_id)).first()
    return None if found is None else Item.of(found)


def items(
    store: Store,
    workspace: str | None = None,
    statuses: Collection[str] | None = None,
    *,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[Item]:
    """The items (of `workspace`, in `statuses`, due at or before `until`, when given), in the
    order of their time, then of their creation."""
    i = publish_items.c
    query = select(publish_items).order_by(i.at, i.id)
    if workspace is not None:
        query = query.where(i.workspace == workspace)
    if statuses is not None:
        query = query.where(i.status.in_(list(statuses)))
    if until is not None:
        query = query.where(i.at <= until)
    if limit is not None:
        query = query.limit(limit)
    with store.read() as conn:
        return [Item.of(row) for row in conn.execute(query)]


def message(store: Store, message_id: int) -> dict[str, Any] | None:
    with store.read() as conn:
        found = conn.execute(
            select(publish_messages).where(publish_messages.c.id == message_id)
        ).first()
    return None if found is None else dict(found._mapping)


def transition(
    store: Store,
    item_id: int,
    expected: Collection[str],
    status: ItemStatus,
    now: datetime,
    **values: Any,
) -> bool:
    """Move an item to `status` (with `values`: native_id, native_url, error...) only if it is
    in one of the `expected` statuses; whether it moved. An `error` is kept to one line."""
    if "error" in values and values["error"] is not None:
        values["error"] = _line(values["error"])
    i = publish_items.c
    with store.transaction() as conn:
        done = conn.execute(
            update(publish_items)
            .where(i.id == item_id, i.status.in_(list(expected)))
            .values(status=status, updated_at=now, **values)
        )
        return done.rowcount == 1


def approve(store: Store, item_id: int, approver: str | None, now: datetime) -> bool:
    """A pending item approved by `approver` (None: the command line): scheduled. False when it
    was not pending (approved already, or never waiting)."""
    return transition(
        store, item_id, ("pending_approval",), "scheduled", now,
        approved_by=approver, approved_at=now,
    )  # fmt: skip


def _line(error: str) -> str:
    first = (error.strip().splitlines() or [""])[0]
    return first[:ERROR_LENGTH]
