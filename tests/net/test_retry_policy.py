"""The retry policy's loop (tenacity's) keeps the numbering and the draws of the policy: the wait
after the first try is `delay(0)`, each wait draws once from the policy's own `rng`, the last
failure draws nothing, and `on_wait` is told the same `until` the sleep reaches."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from rumeur.net import RateLimited, RetryPolicy, Unavailable

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


def failing(times: int, then: str = "ok"):
    left = [times]

    def call() -> str:
        if left[0] > 0:
            left[0] -= 1
            raise Unavailable("s", "down")
        return then

    return call


def test_waits_are_the_backoff_of_attempt_0_1_2_drawn_from_the_policys_rng() -> None:
    slept: list[float] = []
    waits: list[tuple[str, datetime]] = []
    policy = RetryPolicy(
        attempts=4, base=1, cap=3, sleep=slept.append, now=lambda: NOW,
        rng=random.Random(7), on_wait=lambda why, until: waits.append((why, until)),
    )  # fmt: skip
    twin = RetryPolicy(base=1, cap=3, rng=random.Random(7))
    with pytest.raises(Unavailable):
        policy.run(failing(10), "GET /x")
    assert slept == [twin.delay(0), twin.delay(1), twin.delay(2)]
    assert all(type(s) is float for s in slept)
    assert waits == [("s: down", NOW + timedelta(seconds=s)) for s in slept]
    # The fourth failure was raised without a draw: both generators stand at the same place.
    assert policy.rng.random() == twin.rng.random()


def test_a_rate_limit_waits_for_its_reset_and_a_second_more() -> None:
    slept: list[float] = []
    until = NOW + timedelta(seconds=30)
    answers: list[Exception | str] = [RateLimited("s", until), "ok"]

    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    policy = RetryPolicy(sleep=slept.append, now=lambda: NOW, rng=random.Random(1))
    assert policy.run(call, "GET /x") == "ok"
    assert slept == [31.0]


def test_an_error_that_is_not_a_source_error_is_raised_at_once() -> None:
    slept: list[float] = []
    policy = RetryPolicy(sleep=slept.append)
    calls: list[int] = []

    def call() -> str:
        calls.append(1)
        raise ValueError("a bug, not the network")

    with pytest.raises(ValueError):
        policy.run(call, "GET /x")
    assert len(calls) == 1 and slept == []


def test_one_attempt_is_one_call() -> None:
    slept: list[float] = []
    with pytest.raises(Unavailable):
        RetryPolicy(attempts=1, sleep=slept.append).run(failing(1), "GET /x")
    assert slept == []
    assert RetryPolicy(attempts=2, sleep=slept.append).run(failing(1), "GET /x") == "ok"
    assert len(slept) == 1
