"""From alerts to notifications: which revisions are sent, to whom, and escalation.

`Dispatcher.run(now)` runs after the detectors (`now` is their clock: the wall clock live, the
replayed time in a replay) and does three things:

1. **Enqueue.** A live alert (open or acked; a muted one is not notified) gets a delivery row
   per target (`alert_deliveries`, written before anything is sent) when it is **new** (no row
   yet), or when it **grew**: its `observed` figure is at least `notify.growth` (1.5) times the
   figure of the last revision sent, so a storm that creeps up by a few posts an hour sends one
   message and not one an hour. The other revisions are only in the crisis room.
2. **Escalate.** An alert still `open` (nobody acknowledged it) `notify.escalate_after` (30 min)
   after it opened, on the detectors' clock, is sent once to the `notify.escalation` targets
   (its current revision), and the crisis room's log gets an `escalated` event. From then on,
   the alert's later revisions go to those targets too. Before, they get nothing: the regular
   revisions go to the targets that are not escalation targets.
3. **Sweep.** Every due pending row is claimed (deliveries.claim) and sent with `deliver()`
   (a few quick retries); what is still failing stays pending and is tried again by a later
   sweep, by this process or another one after a restart (`rumeur alerts notify`). An
   escalation's message says so (`AlertMessage.escalated`: "Escalated: ..." in every format).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import Connection

from rumeur.alerts import deliveries, sentences
from rumeur.alerts.deliveries import Pending, StoreDeliveryLog, wall_clock
from rumeur.alerts.notify import email
from rumeur.alerts.notify.deliver import deliver
from rumeur.alerts.notify.http import new_client
from rumeur.alerts.notify.message import AlertMessage
from rumeur.config import Workspace
from rumeur.i18n import _, using
from rumeur.settings.notify import Target
from rumeur.store import Store
from rumeur.store import alerts as alert_rows
from rumeur.store import deliveries as delivery_rows

NOTIFIED = ("open", "acked")
REGULAR = ("new", "grew")


@dataclass(frozen=True, slots=True)
class Sent:
    """What one sweep did with one delivery row: `status` is delivered, already_delivered,
    pending (tried again later) or failed (for good). Names only: never a URL or a secret."""

    alert_id: int
    revision: int
    target: str
    reason: str  # new, grew, escalated
    status: str
    error: str | None = None  # the channel and host, never a secret


@dataclass(slots=True)
class DispatchReport:
    enqueued: int = 0
    escalated: int = 0
    delivered: int = 0
    pending: int = 0
    failed: int = 0
    sent: list[Sent] = field(default_factory=list)  # one per row the sweeps tried, in order


@dataclass
class Dispatcher:
    """Notifications of one workspace's alerts. `clock` is the wall clock of the retries (a
    replay's detectors run on replayed time, its receivers on real time)."""

    store: Store
    ws: Workspace
    attempts: int = 3  # per sweep; then left pending for the next one
    base: float = 0.5
    cap: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = wall_clock
    http: httpx.Client | None = None
    smtp: email.SmtpFactory | None = None

    def run(self, now: datetime) -> DispatchReport:
        report = DispatchReport()
        if not self.ws.notify.targets:
            return report
        with self.store.transaction() as conn:
            report.enqueued = self._enqueue(conn, now)
            report.escalated = self._escalate(conn, now)
        self.sweep(report)
        return report

    def sweep(self, report: DispatchReport | None = None) -> DispatchReport:
        """Send every due pending row (those of muted alerts wait for the unmuting)."""
        report = report if report is not None else DispatchReport()
        groups: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for row in deliveries.due(self.store, self.ws.slug, self.clock()):
            if row.alert_status != "muted":
                groups[(row.alert_id, row.revision)].append(row)
        if not groups:
            return report
        client = self.http or new_client()
        try:
            for rows in groups.values():
                self._send(rows, client, report)
        finally:
            if self.http is None:
                client.close()
        return report

    def _send(self, rows: list[Any], client: httpx.Client, report: DispatchReport) -> None:
        known = {t.name: t for t in self.ws.notify.targets}
        targets: list[Target] = []
        claimed: dict[str, Any] = {}
        for row in rows:
            target = known.get(row.target)
            if target is None:
                gone = "target no longer in the settings"
                deliveries.give_up(self.store, row.id, gone)
                report.failed += 1
                report.sent.append(
                    Sent(row.alert_id, row.revision, row.target, row.reason, "failed", gone)
                )
            elif deliveries.claim(self.store, row.id, self.clock()):
                targets.append(target)
                claimed[target.name] = row
        # The rows of one revision share its message, but an escalation row says so.
        for escalated in (False, True):
            chosen = [t for t in targets if (claimed[t.name].reason == "escalated") == escalated]
            if chosen:
                self._deliver(claimed, chosen, escalated, client, report)

    def _deliver(
        self,
        claimed: dict[str, Any],
        targets: list[Target],
        escalated: bool,
        client: httpx.Client,
        report: DispatchReport,
    ) -> None:
        message = message_from(claimed[targets[0].name].message)
        if escalated and not message.escalated:  # a row enqueued before the flag existed
            message = replace(message, escalated=True)
        outcomes = deliver(
            message, targets,
            delivery_log=StoreDeliveryLog(self.store, self.clock), attempts=self.attempts,
            base=self.base, cap=self.cap, sleep=self.sleep, http=client, smtp=self.smtp,
        )  # fmt: skip
        for outcome in outcomes:
            if outcome.status in ("delivered", "already_delivered"):
                report.delivered += 1
            elif outcome.status == "failed":
                report.failed += 1
            else:
                report.pending += 1
            row = claimed[outcome.target]
            report.sent.append(
                Sent(row.alert_id, row.revision, row.target, row.reason, outcome.status,
                     outcome.error)
            )  # fmt: skip

    def _enqueue(self, conn: Connection, now: datetime) -> int:
        live = alert_rows.live(conn, self.ws.slug, NOTIFIED)
        sent = _sent(conn, [row.id for row in live])
        rows: list[Pending] = []
        for alert in live:
            history = sent.get(alert.id, [])
            reason = self._reason(alert, history)
            if reason is not None:
                escalated = any(h.reason == "escalated" for h in history)
                names = self._regular() + (self.ws.notify.escalation if escalated else [])
                rows += self._pending(alert, reason, names)
        return deliveries.enqueue(conn, rows, self.clock())

    def _reason(self, alert: Any, history: list[Any]) -> str | None:
        regular = [h for h in history if h.reason in REGULAR]
        if not regular:
            return "new" if not history else None
        last = max(regular, key=lambda h: h.revision)
        grown = alert.observed >= last.observed * self.ws.notify.growth
        return "grew" if alert.revision > last.revision and grown else None

    def _escalate(self, conn: Connection, now: datetime) -> int:
        names = self.ws.notify.escalation
        if not names:
            return 0
        late = alert_rows.open_since(conn, self.ws.slug, now - self.ws.notify.escalate_after)
        for alert in late:
            minutes = int(self.ws.notify.escalate_after.total_seconds() // 60)
            detail = {"targets": list(names), "after_minutes": minutes}
            alert_rows.log(conn, alert.id, now, "escalated", None, detail)
            deliveries.enqueue(conn, self._pending(alert, "escalated", names), self.clock())
        return len(late)

    def _regular(self) -> list[str]:
        escalation = set(self.ws.notify.escalation)
        return [t.name for t in self.ws.notify.targets if t.name not in escalation]

    def _pending(self, alert: Any, reason: str, names: Sequence[str]) -> list[Pending]:
        message = build_message(alert, self.ws, escalated=reason == "escalated").as_dict()
        return [
            Pending(alert.id, alert.revision, name, reason, alert.observed, message)
            for name in names
        ]


def _sent(conn: Connection, ids: list[int]) -> dict[int, list[Any]]:
    """The delivery rows of these alerts, one per (revision, reason)."""
    if not ids:
        return {}
    out: dict[int, list[Any]] = defaultdict(list)
    for row in delivery_rows.sent(conn, ids):
        out[row.alert_id].append(row)
    return out


def crisis_room_url(ws: Workspace, alert_id: int) -> str | None:
    base = ws.notify.base_url
    return f"{base.rstrip('/')}/w/{ws.slug}/alerts/{alert_id}" if base else None


def build_message(alert: Any, ws: Workspace, escalated: bool = False) -> AlertMessage:
    """The notification of an alert row's current revision, in the workspace's language;
    `escalated` for the escalation targets (its heading says so). It says what the pages say
    (alerts/sentences.py): the subject for people, why it fired as a sentence."""
    why: dict[str, Any] = alert.explanation or {}
    subject = ws.name if alert.subject == "*" else alert.subject
    facts = sentences.Facts.of(alert)
    with using(ws.locale):
        title = ws.name if alert.subject == "*" else sentences.subject(facts)
        summary = _("{sentence} (times in {zone})").format(
            sentence=sentences.sentence(facts, ws.zone), zone=ws.timezone
        )
    return AlertMessage(
        alert_id=alert.id,
        revision=alert.revision,
        kind=alert.kind,
        workspace=ws.slug,
        subject=subject,
        title=title,
        summary=summary,
        observed=alert.observed,
        expected=alert.expected,
        started_at=alert.started_at,
        updated_at=alert.updated_at,
        top_posts=[(p.get("text", ""), p.get("url", "")) for p in why.get("posts", [])],
        top_terms=list(why.get("terms", [])),
        top_authors=list(why.get("authors", [])),
        url=crisis_room_url(ws, alert.id),
        language=ws.locale,
        escalated=escalated,
    )


def message_from(data: dict[str, Any]) -> AlertMessage:
    """An `AlertMessage.as_dict()` read back (the revision as it was enqueued)."""
    return AlertMessage(
        alert_id=data["id"],
        revision=data["revision"],
        kind=data["kind"],
        workspace=data["workspace"],
        subject=data["subject"],
        title=data["title"],
        summary=data["summary"],
        observed=data["observed"],
        expected=data["expected"],
        started_at=datetime.fromisoformat(data["started_at"]),
        updated_at=datetime.fromisoformat(data["updated_at"]),
        top_posts=[(p["text"], p["url"]) for p in data["top_posts"]],
        top_terms=data["top_terms"],
        top_authors=data["top_authors"],
        url=data["url"],
        language=data["language"],
        escalated=bool(data.get("escalated", False)),
    )
