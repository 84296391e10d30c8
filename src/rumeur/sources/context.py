"""What a network source gets from whoever runs it: where rate limits are shared, whether to keep
following once caught up, and whom to tell when it waits."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from rumeur.net.ratelimit import Limiter, QuotaStore
from rumeur.net.retry import RetryPolicy

OnWait = Callable[[str, datetime], None]  # (why, until): "waiting for the rate limit until 14:05"


@dataclass(slots=True)
class SourceContext:
    store: QuotaStore | None = None
    follow: bool = False  # keep polling (every `every` seconds) or streaming once caught up
    on_wait: OnWait | None = None
    sleep: Callable[[float], None] = field(default=time.sleep)

    def limiter(self, key: str) -> Limiter:
        return Limiter(key, self.store, sleep=self.sleep, on_wait=self.on_wait)

    def retry(self) -> RetryPolicy:
        return RetryPolicy(sleep=self.sleep, on_wait=self.on_wait)
