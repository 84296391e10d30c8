"""The Bluesky client against the replay server: rate limits waited as the headers say, the
session refreshed rather than logged in again, errors in one line without the secret, 5xx
retried, a malformed item rejected while the rest is stored."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bluesky_replay import (
    ACCESS,
    PASSWORD,
    REFRESH,
    SEARCH,
    recorded_search,
    serve_search,
    settings,
    write_workspace,
)

from clirun import rumeur
from fake_time import FakeTime
from replay import ReplayServer
from rumeur.config import parse_settings
from rumeur.errors import ConfigError
from rumeur.net import AuthError
from rumeur.pipeline.runner import run
from rumeur.sources.bluesky.source import build
from rumeur.store import Store

LOGIN = "/xrpc/com.atproto.server.createSession"
REFRESH_PATH = "/xrpc/com.atproto.server.refreshSession"
NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
ENV = "RUMEUR_BLUESKY_LAPOSTE_PASSWORD"


def collect(tmp_path: Path, server: ReplayServer, clock: FakeTime, **changes: object):
    ws = parse_settings(write_workspace(tmp_path, server).read_text(), "test").workspace()
    store = Store.open(str(tmp_path / "x.db"))
    try:
        source = build(settings(server, **changes), clock.context(store))
        report = run(source, store, ws, batch_size=100)
        return report, store.count_posts(), store.rejected_rows()
    finally:
        store.close()


def quota_headers(remaining: int, reset: int) -> dict[str, str]:
    """Bluesky's own rate-limit headers, as the recorded searchPosts response has them."""
    return {
        "RateLimit-Limit": "3000",
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": "3000;w=300",
    }


def test_a_429_is_waited_out_until_the_reset_the_headers_give_then_collection_goes_on(
    tmp_path: Path,
) -> None:
    recorded, headers = recorded_search()
    reset = int(time.time()) + 60
    clock = FakeTime()
    with ReplayServer() as server:
        serve_search(server, recorded, per_page=25, headers=headers)
        server.fail_next(f"GET {SEARCH}", 429, headers=quota_headers(0, reset))
        report, count, _ = collect(tmp_path, server, clock)
    assert count == 25 and report.read == 25
    assert [r.status for r in server.requests_to(SEARCH)] == [429, 200]
    assert 55 < clock.sleeps[0] <= 62  # until the reset, not a blind backoff
    assert max(clock.sleeps) <= 62
    why, until = clock.waits[0]
    assert "rate limited" in why
    assert until.timestamp() == pytest.approx(reset + 1, abs=2)


def test_a_spent_quota_is_waited_out_before_the_network_says_429(tmp_path: Path) -> None:
    made, _ = recorded_search()
    reset = int(time.time()) + 30
    clock = FakeTime()
    with ReplayServer() as server:
        serve_search(server, made[:10], per_page=10, headers=quota_headers(0, reset), more=True)
        server.serve(
            "GET", SEARCH, json={"posts": made[10:]}, query={"q": "redistricting", "cursor": "10"}
        )
        _, count, _ = collect(tmp_path, server, clock)
    assert count == 25
    assert all(r.status == 200 for r in server.requests_to(SEARCH))
    assert len(clock.sleeps) == 1 and 25 < clock.sleeps[0] <= 31
    why, until = clock.waits[0]
    assert why == "bluesky:127.0.0.1:anonymous: quota spent"
    assert until == datetime.fromtimestamp(reset, UTC)


def test_a_5xx_is_retried_and_the_page_then_stored(tmp_path: Path) -> None:
    recorded, _ = recorded_search()
    clock = FakeTime()
    with ReplayServer() as server:
        serve_search(server, recorded, per_page=25)
        server.fail_next(f"GET {SEARCH}", 502, times=2)
        _, count, _ = collect(tmp_path, server, clock)
    assert count == 25
    assert [r.status for r in server.requests_to(SEARCH)] == [502, 502, 200]
    assert len(clock.sleeps) == 2


def test_a_malformed_post_is_rejected_and_the_others_stored(tmp_path: Path) -> None:
    recorded, _ = recorded_search()
    broken = dict(recorded[3])
    del broken["record"]
    with ReplayServer() as server:
        serve_search(server, [*recorded[:3], broken, "not a post", *recorded[4:]], per_page=30)
        report, count, rejected = collect(tmp_path, server, FakeTime())
    assert count == 24
    assert len(report.rejects) == 2
    assert sorted(r["field"] for r in rejected) == ["post", "record"]
    assert all(r["source"].startswith("bluesky:laposte search") for r in rejected)


def account(server: ReplayServer) -> None:
    session = {"did": "did:plc:x", "handle": "laposte.fr"}
    server.serve("POST", LOGIN, json=session | {"accessJwt": ACCESS, "refreshJwt": REFRESH})
    renewed = {"accessJwt": "eyJ-ACCESS-new", "refreshJwt": "eyJ-REFRESH-new"}
    server.serve("POST", REFRESH_PATH, json=session | renewed)
    server.serve("GET", NOTIFICATIONS, json={"notifications": []})


def test_an_expired_access_token_is_refreshed_without_logging_in_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    with ReplayServer() as server:
        account(server)
        expired = {"error": "ExpiredToken", "message": "Token has expired"}
        server.fail_next(f"GET {NOTIFICATIONS}", 400, json=expired)
        collect(tmp_path, server, FakeTime(), search=[], handle="laposte.fr")
    assert len(server.requests_to(LOGIN)) == 1
    (refresh,) = server.requests_to(REFRESH_PATH)
    assert refresh.headers["authorization"] == f"Bearer {REFRESH}"
    calls = server.requests_to(NOTIFICATIONS)
    assert [c.headers["authorization"] for c in calls] == [
        f"Bearer {ACCESS}",
        "Bearer eyJ-ACCESS-new",
    ]


def test_a_refused_app_password_says_which_variable_to_set_and_never_shows_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(ENV, PASSWORD)
    refused = {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
    with ReplayServer() as server:
        server.serve("POST", LOGIN, status=401, json=refused)
        server.serve("GET", SEARCH, json={"posts": []})
        with pytest.raises(AuthError) as caught:
            collect(tmp_path, server, FakeTime(), handle="laposte.fr")
        config = tmp_path / "owned.toml"
        text = write_workspace(tmp_path, server).read_text()
        config.write_text(text + 'handle = "laposte.fr"\npds = "' + server.base_url + '"\n')
        ran = rumeur(capsys, "collect", "--config", str(config), "--db", str(tmp_path / "y.db"))
    message = str(caught.value)
    assert message == (
        "bluesky:laposte: /xrpc/com.atproto.server.createSession refused the credentials (401); "
        f"set {ENV}"
    )
    assert "\n" not in message
    assert ran.code == 1 and message in ran.err
    for text in (message, caplog.text, ran.out, ran.err):
        assert PASSWORD not in text
    assert server.requests_to(SEARCH) == []


def test_a_missing_app_password_names_the_variable_before_any_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV, raising=False)
    missing = f"bluesky:laposte: no app password; set {ENV}"
    with ReplayServer() as server, pytest.raises(ConfigError, match=missing):
        collect(tmp_path, server, FakeTime(), handle="laposte.fr")
    assert server.requests == []
