"""All the health figures at one moment, gathered once for `/metrics`, the admin's Workers page
and `rumeur workers status`, so that the three say the same.

Without a broker in the environment or the settings, the installation runs in the embedded mode:
there are no queues nor workers to report, and the store's figures (the outbox, the sources)
still are. A broker that does not answer is a line of the report, not an error of the page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rumeur.config import Settings
from rumeur.health import broker as brokers
from rumeur.health import counters
from rumeur.logs import redact_url
from rumeur.store import Store
from rumeur.store.health import Backlog, SourceLag, backlog, source_lags


@dataclass(frozen=True, slots=True)
class Health:
    at: datetime
    broker: str | None  # the broker's address, password masked; None: the embedded mode
    queues: dict[str, int] = field(default_factory=dict)
    in_flight: int | None = None
    broker_error: str | None = None
    tasks: list[counters.TaskFigures] = field(default_factory=list)
    tasks_counted: bool = False  # whether a Redis holds the workers' counts
    backlog: Backlog | None = None
    sources: list[SourceLag] = field(default_factory=list)

    @property
    def embedded(self) -> bool:
        return self.broker is None

    def as_json(self) -> dict[str, Any]:
        """The figures as plain values (`rumeur workers status --json`)."""
        return {
            "at": self.at.isoformat(),
            "mode": "embedded" if self.embedded else "workers",
            "broker": self.broker,
            "broker_error": self.broker_error,
            "queues": self.queues,
            "in_flight": self.in_flight,
            "tasks": [
                {
                    "task": t.task,
                    "succeeded": t.succeeded,
                    "failed": t.failed,
                    "retried": t.retried,
                    "per_minute": t.per_minute,
                    "failed_per_minute": t.failed_per_minute,
                }
                for t in self.tasks
            ],
            "outbox": None
            if self.backlog is None
            else {
                "due": self.backlog.due,
                "oldest_due_seconds": self.backlog.oldest_due_s,
                "claimed": self.backlog.claimed,
                "unknown": self.backlog.unknown,
                "failed": self.backlog.failed,
            },
            "sources": [
                {
                    "workspace": s.workspace,
                    "source": s.source,
                    "lag_seconds": s.lag_s,
                    "failing": s.error,
                }
                for s in self.sources
            ],
        }


def gather(settings: Settings, store: Store, now: datetime) -> Health:
    """Every figure at `now`: the store's always, the broker's and the workers' when a broker
    is configured."""
    from_store = {"backlog": backlog(store, now), "sources": source_lags(store, now)}
    url = brokers.configured_broker(settings)
    if url is None:
        return Health(now, None, **from_store)
    shown = redact_url(url)
    try:
        found = brokers.queues(settings, url)
    except brokers.BrokerUnreachable as exc:
        return Health(now, shown, broker_error=str(exc), **from_store)
    tasks, counted = _tasks(settings, now)
    return Health(now, shown, found.depths, found.in_flight, None, tasks, counted, **from_store)


def _tasks(settings: Settings, now: datetime) -> tuple[list[counters.TaskFigures], bool]:
    url = brokers.counters_url(settings)
    if url is None:
        return [], False
    client = brokers.redis_client(url)
    try:
        return counters.read(client, settings.workers.prefix, now), True
    except Exception:  # the counts are a nicety: a Redis that fails them leaves the rest
        return [], False
    finally:
        client.close()
