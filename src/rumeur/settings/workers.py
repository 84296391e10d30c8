"""The distributed workers' settings (`[workers]`, docs/workers.md): where the broker and the
result backend are, how long a task may run before the broker hands it to another worker, and
how many tasks of each network may run at once across every worker.

    [workers]
    broker = "redis://127.0.0.1:6379/0"
    visibility_timeout = 3600

    [workers.concurrency]
    reddit = 1
    bluesky = 2
    mastodon = 5

Precedence of the broker's address: `RUMEUR_BROKER`, then `[workers] broker`, then a Redis on
this machine (`DEFAULT_BROKER`), as `RUMEUR_DB` wins over `[store] db`. The result backend:
`RUMEUR_BACKEND`, then `[workers] backend`, then the broker. These addresses may hold a
password: print them through `rumeur.logs.redact_url` only."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rumeur.errors import ConfigError

if TYPE_CHECKING:
    from rumeur.config import Settings

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
BrokerUrl = Annotated[str, Field(pattern=r"^(redis|rediss|amqp|amqps)://\S*$", max_length=2000)]
# The per-network caps of Postiz (issue 20), where most networks' rate limits sit.
DEFAULT_CAPS = {"reddit": 1, "bluesky": 2, "mastodon": 5, "rss": 4}
NETWORKS = frozenset(DEFAULT_CAPS)
# The queues, each served by its own workers so that each scales alone: the collectors, the
# enrichment and storing of batches, the senders, the detectors (and the inbox's routing).
QUEUES = ("collect", "enrich", "send", "alerts")


class WorkerSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    broker: BrokerUrl | None = None
    backend: BrokerUrl | None = None
    # Seconds a task may stay unacknowledged before Redis delivers it again to another worker:
    # longer than the longest task (a collection pass, a batch of 1,000 posts on a loaded
    # machine take well under a minute), or a slow task would run twice at once.
    # A test may set a few seconds, for a killed worker's task to come back quickly.
    visibility_timeout: Annotated[int, Field(ge=1, le=7 * 86400)] = 3600
    # Put before every key the broker, the result backend and the leases write in Redis: two
    # installations (or two test runs) share one Redis without meeting. A queue's Redis list is
    # `queue_key(settings, name)`.
    prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9:_.-]{0,64}$")] = ""
    # How many tasks of one network run at once across all the workers (a lease in the store).
    concurrency: dict[str, Annotated[int, Field(ge=1, le=1000)]] = Field(
        default_factory=lambda: dict(DEFAULT_CAPS)
    )
    # Seconds between two passes of the detectors, of the sender and of the inbox's routing
    # that beat schedules; the sources poll at their own `every`.
    detect_every: Annotated[int, Field(ge=5)] = 60
    send_every: Annotated[int, Field(ge=1)] = 5
    route_every: Annotated[int, Field(ge=5)] = 60

    @model_validator(mode="after")
    def _known_networks(self) -> WorkerSettings:
        unknown = sorted(set(self.concurrency) - NETWORKS)
        if unknown:
            known = ", ".join(sorted(NETWORKS))
            raise ValueError(f"concurrency: no network {unknown[0]!r} (known: {known})")
        return self

    def cap(self, network: str) -> int:
        """How many tasks of `network` may run at once (every network has a cap)."""
        return self.concurrency.get(network, DEFAULT_CAPS.get(network, 1))


def queue_key(settings: Settings, queue: str) -> str:
    """The Redis list that holds a queue's waiting tasks (its length is the queue's depth)."""
    return settings.workers.prefix + queue


def broker_url(settings: Settings) -> str:
    """The broker's address: `RUMEUR_BROKER`, then `[workers] broker`, then DEFAULT_BROKER."""
    found = os.environ.get("RUMEUR_BROKER") or settings.workers.broker or DEFAULT_BROKER
    return _checked("RUMEUR_BROKER", found)


def backend_url(settings: Settings) -> str:
    """The result backend's address: `RUMEUR_BACKEND`, then `[workers] backend`, then the
    broker's."""
    found = os.environ.get("RUMEUR_BACKEND") or settings.workers.backend
    return broker_url(settings) if found is None else _checked("RUMEUR_BACKEND", found)


def _checked(name: str, url: str) -> str:
    """An address from the environment is checked as the file's would be (the file's already
    was); the message names the variable, never the value (it may hold a password)."""
    scheme = url.split("://", 1)[0]
    if "://" not in url or scheme not in ("redis", "rediss", "amqp", "amqps") or url != url.strip():
        raise ConfigError(f"{name}: expected a redis://, rediss://, amqp:// or amqps:// address")
    return url
