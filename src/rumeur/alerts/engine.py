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
from rumeur.store import detection as reads
from rumeur.store.alerts import Change, Event

LIVE = ("open", "acked", "muted")


@dataclass(slots=True)
class EngineReport:
    opened: int = 0
    updated: int = 0
    closed: int = 0


def run_detectors(store: Store, ws: Workspace, now: datetime) -> EngineReport:
    """Run every detector of `ws` at `now` and apply its fires to the alerts table."""
    s = ws.alerts
    with reads.reading(store) as conn:
        counts = read_counts(conn, ws.slug, now, s.baseline_days)
        fires = volume_spikes(counts, ws, now, s) + negative_surges(counts, ws, now, s)
        fires += viral_posts(conn, ws, now, s) + influencers(conn, ws, now, s)
        fires += watch_words(conn, ws, now, s, _last_watched(conn, ws.slug))
        explained = [(fire, explain(conn, ws.slug, fire, s.top)) for fire in fires]
    report = EngineReport()
    # The live alerts are read, and the changes written, in one transaction.
    rows.apply(store, ws.slug, LIVE, lambda live: _changes(live, ws, now, explained, report))
    return report


def _changes(
    live_rows: list[Any],
    ws: Workspace,
    now: datetime,
    fires: list[tuple[Fire, dict[str, Any]]],
    report: EngineReport,
) -> list[Change]:
    """What the fires make of the live alerts: new alerts, updates, and the quiet ones closed."""
    changes: list[Change] = []
    live = {(row.kind, row.subject): row for row in live_rows}
    for fire, why in fires:
        row = live.pop((fire.kind, fire.subject), None)
        if row is None:
            changes.append(_open(fire, why))
            report.opened += 1
        else:
            changes.append(_update(row, fire, why, now))
            report.updated += 1
    cooldown = HOUR * ws.alerts.cooldown_hours
    for row in live.values():
        if row.status == "muted" and row.muted_until and row.muted_until > now:
            continue
        if now - row.updated_at >= cooldown:
            quiet = {"quiet_since": row.updated_at.isoformat()}
            changes.append(Change(row.id, {"status": "closed"}, ((now, "closed", None, quiet),)))
            report.closed += 1
    return changes


def _open(fire: Fire, why: dict[str, Any]) -> Change:
    # A watch word starts at its first match, a viral post when it was posted, an influencer
    # alert at the first newcomer's post; the others at the start of the window that fired.
    values = {
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
    return Change(None, values, ((fire.until, "opened", None, _figures(fire)),))


def _update(row: Any, fire: Fire, why: dict[str, Any], now: datetime) -> Change:
    values: dict[str, Any] = {
        "updated_at": fire.until,
        "observed": fire.observed,
        "expected": fire.expected,
        "score": fire.score,
        "explanation": why,
        "revision": row.revision + 1,
    }
    events: list[Event] = []
    if fire.kind == WATCH:
        values["observed"] = row.observed + fire.observed  # a fire counts only new matches
    if row.status == "muted" and (row.muted_until is None or row.muted_until <= now):
        values.update(status="open", muted_until=None)
        events.append((now, "unmuted", None, {}))
    events.append((fire.until, "updated", None, _figures(fire)))
    return Change(row.id, values, tuple(events))


def _figures(fire: Fire) -> dict[str, Any]:
    return {"observed": fire.observed, "expected": fire.expected, "score": round(fire.score, 2)}


def _last_watched(conn: Connection, workspace: str) -> dict[str, datetime]:
    """Where each watch query's last alert stopped counting: only newer matches fire."""
    return rows.last_updates(conn, workspace, WATCH)
