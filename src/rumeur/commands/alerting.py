"""`rumeur alerts list|ack|mute|notify`: the alerts of a workspace, for people (a table) and
scripts (one JSON object a line), and the sweeps that send their notifications."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.table import Table

from rumeur.alerts import sentences
from rumeur.alerts.actions import ack, list_alerts, mute
from rumeur.alerts.dispatch import Dispatcher, DispatchReport, Sent
from rumeur.commands.consoles import make_console
from rumeur.commands.reporting import shown
from rumeur.config import Workspace
from rumeur.errors import ConfigError
from rumeur.i18n import _
from rumeur.store import Store

_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
CLI_POST = 40  # characters of a viral post's text in the table: a line, not a paragraph
JSON_FIELDS = (
    "id", "kind", "workspace", "subject", "started_at", "updated_at", "observed", "expected",
    "explanation", "status", "revision",
)  # fmt: skip


def print_alerts(store: Store, ws: Workspace, as_json: bool, everything: bool) -> None:
    rows = list_alerts(store, ws.slug, everything)
    if as_json:
        for row in rows:
            print(json.dumps({k: row[k] for k in JSON_FIELDS}, ensure_ascii=False, default=str))
        return
    console = make_console()
    if not rows:
        console.print(_("No alerts (--all lists the closed ones too)."))
        return
    console.print(alerts_table(rows, ws.zone))


def alerts_table(rows: list[dict[str, Any]], zone: ZoneInfo) -> Table:
    """id, status, what it is about, when it started in the workspace's time zone, and its
    latest figures in short. The id never gives way (`rumeur alerts ack ID` needs it): the
    alert's name and figures wrap instead, down to an 80-column terminal."""
    table = Table(box=None, pad_edge=False)
    table.add_column(_("id"), no_wrap=True, justify="right", min_width=2)
    table.add_column(_("status"), no_wrap=True)
    table.add_column(_("alert"), overflow="fold")
    # The header wraps under its zone's name rather than widen the column past its times.
    started = _("started ({zone})").format(zone=zone.key)
    width = max(len("YYYY-MM-DD HH:MM"), len(zone.key) + 2)
    table.add_column(started, overflow="fold", max_width=width)
    table.add_column(_("latest figures"))
    for row in rows:
        facts = sentences.Facts.of(row)
        table.add_row(
            str(row["id"]),
            sentences.status(row["status"]),
            shown(sentences.title(facts, CLI_POST)),
            f"{facts.started_at.astimezone(zone):%Y-%m-%d %H:%M}",
            sentences.in_short(facts.kind, facts.observed, facts.expected),
        )
    return table


def ack_alert(store: Store, ws: Workspace, alert_id: int, by: str) -> None:
    ack(store, ws.slug, alert_id, by, datetime.now(UTC))
    print(_("alert {id} acknowledged by {by}").format(id=alert_id, by=by))


def mute_alert(store: Store, ws: Workspace, alert_id: int, duration: str, by: str | None) -> None:
    until = mute(store, ws.slug, alert_id, parse_duration(duration), by, datetime.now(UTC))
    shown_until = f"{until.astimezone(ws.zone):%Y-%m-%d %H:%M %Z} ({ws.timezone})"
    print(_("alert {id} muted until {until}").format(id=alert_id, until=shown_until))


def parse_duration(text: str, option: str = "--for") -> timedelta:
    """`30m`, `2h`, `1d` (and `45s`)."""
    match = _DURATION.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f"{option} {text}: expected a duration such as 30m, 2h or 1d")
    args: dict[str, Any] = {_UNITS[match.group(2)]: int(match.group(1))}
    return timedelta(**args)


def notify(
    store: Store,
    ws: Workspace,
    once: bool,
    every: str,
    dispatcher: Dispatcher | None = None,
    sleep: Callable[[float], None] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> DispatchReport:
    """`rumeur alerts notify`: the dispatcher on the wall clock (new and grown alerts enqueued,
    escalation, then every due pending delivery sent), once or every `every` until Ctrl-C (the
    caller's KeyboardInterrupt). One line per delivery tried; returns the totals of every sweep
    (counts only, not their `sent` lists: a loop may run for months)."""
    pause = parse_duration(every, "--every").total_seconds()
    send = dispatcher or Dispatcher(store, ws)
    now = clock or send.clock
    totals = DispatchReport()
    if not ws.notify.targets:
        print(_("Workspace {workspace} has no notification targets.").format(workspace=ws.slug))
        return totals
    while True:
        report = send.run(now())
        for sent in report.sent:
            print(_sent_line(sent), flush=True)
        totals.enqueued += report.enqueued
        totals.escalated += report.escalated
        totals.delivered += report.delivered
        totals.pending += report.pending
        totals.failed += report.failed
        if once:
            return totals
        (sleep or _wait)(pause)


def _wait(seconds: float) -> None:
    time.sleep(seconds)


def _sent_line(sent: Sent) -> str:
    """Target name, alert id and revision: never the target's URL, address or secret."""
    fields = {"target": sent.target, "id": sent.alert_id, "revision": sent.revision}
    if sent.status in ("delivered", "already_delivered"):
        if sent.reason == "escalated":
            return _("escalated alert {id} (update {revision}) to {target}").format(**fields)
        return _("sent alert {id} (update {revision}) to {target}").format(**fields)
    error = f": {sent.error}" if sent.error else ""
    if sent.status == "failed":
        return _("failed alert {id} (update {revision}) to {target}").format(**fields) + error
    return _("alert {id} (update {revision}) to {target} still pending").format(**fields) + error
