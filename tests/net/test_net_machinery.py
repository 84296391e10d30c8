"""The machinery every collector shares: rate-limit headers of each network, the limiter that
waits before the network says 429 (and shares its quota through the store), the retry policy,
and the HTTP client's one-line errors."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from rumeur.errors import ConfigError
from rumeur.model import Quota
from rumeur.net import AuthError, Http, Limiter, RateLimited, RetryPolicy, Unavailable
from rumeur.net.errors import SourceError
from rumeur.net.ratelimit import (
    ratelimit_headers,
    reddit_headers,
    retry_after,
    x_ratelimit_headers,
)
from rumeur.settings.sources import secret
from rumeur.store import Store

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def test_each_networks_headers() -> None:
    bluesky = ratelimit_headers(
        httpx.Headers({"RateLimit-Limit": "3000", "RateLimit-Remaining": "2999",
                       "RateLimit-Reset": "1763906700", "RateLimit-Policy": "3000;w=300"}),
        NOW,
    )  # fmt: skip
    assert bluesky == Quota(3000, 2999.0, datetime.fromtimestamp(1763906700, UTC))
    mastodon = x_ratelimit_headers(
        httpx.Headers({"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                       "X-RateLimit-Reset": "2026-11-23T14:05:00.123Z"}),
        NOW,
    )  # fmt: skip
    assert mastodon == Quota(300, 0.0, datetime(2026, 11, 23, 14, 5, 0, 123000, tzinfo=UTC))
    reddit = reddit_headers(
        httpx.Headers({"x-ratelimit-used": "3", "x-ratelimit-remaining": "597.0",
                       "x-ratelimit-reset": "246"}),
        NOW,
    )  # fmt: skip
    assert reddit == Quota(600, 597.0, NOW + timedelta(seconds=246))
    assert ratelimit_headers(httpx.Headers({}), NOW) is None
    assert retry_after(httpx.Headers({"Retry-After": "30"}), NOW) == NOW + timedelta(seconds=30)
    assert retry_after(
        httpx.Headers({"Retry-After": "Mon, 23 Nov 2026 14:10:00 GMT"}), NOW
    ) == datetime(2026, 11, 23, 14, 10, tzinfo=UTC)


def test_the_limiter_waits_for_a_spent_quota_shared_through_the_store(tmp_path) -> None:
    store = Store.open(str(tmp_path / "q.db"))
    slept: list[float] = []
    waits: list[datetime] = []
    try:
        first = Limiter("bluesky:bsky.social:anonymous", store, now=lambda: NOW)
        first.after(Quota(3000, 0, NOW + timedelta(seconds=90)))
        # Another process, the same key: it sees the quota the first one saved, and waits.
        second = Limiter(
            "bluesky:bsky.social:anonymous", store, now=lambda: NOW, sleep=slept.append,
            on_wait=lambda why, until: waits.append(until),
        )  # fmt: skip
        second.before()
        assert slept == [90.5] and waits == [NOW + timedelta(seconds=90)]
        second.after(Quota(3000, 2999, NOW + timedelta(seconds=300)))
        second.before()
        assert slept == [90.5]
        assert store.quotas()["bluesky:bsky.social:anonymous"].remaining == 2999
    finally:
        store.close()


def test_retry_only_what_may_succeed_and_wait_for_a_rate_limit() -> None:
    slept: list[float] = []
    policy = RetryPolicy(sleep=slept.append, now=lambda: NOW, rng=random.Random(1))
    answers: list[Exception | str] = [
        Unavailable("s", "timed out"), RateLimited("s", NOW + timedelta(seconds=60)), "ok",
    ]  # fmt: skip

    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert policy.run(call, "GET /x") == "ok"
    assert 0 <= slept[0] <= 1.0 and slept[1] == 61.0
    with pytest.raises(AuthError):
        policy.run(lambda: (_ for _ in ()).throw(AuthError("s", "refused")), "GET /x")
    assert len(slept) == 2  # a permanent error is not retried
    always = RetryPolicy(attempts=3, sleep=slept.append, rng=random.Random(1))
    with pytest.raises(Unavailable):
        always.run(lambda: (_ for _ in ()).throw(Unavailable("s", "down")), "GET /x")
    assert len(slept) == 4
    assert all(RetryPolicy(base=1, cap=8).delay(k) <= 8 for k in range(10))


def serve(status: int, headers: dict[str, str] | None = None, body: object = None) -> Http:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, json=body if body is not None else {})

    return Http(
        "bluesky:laposte",
        "https://example.test",
        quota=ratelimit_headers,
        retry=RetryPolicy(attempts=1),
        auth_hint="set RUMEUR_BLUESKY_LAPOSTE_PASSWORD",
        transport=httpx.MockTransport(handler),
    )


@pytest.mark.parametrize(
    ("status", "body", "error", "message"),
    [
        (401, {"error": "AuthenticationRequired"}, AuthError,
         "bluesky:laposte: /xrpc/x refused the credentials (401); "
         "set RUMEUR_BLUESKY_LAPOSTE_PASSWORD"),
        (502, None, Unavailable, "bluesky:laposte: /xrpc/x failed (502)"),
        (400, {"error": "InvalidRequest", "message": "bad cursor"}, SourceError,
         "bluesky:laposte: /xrpc/x answered 400: InvalidRequest: bad cursor"),
    ],
)  # fmt: skip
def test_errors_are_one_line_naming_the_source_and_the_fix(
    status: int, body: object, error: type[Exception], message: str
) -> None:
    with serve(status, body=body) as http, pytest.raises(error) as caught:
        http.get_json("/xrpc/x", params={"token": "s3cret"})
    assert str(caught.value) == message
    assert "s3cret" not in str(caught.value)


def test_a_429_says_until_when_from_the_headers() -> None:
    reset = int((datetime.now(UTC) + timedelta(minutes=5)).timestamp())
    headers = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)}
    with serve(429, headers) as http, pytest.raises(RateLimited) as caught:
        http.get_json("/xrpc/x")
    assert caught.value.until == datetime.fromtimestamp(reset, UTC)
    assert not caught.value.permanent


def test_secrets_come_from_a_file_or_the_environment(tmp_path, monkeypatch) -> None:
    path = tmp_path / "password"
    path.write_text("from-file\n")
    assert secret("bluesky:x", "app password", "RUMEUR_X", path) == "from-file"
    monkeypatch.setenv("RUMEUR_X", "from-env")
    assert secret("bluesky:x", "app password", "RUMEUR_X", None) == "from-env"
    monkeypatch.delenv("RUMEUR_X")
    with pytest.raises(ConfigError) as caught:
        secret("bluesky:x", "app password", "RUMEUR_X", None)
    assert str(caught.value) == "bluesky:x: no app password; set RUMEUR_X"
