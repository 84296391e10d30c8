"""The health figures (health/, docs/deploy.md): the outbox's backlog and the sources' lag from
the store, the queue depths and task counts from a real Redis (under a prefix of this test's
own), the embedded mode without a broker, a broker that does not answer, and the three places
that show them: `/metrics` (Prometheus text, admins only), the Workers page, `rumeur workers
status`."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from clirun import rumeur
from redis_support import REDIS, own_prefix
from rumeur.config import Settings, load_settings
from rumeur.health import counters
from rumeur.health.broker import PRIORITY_STEPS, redis_client
from rumeur.health.prometheus import exposition
from rumeur.health.report import gather
from rumeur.settings.workers import QUEUES, WorkerSettings
from rumeur.store import Store
from rumeur.store.schema import outbox, source_cursors
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from website import PASSWORD, sign_in

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
# A source name a settings file may hold, with what Prometheus' labels must escape.
ODD_SOURCE = 'united:rss:https://example.org/feed?a="b"\\c\nd'


@pytest.fixture(autouse=True)
def _no_broker_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUMEUR_BROKER", raising=False)
    monkeypatch.delenv("RUMEUR_BACKEND", raising=False)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the machine's Redis, its keys deleted afterwards."""
    with own_prefix() as name:
        yield name


@pytest.fixture
def sqlite_store(_sqlite_migrated, tmp_path) -> Iterator[Store]:
    """A store at HEAD on SQLite, for the tests of the broker's side (the store's side is
    tested on both databases)."""
    copy = tmp_path / "rumeur.db"
    shutil.copyfile(_sqlite_migrated, copy)
    opened = Store.open(str(copy))
    yield opened
    opened.close()


class _SendDue:
    """What the signal handler reads of a task: its name."""

    name = "rumeur.send_due"


def _with_broker(url: str, prefix: str = "", backend: str | None = None) -> Settings:
    settings = load_settings()
    workers = WorkerSettings(broker=url, backend=backend, prefix=prefix)
    return settings.model_copy(update={"workers": workers})


def _outbox_row(key: str, state: str, created: datetime, next_at: datetime | None) -> dict:
    return {
        "workspace": "united", "platform": "mastodon", "account": "united", "text": "hello",
        "visibility": "public", "idempotency_key": key, "request": {}, "state": state,
        "attempts": 0, "next_at": next_at, "created_at": created, "updated_at": created,
    }  # fmt: skip


def _fill(store: Store, now: datetime = NOW) -> None:
    """Three queued replies (two due: waited 30 and 10 minutes; one for later), one claimed,
    one unknown; a source that stored 2 hours ago and failed since, one 90 seconds ago."""
    rows = [
        _outbox_row("a", "queued", now - timedelta(hours=2), now - timedelta(minutes=30)),
        _outbox_row("b", "queued", now - timedelta(minutes=10), None),
        _outbox_row("c", "queued", now - timedelta(hours=1), now + timedelta(minutes=5)),
        _outbox_row("d", "claimed", now - timedelta(hours=3), None),
        _outbox_row("e", "unknown", now - timedelta(hours=3), None),
    ]
    sources = [
        {"source": ODD_SOURCE, "workspace": "united", "cursor": {}, "items": 3,
         "updated_at": now - timedelta(hours=2), "last_error": "timeout",
         "last_error_at": now - timedelta(minutes=1)},
        {"source": "united:bluesky:search", "workspace": "united", "cursor": {}, "items": 9,
         "updated_at": now - timedelta(seconds=90), "last_error": None, "last_error_at": None},
    ]  # fmt: skip
    with store.transaction() as conn:
        conn.execute(insert(outbox), rows)
        conn.execute(insert(source_cursors), sources)


def test_the_store_figures_in_the_embedded_mode(store: Store) -> None:
    _fill(store)
    health = gather(load_settings(), store, NOW)
    assert health.embedded and health.queues == {} and health.tasks == []
    b = health.backlog
    assert b is not None
    assert (b.due, b.claimed, b.unknown, b.failed) == (2, 1, 1, 0)
    assert b.oldest_due_s == 30 * 60
    assert [(s.source, s.lag_s, s.error) for s in health.sources] == [
        (ODD_SOURCE, 7200.0, True),
        ("united:bluesky:search", 90.0, False),
    ]
    text = exposition(health)
    assert "rumeur_embedded_mode 1\n" in text
    assert "rumeur_queue_depth" not in text
    assert 'rumeur_outbox_rows{state="due"} 2\n' in text
    assert "rumeur_outbox_oldest_due_seconds 1800\n" in text
    escaped = 'united:rss:https://example.org/feed?a=\\"b\\"\\\\c\\nd'
    assert f'rumeur_source_lag_seconds{{workspace="united",source="{escaped}"}} 7200\n' in text
    _is_prometheus_text(text)


def _is_prometheus_text(text: str) -> None:
    """Every line a comment of HELP or TYPE, or `name{labels} number`; every sample's metric
    typed before it."""
    typed = set()
    sample = re.compile(r'^([a-z_]+)(\{([a-z_]+="([^"\\\n]|\\.)*",?)*\})? -?[0-9.e+-]+$')
    for line in text.rstrip("\n").split("\n"):
        if line.startswith("# TYPE "):
            typed.add(line.split()[2])
        elif not line.startswith("# HELP "):
            found = sample.match(line)
            assert found, line
            assert found.group(1) in typed, line


def test_queue_depths_and_task_counts_from_a_real_redis(
    sqlite_store: Store, redis_prefix: str, tmp_path: Path
) -> None:
    store = sqlite_store
    from kombu import Connection

    settings = _with_broker(REDIS, redis_prefix)
    # Messages as Celery's Redis transport leaves them: two in enrich (one of them with a
    # priority, in another list), one in send.
    with Connection(REDIS, transport_options={"global_keyprefix": redis_prefix}) as connection:
        for queue, priority in (("enrich", 0), ("enrich", 9), ("send", 0)):
            with connection.SimpleQueue(queue) as simple:
                simple.put({"task": "x"}, priority=priority)
    assert PRIORITY_STEPS[-1] == 9
    client = redis_client(REDIS)
    try:
        for outcome in ("succeeded", "succeeded", "failed"):
            counters.record(client, redis_prefix, "rumeur.enrich_batch", outcome, NOW)
        counters.record(client, redis_prefix, "rumeur.send_due", "retried", NOW)
        # An ending from a worker, through the signal handler the workers connect.
        from celery.signals import task_failure

        from rumeur.worker import context, metrics

        context.start(settings, str(tmp_path / "unused.db"))
        task_failure.send(sender=_SendDue)
        assert metrics._clients  # the handler made its client: the count went to Redis
    finally:
        client.close()

    health = gather(settings, store, NOW)
    assert health.broker == REDIS and health.broker_error is None
    assert health.queues == {"collect": 0, "enrich": 2, "send": 1, "alerts": 0}
    assert health.in_flight == 0
    by_task = {t.task: t for t in health.tasks}
    enrich, send = by_task["rumeur.enrich_batch"], by_task["rumeur.send_due"]
    assert (enrich.succeeded, enrich.failed, enrich.retried) == (2, 1, 0)
    assert enrich.per_minute == 3 / counters.RATE_MINUTES
    assert (send.succeeded, send.failed, send.retried) == (0, 1, 1)  # the signal's failure
    # An hour later the totals stay and the rate is back to nothing.
    later = gather(settings, store, NOW + timedelta(hours=1))
    assert {t.task: t.per_minute for t in later.tasks} == {
        "rumeur.enrich_batch": 0.0,
        "rumeur.send_due": 0.0,
    }
    text = exposition(health)
    assert "rumeur_embedded_mode 0\n" in text and "rumeur_broker_up 1\n" in text
    assert 'rumeur_queue_depth{queue="enrich"} 2\n' in text
    assert 'rumeur_tasks_total{task="rumeur.enrich_batch",outcome="failed"} 1\n' in text
    _is_prometheus_text(text)


def test_a_broker_that_does_not_answer_is_a_line_without_its_password(
    sqlite_store: Store,
) -> None:
    store = sqlite_store
    settings = _with_broker("redis://:hunter2secret@127.0.0.1:1/0")
    health = gather(settings, store, NOW)
    assert health.broker_error is not None and "127.0.0.1:1" in health.broker_error
    assert "hunter2secret" not in json.dumps(health.as_json())
    text = exposition(health)
    assert "rumeur_broker_up 0\n" in text and "hunter2secret" not in text


def test_rabbitmq_queue_depths_are_read_by_a_passive_declare(sqlite_store: Store) -> None:
    store = sqlite_store
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=2).close()
    except OSError:
        pytest.skip("RabbitMQ not reachable at 127.0.0.1:5672")
    health = gather(_with_broker("amqp://guest:guest@127.0.0.1:5672//"), store, NOW)
    assert health.broker_error is None, health.broker_error
    assert set(health.queues) == set(QUEUES)
    assert all(depth >= 0 for depth in health.queues.values())
    assert health.in_flight is None and not health.tasks_counted  # counts need a Redis


def test_metrics_and_the_workers_page_are_for_admins(store: Store) -> None:
    _fill(store, datetime.now(UTC))  # the app reads at the wall clock
    ada = add_user(store, "ada", "admin", PASSWORD)
    ana = add_user(store, "ana", "analyst", PASSWORD)
    client = TestClient(create_app(load_settings(), store), follow_redirects=False)
    assert client.get("/metrics").status_code == 401
    bearer = {"Authorization": f"Bearer {tokens.issue(store, ana.id)}"}
    assert client.get("/metrics", headers=bearer).status_code == 403
    bearer = {"Authorization": f"Bearer {tokens.issue(store, ada.id)}"}
    scraped = client.get("/metrics", headers=bearer)
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'rumeur_outbox_rows{state="due"} 2' in scraped.text
    _is_prometheus_text(scraped.text)

    sign_in(client, "ada")
    assert client.get("/metrics").status_code == 200  # the admin's session opens it too
    page = client.get("/admin/workers")
    assert page.status_code == 200
    assert "Embedded mode: no workers" in page.text
    assert "2 due, 1 being sent, 1 with an unknown outcome, 0 failed." in page.text
    assert "&#34;b&#34;" in page.text or "&quot;b&quot;" in page.text  # the source escaped
    client.cookies.set("rumeur_lang", "fr")
    assert "Mode embarqué : aucun worker" in client.get("/admin/workers").text

    analyst = TestClient(create_app(load_settings(), store), follow_redirects=False)
    sign_in(analyst, "ana")
    assert analyst.get("/admin/workers").status_code == 403
    assert 'href="/admin/workers"' not in analyst.get("/account").text


def test_rumeur_workers_status_prints_the_same_figures(
    store_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(store_url)
    try:
        _fill(store, datetime.now(UTC))
    finally:
        store.close()
    ran = rumeur(capsys, "workers", "status", "--db", store_url)
    assert ran.code == 0
    assert ran.out.startswith("Embedded mode: no workers.")
    assert "Outbox: 2 due, 1 being sent, 1 with an unknown outcome, 0 failed." in ran.out
    as_json = json.loads(rumeur(capsys, "workers", "status", "--db", store_url, "--json").out)
    assert as_json["mode"] == "embedded"
    assert as_json["outbox"]["due"] == 2
    assert [s["failing"] for s in as_json["sources"]] == [True, False]

    monkeypatch.setenv("RUMEUR_BROKER", "redis://:hunter2secret@127.0.0.1:1/0")
    down = rumeur(capsys, "workers", "status", "--db", store_url)
    assert down.code == 1
    assert "The broker does not answer" in down.out
    assert "hunter2secret" not in down.out + down.err


def test_a_real_worker_counts_its_tasks(
    sqlite_store: Store, redis_prefix: str, tmp_path: Path
) -> None:
    """`rumeur worker` (a separate process on the machine's Redis) counts what its tasks do: two
    passes of the sender succeed, one for a workspace that does not exist fails."""
    from rumeur.worker import tasks
    from rumeur.worker.app import configure

    config = tmp_path / "rumeur.toml"
    config.write_text(
        f'[workers]\nbroker = "{REDIS}"\nprefix = "{redis_prefix}"\n\n'
        '[[workspaces]]\nslug = "united"\nname = "United"\n\n'
        '[workspaces.brand]\nname = "United"\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    db = str(sqlite_store.engine.url.database)
    worker = subprocess.Popen(
        [sys.executable, "-m", "rumeur", "worker", "--queues", "send", "--config", str(config),
         "--db", db],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "RUMEUR_LANG": "en"},
    )  # fmt: skip
    try:
        configure(settings)
        sent = [tasks.send_due.delay(slug) for slug in ("united", "united", "nowhere")]
        assert sent[0].get(timeout=60)["sent"] == 0 and sent[1].get(timeout=60)["sent"] == 0
        with pytest.raises(Exception, match="nowhere"):
            sent[2].get(timeout=60)
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=60)
    health = gather(settings, sqlite_store, datetime.now(UTC))
    assert health.queues["send"] == 0 and health.in_flight == 0
    [figures] = health.tasks
    assert (figures.task, figures.succeeded, figures.failed) == ("rumeur.send_due", 2, 1), errors
    assert figures.per_minute == 3 / counters.RATE_MINUTES
