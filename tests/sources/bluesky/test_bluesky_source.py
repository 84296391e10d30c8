"""Bluesky collection end to end through the replay server: searches into a real store, resumed
from the stored cursor; author feeds, notifications and the Jetstream stream."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bluesky_replay import (
    ACCESS,
    PASSWORD,
    PROFILES,
    REFRESH,
    SEARCH,
    made_posts,
    recorded_search,
    serve_search,
    settings,
    write_workspace,
)
from sqlalchemy import select

from clirun import rumeur
from fake_time import FakeTime
from replay import ReplayServer, ReplayWebsocket, load_cassette
from rumeur.config import parse_settings
from rumeur.pipeline.runner import run
from rumeur.sources.bluesky import source as bluesky
from rumeur.sources.bluesky.source import JetstreamSource, build
from rumeur.store import Store
from rumeur.store.schema import authors, posts


def workspace(tmp_path: Path, server: ReplayServer):
    return parse_settings(write_workspace(tmp_path, server).read_text(), "test").workspace()


def stored(store: Store) -> list[dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts).order_by(posts.c.created_at.desc())).mappings()
        return [dict(r) for r in rows]


def test_a_search_is_stored_with_its_cursor_and_a_second_run_asks_only_for_newer_posts(
    tmp_path: Path, db_url: str
) -> None:
    recorded, headers = recorded_search()
    with ReplayServer() as server:
        serve_search(server, recorded, per_page=10, headers=headers)
        ws = workspace(tmp_path, server)
        store = Store.open(db_url)
        try:
            source = build(settings(server), FakeTime().context(store))
            first = run(source, store, ws, batch_size=100)
            rows = stored(store)
            assert first.read == 25 and len(rows) == 25
            newest = max(p["indexedAt"] for p in recorded)
            top = rows[0]
            assert top["platform"] == "bluesky"
            assert top["native_id"] == next(p["uri"] for p in recorded if p["indexedAt"] == newest)
            assert top["created_at"].isoformat().startswith(newest[:19])
            cursor = store.cursor("laposte:bluesky:laposte")
            assert cursor == {"search": {"redistricting": {"floor": newest}}}

            pages = server.requests_to(SEARCH)
            assert [r.param("cursor") for r in pages] == [None, "10", "20"]
            assert {r.param("sort") for r in pages} == {"latest"}
            assert all(r.param("q") == "redistricting" and r.param("until") is None for r in pages)
            assert "authorization" not in pages[0].headers

            # Later, one new post: the next pass starts at the newest post already stored.
            fresh = made_posts(1, start=600_000)
            fresh[0]["indexedAt"] = "2025-05-21T08:00:00.000Z"
            serve_search(server, [*fresh, recorded[0]], per_page=10, extra={"since": newest})
            second = run(source, store, ws, batch_size=100)
            assert second.read == 2 and second.written.inserted == 1
            assert len(stored(store)) == 26
            last = server.requests_to(SEARCH)[-1]
            assert last.param("since") == newest and last.param("cursor") is None
            assert store.cursor("laposte:bluesky:laposte") == {
                "search": {"redistricting": {"floor": "2025-05-21T08:00:00.000Z"}}
            }
        finally:
            store.close()


def test_rumeur_collect_reads_the_configured_source_and_prints_its_outcome(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded, headers = recorded_search()
    db = str(tmp_path / "x.db")
    with ReplayServer() as server:
        serve_search(server, recorded, per_page=25, headers=headers)
        config = str(write_workspace(tmp_path, server))
        ran = rumeur(capsys, "collect", "--config", config, "--db", db)
    assert ran.code == 0, ran.err
    assert "laposte: 25 items read, 25 new" in ran.err
    store = Store.open(db)
    try:
        assert store.count_posts() == 25
        assert set(store.cursor("laposte:bluesky:laposte")["search"]) == {"redistricting"}
    finally:
        store.close()


def test_after_narrowing_until_a_long_search_restarts_its_cursor_below_the_oldest_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bluesky, "SEGMENT", 20)
    made = made_posts(30)
    with ReplayServer() as server:
        serve_search(server, made[:20], per_page=10, more=True)
        # Below the 20th post, the AppView is asked afresh, with no cursor.
        until = "2025-05-20T00:10:00.001Z"
        assert made[19]["indexedAt"] == "2025-05-20T00:10:00.000Z"
        serve_search(server, made[20:], per_page=10, extra={"until": until})
        store = Store.open(str(tmp_path / "x.db"))
        try:
            run(build(settings(server), FakeTime().context()), store, workspace(tmp_path, server))
            assert store.count_posts() == 30
        finally:
            store.close()
    asked = [(r.param("cursor"), r.param("until")) for r in server.requests_to(SEARCH)]
    assert asked == [(None, None), ("10", None), (None, until)]


def test_authors_get_their_follower_counts_from_their_profiles(tmp_path: Path) -> None:
    recorded, _ = recorded_search()
    did = recorded[0]["author"]["did"]
    profile = {"did": did, "handle": "x.bsky.social", "followersCount": 1234, "followsCount": 5}
    with ReplayServer() as server:
        serve_search(server, recorded, per_page=25)
        server.serve("GET", PROFILES, json={"profiles": [profile]})
        store = Store.open(str(tmp_path / "x.db"))
        try:
            source = build(settings(server, profiles=True), FakeTime().context())
            run(source, store, workspace(tmp_path, server))
            with store.engine.connect() as conn:
                followers = conn.execute(
                    select(authors.c.followers).where(authors.c.native_id == did)
                ).scalar_one()
        finally:
            store.close()
    assert followers == 1234
    (asked,) = server.requests_to(PROFILES)
    dids = {p["author"]["did"] for p in recorded}
    assert set(asked.query["actors"]) == dids and len(dids) <= 25


def test_an_owned_account_logs_in_once_and_reads_its_mentions_replies_and_quotes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RUMEUR_BLUESKY_LAPOSTE_PASSWORD", PASSWORD)
    notes = load_cassette("bluesky/listNotifications.cassette.yml")[-1].json()["notifications"]
    wanted = [n for n in notes if n.get("reason") in ("mention", "reply", "quote")]
    assert wanted and len(wanted) < len(notes)
    session = {"did": "did:plc:x", "handle": "laposte.fr", "accessJwt": ACCESS}
    with ReplayServer() as server:
        server.serve("POST", "/xrpc/com.atproto.server.createSession", json=session | {
            "refreshJwt": REFRESH})  # fmt: skip
        server.serve("GET", "/xrpc/app.bsky.notification.listNotifications", json={
            "notifications": notes})  # fmt: skip
        store = Store.open(str(tmp_path / "x.db"))
        try:
            source = build(settings(server, search=[], handle="laposte.fr"), FakeTime().context())
            assert source.quota_key == "bluesky:127.0.0.1:laposte.fr"
            report = run(source, store, workspace(tmp_path, server))
        finally:
            store.close()
    assert report.written.inserted == len({n["uri"] for n in wanted})
    (login,) = server.requests_to("/xrpc/com.atproto.server.createSession")
    assert login.json() == {"identifier": "laposte.fr", "password": PASSWORD}
    (listed,) = server.requests_to("/xrpc/app.bsky.notification.listNotifications")
    assert listed.headers["authorization"] == f"Bearer {ACCESS}"
    assert PASSWORD not in caplog.text and ACCESS not in caplog.text
    assert ACCESS not in json.dumps(store_cursor(tmp_path))


def store_cursor(tmp_path: Path) -> object:
    store = Store.open(str(tmp_path / "x.db"))
    try:
        return store.cursor("laposte:bluesky:laposte")
    finally:
        store.close()


def test_an_author_feed_is_read_down_to_the_previous_pass(tmp_path: Path) -> None:
    feed = load_cassette("bluesky/getAuthorFeed.cassette.yml")[0].json()["feed"]
    with ReplayServer() as server:
        server.serve("GET", "/xrpc/app.bsky.feed.getAuthorFeed", json={"feed": feed})
        store = Store.open(str(tmp_path / "x.db"))
        try:
            source = build(
                settings(server, search=[], authors=["chriskenny.bsky.social"]),
                FakeTime().context(),
            )
            report = run(source, store, workspace(tmp_path, server))
            cursor = store.cursor("laposte:bluesky:laposte")
        finally:
            store.close()
    assert report.written.inserted == len({item["post"]["uri"] for item in feed})
    assert set(cursor["authors"]["chriskenny.bsky.social"]) == {"floor"}
    (asked,) = server.requests_to("/xrpc/app.bsky.feed.getAuthorFeed")
    assert asked.param("actor") == "chriskenny.bsky.social"


def jetstream_posts() -> list[str]:
    lines = Path(load_jetstream()).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if '"collection":"app.bsky.feed.post"' in line]


def load_jetstream() -> str:
    from replay import fixture

    return str(fixture("bluesky/jetstream-v1.152-events.jsonl"))


def test_jetstream_posts_are_stored_and_a_dropped_stream_resumes_from_the_last_time_us(
    tmp_path: Path,
) -> None:
    creations = [json.loads(x) for x in jetstream_posts() if '"operation":"create"' in x]
    clock = FakeTime()
    with ReplayWebsocket("bluesky/jetstream-v1.152-events.jsonl", drop_after=8) as ws:
        with ReplayServer() as server:
            source = build(settings(server, jetstream=ws.url, search=[]), clock.context())
            assert isinstance(source, JetstreamSource)
            source.idle = 0.3
            store = Store.open(str(tmp_path / "x.db"))
            try:
                run(source, store, workspace(tmp_path, server), batch_size=5)
                cursor = store.cursor("laposte:bluesky:laposte")
                count = store.count_posts()
            finally:
                store.close()
        first, second = ws.connections
    assert count == len({(e["did"], e["commit"]["rkey"]) for e in creations})
    assert first.param("wantedCollections") == "app.bsky.feed.post"
    assert first.param("cursor") is None and first.dropped
    assert int(second.param("cursor")) > 0  # resumed, not started over
    assert len(clock.sleeps) == 1  # one backoff before reconnecting, through context.sleep
    served = [json.loads(x) for x in ws.events]
    served = [e for e in served if (e.get("commit") or {}).get("collection", POST) == POST]
    assert cursor == {"time_us": max(e["time_us"] for e in served)}


POST = "app.bsky.feed.post"


def test_jetstream_keeps_only_the_posts_that_match_the_workspace_words(tmp_path: Path) -> None:
    creations = [json.loads(x) for x in jetstream_posts() if '"operation":"create"' in x]
    word = next(
        w
        for e in creations
        for w in e["commit"]["record"]["text"].split()
        if len(w) > 5 and w.isalpha()
    )
    with ReplayWebsocket("bluesky/jetstream-v1.152-events.jsonl") as ws, ReplayServer() as server:
        source = build(settings(server, jetstream=ws.url, search=[word]), FakeTime().context())
        source.idle = 0.3
        store = Store.open(str(tmp_path / "x.db"))
        try:
            run(source, store, workspace(tmp_path, server))
            texts = [r["text"] for r in stored(store)]
        finally:
            store.close()
    assert texts and all(word.lower() in t.lower() for t in texts)
    assert len(texts) < len(creations)
