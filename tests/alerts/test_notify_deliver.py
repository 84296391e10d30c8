"""`deliver` against a local webhook receiver: a receiver that fails and then recovers gets the
alert once, a 400 is never retried, a 429's Retry-After is honoured, a closed port is worth
another try, and neither the webhook's token nor a password ever reaches the log."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator

import pytest
import structlog
from notify_support import PASSWORD, TOKEN, alert, free_port, receiving, smtp_server

from rumeur import logs
from rumeur.alerts.notify import (
    EmailTarget,
    MemoryDeliveryLog,
    SlackTarget,
    TeamsTarget,
    WebhookTarget,
    deliver,
)
from rumeur.alerts.notify.webhook import verify


class FakeSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def hook(url: str, **changes: object) -> WebhookTarget:
    return WebhookTarget.model_validate({"name": "hook", "kind": "webhook", "url": url, **changes})


def test_a_receiver_that_fails_then_recovers_gets_the_alert_once() -> None:
    sleep = FakeSleep()
    with receiving((503, {}), (503, {})) as receiver:
        [outcome] = deliver(alert(), [hook(receiver.url)], sleep=sleep, rng=random.Random(1))
    assert (outcome.status, outcome.attempts, outcome.error) == ("delivered", 3, None)
    assert receiver.statuses == [503, 503, 200]
    assert len(receiver.ok()) == 1
    keys = {seen.headers["idempotency-key"] for seen in receiver.seen}
    assert keys == {"rumeur-alert-42-1"}
    assert len({seen.body for seen in receiver.seen}) == 1  # the same alert each time
    # Exponential backoff with full jitter: each wait is at most base * 2^attempt.
    assert len(sleep.waits) == 2
    assert 0 <= sleep.waits[0] <= 2.0 and 0 <= sleep.waits[1] <= 4.0


def test_a_delivered_revision_is_never_sent_again_but_the_next_one_is() -> None:
    book = MemoryDeliveryLog()
    sleep = FakeSleep()
    with receiving() as receiver:
        target = hook(receiver.url)
        deliver(alert(), [target], delivery_log=book, sleep=sleep)
        [again] = deliver(alert(), [target], delivery_log=book, sleep=sleep)
        [grown] = deliver(alert(revision=2), [target], delivery_log=book, sleep=sleep)
    assert (again.status, again.attempts) == ("already_delivered", 0)
    assert grown.status == "delivered"
    assert [s.headers["idempotency-key"] for s in receiver.seen] == [
        "rumeur-alert-42-1",
        "rumeur-alert-42-2",
    ]
    assert book.delivered("rumeur-alert-42-1", "hook")


def test_a_400_is_a_permanent_failure_and_is_not_retried() -> None:
    sleep = FakeSleep()
    with receiving((400, {})) as receiver:
        [outcome] = deliver(alert(), [hook(receiver.url)], sleep=sleep)
    assert (outcome.status, outcome.attempts) == ("failed", 1)
    assert outcome.error == f"webhook 127.0.0.1:{receiver.port}: answered 400"
    assert len(receiver.seen) == 1
    assert sleep.waits == []


def test_a_429_retry_after_is_honoured() -> None:
    sleep = FakeSleep()
    with receiving((429, {"Retry-After": "7"})) as receiver:
        [outcome] = deliver(alert(), [hook(receiver.url)], sleep=sleep)
    assert outcome.status == "delivered"
    assert len(sleep.waits) == 1 and 6.0 <= sleep.waits[0] <= 7.0


def test_a_retry_after_beyond_the_cap_is_left_for_a_later_call() -> None:
    sleep = FakeSleep()
    book = MemoryDeliveryLog()
    with receiving((503, {"Retry-After": "3600"})) as receiver:
        target = hook(receiver.url)
        [later] = deliver(alert(), [target], delivery_log=book, sleep=sleep, cap=60)
        [then] = deliver(alert(), [target], delivery_log=book, sleep=sleep, cap=60)
    assert later.status == "pending" and later.attempts == 1
    assert later.retry_after is not None and later.retry_after > 3500
    assert sleep.waits == []
    assert then.status == "delivered"
    assert len(receiver.ok()) == 1


def test_a_closed_port_is_retried_then_left_pending_never_lost() -> None:
    sleep = FakeSleep()
    book = MemoryDeliveryLog()
    port = free_port()
    target = hook(f"http://127.0.0.1:{port}/hooks/{TOKEN}")
    [outcome] = deliver(alert(), [target], delivery_log=book, attempts=3, sleep=sleep)
    assert (outcome.status, outcome.attempts) == ("pending", 3)
    assert outcome.error == f"webhook 127.0.0.1:{port}: unreachable (ConnectError)"
    assert len(sleep.waits) == 2
    assert not book.delivered(alert().idempotency_key, "hook")
    assert [o.status for o in book.outcomes[(alert().idempotency_key, "hook")]] == ["pending"]


def test_one_failing_target_does_not_hold_back_the_others() -> None:
    sleep = FakeSleep()
    with receiving((503, {}), (503, {})) as bad, receiving() as good:
        targets = [
            SlackTarget(name="slack", kind="slack", url=bad.url),
            TeamsTarget(name="teams", kind="teams", url=good.url),
        ]
        outcomes = deliver(alert(), targets, sleep=sleep)
    assert [(o.target, o.status, o.attempts) for o in outcomes] == [
        ("slack", "delivered", 3),
        ("teams", "delivered", 1),
    ]
    assert len(good.seen) == 1
    assert good.seen[0].json()["type"] == "message"


def test_the_body_is_signed_with_the_shared_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUMEUR_TEST_HOOK_SECRET", "shared-s3cret")
    with receiving() as receiver:
        deliver(alert(), [hook(receiver.url, secret_env="RUMEUR_TEST_HOOK_SECRET")])
    [seen] = receiver.seen
    assert verify(seen.body, seen.headers["x-rumeur-signature"], "shared-s3cret")
    assert seen.headers["content-type"] == "application/json"
    assert seen.json()["idempotency_key"] == "rumeur-alert-42-1"


def test_a_missing_secret_is_a_permanent_failure_naming_the_variable() -> None:
    with receiving() as receiver:
        [outcome] = deliver(alert(), [hook(receiver.url, secret_env="RUMEUR_TEST_UNSET_SECRET")])
    assert outcome.status == "failed"
    assert outcome.error == "webhook hook: no secret; set RUMEUR_TEST_UNSET_SECRET"
    assert receiver.seen == []


def test_a_url_from_a_file(tmp_path) -> None:
    with receiving() as receiver:
        (tmp_path / "hook-url").write_text(receiver.url + "\n", encoding="utf-8")
        target = SlackTarget(name="slack", kind="slack", url_file=tmp_path / "hook-url")
        [outcome] = deliver(alert(), [target])
    assert outcome.status == "delivered"
    assert receiver.seen[0].path.endswith(TOKEN)


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[[], str]]:
    logs.configure(level="DEBUG", fmt="json")
    yield lambda: capsys.readouterr().err
    structlog.reset_defaults()


def test_neither_the_webhook_token_nor_the_password_reaches_the_log(
    json_logs: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_TEST_SMTP_PASSWORD", PASSWORD)
    sleep = FakeSleep()
    with receiving((503, {}), (404, {})) as receiver, smtp_server() as mailbox:
        targets = [
            SlackTarget(name="slack", kind="slack", url=receiver.url),
            EmailTarget(
                name="mail",
                kind="email",
                host="127.0.0.1",
                port=mailbox.port,
                username="alerts",
                password_env="RUMEUR_TEST_SMTP_PASSWORD",
                sender="rumeur@acme.example",
                to=["veille@acme.example"],
            ),
            hook(f"http://127.0.0.1:{free_port()}/in/{TOKEN}?token={TOKEN}", name="closed"),
        ]
        outcomes = deliver(alert(), targets, attempts=2, sleep=sleep)
    assert [o.status for o in outcomes] == ["failed", "delivered", "pending"]
    output = json_logs()
    events = [json.loads(line) for line in output.splitlines()]
    assert {e["event"] for e in events} >= {
        "alert delivered",
        "notification failed",
        "notification will be retried",
    }
    delivered = next(e for e in events if e["event"] == "alert delivered")
    assert delivered["host"] == "127.0.0.1"
    assert any(e.get("error", "").startswith("slack 127.0.0.1:") for e in events)
    for secret in (TOKEN, PASSWORD, "/services/", "/in/"):
        assert secret not in output
    assert all(TOKEN not in (o.error or "") for o in outcomes)


@pytest.mark.parametrize(("status", "permanent"), [(301, True), (404, True), (408, False)])
def test_which_statuses_are_worth_another_try(status: int, permanent: bool) -> None:
    with receiving((status, {})) as receiver:
        [outcome] = deliver(alert(), [hook(receiver.url)], sleep=FakeSleep())
    assert outcome.status == ("failed" if permanent else "delivered")
    assert len(receiver.seen) == (1 if permanent else 2)
