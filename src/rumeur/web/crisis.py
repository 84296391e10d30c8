"""What the alerts pages and the crisis room show, read once for the pages, the report and the
REST API: a workspace's alerts (live ones first), and one alert's room: its explanation, the
hourly timeline of its subject, how it spreads across platforms and authors, who does what, the
holding statements and the log. The team's actions are rows of `alert_events` (`assigned`,
`note`, `statement_copied`, `statement_published`) beside the detectors' own."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import HTTPException
from sqlalchemy import Connection

from rumeur.alerts import sentences
from rumeur.alerts.kinds import VIRAL, WATCH
from rumeur.config import HoldingStatement, Workspace
from rumeur.i18n import _, language
from rumeur.store import Store
from rumeur.store import crisis as rows
from rumeur.store.rollups import ALL

HOUR = timedelta(hours=1)
BEFORE = HOUR * 24  # the timeline starts a day before the alert...
AFTER = HOUR * 6  # ...and ends six hours after its last update
MAX_HOURS = 24 * 21  # at most three weeks of hours in a room
LISTED = 200  # alerts on the list page
TOP = 10
STATUS_ORDER = {"open": 0, "acked": 1, "muted": 2, "closed": 3}
SENTIMENTS = ("negative", "neutral", "positive", "unknown")
TEAM = ("assigned", "note", "statement_copied", "statement_published")  # people's actions
MUTE_HOURS = (1, 2, 6, 24)
MAX_TEXT = 2000


def open_count(store: Store, workspace: str) -> int:
    """The workspace's open alerts, for the top bar (the status index answers it)."""
    with store.read() as conn:
        return rows.open_count(conn, workspace)


def read_alerts(store: Store, workspace: str, limit: int = LISTED) -> list[dict[str, Any]]:
    """Open alerts first, then acked, muted and closed ones; the newest first in each."""
    with store.read() as conn:
        return rows.alerts_by_status(conn, workspace, STATUS_ORDER, limit)


def read_alert(conn: Connection, workspace: str, alert_id: int) -> dict[str, Any]:
    row = rows.alert_row(conn, workspace, alert_id)
    if row is None:
        raise HTTPException(404, _("no such alert in this workspace"))
    return row


def live_alert(store: Store, workspace: str, alert_id: int) -> None:
    """Raise a 404 when the workspace has no such alert, a 400 when it is closed."""
    status = rows.alert_status(store, workspace, alert_id)
    if status is None:
        raise HTTPException(404, _("no such alert in this workspace"))
    if status == "closed":
        raise HTTPException(400, _("This alert is closed."))


def read_events(conn: Connection, alert_id: int) -> list[dict[str, Any]]:
    """The alert's log, newest first."""
    return rows.alert_log(conn, alert_id)


@dataclass(frozen=True, slots=True)
class Told:
    """An alert as people read it (alerts/sentences.py), in the request's language."""

    title: str  # `Volume spike · American`, a viral post by its author and text
    sentence: str  # why it fired, with its figures
    figures: list[tuple[str, str]]  # the figures behind the sentence, named for people


def tell(alert: dict[str, Any], zone: ZoneInfo) -> Told:
    facts = sentences.Facts.of(alert)
    return Told(
        sentences.title(facts), sentences.sentence(facts, zone), sentences.figures(facts, zone)
    )


def told_alerts(alerts: list[dict[str, Any]], zone: ZoneInfo) -> list[tuple[dict, Told]]:
    """The list page's alerts, each with what it says."""
    return [(a, tell(a, zone)) for a in alerts]


@dataclass(slots=True)
class Timeline:
    hours: list[datetime]  # UTC
    sentiment: dict[str, list[int]]  # per sentiment, one count per hour

    def totals(self) -> list[int]:
        return [sum(column) for column in zip(*self.sentiment.values(), strict=True)]


@dataclass(slots=True)
class Room:
    alert: dict[str, Any]
    why: dict[str, Any]
    timeline: Timeline
    platforms: list[tuple[str, int]]
    authors: list[tuple[str, int]]
    events: list[dict[str, Any]]
    statements: list[HoldingStatement]
    told: Told
    log: list[sentences.LogLine]  # the events as people read them, the detectors' runs folded
    team: list[str] = field(default_factory=list)  # the names a task may be given to

    @property
    def since(self) -> datetime | None:
        return _moment(self.why.get("since"))

    @property
    def until(self) -> datetime | None:
        return _moment(self.why.get("until"))

    def of(self, what: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["what"] == what]


def rollup_subject(alert: dict[str, Any]) -> str:
    """The rollups' brand of an alert: its brand; the whole volume for '*' and watch words; a
    viral post's first brand (the whole volume when it names none), never the post itself."""
    if alert["kind"] == WATCH:
        return ALL
    if alert["kind"] == VIRAL:
        brands = (alert["explanation"] or {}).get("brands") or [ALL]
        return str(brands[0])
    return alert["subject"]


def window(alert: dict[str, Any]) -> tuple[datetime, datetime]:
    """The room's hours: a day before the alert to six hours after its last update."""
    start = _floor(alert["started_at"]) - BEFORE
    end = min(_floor(alert["updated_at"]) + AFTER, start + HOUR * MAX_HOURS)
    return start, end


def read_room(store: Store, ws: Workspace, alert_id: int, team: list[str]) -> Room:
    with store.read() as conn:
        alert = read_alert(conn, ws.slug, alert_id)
        subject = rollup_subject(alert)
        since, until = window(alert)
        heat = (_floor(alert["started_at"]), _floor(alert["updated_at"]) + HOUR)
        events = read_events(conn, alert_id)
        return Room(
            alert=alert,
            why=alert["explanation"] or {},
            timeline=_timeline(conn, ws.slug, subject, since, until),
            platforms=rows.top_platforms(conn, ws.slug, subject, *heat, TOP),
            authors=rows.top_authors(conn, ws.slug, subject, *heat, TOP),
            events=events,
            statements=list(ws.statements),
            told=tell(alert, ws.zone),
            log=read_log(events, alert["kind"], ws),
            team=team,
        )


def read_log(events: list[dict[str, Any]], kind: str, ws: Workspace) -> list[sentences.LogLine]:
    """The log as the room shows it, the statements named by their title in the reader's
    language."""
    titles = {s.slug: s.title_in(language()) for s in ws.statements}
    return sentences.log_lines(events, kind, ws.zone, titles)


def _moment(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _floor(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def _timeline(
    conn: Connection, workspace: str, subject: str, since: datetime, until: datetime
) -> Timeline:
    hours = []
    at = since
    while at <= until:
        hours.append(at)
        at += HOUR
    index = {h: i for i, h in enumerate(hours)}
    counts = {s: [0] * len(hours) for s in SENTIMENTS}
    for hour, sentiment, n in rows.hourly_sentiment(conn, workspace, subject, since, until):
        key = sentiment if sentiment in counts else "unknown"
        counts[key][index[_floor(hour)]] += n
    return Timeline(hours, counts)


def log_event(
    store: Store,
    workspace: str,
    alert_id: int,
    what: str,
    by: str,
    detail: dict[str, Any],
    now: datetime,
) -> None:
    """One of the team's actions (assigned, note, statement_copied) in the alert's log."""
    event = {"at": now, "what": what, "by": by, "detail": detail}
    if not rows.add_event(store, workspace, alert_id, event):
        raise HTTPException(404, _("no such alert in this workspace"))
