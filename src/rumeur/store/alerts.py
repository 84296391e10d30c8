"""The alert rows and their log (`alerts`, `alert_events`): what the alert engine, the
dispatcher and people's actions read and write. The policy (when to open, update, close,
escalate) stays in `rumeur.alerts`; this module only says how a row is read or written.

Functions that take a `Connection` run inside their caller's transaction (the engine applies a
run's fires in one); those that take a `Store` open their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from rumeur.store.schema import alert_events, alerts
from rumeur.store.store import Store

Event = tuple[datetime, str, str | None, dict]  # at, what, by, detail: a line of the log


def workspace_alerts(
    store: Store, workspace: str, everything: bool = True, oldest_first: bool = False
) -> list[Row[Any]]:
    """The workspace's alerts, newest first (last updated), or in the order they were opened
    with `oldest_first`; closed ones only with `everything`."""
    a = alerts.c
    query = select(alerts).where(a.workspace == workspace)
    if not everything:
        query = query.where(a.status != "closed")
    order = (a.id,) if oldest_first else (a.updated_at.desc(), a.id.desc())
    with store.engine.connect() as conn:
        return list(conn.execute(query.order_by(*order)))


def find(conn: Connection, workspace: str, alert_id: int) -> Row[Any] | None:
    a = alerts.c
    return conn.execute(select(alerts).where(a.id == alert_id, a.workspace == workspace)).first()


def act(
    store: Store,
    workspace: str,
    alert_id: int,
    values: dict[str, Any],
    event: Event,
) -> bool:
    """Change a workspace's alert (`values`, none for an action that changes nothing but the
    log) and log what was done (`event`: at, what, by, detail), in one transaction; False, and
    nothing written, when the workspace has no such alert."""
    with store.transaction() as conn:
        if find(conn, workspace, alert_id) is None:
            return False
        if values:
            change(conn, alert_id, **values)
        log(conn, alert_id, *event)
        return True


@dataclass(frozen=True, slots=True)
class Change:
    """What becomes of one alert: a new alert of `values` (`alert_id` None), or the alert
    `alert_id` with `values` changed (none: only its log grows); then `events` logged, in
    order."""

    alert_id: int | None
    values: dict[str, Any]
    events: tuple[Event, ...] = ()


def apply(
    store: Store,
    workspace: str,
    statuses: tuple[str, ...],
    decide: Callable[[list[Row[Any]]], list[Change]],
) -> list[Change]:
    """In one write transaction: read the workspace's alerts whose status is one of
    `statuses`, ask `decide` what becomes of them (and of the new ones), and write it, in the
    order `decide` gives. What `decide` gave is returned."""
    with store.transaction() as conn:
        changes = decide(live(conn, workspace, statuses))
        for c in changes:
            alert_id = c.alert_id
            if alert_id is None:
                alert_id = insert_alert(conn, {"workspace": workspace, **c.values})
            elif c.values:
                change(conn, alert_id, **c.values)
            for event in c.events:
                log(conn, alert_id, *event)
        return changes


def live(conn: Connection, workspace: str, statuses: tuple[str, ...]) -> list[Row[Any]]:
    """The workspace's alerts whose status is one of `statuses`."""
    a = alerts.c
    return conn.execute(
        select(alerts).where(a.workspace == workspace, a.status.in_(statuses))
    ).all()


def insert_alert(conn: Connection, values: dict[str, Any]) -> int:
    return conn.execute(insert(alerts).values(**values).returning(alerts.c.id)).scalar_one()


def change(conn: Connection, alert_id: int, **values: Any) -> None:
    conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))


def log(
    conn: Connection, alert_id: int, at: datetime, what: str, by: str | None, detail: dict
) -> None:
    """One line of the crisis room's log."""
    conn.execute(
        insert(alert_events).values(alert_id=alert_id, at=at, what=what, by=by, detail=detail)
    )


def events(store: Store, alert_id: int) -> list[dict[str, Any]]:
    e = alert_events.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(e.at, e.what, e.by, e.detail).where(e.alert_id == alert_id).order_by(e.id)
        )
        return [dict(row._mapping) for row in rows]


def last_updates(conn: Connection, workspace: str, kind: str) -> dict[str, datetime]:
    """Per subject, the `updated_at` of the latest alert of `kind` (the newest wins)."""
    a = alerts.c
    rows = conn.execute(
        select(a.subject, a.updated_at)
        .where(a.workspace == workspace, a.kind == kind)
        .order_by(a.updated_at)
    )
    return {subject: at for subject, at in rows}


def open_since(conn: Connection, workspace: str, before: datetime) -> list[Row[Any]]:
    """The workspace's alerts still open that opened at or before `before` and were never
    escalated."""
    a, e = alerts.c, alert_events.c
    opened = (
        select(e.alert_id, func.min(e.at).label("at"))
        .where(e.what == "opened")
        .group_by(e.alert_id)
        .subquery()
    )
    already = select(e.alert_id).where(e.what == "escalated")
    return conn.execute(
        select(alerts)
        .join(opened, opened.c.alert_id == a.id)
        .where(
            a.workspace == workspace,
            a.status == "open",
            opened.c.at <= before,
            a.id.not_in(already),
        )
    ).all()
