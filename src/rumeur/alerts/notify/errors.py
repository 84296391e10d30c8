"""`NotifyError`: one channel failed to take an alert. Its message names the channel and the host
only, never a webhook's path (which holds its secret) nor a password. `permanent` tells
`deliver` whether trying again could help; `retry_after` is the receiver's own wait, when it
gave one (429, 503 with Retry-After)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from rumeur.errors import RumeurError
from rumeur.logs import redact_text
from rumeur.net.ratelimit import retry_after as parse_retry_after

# Statuses that say "later": a timeout and a rate limit, though 4xx, are not the sender's fault.
RETRYABLE_4XX = frozenset({408, 429})


class NotifyError(RumeurError):
    def __init__(
        self,
        channel: str,
        host: str,
        message: str,
        *,
        permanent: bool,
        retry_after: float | None = None,
    ) -> None:
        where = f"{channel} {host}" if host else channel
        # Redacted where it is made: stored as the delivery's last error, logged and printed.
        super().__init__(redact_text(f"{where}: {message}"), permanent=permanent)
        self.channel = channel
        self.host = host
        self.retry_after = retry_after


def config_error(channel: str, host: str, message: str) -> NotifyError:
    """Bad settings: no number of retries can fix them."""
    return NotifyError(channel, host, message, permanent=True)


def http_status_error(
    channel: str, host: str, status: int, headers: Mapping[str, str]
) -> NotifyError:
    """The error for a non-2xx answer: 5xx, 408 and 429 are worth another try; other 4xx are
    not, nor is a redirect (a webhook that moved is a settings problem)."""
    permanent = status < 500 and status not in RETRYABLE_4XX
    wait = None if permanent else seconds_from_retry_after(headers)
    return NotifyError(channel, host, f"answered {status}", permanent=permanent, retry_after=wait)


def seconds_from_retry_after(headers: Mapping[str, str]) -> float | None:
    now = datetime.now(UTC)
    until = parse_retry_after(headers, now)
    if until is None:
        return None
    return max(0.0, (until - now).total_seconds())
