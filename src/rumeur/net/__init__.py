"""The one HTTP layer, shared by the collectors, the notifiers and the senders to come: one error
tree, one retry policy, rate limits read from each network's headers (and kept in the store by
whoever passes a `QuotaStore`), and an HTTP client that puts them together. It sits in the bottom
layer: it imports only `model`, `errors` and `logs`, never a subsystem.

A network's package (`sources/<network>/`) has its `client.py` built on `Http`, its `types.py`
(payload -> Post) and its `source.py` (the `Source` the runner reads)."""

from rumeur.net.errors import AuthError, Lost, RateLimited, SourceError, Unavailable
from rumeur.net.http import Closing, Http
from rumeur.net.ratelimit import Limiter, Quota
from rumeur.net.retry import RetryPolicy

__all__ = [
    "AuthError",
    "Closing",
    "Http",
    "Limiter",
    "Lost",
    "Quota",
    "RateLimited",
    "RetryPolicy",
    "SourceError",
    "Unavailable",
]
