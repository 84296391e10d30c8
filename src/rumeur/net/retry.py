"""One retry policy for every network: only errors that say trying again could help
(`permanent=False`) are retried, with exponential backoff, full jitter and a cap; a rate limit
waits until its reset instead. Every wait is logged and reported.

The loop is tenacity's (`Retrying`); what is ours is the rule of which errors are worth another
try, the wait (drawn from the policy's own `rng`, so a seeded policy repeats itself), and the
`sleep` and `now` it is given (so a fake clock drives it)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from rumeur.net.errors import RateLimited, SourceError

log = structlog.get_logger(__name__)
T = TypeVar("T")


def worth_another_try(exc: BaseException) -> bool:
    """A `SourceError` that does not say it is permanent; anything else is raised at once."""
    return isinstance(exc, SourceError) and not exc.permanent


@dataclass(slots=True)
class RetryPolicy:
    attempts: int = 6
    base: float = 1.0  # seconds before the first retry, doubled each time
    cap: float = 120.0
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    rng: random.Random = field(default_factory=random.Random)
    on_wait: Callable[[str, datetime], None] | None = None  # (why, until) for a progress line

    def delay(self, attempt: int) -> float:
        """Full jitter: a random wait up to base * 2^attempt, at most `cap`."""
        return self.rng.uniform(0, min(self.cap, self.base * 2**attempt))

    def run(self, call: Callable[[], T], what: str) -> T:
        """`call()`'s result, tried up to `attempts` times; its last error, or the first one not
        worth another try, is raised as it is."""
        moment: list[datetime] = []  # when the coming wait was reckoned, for its `until`

        def wait(state: RetryCallState) -> float:
            # tenacity asks for the wait before it checks the stop: after the last attempt there
            # is none to reckon, and no random draw or clock reading is spent on it.
            if state.attempt_number >= self.attempts:
                return 0.0
            moment[:] = [self.now()]
            return self._seconds(_error(state), state.attempt_number - 1, moment[0])

        def announce(state: RetryCallState) -> None:
            seconds = state.upcoming_sleep
            until = datetime.fromtimestamp(moment[0].timestamp() + seconds, UTC)
            error = str(_error(state))
            log.info("waiting before retry", what=what, error=error, seconds=round(seconds, 1))
            if self.on_wait is not None:
                self.on_wait(error, until)

        retrying = Retrying(
            retry=retry_if_exception(worth_another_try),
            stop=stop_after_attempt(self.attempts),
            wait=wait,
            sleep=lambda seconds: self.sleep(float(seconds)),
            before_sleep=announce,
            reraise=True,
        )
        return retrying(call)

    def _seconds(self, exc: BaseException, attempt: int, now: datetime) -> float:
        """A rate limit's own reset (and a second more), else the backoff of `attempt` (0 for
        the wait after the first try)."""
        if isinstance(exc, RateLimited):
            return max(0.0, (exc.until - now).total_seconds()) + 1.0
        return self.delay(attempt)


def _error(state: RetryCallState) -> BaseException:
    assert state.outcome is not None and state.outcome.failed  # only errors are retried
    error = state.outcome.exception()
    assert error is not None
    return error
