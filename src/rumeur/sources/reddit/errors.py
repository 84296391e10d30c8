"""Reddit's own errors, under the network errors."""

from __future__ import annotations

from rumeur.net import AuthError


class Forbidden(AuthError):
    """A 403 with a token Reddit accepts: the subreddit is private, quarantined or banned, or
    the account may not read that listing. Renewing the token cannot help; the settings can."""
