"""The feed source through the replay server: conditional GETs, charsets, broken feeds, rate
limits and errors, stored by the runner into a real store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from fake_time import FakeTime
from replay import ReplayServer
from rumeur.config import Workspace
from rumeur.net.errors import AuthError
from rumeur.pipeline.runner import run
from rumeur.settings.sources import RssSettings
from rumeur.sources.rss.source import build, feed_digest
from rumeur.store import Store
from rumeur.store.schema import posts, rejected

CERCLE = "rss/le-cercle-psy.fr.iso-8859-1.no-xml-decl.rss2.xml"
LATIN1 = "application/rss+xml; charset=ISO-8859-1"
STAMP = "Wed, 17 Oct 2018 10:30:00 GMT"


@pytest.fixture
def server() -> Any:
    with ReplayServer() as started:
        yield started


@pytest.fixture
def workspace() -> Workspace:
    return Workspace(slug="acme", name="Acme", brand={"name": "Acme"})


def source(server: ReplayServer, time: FakeTime, store: Store | None = None, **more: Any) -> Any:
    settings = RssSettings(type="rss", name="cercle", url=server.url("/feed"), **more)
    return build(settings, time.context(store))


def count(store: Store, table: Any) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_latin1_feed_is_stored_then_a_second_poll_asks_conditionally(
    server: ReplayServer, db_url: str, workspace: Workspace
) -> None:
    server.serve_body("/feed", CERCLE, LATIN1, etag='"v1"', last_modified=STAMP)
    store = Store.open(db_url)
    try:
        time = FakeTime()
        first = run(source(server, time, store), store, workspace, batch_size=4)
        assert first.written.inserted == 9  # the empty fourth item is rejected
        assert count(store, rejected) == 1
        with store.engine.connect() as conn:
            title = conn.execute(
                select(posts.c.title).where(posts.c.native_id.like("%39995"))
            ).scalar_one()
        assert title == "Perturbateurs endocriniens : quels effets sur le cerveau ?"
        cursor = store.cursor("acme:rss:cercle")
        assert cursor["etag"] == '"v1"' and cursor["last_modified"] == STAMP
        assert cursor["pending"] is None and len(cursor["seen"]) == 10

        second = run(source(server, time, store), store, workspace, batch_size=4)
        assert second.read == 0 and count(store, posts) == 9
    finally:
        store.close()
    again = server.requests_to("/feed")[-1]
    assert again.headers["if-none-match"] == '"v1"'
    assert again.headers["if-modified-since"] == STAMP
    assert again.status == 304


def test_a_changed_feed_gives_only_its_new_entries(server: ReplayServer, tmp_path: Path,
                                                   workspace: Workspace) -> None:  # fmt: skip
    server.serve_body("/feed", "rss/dustri-org.full.atom.xml", "application/atom+xml")
    store = Store.open(str(tmp_path / "x.db"))
    try:
        run(source(server, FakeTime(), store), store, workspace)
        # The next GET gets the same entries as RSS, with one more.
        server.serve("GET", "/feed", body=_with_new_item(), content_type="application/rss+xml")
        report = run(source(server, FakeTime(), store), store, workspace)
    finally:
        store.close()
    assert report.read == 1


def _with_new_item() -> bytes:
    from replay.cassettes import body_file

    body = body_file("rss/dustri-org.full.rss2.xml")
    item = (b"<item><title>Nouveau billet</title><link>https://dustri.org/b/nouveau.html</link>"
            b"<guid>tag:dustri.org,2025-01-01:/b/nouveau.html</guid>"
            b"<pubDate>Wed, 01 Jan 2025 10:00:00 +0100</pubDate>"
            b"<description>Un billet tout neuf</description></item>")  # fmt: skip
    return body.replace(b"<item>", item + b"<item>", 1)


def test_a_truncated_feed_is_read_as_far_as_it_goes_and_read_whole_next_time(
    server: ReplayServer, tmp_path: Path, workspace: Workspace
) -> None:
    server.serve_body("/feed", "rss/dustri-org.full.atom.xml", "application/atom+xml", etag='"a"')
    server.fail_next("GET /feed", malformed=True)
    store = Store.open(str(tmp_path / "x.db"))
    try:
        cut = run(source(server, FakeTime(), store), store, workspace)
        assert 0 < cut.written.inserted < 25  # the entry cut in the middle is left out
        assert store.cursor("acme:rss:cercle")["etag"] is None
        whole = run(source(server, FakeTime(), store), store, workspace)
        assert cut.written.inserted + whole.written.inserted == count(store, posts) == 25
    finally:
        store.close()


def test_a_json_feed_and_a_french_google_news_feed_are_read(server: ReplayServer) -> None:
    server.serve_body("/feed", "rss/elastic-blog.jsonfeed.json", "application/feed+json")
    rss = source(server, FakeTime())
    items = [i for b in rss.batches(None, 10) for i in b.items]
    titles = [rss.normalise(i).title for i in items]
    assert "InfluxDB vs. Graphite for Time Series Data & Metrics Benchmark" in titles

    server.serve_body("/news", "rss/google-actualites.fr.rss2.xml", "application/rss+xml")
    news = build(RssSettings(type="rss", name="gn", url=server.url("/news")), FakeTime().context())
    post = news.normalise(next(i for b in news.batches(None, 10) for i in b.items))
    assert post.language == "fr" and post.title.startswith("Coronavirus en Belgique")


def test_a_429_waits_as_retry_after_says_then_goes_on(server: ReplayServer) -> None:
    server.serve_body("/feed", CERCLE, LATIN1)
    server.fail_next("GET /feed", 429, headers={"Retry-After": "120"})
    server.fail_next("GET /feed", 503, headers={"Retry-After": "30"})
    time = FakeTime()
    items = [i for b in source(server, time).batches(None, 100) for i in b.items]
    assert len(items) == 10
    assert [round(s) for s in time.sleeps] == [121, 31]
    assert len(time.waits) == 2 and "rate limited until" in time.waits[0][0]


def test_a_5xx_is_retried(server: ReplayServer) -> None:
    server.serve_body("/feed", CERCLE, LATIN1)
    server.fail_next("GET /feed", 502, times=2)
    time = FakeTime()
    items = [i for b in source(server, time).batches(None, 100) for i in b.items]
    assert len(items) == 10 and len(time.sleeps) == 2
    assert [r.status for r in server.requests_to("/feed")] == [502, 502, 200]


def test_a_refused_login_names_the_source_and_the_variable(
    server: ReplayServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("RUMEUR_RSS_FORUM_PASSWORD", "hunter2-SECRET")
    server.serve("GET", "/feed", status=401, body="no")
    rss = source(server, FakeTime(), username="veille", password_env="RUMEUR_RSS_FORUM_PASSWORD")
    with pytest.raises(AuthError) as raised:
        list(rss.batches(None, 10))
    message = str(raised.value)
    assert message == (
        "rss:cercle: /feed refused the credentials (401); set RUMEUR_RSS_FORUM_PASSWORD"
    )
    assert server.requests_to("/feed")[0].headers["authorization"].startswith("Basic ")
    assert "hunter2" not in message and "hunter2" not in caplog.text


def test_a_redirect_is_followed_and_the_settings_keep_their_url(server: ReplayServer) -> None:
    server.serve("GET", "/old", status=301, headers={"Location": server.url("/feed")})
    server.serve_body("/feed", CERCLE, LATIN1)
    rss = build(RssSettings(type="rss", name="moved", url=server.url("/old")), FakeTime().context())
    batches = list(rss.batches(None, 100))
    assert sum(len(b.items) for b in batches) == 10
    assert batches[-1].cursor["feed"] == feed_digest(server.url("/old"))
