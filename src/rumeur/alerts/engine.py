"""From fires to alerts: one fire gives one alert, updated as it grows, not a flood.

At each run (`run_detectors(store, workspace, now)`, `now` being the detectors' clock: the
wall clock live, the replayed time in a replay):

- a fire of (kind, subject) with a live alert (open, acked or muted) updates it: observed,
  expected, score, explanation and `updated_at`, and `revision` + 1;
- a fire without one opens a new alert;
- a live alert that has not fired for `cooldown_hours` is closed, so the next fire of that
  subject is a new alert;
- a muted alert stays muted (and is not closed) until `muted_until`; it still absorbs the
  fires, so that unmuting shows where the storm stands.

Every change is logged in `alert_events` (the crisis room's log).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from rumeur.alerts.baseline import HOUR
from rumeur.alerts.detectors import (
    WATCH,
    Fire,
    influencers,
    negative_surges,
    read_counts,
    viral_posts,
    volume_spikes,
    watch_words,
)
from rumeur.alerts.explain import explain
from rumeur.config import Workspace
from rumeur.store import Store
from rumeur.store import alerts as rows

LIVE = ("open", "acked", "muted")


@dataclass(slots=True)
class EngineReport:
    opened: int = 0
    updated: int = 0
    closed: int = 0


def run_detectors(store: Store, ws: Workspace, now: datetime) -> EngineReport:
    """Run every detector of `ws` at `now` and apply its fires to the alerts table."""
    s = ws.alerts
    with store.engine.connect() as conn:
        counts = read_counts(conn, ws.slug, now, s.baseline_days)
        fires = volume_spikes(counts, ws, now, s) + negative_surges(counts, ws, now, s)
        fires += viral_posts(conn, ws, now, s) + influencers(conn, ws, now, s)
        fires += watch_words(conn, ws, now, s, _last_watched(conn, ws.slug))
        explained = [(fire, explain(conn, ws.slug, fire, s.top)) for fire in fires]
    with store.transaction() as conn:
        return _apply(conn, ws, now, explained)


def _apply(
    conn: Connection, ws: Workspace, now: datetime, fires: list[tuple[Fire, dict[str, Any]]]
) -> EngineReport:
    report = EngineReport()
    live = {(row.kind, row.subject): row for row in rows.live(conn, ws.slug, LIVE)}
    for fire, why in fires:
        row = live.pop((fire.kind, fire.subject), None)
        if row is None:
            _open(conn, ws.slug, fire, why)
            report.opened += 1
        else:
            _update(conn, row, fire, why, now)
            report.updated += 1
    cooldown = HOUR * ws.alerts.cooldown_hours
    for row in live.values():
        if row.status == "muted" and row.muted_until and row.muted_until > now:
            continue
        if now - row.updated_at >= cooldown:
            rows.change(conn, row.id, status="closed")
            rows.log(conn, row.id, now, "closed", None, {"quiet_since": row.updated_at.isoformat()})
            report.closed += 1
    return report


def _open(conn: Connection, workspace: str, fire: Fire, why: dict[str, Any]) -> None:
    # A watch word starts at its first match, a viral post when it was posted, an influencer
    # alert at the first newcomer's post; the others at the start of the window that fired.
    values = {
        "workspace": workspace,
        "kind": fire.kind,
        "subject": fire.subject,
        "status": "open",
        "started_at": fire.since,
        "updated_at": fire.until,
        "observed": fire.observed,
        "expected": fire.expected,
        "score": fire.score,
        "explanation": why,
        "revision": 1,
    }
    alert_id = rows.insert_alert(conn, values)
    rows.log(conn, alert_id, fire.until, "opened", None, _figures(fire))


def _update(conn: Connection, row: Any, fire: Fire, why: dict[str, Any], now: datetime) -> None:
    values: dict[str, Any] = {
        "updated_at": fire.until,
        "observed": fire.observed,
        "expected": fire.expected,
        "score": fire.score,
        "explanation": why,
        "revision": row.revision + 1,
    }
    if fire.kind == WATCH:
        values["observed"] = row.observed + fire.observed  # a fire counts only new matches
    if row.status == "muted" and (row.muted_until is None or row.muted_until <= now):
        values.update(status="open", muted_until=None)
        rows.log(conn, row.id, now, "unmuted", None, {})
    rows.change(conn, row.id, **values)
    rows.log(conn, row.id, fire.until, "updated", None, _figures(fire))


def _figures(fire: Fire) -> dict[str, Any]:
    return {"observed": fire.observed, "expected": fire.expected, "score": round(fire.score, 2)}


def _last_watched(conn: Connection, workspace: str) -> dict[str, datetime]:
    """Where each watch query's last alert stopped counting: only newer matches fire."""
    return rows.last_updates(conn, workspace, WATCH)
