"""The Reddit client against the replay server's faults: rate limits waited out as the
`x-ratelimit-*` headers say, refused credentials in one line that names what to set and never
the secret, server errors retried, a token renewed, a malformed thing rejected alone."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from reddit_replay import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    QUOTA,
    TOKEN,
    recorded,
    serve_pages,
    serve_token,
    settings,
    submissions,
    workspace_toml,
)

from clirun import rumeur
from fake_time import FakeTime
from replay import ReplayServer
from rumeur.config import Workspace
from rumeur.net import AuthError
from rumeur.pipeline.runner import run
from rumeur.sources.reddit.client import RedditClient, credentials
from rumeur.sources.reddit.errors import Forbidden
from rumeur.sources.reddit.source import build
from rumeur.store import Store

WS = Workspace(slug="acme", name="Acme", brand={"name": "Acme"})
PAGE = "/r/askreddit/new"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(str(tmp_path / "x.db"))
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUMEUR_REDDIT_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("RUMEUR_REDDIT_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("RUMEUR_REDDIT_PASSWORD", PASSWORD)


def secrets_absent(*texts: str) -> bool:
    return not any(s in t for t in texts for s in (CLIENT_SECRET, TOKEN, PASSWORD))


def test_a_429_waits_until_the_reset_the_headers_give(server: ReplayServer, store: Store) -> None:
    serve_token(server)
    serve_pages(server, PAGE, submissions()[:20], 10)
    spent = {"x-ratelimit-used": "600", "x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "42"}
    server.fail_next(f"GET {PAGE}", 429, headers=spent, json={"message": "Too Many Requests"})
    fake = FakeTime()
    before = datetime.now(UTC)
    report = run(build(settings(server), fake.context(store)), store, WS, batch_size=10)
    assert report.read == 20
    assert fake.sleeps, "it went on without waiting"
    assert all(41 <= s <= 44 for s in fake.sleeps), fake.sleeps
    assert fake.waits and "rate limited" in fake.waits[0][0]
    for _why, until in fake.waits:
        assert before + timedelta(seconds=41) <= until <= before + timedelta(seconds=45)
    statuses = [r.status for r in server.requests_to(PAGE)]
    assert statuses == [429, 200, 200]


def test_a_spent_quota_waits_before_the_next_call(server: ReplayServer, store: Store) -> None:
    serve_token(server)
    things = submissions()[:20]
    spent = {"x-ratelimit-used": "1000", "x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "30"}
    server.serve("GET", PAGE, json=_page(things[:10], things[9]), headers=spent)
    server.serve(
        "GET", PAGE, json=_page(things[10:]), headers=QUOTA, query={"after": _n(things[9])}
    )
    fake = FakeTime()
    before = datetime.now(UTC)
    source = build(settings(server), fake.context(store))
    report = run(source, store, WS, batch_size=10)
    assert report.read == 20
    assert len(fake.sleeps) == 1 and 29 <= fake.sleeps[0] <= 31.5
    ((why, until),) = fake.waits
    assert "quota spent" in why and source.quota_key in why
    assert before + timedelta(seconds=29) <= until <= before + timedelta(seconds=32)
    # The quota is shared through the store, under the source's key: the last one seen.
    quota = store.quotas()[source.quota_key]
    assert quota.remaining == 590.0 and quota.limit == 600
    # No 429 was ever needed.
    assert all(r.status == 200 for r in server.requests)


def test_a_server_error_is_retried(server: ReplayServer, store: Store) -> None:
    serve_token(server)
    serve_pages(server, PAGE, submissions()[:5], 10)
    server.fail_next(f"GET {PAGE}", 503, times=2)
    fake = FakeTime()
    report = run(build(settings(server), fake.context(store)), store, WS, batch_size=10)
    assert report.read == 5
    assert [r.status for r in server.requests_to(PAGE)] == [503, 503, 200]
    assert len(fake.sleeps) == 2


def test_refused_client_credentials_say_what_to_set_and_never_the_secret(
    server: ReplayServer,
    store: Store,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    server.serve("POST", "/api/v1/access_token", status=401, json={"message": "Unauthorized"})
    with pytest.raises(AuthError) as refused:
        run(build(settings(server), FakeTime().context(store)), store, WS)
    message = str(refused.value)
    assert message == (
        "reddit:brand: /api/v1/access_token refused the credentials (401); "
        "set RUMEUR_REDDIT_CLIENT_ID and RUMEUR_REDDIT_CLIENT_SECRET"
    )
    out = capsys.readouterr()
    assert secrets_absent(message, caplog.text, out.out, out.err)
    assert not server.requests_to(PAGE)  # nothing asked without a token


def test_a_wrong_password_names_its_variable(server: ReplayServer, store: Store) -> None:
    # Reddit answers a wrong password with 200 and an error in the body.
    server.serve("POST", "/api/v1/access_token", json={"error": "invalid_grant"})
    config = settings(server, username="acme_care", password_env="RUMEUR_REDDIT_PASSWORD")
    with pytest.raises(AuthError) as refused:
        run(build(config, FakeTime().context(store)), store, WS)
    message = str(refused.value)
    assert message.startswith("reddit:brand: /api/v1/access_token refused the credentials")
    assert "invalid_grant" in message and message.endswith("and RUMEUR_REDDIT_PASSWORD")
    assert secrets_absent(message)


def test_a_token_refused_early_is_renewed_once(server: ReplayServer) -> None:
    serve_token(server)
    serve_pages(server, PAGE, submissions()[:3], 10)
    config = settings(server)
    client = RedditClient(config, FakeTime().context(), "reddit:brand", credentials(config, "x"))
    try:
        client.listing(PAGE, {})
        unauthorized = recorded("error-401-invalid-token.2016.cassette.json", 0)
        server.fail_next(f"GET {PAGE}", 401, json=unauthorized)
        assert len(client.listing(PAGE, {}).things) == 3
        assert len(server.requests_to("/api/v1/access_token")) == 2
        # A second refusal in a row stands: the app's credentials are wrong.
        server.fail_next(f"GET {PAGE}", 401, times=2)
        with pytest.raises(AuthError, match="refused the credentials"):
            client.listing(PAGE, {})
    finally:
        client.close()


def test_a_token_is_renewed_before_it_expires(server: ReplayServer) -> None:
    serve_token(server, expires_in=3600)
    serve_pages(server, PAGE, submissions()[:3], 10)
    now = [1000.0]
    config = settings(server)
    client = RedditClient(
        config, FakeTime().context(), "reddit:brand", credentials(config, "x"),
        clock=lambda: now[0],
    )  # fmt: skip
    try:
        client.listing(PAGE, {})
        now[0] += 3000  # still 10 minutes to go
        client.listing(PAGE, {})
        assert len(server.requests_to("/api/v1/access_token")) == 1
        now[0] += 560  # within a minute of the end
        client.listing(PAGE, {})
        assert len(server.requests_to("/api/v1/access_token")) == 2
    finally:
        client.close()


def test_a_malformed_thing_is_rejected_and_the_rest_stored(
    server: ReplayServer, store: Store
) -> None:
    things = submissions()[:5]
    things[2]["data"]["created_utc"] = "yesterday"
    serve_token(server)
    serve_pages(server, PAGE, things, 10)
    report = run(build(settings(server), FakeTime().context(store)), store, WS)
    assert report.written.inserted == 4
    (row,) = store.rejected_rows()
    assert row["field"] == "created_utc"
    assert row["source"] == f"reddit:brand:{PAGE}:{_n(things[2])}"
    assert row["raw"].startswith('{"kind": "t3"')
    assert row["reason"] == "not a time: 'yesterday'"


def test_the_command_line_prints_one_line_and_exits_1(
    server: ReplayServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RUMEUR_REDDIT_CLIENT_SECRET")
    config = workspace_toml(tmp_path, server)
    ran = rumeur(capsys, "collect", "--config", str(config), "--db", str(tmp_path / "x.db"))
    assert ran.code == 1
    assert "reddit:brand: no client secret; set RUMEUR_REDDIT_CLIENT_SECRET" in ran.err
    assert not server.requests


def _n(thing: dict) -> str:
    return thing["data"]["name"]


def _page(things: list[dict], last: dict | None = None) -> dict:
    after = _n(last) if last is not None else None
    return {"kind": "Listing", "data": {"after": after, "before": None, "children": things}}


def test_a_forbidden_subreddit_says_so_without_renewing_the_token(
    server: ReplayServer, store: Store
) -> None:
    serve_token(server)
    forbidden = recorded("error-403.2025.cassette.json")
    server.serve("GET", PAGE, status=403, json=forbidden, headers=QUOTA)
    with pytest.raises(Forbidden) as refused:
        run(build(settings(server), FakeTime().context(store)), store, WS)
    assert str(refused.value).startswith(
        f"reddit:brand: {PAGE} refused access (403): a private, quarantined or banned subreddit"
    )
    assert len(server.requests_to("/api/v1/access_token")) == 1
    assert len(server.requests_to(PAGE)) == 1
