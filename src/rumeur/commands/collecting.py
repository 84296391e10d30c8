"""`rumeur collect` and `rumeur sources`: the workspace's network sources run through the
pipeline, with a progress line per source (items, rate, "waiting for the rate limit until
14:05"), and their state: cursor, last success, last error, remaining quota.

`rumeur collect` also fills the shared inbox from the owned accounts read through the sources
it runs (`inbox/collect.py`), with one line per account ("piaille (@laposte): 12 messages,
3 new conversations"); following, it reads them again every minute."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rich.table import Table

from rumeur.commands.consoles import make_console
from rumeur.config import Settings, Workspace
from rumeur.i18n import _, number
from rumeur.inbox.collect import AccountOutcome, collect_inbox, readable
from rumeur.nlp.base import Enricher
from rumeur.nlp.registry import enrichers
from rumeur.pipeline.collection import Outcome, collect
from rumeur.pipeline.runner import Step, cursor_key
from rumeur.settings.sources import SourceSettings
from rumeur.sources import registry
from rumeur.sources.base import Source
from rumeur.sources.context import SourceContext
from rumeur.store import Store
from rumeur.store.sources import source_states


@dataclass(slots=True)
class _Lines:
    """One status line per source, redrawn together."""

    lines: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, name: str, text: str) -> None:
        with self.lock:
            self.lines[name] = text

    def text(self) -> str:
        with self.lock:
            return "\n".join(self.lines.values())


def collect_sources(
    store: Store,
    settings: Settings,
    ws: Workspace,
    chosen: list[SourceSettings],
    follow: bool,
    enrich: bool = True,
) -> list[Outcome]:
    """Collect (pipeline/collection.py) with a status line per source redrawn as it goes, then
    one line per source: what it read, or its error; then one line per owned account read
    into the inbox."""
    console = make_console(stderr=True)
    lines = _Lines()
    models = enrichers(settings, ws) if enrich else []
    with console.status("") as status:

        def on_step(name: str, step: Step) -> None:
            for reject in step.new_rejects:
                console.print(f"{name}: {reject.message()}", markup=False, soft_wrap=True)
            report = step.report
            lines.set(name, _("{name}: {items} items, {rate} items/s").format(
                name=name, items=number(report.read), rate=number(report.rate, 1)))  # fmt: skip
            status.update(lines.text())

        def on_wait(name: str, why: str, until: datetime) -> None:
            when = until.astimezone(ws.zone).strftime("%H:%M:%S")
            lines.set(name, _("{name}: waiting until {when} ({why})").format(
                name=name, when=when, why=why))  # fmt: skip
            status.update(lines.text())

        names = {c.name for c in chosen}
        inbox = _InboxReader(store, ws, models, names, console, lines, status.update)
        if follow:
            inbox.start()
        try:
            outcomes = collect(store, ws, chosen, models, follow, on_step, on_wait)
        finally:
            inbox.stop()
        read = [] if follow else inbox.read()
    for outcome in outcomes:
        console.print(_outcome_line(outcome), markup=False, soft_wrap=True)
    for account in read:
        console.print(account.line(), markup=False, soft_wrap=True)
    failed = [a for a in [*read, *inbox.failed] if a.error is not None]
    return outcomes + [Outcome(a.name, error=a.line()) for a in failed]


INBOX_EVERY = 60.0  # seconds between two reads of the owned accounts while following


class _InboxReader:
    """The owned accounts read through the chosen sources: once, after the sources, or, while
    following, every INBOX_EVERY seconds in a thread of its own."""

    def __init__(
        self,
        store: Store,
        ws: Workspace,
        models: list[Enricher],
        names: set[str],
        console: Any,
        lines: _Lines,
        redraw: Any,
    ) -> None:
        self.store, self.ws, self.models, self.names = store, ws, models, names
        self.console, self.lines, self.redraw = console, lines, redraw
        self.failed: list[AccountOutcome] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def read(self) -> list[AccountOutcome]:
        if not readable(self.ws, self.names):
            return []

        def on_wait(why: str, until: datetime) -> None:
            when = until.astimezone(self.ws.zone).strftime("%H:%M:%S")
            self.lines.set("inbox", _("inbox: waiting until {when} ({why})").format(
                when=when, why=why))  # fmt: skip
            self.redraw(self.lines.text())

        context = SourceContext(store=self.store, on_wait=on_wait)
        return collect_inbox(self.store, self.ws, self.models, self.names, context)

    def start(self) -> None:
        if not readable(self.ws, self.names):
            return
        self._thread = threading.Thread(target=self._follow, name="inbox", daemon=True)
        self._thread.start()

    def _follow(self) -> None:
        while not self._stop.is_set():
            for account in self.read():
                self.lines.set(f"inbox:{account.name}", account.line())
                if account.error is not None:
                    self.failed.append(account)
                    self.console.print(account.line(), markup=False, soft_wrap=True)
            self.redraw(self.lines.text())
            self._stop.wait(INBOX_EVERY)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)


def _outcome_line(outcome: Outcome) -> str:
    if outcome.error is not None:
        return outcome.error
    report = outcome.report
    assert report is not None
    return _("{name}: {read} items read, {new} new, {rejected} rejected, in {seconds} s").format(
        name=outcome.name,
        read=number(report.read),
        new=number(report.written.inserted),
        rejected=number(len(report.rejects)),
        seconds=number(report.seconds, 1),
    )


def list_sources(store: Store, ws: Workspace, as_json: bool) -> list[dict[str, Any]]:
    """Each source of the workspace with its cursor, last success, last error and quota."""
    rows = []
    quotas = store.quotas()
    context = SourceContext()
    stored = source_states(store, ws.slug)
    for config in ws.sources:
        source: Source = registry.build(config, context)
        state = stored.get(cursor_key(ws, source), {})
        quota = quotas.get(getattr(source, "quota_key", ""))
        rows.append({
            "name": config.name,
            "type": config.type,
            "cursor": state.get("cursor") or None,
            "items": state.get("items", 0),
            "last_success": state.get("updated_at") if state.get("cursor") else None,
            "last_error": state.get("last_error"),
            "last_error_at": state.get("last_error_at"),
            "quota_remaining": None if quota is None else quota.remaining,
            "quota_reset_at": None if quota is None else quota.reset_at,
        })  # fmt: skip
    _print_sources(rows, ws, as_json)
    return rows


def _print_sources(rows: list[dict[str, Any]], ws: Workspace, as_json: bool) -> None:
    if as_json:
        for row in rows:
            print(json.dumps(row, default=str, ensure_ascii=False))
        return
    table = Table(title=_("Sources of {ws}").format(ws=ws.name), title_justify="left")
    for header in (_("Source"), _("Type"), _("Items"), _("Cursor"), _("Last success"),
                   _("Last error"), _("Quota left")):  # fmt: skip
        table.add_column(header)
    for row in rows:
        table.add_row(
            row["name"], row["type"], number(row["items"]), _cursor(row["cursor"]),
            _when(row["last_success"], ws), row["last_error"] or "", _quota(row, ws),
        )  # fmt: skip
    make_console().print(table)


def _cursor(cursor: dict[str, Any] | None) -> str:
    """The stored cursor, cut short: enough to see that it moves."""
    if not cursor:
        return ""
    text = json.dumps(cursor, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:39] + "…"


def _when(value: datetime | None, ws: Workspace) -> str:
    return "" if value is None else value.astimezone(ws.zone).strftime("%Y-%m-%d %H:%M")


def _quota(row: dict[str, Any], ws: Workspace) -> str:
    if row["quota_remaining"] is None:
        return ""
    left = number(row["quota_remaining"])
    reset = row["quota_reset_at"]
    return (
        left if reset is None else _("{left} until {when}").format(left=left, when=_when(reset, ws))
    )
