"""`deliver`: one revision of an alert to every target, with retries, each target at most once.

Targets are tried in rounds: every target still due is tried once, then, if some failed in a way
that another try could help (network, 5xx, 408, 429), `deliver` waits and tries those again.
The wait is the project's retry policy (`RetryPolicy.delay`: exponential backoff, full jitter, a
cap), or the receiver's own `Retry-After` when it is longer. A receiver that asks for more than
the cap is not waited for: its outcome is `pending`, with `retry_after`, for a later call. A
permanent failure (4xx, bad settings) is never retried.

Never loses the alert: a target that is still failing after `attempts` tries is `pending`, and
calling `deliver` again with the same message tries it again, while the targets that already
took this revision are skipped (`already_delivered`). A target that answered 2xx is never sent
the same revision again by `deliver`. A receiver that took a request but whose answer was lost
(a timeout after the body was read) may see it twice: the `Idempotency-Key` header, the email
`Message-ID` and the JSON `idempotency_key` let it drop the resend.

The delivery log (the `DeliveryLog` protocol) is what makes this hold across calls and restarts:

- `delivered(key, target) -> bool`: whether `target` (a target's `name`) answered 2xx for the
  revision `key` (`AlertMessage.idempotency_key`). Must be True once `record` was called with a
  `delivered` outcome for that pair, and stay True.
- `record(key, target, outcome)`: called once per target per `deliver` call, as soon as its
  `Outcome` is final (status, attempts made in this call, last error line, `retry_after`):
  `delivered` and `failed` right away, before any other target is tried again, so a crash
  mid-call loses nothing delivered; `pending` at the end. `already_delivered` is not recorded.

`MemoryDeliveryLog` keeps it in a dict (tests, a one-shot process). A database-backed log keeps
one row per (key, target) with its status, attempts (summed), last error and time: `pending`
rows are what a periodic sweep calls `deliver` again for, and `failed` rows are what the crisis
room shows as "not notified". Error lines never hold a secret (see errors.py).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

import httpx
import structlog

from rumeur.alerts.notify import email, mattermost, slack, teams, webhook
from rumeur.alerts.notify.errors import NotifyError, config_error
from rumeur.alerts.notify.http import host_of, new_client
from rumeur.alerts.notify.message import AlertMessage
from rumeur.net.retry import RetryPolicy
from rumeur.settings.notify import (
    EmailTarget,
    MattermostTarget,
    SlackTarget,
    Target,
    TeamsTarget,
    WebhookTarget,
)
from rumeur.settings.secrets import SecretMissing

log = structlog.get_logger(__name__)
Status = Literal["delivered", "already_delivered", "failed", "pending"]


@dataclass(frozen=True, slots=True)
class Outcome:
    target: str  # the target's name
    status: Status
    attempts: int = 0  # made in this call
    error: str | None = None  # the last error's one line: channel and host, never a secret
    retry_after: float | None = None  # seconds the receiver asked to wait, when pending


class DeliveryLog(Protocol):
    def delivered(self, key: str, target: str) -> bool: ...

    def record(self, key: str, target: str, outcome: Outcome) -> None: ...


@dataclass
class MemoryDeliveryLog:
    outcomes: dict[tuple[str, str], list[Outcome]] = field(default_factory=dict)

    def delivered(self, key: str, target: str) -> bool:
        return any(o.status == "delivered" for o in self.outcomes.get((key, target), []))

    def record(self, key: str, target: str, outcome: Outcome) -> None:
        self.outcomes.setdefault((key, target), []).append(outcome)


@dataclass(frozen=True, slots=True)
class Channels:
    """How targets are reached: the HTTP client of the webhooks and the SMTP session maker."""

    http: httpx.Client
    smtp: email.SmtpFactory | None = None  # None: email.connect


def send(message: AlertMessage, target: Target, channels: Channels) -> None:
    """One try at one target; NotifyError if it failed."""
    try:
        _send(message, target, channels)
    except SecretMissing as exc:  # the settings layer cannot raise a notifier's error itself
        raise config_error(exc.owner, "", exc.detail) from None


def _send(message: AlertMessage, target: Target, channels: Channels) -> None:
    match target:
        case EmailTarget():
            email.send(message, target, channels.smtp)
        case WebhookTarget():
            webhook.send(message, target, channels.http)
        case SlackTarget():
            slack.send(message, target, channels.http)
        case MattermostTarget():
            mattermost.send(message, target, channels.http)
        case TeamsTarget():
            teams.send(message, target, channels.http)


def deliver(
    message: AlertMessage,
    targets: Sequence[Target],
    *,
    delivery_log: DeliveryLog | None = None,
    attempts: int = 5,
    base: float = 2.0,
    cap: float = 120.0,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    http: httpx.Client | None = None,
    smtp: email.SmtpFactory | None = None,
) -> list[Outcome]:
    """Send `message` to each target; one `Outcome` per target, in the order given."""
    if attempts < 1:
        raise ValueError("deliver needs at least one attempt")
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        raise ValueError("two notification targets have the same name")
    book = delivery_log if delivery_log is not None else MemoryDeliveryLog()
    policy = RetryPolicy(attempts=attempts, base=base, cap=cap, rng=rng or random.Random())
    client = http or new_client()
    try:
        run = _Run(message, book, Channels(client, smtp))
        run.rounds(list(targets), policy, sleep)
    finally:
        if http is None:
            client.close()
    return [run.outcomes[name] for name in names]


@dataclass
class _Run:
    message: AlertMessage
    book: DeliveryLog
    channels: Channels
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    tries: dict[str, int] = field(default_factory=dict)

    def rounds(
        self, targets: list[Target], policy: RetryPolicy, sleep: Callable[[float], None]
    ) -> None:
        due = [t for t in targets if not self._already(t)]
        for attempt in range(policy.attempts):
            failing = [(t, e) for t in due if (e := self._try(t)) is not None]
            last = attempt == policy.attempts - 1
            again: list[tuple[Target, NotifyError]] = []
            for target, error in failing:
                if error.permanent:
                    continue
                # Out of tries, or asked to wait beyond the cap: left to a later call.
                if last or (error.retry_after or 0.0) > policy.cap:
                    self._finish(target, "pending")
                else:
                    again.append((target, error))
            if not again:
                return
            seconds = max(policy.delay(attempt), *(e.retry_after or 0.0 for _, e in again))
            log.info(
                "waiting before retrying",
                alert=self.key,
                targets=len(again),
                seconds=round(seconds, 1),
            )
            sleep(seconds)
            due = [t for t, _ in again]

    @property
    def key(self) -> str:
        return self.message.idempotency_key

    def _already(self, target: Target) -> bool:
        if not self.book.delivered(self.key, target.name):
            return False
        self.outcomes[target.name] = Outcome(target.name, "already_delivered")
        return True

    def _try(self, target: Target) -> NotifyError | None:
        self.tries[target.name] = self.tries.get(target.name, 0) + 1
        try:
            send(self.message, target, self.channels)
        except NotifyError as exc:
            return self._failed(target, exc)
        except Exception as exc:  # a bug in one channel must not keep the others from the alert
            error = NotifyError(
                target.kind, "", f"internal error ({type(exc).__name__})", permanent=True
            )
            return self._failed(target, error)
        self._finish(target, "delivered")
        return None

    def _failed(self, target: Target, error: NotifyError) -> NotifyError:
        self.outcomes[target.name] = Outcome(
            target.name, "failed", self.tries[target.name], str(error), error.retry_after
        )
        event = "notification failed" if error.permanent else "notification will be retried"
        log.warning(event, alert=self.key, target=target.name, error=str(error))
        if error.permanent:
            self._finish(target, "failed")
        return error

    def _finish(self, target: Target, status: Status) -> None:
        last = self.outcomes.get(target.name)
        outcome = Outcome(
            target.name,
            status,
            self.tries.get(target.name, 0),
            None if status == "delivered" or last is None else last.error,
            last.retry_after if status == "pending" and last is not None else None,
        )
        self.outcomes[target.name] = outcome
        self.book.record(self.key, target.name, outcome)
        if status == "delivered":
            log.info(
                "alert delivered",
                alert=self.key,
                target=target.name,
                channel=target.kind,
                host=shown_host(target),
                attempts=outcome.attempts,
            )


def shown_host(target: Target) -> str:
    if isinstance(target, EmailTarget):
        return target.host
    try:
        return host_of(target.resolve_url())
    except SecretMissing:
        return "?"
