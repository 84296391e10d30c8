"""What people do with alerts: list them, acknowledge one, mute one for a while. Each action
is logged in `alert_events` beside the detectors' own."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row

from rumeur.alerts.errors import NoSuchAlert
from rumeur.store import Store
from rumeur.store import alerts as rows

FIELDS = (
    "id", "kind", "workspace", "subject", "status", "revision", "started_at", "updated_at",
    "observed", "expected", "explanation",
)  # fmt: skip


def list_alerts(store: Store, workspace: str, everything: bool = False) -> list[dict[str, Any]]:
    """The workspace's live alerts (all of them with `everything`), newest first."""
    return [as_dict(row) for row in rows.workspace_alerts(store, workspace, everything)]


def as_dict(row: Row[Any]) -> dict[str, Any]:
    out = {name: getattr(row, name) for name in FIELDS}
    for name in ("started_at", "updated_at"):
        out[name] = out[name].isoformat()
    return out


def ack(store: Store, workspace: str, alert_id: int, by: str, now: datetime) -> None:
    values = {"status": "acked", "acked_by": by, "acked_at": now}
    _act(store, workspace, alert_id, values, (now, "acked", by, {}))


def mute(
    store: Store, workspace: str, alert_id: int, for_: timedelta, by: str | None, now: datetime
) -> datetime:
    until = now + for_
    values = {"status": "muted", "muted_until": until}
    _act(store, workspace, alert_id, values, (now, "muted", by, {"until": until.isoformat()}))
    return until


def events(store: Store, alert_id: int) -> list[dict[str, Any]]:
    return rows.events(store, alert_id)


def _act(store: Store, workspace: str, alert_id: int, values: dict[str, Any], event: tuple) -> None:
    if not rows.act(store, workspace, alert_id, values, event):
        raise NoSuchAlert(alert_id, workspace)
