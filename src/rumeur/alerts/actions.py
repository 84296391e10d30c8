"""What people do with alerts: list them, acknowledge one, mute one for a while. Each action
is logged in `alert_events` beside the detectors' own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from rumeur.alerts.errors import NoSuchAlert
from rumeur.store import Store
from rumeur.store.schema import alert_events, alerts

FIELDS = (
    "id", "kind", "workspace", "subject", "status", "revision", "started_at", "updated_at",
    "observed", "expected", "explanation",
)  # fmt: skip


def list_alerts(store: Store, workspace: str, everything: bool = False) -> list[dict[str, Any]]:
    """The workspace's live alerts (all of them with `everything`), newest first."""
    a = alerts.c
    query = select(alerts).where(a.workspace == workspace)
    if not everything:
        query = query.where(a.status != "closed")
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(a.updated_at.desc(), a.id.desc()))
        return [as_dict(row) for row in rows]


def as_dict(row: Row[Any]) -> dict[str, Any]:
    out = {name: getattr(row, name) for name in FIELDS}
    for name in ("started_at", "updated_at"):
        out[name] = out[name].isoformat()
    return out


def ack(store: Store, workspace: str, alert_id: int, by: str, now: datetime) -> None:
    with store.transaction() as conn:
        _find(conn, workspace, alert_id)
        values = {"status": "acked", "acked_by": by, "acked_at": now}
        conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))
        _log(conn, alert_id, now, "acked", by, {})


def mute(
    store: Store, workspace: str, alert_id: int, for_: timedelta, by: str | None, now: datetime
) -> datetime:
    until = now + for_
    with store.transaction() as conn:
        _find(conn, workspace, alert_id)
        values = {"status": "muted", "muted_until": until}
        conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))
        _log(conn, alert_id, now, "muted", by, {"until": until.isoformat()})
    return until


def events(store: Store, alert_id: int) -> list[dict[str, Any]]:
    e = alert_events.c
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(e.at, e.what, e.by, e.detail).where(e.alert_id == alert_id).order_by(e.id)
        )
        return [dict(row._mapping) for row in rows]


def _find(conn: Connection, workspace: str, alert_id: int) -> Row[Any]:
    a = alerts.c
    row = conn.execute(select(alerts).where(a.id == alert_id, a.workspace == workspace)).first()
    if row is None:
        raise NoSuchAlert(alert_id, workspace)
    return row


def _log(conn: Connection, alert_id: int, at: datetime, what: str, by: str | None, detail: dict):
    conn.execute(
        insert(alert_events).values(alert_id=alert_id, at=at, what=what, by=by, detail=detail)
    )
