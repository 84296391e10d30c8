"""`rumeur alerts list|ack|mute`: the alerts of a workspace, for people (a table) and scripts
(one JSON object a line)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.table import Table

from rumeur.alerts.actions import ack, list_alerts, mute
from rumeur.commands.reporting import shown
from rumeur.config import Workspace
from rumeur.errors import ConfigError
from rumeur.i18n import _, number
from rumeur.store import Store

_DURATION = re.compile(r"^(\d+)\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
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
    console = Console(highlight=False)
    if not rows:
        console.print(_("No alerts (--all lists the closed ones too)."))
        return
    table = Table(box=None)
    for header in (_("id"), _("status"), _("kind"), _("subject"), _("started"),
                   _("observed"), _("expected"), _("terms")):  # fmt: skip
        table.add_column(header, no_wrap=header != _("terms"))
    for row in rows:
        table.add_row(
            str(row["id"]), row["status"], row["kind"], shown(row["subject"]),
            row["started_at"][:16], number(row["observed"], 2), number(row["expected"], 2),
            shown(", ".join(row["explanation"].get("terms", [])[:3])),
        )  # fmt: skip
    console.print(table)


def ack_alert(store: Store, ws: Workspace, alert_id: int, by: str) -> None:
    ack(store, ws.slug, alert_id, by, datetime.now(UTC))
    print(_("alert {id} acknowledged by {by}").format(id=alert_id, by=by))


def mute_alert(store: Store, ws: Workspace, alert_id: int, duration: str, by: str | None) -> None:
    until = mute(store, ws.slug, alert_id, parse_duration(duration), by, datetime.now(UTC))
    print(_("alert {id} muted until {until}").format(id=alert_id, until=until.isoformat()))


def parse_duration(text: str) -> timedelta:
    """`30m`, `2h`, `1d`."""
    match = _DURATION.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise ConfigError(f"--for {text}: expected a duration such as 30m, 2h or 1d")
    args: dict[str, Any] = {_UNITS[match.group(2)]: int(match.group(1))}
    return timedelta(**args)
