"""The Celery app of rumeur's workers (docs/workers.md), configured from the settings.

One app object per process (the tasks of worker/tasks.py register on it); `configure` gives it
the broker, the result backend and the guarantees:

- tasks are acknowledged late and given back when their worker dies (`task_acks_late`,
  `task_reject_on_worker_lost`): a worker killed mid-task is not the end of the task, another
  one runs it again, and every task is idempotent;
- each worker takes one task at a time (`worker_prefetch_multiplier = 1`), so that a killed
  worker holds back one task, not a prefetched pile;
- the broker hands an unacknowledged task to another worker after `visibility_timeout`
  seconds, which must be longer than the longest task, and looks for such tasks every
  `restore_every()` seconds;
- JSON only, in and out: a message from the broker is data, never code (no pickle).
"""

from __future__ import annotations

from celery import Celery
from kombu import Exchange, Queue

from rumeur.config import Settings
from rumeur.settings.workers import QUEUES, backend_url, broker_url

app = Celery("rumeur", set_as_current=False)

# Each task to its queue: collectors, enrichment and senders scale apart.
ROUTES = {
    "rumeur.collect_source": {"queue": "collect"},
    "rumeur.enrich_batch": {"queue": "enrich"},
    "rumeur.send_due": {"queue": "send"},
    "rumeur.detect_alerts": {"queue": "alerts"},
    "rumeur.route_conversations": {"queue": "alerts"},
}


def restore_every(visibility_timeout: int) -> int:
    """Seconds between two looks for tasks a dead worker left: a quarter of the visibility
    timeout, at most Kombu's 10 s and at least 1 s."""
    return max(1, min(10, visibility_timeout // 4))


def configure(settings: Settings) -> Celery:
    """`app`, set for these settings' broker, backend and timeouts; returned for convenience.
    Configured again with other settings, it drops the broker connections and the result backend
    it had opened (a connection keeps the key prefix it was opened with), as Celery itself does
    after a fork; a process that reaches two brokers at once makes a `Celery` of its own
    (benchmarks/worker_throughput.py does)."""
    workers = settings.workers
    transport = {
        "visibility_timeout": workers.visibility_timeout,
        "unacked_restore_interval": restore_every(workers.visibility_timeout),
        "unacked_restore_throttle": 1,  # every sweep reads Redis: the interval alone decides
    }
    backend = {}
    if workers.prefix:
        transport["global_keyprefix"] = workers.prefix
        backend["global_keyprefix"] = workers.prefix
    app.conf.update(
        broker_url=broker_url(settings),
        result_backend=backend_url(settings),
        broker_transport_options=transport,
        result_backend_transport_options=backend,
        broker_connection_retry_on_startup=True,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # Each queue its own direct exchange and key: a task reaches its queue only.
        task_queues=[Queue(name, Exchange(name), routing_key=name) for name in QUEUES],
        task_default_queue="enrich",
        task_routes=ROUTES,
        result_expires=86400,
        enable_utc=True,
        timezone="UTC",
        # structlog and rumeur's own logging stay as the command set them.
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
        # Task events, for a monitor such as Flower or `celery events` (rumeur's own counts come
        # from the signals, worker/metrics.py).
        worker_send_task_events=True,
        task_send_sent_event=True,
    )
    _forget_connections()
    return app


def _forget_connections() -> None:
    """Drop the broker pool and close the result backend the app opened with former settings,
    so that the next task reaches the broker and the backend these settings name (Celery's own
    `_after_fork` drops the same objects). Kombu keeps each broker pool in its own registry,
    keyed by the connection's settings: the former one stays there, open, for whoever asks for
    those settings again."""
    opened = (app.conf.broker_url, app.conf.result_backend, app.conf.broker_transport_options)
    if app.__dict__.get("_rumeur_opened") == repr(opened):
        return
    app.__dict__["_rumeur_opened"] = repr(opened)
    backend = app._backend
    if backend is not None:
        _close_backend(backend)
    app._pool = None
    app._backend_cache = None  # where a thread-safe backend is kept, else in `_local`
    app._local.__dict__.pop("backend", None)
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


def _close_backend(backend: object) -> None:
    """The Redis result backend's own connections (not shared): the one its result consumer
    listens on for answers, and its pool."""
    consumer = getattr(backend, "result_consumer", None)
    pubsub = getattr(consumer, "_pubsub", None)
    if pubsub is not None:
        pubsub.close()
        consumer._pubsub = None  # type: ignore[union-attr]
    client = backend.__dict__.get("client")
    if client is not None:
        client.connection_pool.disconnect()
