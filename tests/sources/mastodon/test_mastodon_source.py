"""The Mastodon source end to end, through the replay server with the real client: into a
store, resumed by its cursor, through rate limits, errors and malformed items."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fake_mastodon import TOKEN, ratelimit, serve_timeline, statuses, workspace_toml
from sqlalchemy import func, select

from clirun import rumeur
from fake_time import FakeTime
from replay.server import ReplayServer
from rumeur.config import parse_settings
from rumeur.pipeline.runner import run
from rumeur.settings.sources import MastodonSettings
from rumeur.sources.context import SourceContext
from rumeur.sources.mastodon.source import MastodonSource
from rumeur.store import Store
from rumeur.store.schema import posts, rejected

TAG_PATH = "/api/v1/timelines/tag/rumeur"


def source_toml(base_url: str, extra: str = "") -> str:
    return f'type = "mastodon"\nname = "test"\ninstance = "{base_url}"\ntags = ["rumeur"]\n{extra}'


def stored(db: str) -> list[dict[str, Any]]:
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            return [dict(r) for r in conn.execute(posts.select()).mappings()]
    finally:
        store.close()


def cursor_of(db: str) -> dict[str, Any] | None:
    store = Store.open(db)
    try:
        return store.cursor("veille:mastodon:test")
    finally:
        store.close()


def test_a_tag_timeline_is_stored_and_a_second_run_reads_only_what_is_new(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str
) -> None:
    first = statuses(50)
    with ReplayServer() as server:
        serve_timeline(server, TAG_PATH, first, page=40)
        config = workspace_toml(tmp_path, source_toml(server.base_url))
        ran = rumeur(capsys, "collect", "--config", str(config), "--db", db_url)
        log = server.requests
    assert ran.code == 0, ran.err
    assert "50 new" in ran.err
    # Newest page, then older ones by max_id until none is left, then nothing newer.
    assert [(r.param("max_id"), r.param("min_id")) for r in log] == [
        (None, None),
        (first[10]["id"], None),
        (first[0]["id"], None),
        (None, first[-1]["id"]),
    ]
    assert all(r.param("limit") == "40" for r in log)
    assert all("authorization" not in r.headers for r in log)  # no token configured

    rows = {r["native_id"]: r for r in stored(db_url)}
    assert len(rows) == 50
    post = rows[first[7]["uri"]]
    assert post["platform"] == "mastodon"
    assert post["text"] == "Statut numéro 7 sur #rumeur"
    assert post["url"] == first[7]["url"]
    created = post["created_at"]
    created = created if created.tzinfo else created.replace(tzinfo=UTC)
    assert created == datetime(2026, 8, 1, 12, 7, tzinfo=UTC)
    mark = cursor_of(db_url)["feeds"]["tag:rumeur"]
    assert mark == {"newest": first[-1]["id"], "oldest": first[0]["id"], "backfill": 0}

    more = statuses(5, start=50)
    with ReplayServer() as server:
        serve_timeline(server, TAG_PATH, first + more, page=40)
        config = workspace_toml(tmp_path, source_toml(server.base_url))
        ran = rumeur(capsys, "collect", "--config", str(config), "--db", db_url)
        log = server.requests
    assert ran.code == 0, ran.err
    assert [r.param("min_id") for r in log] == [first[-1]["id"], more[-1]["id"]]
    assert all(r.param("max_id") is None for r in log)
    assert len(stored(db_url)) == 55
    assert cursor_of(db_url)["feeds"]["tag:rumeur"]["newest"] == more[-1]["id"]


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = Store.open(str(tmp_path / "x.db"))
    yield opened
    opened.close()


def settings(base_url: str, **extra: Any) -> MastodonSettings:
    return MastodonSettings(
        type="mastodon", name="test", instance=base_url, tags=["rumeur"], **extra
    )


def collect(source: MastodonSource, store: Store, size: int = 20) -> Any:
    config = parse_settings(
        '[[workspaces]]\nslug = "veille"\nname = "Veille"\n[workspaces.brand]\nname = "Rumeur"\n',
        "test",
    )
    return run(source, store, config.workspace(), batch_size=size)


def test_a_429_waits_until_the_reset_the_headers_give_then_goes_on(
    tmp_path: Path, store: Store
) -> None:
    clock = FakeTime()
    items = statuses(30)
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=40)
    with ReplayServer() as server:
        serve_timeline(server, TAG_PATH, items, page=20)
        headers = {**ratelimit(remaining=0), "X-RateLimit-Reset": reset.isoformat()}
        server.fail_next(f"GET {TAG_PATH}", 429, headers=headers, json={"error": "Too many"})
        context = SourceContext(store=store, sleep=clock.sleep, on_wait=clock.on_wait)
        report = collect(MastodonSource(settings(server.base_url), context), store)
        statuses_seen = [r.status for r in server.requests]
        quota = store.quota(f"mastodon:{server.base_url.removeprefix('http://')}:anonymous")
    assert statuses_seen[:2] == [429, 200]
    assert report.written.inserted == 30
    # The retry waits until the reset the headers give (and a second more), and says so.
    why, until = clock.waits[0]
    assert "rate limited" in why
    assert reset <= until <= reset + timedelta(seconds=1.01)
    assert 38 < clock.sleeps[0] <= 41.01
    assert quota is not None and quota.remaining == 299


def test_a_spent_quota_waits_for_its_reset_before_the_next_call(
    tmp_path: Path, store: Store
) -> None:
    clock = FakeTime()
    items = statuses(30)
    with ReplayServer() as server:
        # The newest page says the quota is spent for the next 20 s.
        reset = datetime.now(UTC) + timedelta(seconds=20)
        spent = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()}
        serve_timeline(server, TAG_PATH, items, page=20, newest_headers=spent)
        context = SourceContext(store=store, sleep=clock.sleep, on_wait=clock.on_wait)
        report = collect(MastodonSource(settings(server.base_url), context), store)
        codes = [r.status for r in server.requests]
    assert 429 not in codes
    assert report.written.inserted == 30
    assert len(clock.waits) == 1 and abs((clock.waits[0][1] - reset).total_seconds()) < 0.01
    assert 15 < clock.sleeps[0] <= 21


def test_a_5xx_is_retried_and_collection_goes_on(tmp_path: Path, store: Store) -> None:
    clock = FakeTime()
    with ReplayServer() as server:
        serve_timeline(server, TAG_PATH, statuses(10), page=20)
        server.fail_next(f"GET {TAG_PATH}", 503, times=2)
        context = SourceContext(store=store, sleep=clock.sleep, on_wait=clock.on_wait)
        report = collect(MastodonSource(settings(server.base_url), context), store)
        codes = [r.status for r in server.requests]
    assert codes[:3] == [503, 503, 200]
    assert len(clock.sleeps) == 2
    assert report.written.inserted == 10


def test_a_malformed_status_is_rejected_and_the_others_stored(tmp_path: Path, store: Store) -> None:
    items = statuses(10)
    items[3]["created_at"] = "yesterday"
    del items[5]["account"]
    with ReplayServer() as server:
        serve_timeline(server, TAG_PATH, items, page=20)
        report = collect(MastodonSource(settings(server.base_url), SourceContext(store)), store)
        with store.engine.connect() as conn:
            kept = conn.execute(select(func.count()).select_from(posts)).scalar_one()
            refused = conn.execute(select(rejected.c.field, rejected.c.source)).all()
    assert kept == 8 and report.written.inserted == 8
    assert sorted(f for f, _ in refused) == ["account", "created_at"]
    where = {s.split("/", 3)[3] for _, s in refused}
    assert where == {f"{TAG_PATH[1:]}#{items[n]['id']}" for n in (3, 5)}


def test_a_refused_token_names_the_source_and_the_variable_but_never_the_token(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("RUMEUR_MASTODON_TEST_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    with ReplayServer() as server:
        serve_timeline(server, TAG_PATH, statuses(5))
        server.fail_next(f"GET {TAG_PATH}", 401, json={"error": "The access token is invalid"})
        extra = 'token_env = "RUMEUR_MASTODON_TEST_TOKEN"'
        config = workspace_toml(tmp_path, source_toml(server.base_url, extra))
        ran = rumeur(capsys, "collect", "--config", str(config), "--db", str(tmp_path / "x.db"))
        log = server.requests
    assert ran.code == 1
    line = (
        f"mastodon:test: {TAG_PATH} refused the credentials (401); set RUMEUR_MASTODON_TEST_TOKEN"
    )
    assert line in ran.err
    assert len(log) == 1  # not retried: a refused token stays refused
    assert log[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in ran.out + ran.err + caplog.text


def test_an_account_token_reads_mentions_and_conversations(tmp_path: Path, store: Store) -> None:
    from replay.cassettes import load_cassette

    mention = next(
        i
        for i in load_cassette("mastodon/notifications-mentions.cassette.yaml")
        if i.path == "/api/v1/notifications"
    )
    conversation = next(
        i
        for i in load_cassette("mastodon/conversations.cassette.yaml")
        if i.path == "/api/v1/conversations/"
    )
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    with ReplayServer() as server:
        server.serve("GET", "/api/v1/notifications", body=mention.body, headers=mention.headers)
        server.serve("GET", "/api/v1/conversations", body=conversation.body,
                     headers=conversation.headers)  # fmt: skip
        config = MastodonSettings(
            type="mastodon", name="test", instance=server.base_url, token_file=token
        )
        source = MastodonSource(config, SourceContext(store))
        report = collect(source, store)
        log = server.requests
        cursor = store.cursor("veille:mastodon:test")
    assert source.quota_key.endswith(":account")
    assert {r.path for r in log} == {"/api/v1/notifications", "/api/v1/conversations"}
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in log)
    assert all(r.query["types[]"] == ["mention"] for r in log if "notifications" in r.path)
    assert report.written.inserted == 1 + len(conversation.json())
    assert cursor["feeds"]["mentions"]["newest"] == "21"


def test_building_a_source_does_no_io(monkeypatch: pytest.MonkeyPatch) -> None:
    config = settings("https://piaille.fr", token_env="RUMEUR_NOT_SET", public=True)
    source = MastodonSource(config, SourceContext())
    assert source.name == "mastodon:test"
    assert source.quota_key == "mastodon:piaille.fr:anonymous"
    assert [f.key for f in source.feeds] == ["tag:rumeur", "public"]


def test_a_search_reads_back_then_only_results_newer_than_the_cursor(store: Store) -> None:
    found = statuses(5)
    ids = [s["id"] for s in found]
    with ReplayServer() as server:
        newest_first = {"statuses": found[::-1], "accounts": [], "hashtags": []}
        server.serve("GET", "/api/v2/search", json=newest_first, headers=ratelimit())
        server.serve("GET", "/api/v2/search", json={"statuses": []}, query={"max_id": ids[0]})
        server.serve("GET", "/api/v2/search", json={"statuses": []}, query={"min_id": ids[-1]})
        config = MastodonSettings(
            type="mastodon", name="test", instance=server.base_url, search=["rumeur"]
        )
        report = collect(MastodonSource(config, SourceContext(store)), store)
        log = server.requests
    assert report.written.inserted == 5
    assert all(r.param("q") == "rumeur" and r.param("type") == "statuses" for r in log)
    assert [(r.param("max_id"), r.param("min_id")) for r in log] == [
        (None, None),
        (ids[0], None),
        (None, ids[-1]),
    ]
    mark = store.cursor("veille:mastodon:test")["feeds"]["search:rumeur"]
    assert mark["newest"] == ids[-1]
