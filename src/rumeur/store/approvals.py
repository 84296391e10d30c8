"""An item's approvals (docs/publish.md, "Approval"): every decision kept in
`publish_approvals`, forever, and the item moved through its workflow's steps.

A decision is taken in one write transaction (one writer at a time: SQLite's write lock,
PostgreSQL's advisory lock, store.py) that also locks the item's row (`FOR UPDATE`): it
counts only if the item is still pending at the step, round and text the approver saw, each
approver is recorded once per step and round (a unique key), and the step moves on by a
conditional UPDATE. Two approvers acting at once thus never approve twice, and the last of an
`all` step always sees the others.

An edit of the text starts a new round: the approvals of the old text stay in the table but no
longer count, since they name the old round and the old text's hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from rumeur.store.publishing import ERROR_LENGTH, Item
from rumeur.store.schema import publish_approvals, publish_items, publish_messages
from rumeur.store.store import Store

Decision = Literal["approved", "rejected"]
Outcome = Literal["recorded", "advanced", "scheduled", "rejected", "again", "stale"]


@dataclass(frozen=True, slots=True)
class Record:
    item_id: int
    round: int
    step: int
    approver: str
    decision: Decision
    reason: str | None
    text_hash: str
    at: datetime


def text_hash(item: Item | Mapping[str, Any]) -> str:
    """The hash of what an approver approves: the text, title, content warning and media."""
    get = item.get if isinstance(item, Mapping) else lambda key: getattr(item, key)
    seen = [get("text"), get("title"), get("spoiler"), get("media")]
    return hashlib.sha256(json.dumps(seen, ensure_ascii=False).encode("utf-8")).hexdigest()


def decide(
    store: Store,
    item: Item,
    approver: str,
    decision: Decision,
    now: datetime,
    *,
    required: Collection[str] | None,
    steps: int,
    reason: str | None = None,
) -> Outcome:
    """Record `approver`'s decision on `item` at the step and round it is at. With
    `required` None one approval ends the step, else every name of it must have approved.
    `stale`: the item moved (approved, rejected, edited) since it was read; `again`: this
    approver decided at this step already."""
    step, i = item.step or 1, publish_items.c
    with store.transaction() as conn:
        row = conn.execute(select(publish_items).where(i.id == item.id).with_for_update()).first()
        current = row._mapping if row is not None else None
        if current is None or not _same(current, item, step):
            return "stale"
        if _decided(conn, item.id, item.round, step, approver):
            return "again"
        conn.execute(
            insert(publish_approvals).values(
                item_id=item.id, round=item.round, step=step, approver=approver,
                decision=decision, reason=_line(reason), text_hash=text_hash(current), at=now,
            )
        )  # fmt: skip
        if decision == "rejected":
            _move(conn, item, step, now, status="draft", step=None, round=item.round + 1,
                  error=_line(reason))  # fmt: skip
            return "rejected"
        done = {a.casefold() for a in approved(conn, item.id, item.round, step, current)}
        if required is not None and not {r.casefold() for r in required} <= done:
            return "recorded"
        if step < steps:
            _move(conn, item, step, now, step=step + 1)
            return "advanced"
        _move(conn, item, step, now, status="scheduled", step=None, approved_by=approver,
              approved_at=now)  # fmt: skip
        return "scheduled"


def _same(current: Mapping[str, Any], item: Item, step: int) -> bool:
    return (
        current["status"] == "pending_approval"
        and (current["step"] or 1) == step
        and current["round"] == item.round
        and text_hash(current) == text_hash(item)
    )


def _decided(conn: Connection, item_id: int, round_: int, step: int, approver: str) -> bool:
    a = publish_approvals.c
    names = conn.execute(
        select(a.approver).where(a.item_id == item_id, a.round == round_, a.step == step)
    ).scalars()
    return approver.casefold() in {n.casefold() for n in names}


def approved(
    conn: Connection, item_id: int, round_: int, step: int, current: Mapping[str, Any] | Item
) -> list[str]:
    """Who approved this step of this round, on the item's current text."""
    a = publish_approvals.c
    return list(
        conn.execute(
            select(a.approver)
            .where(a.item_id == item_id, a.round == round_, a.step == step)
            .where(a.decision == "approved", a.text_hash == text_hash(current))
            .order_by(a.id)
        ).scalars()
    )


def _move(conn: Connection, item: Item, at_step: int, now: datetime, **values: Any) -> None:
    """The item moved on, only from the state the decision was taken in."""
    i = publish_items.c
    conn.execute(
        update(publish_items)
        .where(i.id == item.id, i.status == "pending_approval", i.round == item.round)
        .where(func.coalesce(i.step, 1) == at_step)
        .values(updated_at=now, **values)
    )


def approvers_now(store: Store, items: Sequence[Item]) -> dict[int, list[str]]:
    """For each pending item, who approved its current step already (one query for all)."""
    pending = {item.id: item for item in items if item.status == "pending_approval"}
    a = publish_approvals.c
    found: dict[int, list[str]] = {item_id: [] for item_id in pending}
    if not pending:
        return found
    query = (
        select(a.item_id, a.round, a.step, a.approver, a.text_hash)
        .where(a.item_id.in_(list(pending)), a.decision == "approved")
        .order_by(a.id)
    )
    with store.read() as conn:
        rows = conn.execute(query).all()
    hashes = {item_id: text_hash(item) for item_id, item in pending.items()}
    for item_id, round_, step, approver, seen in rows:
        item = pending[item_id]
        if (round_, step, seen) == (item.round, item.step or 1, hashes[item_id]):
            found[item_id].append(approver)
    return found


def history(store: Store, item_id: int) -> list[Record]:
    """Every decision taken on an item, oldest first: who, when, on which text."""
    a = publish_approvals.c
    query = select(publish_approvals).where(a.item_id == item_id).order_by(a.id)
    with store.read() as conn:
        return [
            Record(r.item_id, r.round, r.step, r.approver, r.decision, r.reason, r.text_hash, r.at)
            for r in conn.execute(query)
        ]


def resubmit(
    store: Store, item: Item, values: Mapping[str, Any], now: datetime, *, pending: bool
) -> bool:
    """The item's new text (`values`: text, title, media, spoiler, extra) in a new round, at the
    first step when `pending`, else scheduled; only if it was not changed nor sent since it
    was read (whether it was)."""
    i = publish_items.c
    status = "pending_approval" if pending else "scheduled"
    with store.transaction() as conn:
        done = conn.execute(
            update(publish_items)
            .where(i.id == item.id, i.round == item.round, i.status == item.status)
            .where(i.status.in_(("draft", "pending_approval", "scheduled", "late")))
            .values(**values, status=status, step=1 if pending else None, round=item.round + 1,
                    error=None, approved_by=None, approved_at=None, updated_at=now)
        )  # fmt: skip
        return done.rowcount == 1


def lock(store: Store, message_id: int, locked: bool) -> None:
    with store.transaction() as conn:
        conn.execute(
            update(publish_messages)
            .where(publish_messages.c.id == message_id)
            .values(locked=locked)
        )


def _line(text: str | None) -> str | None:
    if text is None:
        return None
    return (text.strip().splitlines() or [""])[0][:ERROR_LENGTH]
