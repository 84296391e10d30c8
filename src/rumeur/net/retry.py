"""One retry policy for every network: only errors that say trying again could help
(`permanent=False`) are retried, with exponential backoff, full jitter and a cap; a rate limit
waits until its reset instead. Every wait is logged and reported."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import structlog

from rumeur.net.errors import RateLimited, SourceError

log = structlog.get_logger(__name__)
T = TypeVar("T")


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
        for attempt in range(self.attempts):
            try:
                return call()
            except SourceError as exc:
                if exc.permanent or attempt == self.attempts - 1:
                    raise
                self._wait(exc, attempt, what)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, exc: SourceError, attempt: int, what: str) -> None:
        now = self.now()
        if isinstance(exc, RateLimited):
            seconds = max(0.0, (exc.until - now).total_seconds()) + 1.0
        else:
            seconds = self.delay(attempt)
        until = datetime.fromtimestamp(now.timestamp() + seconds, UTC)
        log.info("waiting before retry", what=what, error=str(exc), seconds=round(seconds, 1))
        if self.on_wait is not None:
            self.on_wait(str(exc), until)
        self.sleep(seconds)
