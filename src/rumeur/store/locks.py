"""The composer's lock on a conversation (docs/inbox.md, "Working the inbox"), and the reads the
conversation page adds to store/conversations.py's: the customer's earlier conversations.

The lock is a short lease in `conversations.locked_by` / `locked_until`: the adviser whose
composer holds text takes it, their page renews it every 20 seconds or so, and it lapses by
itself a minute after their page stops asking (a closed tab, a lost network). Taking it is one
conditional UPDATE (`... WHERE locked_by IS NULL OR locked_by = me OR locked_until <= now`), so
that of two advisers who start writing at once, one only holds it, on SQLite or PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update

from rumeur.store.schema import conversations, messages, outbox
from rumeur.store.store import Store

LEASE = timedelta(seconds=60)  # the page renews it every 20 s: two renewals may be lost


@dataclass(frozen=True, slots=True)
class Lock:
    """Who is writing a reply to a conversation, until when (unless they renew it)."""

    holder: str
    until: datetime


def _live(row: Any, now: datetime) -> Lock | None:
    if row is None or row.locked_by is None or row.locked_until is None:
        return None
    return Lock(row.locked_by, row.locked_until) if row.locked_until > now else None


def holder(store: Store, workspace: str, conversation_id: int, now: datetime) -> Lock | None:
    """The live lock on a conversation, or None (nobody writes, or their lease has lapsed)."""
    c = conversations.c
    with store.read() as conn:
        row = conn.execute(
            select(c.locked_by, c.locked_until).where(
                c.id == conversation_id, c.workspace == workspace
            )
        ).first()
    return _live(row, now)


def hold(
    store: Store,
    workspace: str,
    conversation_id: int,
    user: str,
    now: datetime,
    lease: timedelta = LEASE,
) -> Lock | None:
    """Take or renew `user`'s lock on a conversation for `lease`; the live lock afterwards:
    `user`'s, or a colleague's who holds it (then nothing changed). None when there is no such
    conversation."""
    c = conversations.c
    with store.transaction() as conn:
        conn.execute(
            update(conversations)
            .where(
                c.id == conversation_id,
                c.workspace == workspace,
                or_(
                    c.locked_by.is_(None),
                    func.lower(c.locked_by) == user.lower(),
                    c.locked_until.is_(None),
                    c.locked_until <= now,
                ),
            )
            .values(locked_by=user, locked_until=now + lease)
        )
        row = conn.execute(
            select(c.locked_by, c.locked_until).where(
                c.id == conversation_id, c.workspace == workspace
            )
        ).first()
    return _live(row, now)


def release(store: Store, workspace: str, conversation_id: int, user: str) -> bool:
    """Let go of `user`'s lock (their composer emptied, their reply queued); False when they did
    not hold it."""
    c = conversations.c
    with store.transaction() as conn:
        done = conn.execute(
            update(conversations)
            .where(
                c.id == conversation_id,
                c.workspace == workspace,
                func.lower(c.locked_by) == user.lower(),
            )
            .values(locked_by=None, locked_until=None)
        )
        return done.rowcount == 1


def queued(store: Store, key: str) -> bool:
    """Whether a reply with this idempotency key is in the outbox already: a composer whose text
    has been sent holds no lock, even when its page's last renewal arrives after the send."""
    with store.read() as conn:
        return (
            conn.execute(select(outbox.c.id).where(outbox.c.idempotency_key == key)).first()
            is not None
        )


@dataclass(frozen=True, slots=True)
class Earlier:
    """One of the customer's other conversations: its status, its first message's sentiment,
    how long the brand took to answer it first (None: not answered) and the brand's last
    answer in it."""

    id: int
    status: str
    department: str | None
    opened_at: datetime
    messages: int
    first_response: timedelta | None
    sentiment: str | None = None
    answer: str | None = None


def history(
    store: Store, workspace: str, platform: str, customer: str, but: int, limit: int = 20
) -> list[Earlier]:
    """The customer's other conversations in the workspace on that network (not `but`), the
    latest first."""
    c, m = conversations.c, messages.c
    sentiment = (
        select(m.sentiment)
        .where(m.conversation_id == c.id, m.native_id == c.root_id)
        .limit(1)
        .scalar_subquery()
    )
    answer = (
        select(m.text)
        .where(m.conversation_id == c.id, m.direction == "out")
        .order_by(m.at.desc(), m.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    with store.read() as conn:
        rows = conn.execute(
            select(
                c.id,
                c.status,
                c.department,
                c.opened_at,
                c.messages,
                c.first_response_at,
                sentiment.label("sentiment"),
                answer.label("answer"),
            )
            .where(
                c.workspace == workspace,
                c.platform == platform,
                func.lower(c.customer) == customer.lower(),
                c.id != but,
            )
            .order_by(c.opened_at.desc(), c.id.desc())
            .limit(limit)
        )
        return [
            Earlier(
                row.id,
                row.status,
                row.department,
                row.opened_at,
                row.messages,
                None if row.first_response_at is None else row.first_response_at - row.opened_at,
                row.sentiment,
                row.answer,
            )
            for row in rows
        ]
