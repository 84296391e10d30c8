"""`rumeur replay`: a data set replayed as a live stream, the detectors on its clock, each alert
printed as it opens, and sent to the workspace's notification targets (alerts/dispatch.py)."""

from __future__ import annotations

from typing import IO

from rich.console import Console

from rumeur.alerts import sentences
from rumeur.alerts.replay import HourlyAlerts
from rumeur.commands.consoles import make_console
from rumeur.config import Settings, Workspace
from rumeur.errors import ConfigError
from rumeur.i18n import _, number
from rumeur.nlp.registry import enrichers
from rumeur.pipeline.replay import ReplayReport, replay
from rumeur.sources.files.source import FileSource
from rumeur.store import Store
from rumeur.store.crisis import alerts_by_id


def parse_speed(text: str) -> float | None:
    """`max` (None: no waiting) or a factor such as `3600` (one replayed hour per second)."""
    if text.strip().lower() == "max":
        return None
    try:
        speed = float(text)
    except ValueError:
        speed = 0.0
    if not speed > 0:
        raise ConfigError(f"--speed {text}: expected a positive number or max")
    return speed


def replay_file(
    store: Store,
    settings: Settings,
    ws: Workspace,
    source: FileSource,
    enrich: bool,
    speed: float | None,
    queue: bool = False,
) -> ReplayReport:
    """`queue`: each hour's batches stored by the workers (`rumeur worker`), in parallel, and
    waited for before the hour's detectors run here."""
    models = enrichers(settings, ws) if enrich and not queue else []
    queued = None
    if queue:
        from rumeur.commands.working import queued_runner

        queued = queued_runner(settings, enrich)
    console = console_for_alerts()
    seen = _known_alerts(store, ws.slug)
    alerting = HourlyAlerts(store, ws, lambda _report: _print_new(console, store, ws, seen))
    with console.status(_("Replaying {file}…").format(file=source.path.name)):
        if queued is None:
            result = replay(source, store, ws, models, speed, alerting)
        else:
            result = replay(
                source, store, ws, models, speed, alerting, runner=queued.run, settle=queued.drain
            )
    totals = alerting.totals
    console.print(
        _(
            "{file}: {posts} posts replayed from {first} to {last} in {secs} s; "
            "{opened} alerts opened, {updated} updates, {closed} closed"
        ).format(
            file=source.path,
            posts=number(result.run.read),
            first=result.first.isoformat() if result.first else "-",
            last=result.last.isoformat() if result.last else "-",
            secs=number(result.run.seconds, 1),
            opened=number(totals.opened),
            updated=number(totals.updated),
            closed=number(totals.closed),
        ),
        markup=False,
        soft_wrap=True,
    )
    return result


def console_for_alerts(file: IO[str] | None = None) -> Console:
    # No emoji codes: rich would print the `:x:` of a subject `post:x:123` as an emoji.
    return make_console(stderr=True, file=file)


def _known_alerts(store: Store, workspace: str) -> set[int]:
    return {row.id for row in alerts_by_id(store, workspace)}


def _print_new(console: Console, store: Store, ws: Workspace, seen: set[int]) -> None:
    """Each new alert as the pages name it (alerts/sentences.py), its start in the workspace's
    time zone."""
    for row in alerts_by_id(store, ws.slug):
        if row.id in seen:
            continue
        seen.add(row.id)
        facts = sentences.Facts.of(row)
        line = _("{at}: alert {id}, {title}: {figures}").format(
            at=f"{row.started_at.astimezone(ws.zone):%Y-%m-%d %H:%M %Z}", id=row.id,
            title=sentences.title(facts),
            figures=sentences.in_short(row.kind, row.observed, row.expected),
        )  # fmt: skip
        console.print(line, markup=False, soft_wrap=True)
