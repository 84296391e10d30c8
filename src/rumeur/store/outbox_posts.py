"""Scheduled posts in the outbox (docs/publish.md, "Sending"): a publishing item that is due
goes into the inbox's outbox, and the inbox's one sender sends it with the replies.

`queue_post` moves an item from `scheduled` to `sending` and writes its outbox row (no
conversation, its `item_id`, the item's idempotency key, what the network's poster needs in
`request["post"]`) in one transaction: of two senders queueing at once, one does, and the
outbox's unique key refuses a second row for the same item. `flag_late` moves an item past its
moment to `late` instead, with the reason. From then on the outbox row's state carries the item
(`follow`, called by store/inbox.py in the transaction that records the row's outcome):

    outbox queued / claimed  -> item sending (its error: why it waits, when it does)
    outbox sent              -> item published, with native_id and native_url
    outbox failed            -> item failed (or late), with the reason
    outbox unknown           -> item unknown, until the network is read

A revoked token (a 401) stops the account's posts for good (`fail_posts_of`): a post waits for
nobody the way a reply waits for its customer, and its moment will have passed by the time the
account is reconnected; the author schedules it again. The account's replies stay queued.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from rumeur.store.publishing import Item, items, transition
from rumeur.store.schema import outbox, publish_items
from rumeur.store.store import Store

ERROR_LENGTH = 500
# What each outbox state makes of the item it sends.
ITEM_STATUS = {
    "queued": "sending",
    "claimed": "sending",
    "sent": "published",
    "failed": "failed",
    "unknown": "unknown",
}


def due_items(
    store: Store, now: datetime, workspaces: Collection[str] | None = None, limit: int = 500
) -> list[Item]:
    """The scheduled items whose time has come (of `workspaces`, all when None), oldest first."""
    found = items(store, statuses=("scheduled",), until=now, limit=limit)
    if workspaces is None:
        return found
    wanted = set(workspaces)
    return [item for item in found if item.workspace in wanted]


def queue_post(store: Store, item: Item, now: datetime) -> int | None:
    """The item, due, into the outbox: its row's id, or None when it was no longer scheduled
    (another sender queued it, or someone moved it)."""
    post = {
        "item": item.id,
        "at": item.at.isoformat(),
        "title": item.title,
        "media": list(item.media),
        "spoiler": item.spoiler,
        "extra": dict(item.extra),
    }
    values = {
        "workspace": item.workspace, "conversation_id": None, "item_id": item.id,
        "platform": item.platform, "account": item.handle.lstrip("@"), "author": item.author,
        "text": item.text, "reply_to": None, "visibility": item.visibility or "public",
        "idempotency_key": item.idempotency_key, "request": {"post": post}, "state": "queued",
        "attempts": 0, "next_at": item.at, "created_at": now, "updated_at": now,
    }  # fmt: skip
    i = publish_items.c
    with store.transaction() as conn:
        moved = conn.execute(
            update(publish_items)
            .where(i.id == item.id, i.status == "scheduled")
            .values(status="sending", error=None, updated_at=now)
        )
        if moved.rowcount != 1:
            return None
        # An item moved back to scheduled keeps the row it had: its key is the outbox's guard.
        known = conn.execute(
            select(outbox.c.id).where(outbox.c.idempotency_key == item.idempotency_key)
        ).scalar()
        if known is not None:
            return int(known)
        return int(conn.execute(insert(outbox).values(values).returning(outbox.c.id)).scalar_one())


def flag_late(store: Store, item_id: int, reason: str, now: datetime) -> bool:
    """A scheduled item past its moment: `late`, with the reason, never sent."""
    return transition(store, item_id, ("scheduled",), "late", now, error=reason)


def follow(conn: Connection, outbox_id: int, state: str, now: datetime, **values: Any) -> None:
    """The item an outbox row sends takes the row's new `state` (a reply's row: nothing), with
    `values` (native_id, native_url, error); `state` "late" flags the item late."""
    item_id = conn.execute(select(outbox.c.item_id).where(outbox.c.id == outbox_id)).scalar()
    if item_id is None:
        return
    if values.get("error") is not None:
        values["error"] = _line(values["error"])
    status = ITEM_STATUS.get(state, state)
    i = publish_items.c
    conn.execute(
        update(publish_items)
        .where(i.id == item_id, i.status.in_(("sending", "unknown")))
        .values(status=status, updated_at=now, **values)
    )


def fail_posts_of(
    store: Store, workspace: str, platform: str, account: str, reason: str, now: datetime
) -> int:
    """Every queued post of an account failed with `reason` (its token was revoked), its item
    with it; how many. Queued rows are not in flight: none of them can have left."""
    o = outbox.c
    with store.transaction() as conn:
        ids = list(
            conn.execute(
                select(o.id).where(
                    o.workspace == workspace, o.platform == platform, o.account == account,
                    o.state == "queued", o.item_id.is_not(None),
                )
            ).scalars()
        )  # fmt: skip
        for row_id in ids:
            conn.execute(
                update(outbox)
                .where(o.id == row_id, o.state == "queued")
                .values(state="failed", error=_line(reason), updated_at=now)
            )
            follow(conn, row_id, "failed", now, error=reason)
        return len(ids)


def item_of(store: Store, outbox_id: int) -> int | None:
    """The item an outbox row sends (None for a reply)."""
    with store.read() as conn:
        return conn.execute(select(outbox.c.item_id).where(outbox.c.id == outbox_id)).scalar()


def _line(error: str) -> str:
    first = (error.strip().splitlines() or [""])[0]
    return first[: ERROR_LENGTH - 1] + "…" if len(first) > ERROR_LENGTH else first
