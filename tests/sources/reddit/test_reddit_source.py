"""Reddit collection end to end through the replay server: posts stored with their fields, the
cursor stored with them, a second run asking only for what is new, comment trees expanded."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from reddit_replay import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    QUOTA,
    TOKEN,
    listing,
    name,
    newer,
    recorded,
    serve_pages,
    serve_token,
    settings,
    submissions,
    workspace_toml,
)
from sqlalchemy import select

from clirun import rumeur
from fake_time import FakeTime
from replay import ReplayServer
from rumeur.config import Workspace
from rumeur.pipeline.runner import cursor_key, run
from rumeur.sources import registry
from rumeur.sources.context import SourceContext
from rumeur.sources.reddit.source import build
from rumeur.store import Store
from rumeur.store.schema import posts

WS = Workspace(slug="acme", name="Acme", brand={"name": "Acme"})


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUMEUR_REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("RUMEUR_REDDIT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("RUMEUR_REDDIT_PASSWORD", PASSWORD)


def stored(store: Store) -> dict[str, dict]:
    with store.engine.connect() as conn:
        return {r["native_id"]: dict(r) for r in conn.execute(select(posts)).mappings()}


def test_build_does_no_io_and_names_the_source() -> None:
    source = registry.build(
        settings_for("http://127.0.0.1:9", username="acme_care"), SourceContext()
    )
    assert source.name == "reddit:brand"
    assert source.quota_key == "reddit:127.0.0.1:9:acme_care"


def settings_for(base: str, **changes):
    from rumeur.settings.sources import RedditSettings

    return RedditSettings(type="reddit", name="brand", api=base, auth=base, **changes)


def test_a_subreddit_is_collected_then_only_what_is_new(server: ReplayServer, db_url: str) -> None:
    things = submissions()[:30]
    serve_token(server)
    serve_pages(server, "/r/askreddit/new", things, 10)
    fake = FakeTime()
    store = Store.open(db_url)
    try:
        source = build(settings(server), fake.context(store))
        report = run(source, store, WS, batch_size=10)
        assert report.read == 30 and report.batches == 3
        got = stored(store)
        assert len(got) == 30
        first = things[0]["data"]
        row = got[first["name"]]
        assert row["platform"] == "reddit"
        assert row["title"] == first["title"]
        assert row["url"] == f"https://www.reddit.com{first['permalink']}"
        assert row["likes"] == max(first["score"], 0)
        assert row["replies"] == first["num_comments"]
        assert row["created_at"].timestamp() == pytest.approx(first["created_utc"])
        cursor = store.cursor(cursor_key(WS, source))
        assert cursor == {"listings": {"r/askreddit/new": {"newest": first["name"]}}}

        # The token once, with HTTP basic auth; every API call with it, raw_json and the UA.
        (token,) = server.requests_to("/api/v1/access_token")
        basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        assert token.headers["authorization"] == f"Basic {basic}"
        assert token.form() == {"grant_type": ["client_credentials"]}
        pages = server.requests_to("/r/askreddit/new")
        assert [p.param("after") for p in pages] == [None, name(things[9]), name(things[19])]
        for page in pages:
            assert page.headers["authorization"] == f"bearer {TOKEN}"
            assert page.headers["user-agent"] == "rumeur-tests:v1 (by /u/rumeur)"
            assert page.param("raw_json") == "1" and page.param("limit") == "10"

        # Two new submissions since: asked for with before=<newest>, and nothing else.
        fresh = [newer(things[0], 2), newer(things[0], 1)]
        server.serve(
            "GET", "/r/askreddit/new", json=listing(fresh), headers=QUOTA,
            query={"before": first["name"]},
        )  # fmt: skip
        server.serve(
            "GET", "/r/askreddit/new", json=listing([]), headers=QUOTA,
            query={"before": name(fresh[0])},
        )  # fmt: skip
        again = run(build(settings(server), fake.context(store)), store, WS, batch_size=10)
        assert again.read == 2 and again.written.inserted == 2
        assert len(stored(store)) == 32
        last = server.requests_to("/r/askreddit/new")[3:]
        assert [p.param("before") for p in last] == [first["name"]]
        assert store.cursor(cursor_key(WS, source))["listings"]["r/askreddit/new"] == {
            "newest": name(fresh[0])
        }
    finally:
        store.close()
    assert not server.unmatched


def test_search_in_subreddits_and_the_inbox_of_an_owned_account(
    server: ReplayServer, tmp_path: Path
) -> None:
    serve_token(server, expires_in=86400)
    found = recorded("search-r-all.2016.cassette.json")["data"]["children"]
    serve_pages(server, "/r/france/search", found, 100)
    mentions = recorded("inbox-mentions.2025.cassette.json")["data"]["children"]
    serve_pages(server, "/message/mentions", mentions, 100)
    replies = recorded("inbox-comment-replies.2025.cassette.json")["data"]["children"]
    serve_pages(server, "/message/inbox", replies, 100)
    config = settings(
        server, subreddits=["france"], search=["la poste"], username="acme_care",
        password_env="RUMEUR_REDDIT_PASSWORD",
    )  # fmt: skip
    store = Store.open(str(tmp_path / "x.db"))
    try:
        report = run(build(config, FakeTime().context(store)), store, WS, batch_size=100)
        got = stored(store)
    finally:
        store.close()
    assert report.read == len(found) + len(mentions) + len(replies)
    assert {name(t) for t in found + mentions + replies} <= set(got)
    (search,) = server.requests_to("/r/france/search")
    assert search.query == {
        "q": ["la poste"], "sort": ["new"], "type": ["link"], "restrict_sr": ["1"],
        "limit": ["100"], "raw_json": ["1"],
    }  # fmt: skip
    (token,) = server.requests_to("/api/v1/access_token")
    assert token.form() == {
        "grant_type": ["password"], "username": ["acme_care"], "password": [PASSWORD],
    }  # fmt: skip
    mention = got[name(mentions[0])]
    assert mention["reply_to"] == mentions[0]["data"]["parent_id"]


def test_comment_trees_with_more_stubs_expanded(server: ReplayServer, tmp_path: Path) -> None:
    tree = recorded("post-comments.2020.cassette.json")
    submission = tree[0]["data"]["children"][0]
    top = tree[1]["data"]["children"]
    stub = {
        "kind": "more",
        "data": {"count": 2, "name": "t1__", "id": "_", "parent_id": submission["data"]["name"],
                 "depth": 0, "children": ["more1", "more2"]},
    }  # fmt: skip
    tree[1]["data"]["children"] = [*top, stub]
    extra = []
    for n in (1, 2):
        comment = {"kind": "t1", "data": {**top[0]["data"], "replies": ""}}
        comment["data"].update(id=f"more{n}", name=f"t1_more{n}", body=f"réponse {n}")
        extra.append(comment)
    serve_token(server)
    serve_pages(server, "/r/askreddit/new", [submission], 10)
    post_id = submission["data"]["id"]
    server.serve("GET", f"/comments/{post_id}", json=tree, headers=QUOTA)
    server.serve(
        "GET", "/api/morechildren", json={"json": {"errors": [], "data": {"things": extra}}},
        headers=QUOTA,
    )  # fmt: skip
    store = Store.open(str(tmp_path / "x.db"))
    try:
        run(build(settings(server, comments=True), FakeTime().context(store)), store, WS)
        got = stored(store)
    finally:
        store.close()
    assert {"t1_cklfmye", "t1_cklhv0f", "t1_moremore1", "t1_more1", "t1_more2"} & set(got) == {
        "t1_cklfmye", "t1_cklhv0f", "t1_more1", "t1_more2",
    }  # fmt: skip
    assert got["t1_cklhv0f"]["reply_to"] == "t1_cklfmye"
    (more,) = server.requests_to("/api/morechildren")
    assert more.param("link_id") == submission["data"]["name"]
    assert more.param("children") == "more1,more2"
    (comments,) = server.requests_to(f"/comments/{post_id}")
    assert comments.param("raw_json") == "1"


class Enough(Exception):
    pass


def test_follow_polls_every_few_minutes_through_context_sleep(server: ReplayServer) -> None:
    serve_token(server)
    serve_pages(server, "/r/askreddit/new", submissions()[:3], 10)
    server.serve(
        "GET", "/r/askreddit/new", json=listing([]), headers=QUOTA,
        query={"before": name(submissions()[0])},
    )  # fmt: skip
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise Enough

    source = build(settings(server, every=120), SourceContext(follow=True, sleep=sleep))
    got = []
    with pytest.raises(Enough):
        for batch in source.batches(None, 10):
            got.append(batch)
    assert sleeps == [120, 120]
    assert [len(b.items) for b in got] == [3]
    polls = server.requests_to("/r/askreddit/new")
    # The backfill, then a poll for what is newer, and (nothing being newer) a look at the
    # listing's head, to tell "nothing new" from "the anchor was removed".
    anchor = name(submissions()[0])
    assert [(p.param("before"), p.param("limit")) for p in polls] == [
        (None, "10"), (anchor, "10"), (None, "1"),
    ]  # fmt: skip


def test_rumeur_collect_in_process(
    server: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    serve_token(server)
    serve_pages(server, "/r/askreddit/new", submissions()[:12], 5)
    config = workspace_toml(tmp_path, server)
    db = str(tmp_path / "x.db")
    ran = rumeur(capsys, "collect", "--once", "--config", str(config), "--db", db)
    assert ran.code == 0, ran.err
    assert "reddit" in ran.err or "brand" in ran.err
    store = Store.open(db)
    try:
        assert store.count_posts() == 12
    finally:
        store.close()
    assert CLIENT_SECRET not in ran.err + ran.out and TOKEN not in ran.err + ran.out


def test_a_vanished_anchor_is_caught_up_from_the_top(server: ReplayServer, tmp_path: Path) -> None:
    """Reddit answers `before=` a removed thing with an empty page for ever: the source sees the
    listing's head is newer, and reads down to where the anchor stood."""
    things = submissions()[:10]
    serve_token(server)
    serve_pages(server, "/r/askreddit/new", things, 10)
    store = Store.open(str(tmp_path / "x.db"))
    try:
        source = build(settings(server), FakeTime().context(store))
        run(source, store, WS, batch_size=10)
        fresh = [newer(things[0], n) for n in (3, 2, 1)]
        anchor = name(things[0])
        server.serve(
            "GET", "/r/askreddit/new", json=listing([]), headers=QUOTA, query={"before": anchor}
        )
        server.serve(
            "GET", "/r/askreddit/new", json=listing(fresh[:1]), headers=QUOTA, query={"limit": "1"}
        )
        # The listing now: the three new ones, then the old ones without the removed anchor.
        server.serve("GET", "/r/askreddit/new", json=listing(fresh + things[1:]), headers=QUOTA)
        again = run(build(settings(server), FakeTime().context(store)), store, WS, batch_size=10)
        assert again.read == 3 and again.written.inserted == 3
        cursor = store.cursor(cursor_key(WS, source))
        assert cursor == {"listings": {"r/askreddit/new": {"newest": name(fresh[0])}}}
    finally:
        store.close()
    assert not server.unmatched
