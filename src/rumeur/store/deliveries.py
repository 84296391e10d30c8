"""The delivery rows of the alerts' notifications (`alert_deliveries`): one per (alert,
revision, target). When a row is enqueued, retried or given up is the dispatcher's policy
(`rumeur.alerts.deliveries`, `rumeur.alerts.dispatch`); this module reads and writes the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, func, insert, or_, select, update

from rumeur.store.schema import alert_deliveries, alerts
from rumeur.store.store import Store

Key = tuple[int, int, str]  # alert id, revision, target


def _is(key: Key) -> ColumnElement[bool]:
    d = alert_deliveries.c
    alert_id, revision, target = key
    return and_(d.alert_id == alert_id, d.revision == revision, d.target == target)


def _due(now: datetime) -> ColumnElement[bool]:
    d = alert_deliveries.c
    return and_(d.status == "pending", or_(d.next_at.is_(None), d.next_at <= now))


def add_new(conn: Connection, key: Key, values: Mapping[str, Any]) -> bool:
    """Insert the row of `key` unless it is there already; True if it was added."""
    if conn.execute(select(alert_deliveries.c.id).where(_is(key))).first() is not None:
        return False
    alert_id, revision, target = key
    conn.execute(
        insert(alert_deliveries).values(
            alert_id=alert_id, revision=revision, target=target, **values
        )
    )
    return True


def due(store: Store, workspace: str, now: datetime) -> list[Row[Any]]:
    """The workspace's pending rows whose time has come, oldest first, each with the status of
    its alert (`alert_status`)."""
    d = alert_deliveries.c
    query = (
        select(alert_deliveries, alerts.c.status.label("alert_status"))
        .join(alerts, alerts.c.id == d.alert_id)
        .where(alerts.c.workspace == workspace, _due(now))
        .order_by(d.id)
    )
    with store.engine.connect() as conn:
        return list(conn.execute(query))


def claim(store: Store, row_id: int, now: datetime, lease: timedelta) -> bool:
    """Move a due pending row's `next_at` a lease ahead; False if it was no longer due."""
    d = alert_deliveries.c
    with store.transaction() as conn:
        result = conn.execute(
            update(alert_deliveries)
            .where(and_(d.id == row_id, _due(now)))
            .values(next_at=now + lease)
        )
        return result.rowcount == 1


def fail(store: Store, row_id: int, error: str) -> None:
    """End a row still pending as failed."""
    d = alert_deliveries.c
    with store.transaction() as conn:
        conn.execute(
            update(alert_deliveries)
            .where(d.id == row_id, d.status == "pending")
            .values(status="failed", last_error=error, next_at=None)
        )


def status(store: Store, key: Key) -> str | None:
    with store.engine.connect() as conn:
        return conn.execute(select(alert_deliveries.c.status).where(_is(key))).scalar()


def record(store: Store, key: Key, outcome: Callable[[int], Mapping[str, Any]]) -> None:
    """Update the row of `key` with `outcome(attempts made so far)`, in one transaction, so
    that two senders never count the same attempts; nothing when there is no such row."""
    with store.transaction() as conn:
        attempts = conn.execute(select(alert_deliveries.c.attempts).where(_is(key))).scalar()
        if attempts is None:
            return
        conn.execute(update(alert_deliveries).where(_is(key)).values(**outcome(attempts)))


def sent(conn: Connection, ids: list[int]) -> list[Row[Any]]:
    """The delivery rows of these alerts, one per (alert, revision, reason), with the largest
    `observed` figure sent."""
    d = alert_deliveries.c
    return list(
        conn.execute(
            select(d.alert_id, d.revision, d.reason, func.max(d.observed).label("observed"))
            .where(d.alert_id.in_(ids))
            .group_by(d.alert_id, d.revision, d.reason)
        )
    )


def rows_of(store: Store, alert_id: int) -> list[dict[str, Any]]:
    """An alert's delivery rows, oldest first."""
    d = alert_deliveries.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                d.revision, d.target, d.reason, d.status, d.attempts, d.last_error,
                d.delivered_at,
            ).where(d.alert_id == alert_id).order_by(d.id)
        )  # fmt: skip
        return [dict(row._mapping) for row in rows]
