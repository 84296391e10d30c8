"""`rumeur worker`, `rumeur beat`, and the queued halves of `rumeur import --queue` and
`rumeur replay --queue` (docs/workers.md): the Celery workers and their scheduler, and the
runner that sends a file's batches to them."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from rumeur.config import Settings
from rumeur.errors import ConfigError
from rumeur.i18n import _
from rumeur.logs import redact_url
from rumeur.settings.workers import QUEUES, broker_url

if TYPE_CHECKING:
    from rumeur.worker.queued import QueuedRunner


def parse_queues(text: str) -> list[str]:
    """`collect,enrich` -> ["collect", "enrich"]; one line naming the unknown queue."""
    names = [q.strip() for q in text.split(",") if q.strip()]
    for name in names:
        if name not in QUEUES:
            raise ConfigError(
                _("--queues: no queue {name} (known: {known})").format(
                    name=name, known=", ".join(QUEUES)
                )
            )
    if not names:
        raise ConfigError(_("--queues: name at least one queue"))
    return names


def run_worker(settings: Settings, db: str, queues: list[str], concurrency: int) -> None:
    """Serve `queues` until SIGTERM (warm: the tasks running finish) or SIGKILL (the broker
    gives them to another worker after the visibility timeout). One process alone (`solo`)
    with `--concurrency 1`: nothing outlives a killed worker; else a pool of N processes."""
    from rumeur.worker import context, metrics, tasks
    from rumeur.worker.app import configure

    del tasks  # imported for its tasks, registered on the app
    del metrics  # imported for its signal handlers: each task's ending counted (/metrics)
    context.start(settings, db)
    if {"enrich", "collect"} & set(queues):
        context.preload()
    app = configure(settings)
    print(
        _("worker {pid}: queues {queues}, {n} at a time, broker {broker}").format(
            pid=os.getpid(), queues=",".join(queues), n=concurrency,
            broker=redact_url(broker_url(settings)),
        ),
        flush=True,
    )  # fmt: skip
    pool = "solo" if concurrency == 1 else "prefork"
    app.worker_main(
        [
            "worker", "--queues", ",".join(queues), "--concurrency", str(concurrency),
            "--pool", pool, "--loglevel", "WARNING", "--hostname", f"rumeur-{os.getpid()}@%h",
            # No start-up exchange with the other workers: nothing of it is used, and it
            # costs a second or more at each start.
            "--without-mingle", "--without-gossip",
        ]
    )  # fmt: skip


def run_beat(settings: Settings) -> None:
    from rumeur.worker.beat import run_beat as beat

    def waiting(holder: str | None) -> None:
        print(_("beat: another beat leads ({holder}); this one waits").format(holder=holder or "-"),
              flush=True)  # fmt: skip

    print(_("beat: {n} schedules").format(n=_count(settings)), flush=True)
    beat(settings, on_wait=waiting)


def _count(settings: Settings) -> int:
    from rumeur.worker.beat import schedule

    return len(schedule(settings))


def queued_runner(settings: Settings, enrich: bool) -> QueuedRunner:
    """The runner of `--queue`: the app set for these settings, the batches to `enrich`."""
    from rumeur.worker.app import configure
    from rumeur.worker.queued import QueuedRunner

    configure(settings)
    return QueuedRunner(enrich=enrich)
