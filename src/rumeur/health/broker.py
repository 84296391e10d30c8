"""The broker's side of the health figures: which broker the settings name (none: the embedded
mode), how many tasks wait in each queue, and how many are taken by a worker and not yet
acknowledged.

Redis: a queue is a list (one per priority step, Kombu's naming) and the unacknowledged tasks
a hash, all under `[workers] prefix`. RabbitMQ: a passive `queue_declare` answers the count of
ready messages (a queue not declared yet holds none). Every address may hold a password: errors
are reported without it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rumeur.config import Settings
from rumeur.logs import redact_text
from rumeur.settings.workers import QUEUES, backend_url, broker_url, queue_key

if TYPE_CHECKING:
    import redis

TIMEOUT_S = 2.0  # a broker that does not answer is reported, never waited on by a page
# Kombu's Redis transport keeps a queue as one list per priority step; `SEP` joins the name and
# the step (no suffix for step 0).
PRIORITY_STEPS = (0, 3, 6, 9)
SEP = "\x06\x16"
UNACKED = "unacked"  # Kombu's hash of the tasks delivered and not acknowledged


class BrokerUnreachable(Exception):
    """The broker did not answer; the message holds no password."""


@dataclass(frozen=True, slots=True)
class Queues:
    depths: dict[str, int]  # waiting tasks per queue
    in_flight: int | None  # taken by a worker, not acknowledged (Redis only)


def configured_broker(settings: Settings) -> str | None:
    """The broker the environment or the settings name; None: the embedded mode (no workers)."""
    if not (os.environ.get("RUMEUR_BROKER") or settings.workers.broker):
        return None
    return broker_url(settings)


def counters_url(settings: Settings) -> str | None:
    """The Redis where the workers count their tasks: the broker if it is Redis, else the
    result backend if it is; None without one."""
    broker = configured_broker(settings)
    if broker is None:
        return None
    for url in (broker, backend_url(settings)):
        if url.startswith(("redis://", "rediss://")):
            return url
    return None


def queues(settings: Settings, url: str) -> Queues:
    try:
        if url.startswith(("redis://", "rediss://")):
            return _redis_queues(settings, url)
        return _amqp_queues(url)
    except Exception as exc:  # any client's error: the figures say the broker is down
        raise BrokerUnreachable(redact_text(f"{type(exc).__name__}: {exc}")) from None


def redis_client(url: str) -> redis.Redis:
    import redis  # only when a Redis is asked for

    return redis.Redis.from_url(url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S)


def _redis_queues(settings: Settings, url: str) -> Queues:
    client = redis_client(url)
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in QUEUES:
                for step in PRIORITY_STEPS:
                    pipe.llen(queue_key(settings, name) + (f"{SEP}{step}" if step else ""))
            pipe.hlen(settings.workers.prefix + UNACKED)
            found = pipe.execute()
    finally:
        client.close()
    steps = len(PRIORITY_STEPS)
    depths = {name: sum(found[i * steps : (i + 1) * steps]) for i, name in enumerate(QUEUES)}
    return Queues(depths, found[-1])


def _amqp_queues(url: str) -> Queues:
    from amqp.exceptions import NotFound
    from kombu import Connection

    depths = {}
    with Connection(url, connect_timeout=TIMEOUT_S) as connection:
        for name in QUEUES:
            channel = connection.channel()
            try:
                depths[name] = channel.queue_declare(queue=name, passive=True).message_count
            except NotFound:  # declared by the first worker or task: nothing waits yet
                depths[name] = 0
            finally:
                if channel.is_open:
                    channel.close()
    return Queues(depths, None)
