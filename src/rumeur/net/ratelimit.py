"""Rate limits, read from each network's headers and honoured before the network says 429.

A `Quota` is what the last response said: how many calls remain and when the window resets.
A `Limiter` keeps it for one key (network, server, account), in memory and in the store's
`rate_limits` table, so that every process collecting with the same key waits for the same reset.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Protocol

from dateutil.parser import isoparse

from rumeur.model import Quota


class QuotaStore(Protocol):
    def quota(self, key: str) -> Quota | None: ...

    def save_quota(self, key: str, quota: Quota) -> None: ...


HeaderReader = Callable[[Mapping[str, str], datetime], Quota | None]


def ratelimit_headers(headers: Mapping[str, str], now: datetime) -> Quota | None:
    """Bluesky (and the IETF draft): RateLimit-Limit, -Remaining, and -Reset in epoch seconds."""
    remaining = _number(headers.get("ratelimit-remaining"))
    if remaining is None:
        return None
    reset = _number(headers.get("ratelimit-reset"))
    # Epoch seconds; a small number would be seconds from now (the draft's form).
    at = None if reset is None else _epoch_or_delta(reset, now)
    return Quota(_int(headers.get("ratelimit-limit")), remaining, at)


def x_ratelimit_headers(headers: Mapping[str, str], now: datetime) -> Quota | None:
    """Mastodon: X-RateLimit-Limit, -Remaining, and -Reset as an ISO 8601 time."""
    remaining = _number(headers.get("x-ratelimit-remaining"))
    if remaining is None:
        return None
    reset = headers.get("x-ratelimit-reset")
    at = None
    if reset:
        try:
            at = isoparse(reset).astimezone(UTC)
        except (ValueError, OverflowError):
            at = None
    return Quota(_int(headers.get("x-ratelimit-limit")), remaining, at)


def reddit_headers(headers: Mapping[str, str], now: datetime) -> Quota | None:
    """Reddit: x-ratelimit-used, -remaining (a float) and -reset in seconds from now."""
    remaining = _number(headers.get("x-ratelimit-remaining"))
    if remaining is None:
        return None
    used = _number(headers.get("x-ratelimit-used"))
    reset = _number(headers.get("x-ratelimit-reset"))
    limit = None if used is None else round(used + remaining)
    at = None if reset is None else now + timedelta(seconds=reset)
    return Quota(limit, remaining, at)


def retry_after(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """The standard Retry-After header: seconds, or an HTTP date."""
    value = headers.get("retry-after")
    if not value:
        return None
    seconds = _number(value)
    if seconds is not None:
        return now + timedelta(seconds=seconds)
    try:
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


class Limiter:
    """Waits, before a call, when the last quota seen for `key` is spent and not yet reset."""

    def __init__(
        self,
        key: str,
        store: QuotaStore | None = None,
        *,
        margin: float = 0,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_wait: Callable[[str, datetime], None] | None = None,
    ) -> None:
        self.key, self.store, self.margin = key, store, margin
        self.sleep, self.now, self.on_wait = sleep, now, on_wait
        self.last: Quota | None = None

    def current(self) -> Quota | None:
        """The freshest quota: another process may have spent it since this one looked."""
        stored = self.store.quota(self.key) if self.store is not None else None
        return stored or self.last

    def before(self) -> None:
        quota = self.current()
        if quota is None or quota.remaining is None or quota.reset_at is None:
            return
        now = self.now()
        if quota.remaining <= self.margin and quota.reset_at > now:
            if self.on_wait is not None:
                self.on_wait(f"{self.key}: quota spent", quota.reset_at)
            self.sleep((quota.reset_at - now).total_seconds() + 0.5)

    def after(self, quota: Quota | None) -> None:
        if quota is None:
            return
        self.last = quota
        if self.store is not None:
            self.store.save_quota(self.key, quota)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


def _int(value: str | None) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _epoch_or_delta(value: float, now: datetime) -> datetime:
    if value > 1_000_000_000:
        return datetime.fromtimestamp(value, UTC)
    return now + timedelta(seconds=value)
