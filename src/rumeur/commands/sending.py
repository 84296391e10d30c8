"""`rumeur send`: the sender (inbox/sender.py) on the wall clock, with one line per reply or
scheduled post it sent, failed, tries again, left unknown, took over or flagged late, and one per
account it held.

`--once` runs one pass (take over, reconcile, drain) and ends; `--follow` passes every
`--every` until SIGTERM or Ctrl-C, which stop it between two replies, never between a try and
its record."""

from __future__ import annotations

import signal
import threading
from collections.abc import Sequence
from typing import Any

from rumeur.commands.alerting import parse_duration
from rumeur.config import Settings, Workspace
from rumeur.i18n import _
from rumeur.inbox.sender import Repliers, Report, Sender
from rumeur.sources.context import SourceContext
from rumeur.store import Store
from rumeur.store.inbox import OutboxRow
from rumeur.store.publishing import Item


def send(
    store: Store,
    settings: Settings,
    slug: str | None,
    follow: bool,
    every: str = "5s",
) -> Report:
    """Drain the outbox of the workspace `slug` (every workspace of the settings when None);
    the totals. Prints as it goes."""
    pause = parse_duration(every, "--every").total_seconds()
    workspaces: Sequence[Workspace] = (
        [settings.workspace(slug)] if slug is not None else settings.workspaces
    )
    held: set[tuple[str, str, str]] = set()

    def shown(what: str, row: OutboxRow | Item, line: str) -> None:
        text = event_line(what, row, line, held)
        if text is not None:
            print(text, flush=True)

    repliers = Repliers(workspaces, SourceContext())
    sender = Sender(store, repliers, workspaces=[ws.slug for ws in workspaces], on_event=shown)
    restore = _stop_on_signals(sender.stop) if follow else None
    try:
        report = sender.run(pause) if follow else sender.once()
    finally:
        if restore is not None:
            restore()
        sender.close()
    totals = _("{sent} sent, {failed} failed, {retried} to try again, {unknown} unknown").format(
        sent=report.sent, failed=report.failed, retried=report.retried, unknown=report.unknown
    )
    if report.late:
        totals += _(", {late} flagged late").format(late=report.late)
    print(totals, flush=True)
    return report


def _stop_on_signals(stop: threading.Event) -> Any:
    """SIGTERM and Ctrl-C set `stop` (the sender ends its reply, then stops); a function that
    puts the previous handlers back. Only the main thread can install handlers."""
    if threading.current_thread() is not threading.main_thread():
        return None
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    for s in previous:
        signal.signal(s, handler)

    def restore() -> None:
        for s, old in previous.items():
            signal.signal(s, old)

    return restore


def event_line(
    what: str, row: OutboxRow | Item, line: str, held: set[tuple[str, str, str]]
) -> str | None:
    """The line for one of the sender's events (`rumeur send`, and `rumeur serve`'s sender);
    None for an account already said to be held (`held`, those said so far, grows). A
    scheduled post is named by its publishing item's id, as `rumeur publish list` shows it."""
    if isinstance(row, Item):
        return _post_line(what, row.id, f"{row.platform}:{row.handle.lstrip('@')}", line)
    account = f"{row.platform}:{row.account}"
    if what == "held":
        key = (row.workspace, row.platform, row.account)
        if key in held:
            return None
        held.add(key)
        return _("{account}: {error}; its replies stay queued").format(account=account, error=line)
    if row.item_id is not None:
        return _post_line(what, row.item_id, account, line)
    fields = {"id": row.id, "account": account, "line": line}
    return {
        "sent": _("reply {id} sent from {account}: {line}"),
        "failed": _("reply {id} failed: {line}"),
        "retry": _("reply {id} will be tried again: {line}"),
        "unknown": _("reply {id}: outcome unknown, it will be read back: {line}"),
        "taken": _("reply {id}: {line}"),
    }[what].format(**fields)


def _post_line(what: str, item_id: int, account: str, line: str) -> str:
    fields = {"id": item_id, "account": account, "line": line}
    return {
        "sent": _("post {id} published from {account}: {line}"),
        "failed": _("post {id} failed: {line}"),
        "retry": _("post {id} will be tried again: {line}"),
        "unknown": _("post {id}: outcome unknown, it will be read back: {line}"),
        "taken": _("post {id}: {line}"),
        "late": _("post {id} not sent from {account}: {line}"),
    }[what].format(**fields)
