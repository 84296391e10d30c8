"""What the health figures read from the store (health/, docs/deploy.md): the outbox's backlog
and the age of its oldest due row, and how long ago each source last stored a batch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from rumeur.store.schema import outbox, source_cursors

if TYPE_CHECKING:
    from rumeur.store import Store


@dataclass(frozen=True, slots=True)
class Backlog:
    """The outbox as the senders see it at `now`."""

    due: int  # queued rows whose time has come
    oldest_due_s: float | None  # how long the oldest of them has waited; None: none due
    claimed: int  # taken by a sender, not recorded yet
    unknown: int  # sent with an outcome not known yet (reconciled by reading the network)
    failed: int


@dataclass(frozen=True, slots=True)
class SourceLag:
    workspace: str
    source: str
    lag_s: float  # since the source's cursor last moved (its last batch stored)
    error: bool  # its last pass failed after its last success


def backlog(store: Store, now: datetime) -> Backlog:
    due = (outbox.c.state == "queued") & or_(outbox.c.next_at.is_(None), outbox.c.next_at <= now)
    waited = func.coalesce(outbox.c.next_at, outbox.c.created_at)
    query = select(
        func.count().filter(due),
        func.min(waited).filter(due),
        func.count().filter(outbox.c.state == "claimed"),
        func.count().filter(outbox.c.state == "unknown"),
        func.count().filter(outbox.c.state == "failed"),
    )
    with store.engine.connect() as conn:
        count, oldest, claimed, unknown, failed = conn.execute(query).one()
    oldest_s = None
    if oldest is not None:
        oldest = outbox.c.created_at.type.process_result_value(oldest, store.engine.dialect)
        oldest_s = max(0.0, (now - oldest).total_seconds())
    return Backlog(count, oldest_s, claimed, unknown, failed)


def source_lags(store: Store, now: datetime) -> list[SourceLag]:
    """Every source of every workspace, longest lag first."""
    query = select(
        source_cursors.c.workspace,
        source_cursors.c.source,
        source_cursors.c.updated_at,
        source_cursors.c.last_error_at,
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    lags = [
        SourceLag(
            row.workspace,
            row.source,
            max(0.0, (now - row.updated_at).total_seconds()),
            row.last_error_at is not None and row.last_error_at > row.updated_at,
        )
        for row in rows
    ]
    return sorted(lags, key=lambda lag: (-lag.lag_s, lag.workspace, lag.source))
