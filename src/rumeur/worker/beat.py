"""Celery beat's schedule, built from the settings, and the one-leader rule.

Each workspace's sources are polled at their own `every` (the `collect` queue), its detectors
and dispatch run every `[workers] detect_every` seconds and its sender every `send_every` (the
`alerts` and `send` queues), its owned accounts are read into the inbox every `route_every`.
Each entry expires after its period: a poll that no worker took in time is dropped, not piled
up behind the next one.

Several `rumeur beat` may run (for failover); one only schedules: the one that holds the
`beat` lease. The others wait, and take over within a lease (30 s) of the leader's death."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from typing import Any

import structlog

from rumeur.config import Settings
from rumeur.settings.sources import MastodonSettings
from rumeur.worker.app import configure
from rumeur.worker.leases import LEASE_S, Leases

log = structlog.get_logger(__name__)

LEADER = "beat"


def schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    """Celery's `beat_schedule` for these settings."""
    workers = settings.workers
    entries: dict[str, dict[str, Any]] = {}

    def every(name: str, task: str, seconds: float, *args: str) -> None:
        entries[name] = {
            "task": task,
            "schedule": float(seconds),
            "args": list(args),
            "options": {"expires": float(seconds)},
        }

    for ws in settings.workspaces:
        for source in ws.sources:
            if isinstance(source, MastodonSettings) and source.stream:
                log.warning("a streaming source is polled by the workers", source=source.name)
            every(f"{ws.slug}:collect:{source.name}", "rumeur.collect_source", source.every,
                  ws.slug, source.name)  # fmt: skip
        every(f"{ws.slug}:alerts", "rumeur.detect_alerts", workers.detect_every, ws.slug)
        every(f"{ws.slug}:send", "rumeur.send_due", workers.send_every, ws.slug)
        if any(a.source is not None for a in ws.owned_accounts):
            every(f"{ws.slug}:inbox", "rumeur.route_conversations", workers.route_every, ws.slug)
    return entries


def run_beat(settings: Settings, leases: Leases | None = None, on_wait: Any = None) -> None:
    """Wait for the leader's lease, then run celery beat until stopped (SIGTERM, Ctrl-C). A
    leader that loses its lease (Redis unreachable for a whole lease) stops, so that two never
    schedule at once."""
    app = configure(settings)
    app.conf.beat_schedule = schedule(settings)
    leases = leases or Leases.of(settings)
    token = f"{os.getpid()}:{os.urandom(4).hex()}"
    stop = threading.Event()
    waited = False
    while not leases.take(LEADER, token):
        if not waited and on_wait is not None:
            on_wait(leases.holder(LEADER))
        waited = True
        if stop.wait(LEASE_S / 3):
            return
    keeper = threading.Thread(target=_keep, args=(leases, token, stop), daemon=True)
    keeper.start()
    try:
        with tempfile.TemporaryDirectory(prefix="rumeur-beat-") as folder:
            # Last run times in a file of this process only: the tasks are idempotent, so a new
            # leader that runs each entry once at start repeats nothing harmful.
            app.Beat(schedule=os.path.join(folder, "schedule"), loglevel="WARNING").run()
    finally:
        stop.set()
        leases.release(LEADER, token)


def _keep(leases: Leases, token: str, stop: threading.Event) -> None:
    while not stop.wait(LEASE_S / 3):
        if not leases.renew(LEADER, token):
            log.error("beat lost its leader's lease: it stops")
            os.kill(os.getpid(), signal.SIGTERM)
            return
