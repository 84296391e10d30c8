"""What every network collector shares: one error tree, one retry policy, rate limits read from
each network's headers and kept in the store, and an HTTP client that puts them together.

A network's package (`sources/<network>/`) has its `client.py` built on `Http`, its `types.py`
(payload -> Post) and its `source.py` (the `Source` the runner reads)."""

from rumeur.sources.net.errors import AuthError, RateLimited, SourceError, Unavailable
from rumeur.sources.net.http import Http
from rumeur.sources.net.ratelimit import Limiter, Quota
from rumeur.sources.net.retry import RetryPolicy

__all__ = [
    "AuthError",
    "Http",
    "Limiter",
    "Quota",
    "RateLimited",
    "RetryPolicy",
    "SourceError",
    "Unavailable",
]
