"""The workers' parts in one process (docs/workers.md): the `[workers]` settings, the posts as
JSON, beat's schedule, the leases on Redis, and the queued import with Celery's tasks run
eagerly, on SQLite: the cursor moves past settled batches only, and a batch stored twice (a
redelivery) changes no rollup."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from airline_slice import head_of, written
from factories import make_post
from redis_support import REDIS, own_prefix
from rumeur.config import Settings, parse_settings
from rumeur.errors import ConfigError
from rumeur.model import Label, Media
from rumeur.pipeline.runner import cursor_key
from rumeur.settings.workers import backend_url, broker_url, queue_key
from rumeur.sources.files.mapping import load_mapping
from rumeur.sources.files.source import FileSource
from rumeur.store import Store
from rumeur.store.rebuild import rebuild_rollups
from rumeur.store.schema import facet_rollups, rollups_hourly
from rumeur.worker import context
from rumeur.worker.app import app, configure
from rumeur.worker.beat import schedule
from rumeur.worker.leases import Leases
from rumeur.worker.payload import post_json, post_of
from rumeur.worker.queued import QueuedRunner, QueueError
from rumeur.worker.tasks import enrich_batch

WORKSPACE = """
[[workspaces]]
slug = "demo"
name = "Demo"
[workspaces.brand]
name = "United"
[[workspaces.sources]]
type = "mastodon"
name = "piaille"
instance = "https://piaille.fr"
every = 120
"""


def settings(workers: str = "") -> Settings:
    return parse_settings(workers + WORKSPACE, "rumeur.toml")


def test_the_broker_comes_from_the_environment_then_the_file_then_a_local_redis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RUMEUR_BROKER", raising=False)
    monkeypatch.delenv("RUMEUR_BACKEND", raising=False)
    assert broker_url(settings()) == "redis://127.0.0.1:6379/0"
    filed = settings('[workers]\nbroker = "redis://queue:6379/2"\nprefix = "acme:"\n')
    assert broker_url(filed) == backend_url(filed) == "redis://queue:6379/2"
    assert queue_key(filed, "enrich") == "acme:enrich"
    monkeypatch.setenv("RUMEUR_BROKER", "amqp://guest:s3cret@rabbit:5672//")
    monkeypatch.setenv("RUMEUR_BACKEND", "redis://results:6379/1")
    assert broker_url(filed) == "amqp://guest:s3cret@rabbit:5672//"
    assert backend_url(filed) == "redis://results:6379/1"
    monkeypatch.setenv("RUMEUR_BROKER", "http://user:s3cret@example.org")
    with pytest.raises(ConfigError) as refused:
        broker_url(filed)
    assert str(refused.value).startswith("RUMEUR_BROKER: expected a redis://")
    assert "s3cret" not in str(refused.value)


@pytest.mark.parametrize(
    ("table", "where"),
    [
        ('broker = "http://example.org"', "workers.broker"),
        ("visibility_timeout = 0", "workers.visibility_timeout"),
        ("concurrency = { twitter = 3 }", "no network 'twitter'"),
        ("concurrency = { reddit = 0 }", "workers.concurrency.reddit"),
        ('prefix = "a b"', "workers.prefix"),
    ],
)
def test_a_bad_workers_table_is_one_line_naming_the_key(table: str, where: str) -> None:
    with pytest.raises(ConfigError) as refused:
        settings(f"[workers]\n{table}\n")
    line = str(refused.value)
    assert line.startswith("rumeur.toml: workers") and where in line and "\n" not in line


def test_caps_default_to_the_networks_own() -> None:
    workers = settings("[workers.concurrency]\nreddit = 2\n").workers
    assert (workers.cap("reddit"), workers.cap("bluesky"), workers.cap("mastodon")) == (2, 2, 5)


def test_a_post_crosses_the_broker_as_json_unchanged() -> None:
    post = make_post("42", "Où est mon colis ? 🙁", sentiment="negative", language="fr")
    post.media = [Media("image", "https://example.org/a.png", "un colis")]
    post.labels.append(Label("emotion", "anger", 0.8, "model"))
    assert post_of(json.loads(json.dumps(post_json(post)))) == post


@pytest.mark.parametrize(
    "broken", [{}, {"created_at": "yesterday"}, {"created_at": "2015-02-22T14:30:00+00:00"}]
)
def test_a_message_that_is_not_a_post_is_refused_in_one_line(broken: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=r"^not a post: ") as refused:
        post_of(broken)
    assert "\n" not in str(refused.value)


def test_beat_schedules_each_source_at_its_period_and_each_workspace_s_passes() -> None:
    configured = settings("[workers]\ndetect_every = 30\nsend_every = 2\n")
    entries = schedule(configured)
    assert entries["demo:collect:piaille"] == {
        "task": "rumeur.collect_source",
        "schedule": 120.0,
        "args": ["demo", "piaille"],
        "options": {"expires": 120.0},
    }
    assert entries["demo:alerts"]["schedule"] == 30.0
    assert entries["demo:send"]["args"] == ["demo"]
    assert "demo:inbox" not in entries  # no owned account read through a source
    configure(configured)
    app.amqp.flush_routes()
    router = app.amqp.Router()
    assert {router.route({}, e["task"])["queue"].name for e in entries.values()} == {
        "collect",
        "alerts",
        "send",
    }


@pytest.fixture
def leases() -> Iterator[Leases]:
    with own_prefix() as prefix:
        client = redis.Redis.from_url(REDIS)
        yield Leases(client, prefix)
        client.close()


def test_a_lease_has_one_holder_and_lapses_by_itself(leases: Leases) -> None:
    assert leases.take("collect:demo:piaille", "first", seconds=0.3)
    assert not leases.take("collect:demo:piaille", "second")
    assert not leases.release("collect:demo:piaille", "second")  # not theirs to free
    assert leases.renew("collect:demo:piaille", "first", seconds=0.3)
    assert not leases.renew("collect:demo:piaille", "second")
    # The first holder dies: nobody renews, the lease runs out.
    leases.client.pexpire(leases.prefix + "collect:demo:piaille", 1)
    # Wait for Redis to let it lapse (1 ms, but two calls may fit in it on a fast machine).
    deadline = time.monotonic() + 5
    while leases.holder("collect:demo:piaille") == "first" and time.monotonic() < deadline:
        time.sleep(0.005)
    assert leases.holder("collect:demo:piaille") is None
    assert leases.take("collect:demo:piaille", "second")
    assert leases.holder("collect:demo:piaille") == "second"


def test_a_network_s_cap_is_a_number_of_leases(leases: Leases) -> None:
    with leases.held("network:bluesky", cap=2) as one, leases.held("network:bluesky", cap=2) as two:
        assert one and two
        with leases.held("network:bluesky", cap=2) as three:
            assert not three  # a third Bluesky collector waits for the next period
    with leases.held("network:bluesky", cap=2) as again:
        assert again  # given back when the block ended


@pytest.fixture
def eager(store_url: str, leases: Leases) -> Iterator[Settings]:
    """Celery's tasks run in this process (`task_always_eager`), on the test's store."""
    configured = settings()
    configure(configured)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    context.start(configured, store_url)
    yield configured
    app.conf.task_always_eager = False
    context.store().close()


def rollups(store: Store) -> list[list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        return [
            sorted(tuple(r) for r in conn.execute(select(t)))
            for t in (rollups_hourly, facet_rollups)
        ]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_batch_delivered_twice_is_stored_once(store: Store, eager: Settings) -> None:
    posts = [
        post_json(make_post(str(n), f"United a perdu ma valise {n}", likes=n)) for n in range(30)
    ]
    first = enrich_batch.delay("demo", posts, False).get()
    kept = rollups(store)
    again = enrich_batch.delay("demo", posts, False).get()  # the broker's redelivery
    assert (first["inserted"], again["inserted"], again["unchanged"]) == (30, 0, 30)
    assert store.count_posts() == 30
    assert rollups(store) == kept
    with store.transaction() as conn:
        rebuild_rollups(conn)
    assert rollups(store) == kept  # and they are what a recount finds


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_queued_import_moves_the_cursor_past_each_stored_batch(
    store: Store, eager: Settings, tmp_path: Path, airline: Path
) -> None:
    header, rows = head_of(airline, 7)
    rows.insert(3, {**rows[0], "tweet_id": "1", "tweet_created": "not a date"})  # rejected
    path = written(tmp_path / "tweets.csv", header, rows)
    ws = eager.workspace()
    source = FileSource(path, load_mapping("airline", None), {"united": "United"})
    steps: list[int] = []
    runner = QueuedRunner(enrich=False, in_flight=2)
    report = runner.run(
        source, store, ws, batch_size=3, on_step=lambda s: steps.append(s.report.read)
    )
    assert store.count_posts() == 7
    assert (report.read, report.written.inserted, len(report.rejects)) == (8, 7, 1)
    assert steps == [3, 6, 8]  # each batch settled in order, the cursor moved after each
    assert store.cursor(cursor_key(ws, source)) is not None
    assert [r["line"] for r in store.rejected_rows()] == [5]  # the header is line 1
    again = QueuedRunner(enrich=False).run(source, store, ws, batch_size=3)
    assert (again.read, again.resumed) == (0, True)  # nothing new past the stored cursor


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_import_to_a_broker_that_does_not_answer_is_one_line_without_its_password(
    store: Store, airline: Path
) -> None:
    with socket.socket() as free:  # a port nothing listens on
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    configured = settings(f'[workers]\nbroker = "redis://:s3cret@127.0.0.1:{port}/0"\n')
    configure(configured)
    source = FileSource(airline, load_mapping("airline", None))
    with pytest.raises(QueueError) as refused:
        QueuedRunner(enrich=False).run(source, store, configured.workspace())
    line = str(refused.value)
    assert line.startswith("the broker at redis://") and "does not answer" in line
    assert "s3cret" not in line and "\n" not in line
    assert store.count_posts() == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_queued_replay_stores_each_hour_before_its_detectors_run(
    store: Store, eager: Settings, tmp_path: Path, airline: Path
) -> None:
    from rumeur.commands.replaying import replay_file

    header, rows = head_of(airline, 40)
    path = written(tmp_path / "tweets.csv", header, rows)
    ws = eager.workspace()
    source = FileSource(path, load_mapping("airline", None), {"united": "United"})
    stored_at_each_hour: list[int] = []
    real_run = QueuedRunner.drain

    def drain(runner: QueuedRunner) -> None:
        real_run(runner)
        stored_at_each_hour.append(store.count_posts())

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QueuedRunner, "drain", drain)
        result = replay_file(store, eager, ws, source, enrich=False, speed=None, queue=True)
    distinct = len({row["tweet_id"] for row in rows})
    assert (result.run.read, store.count_posts()) == (40, distinct)
    assert result.hours >= 1
    # Before each hour's detectors, the posts stored so far only grow, and all are in at the end.
    assert stored_at_each_hour == sorted(stored_at_each_hour)
    assert stored_at_each_hour[-1] == distinct
