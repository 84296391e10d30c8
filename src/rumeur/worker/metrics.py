"""The workers count their tasks (health/counters.py): on Celery's signals, each task's ending,
success, failure or retry, is added to the counts in Redis (the broker, else the result backend
when it is Redis), which `/metrics`, the admin's Workers page and `rumeur workers status` read.

Connected when this module is imported (the worker imports it with its tasks). A count that
cannot be written is logged and lost: counting never fails a task."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

import structlog
from celery.signals import task_failure, task_retry, task_success

from rumeur.health import counters
from rumeur.health.broker import counters_url, redis_client
from rumeur.worker import context

log = structlog.get_logger(__name__)
_clients: dict[int, Any] = {}  # one Redis client per process (a pool's children fork)


def _count(task: Any, outcome: str) -> None:
    try:
        settings = context.settings()
        url = counters_url(settings)
        if url is None:
            return
        client = _clients.get(os.getpid())
        if client is None:
            client = _clients[os.getpid()] = redis_client(url)
        name = getattr(task, "name", None) or str(task)
        counters.record(client, settings.workers.prefix, name, outcome, datetime.now(UTC))
    except Exception as exc:  # a count is not worth a task
        log.warning("task not counted", outcome=outcome, error=f"{type(exc).__name__}: {exc}")


@task_success.connect
def _succeeded(sender: Any = None, **_: Any) -> None:
    _count(sender, "succeeded")


@task_failure.connect
def _failed(sender: Any = None, **_: Any) -> None:
    _count(sender, "failed")


@task_retry.connect
def _retried(sender: Any = None, **_: Any) -> None:
    _count(sender, "retried")
