"""The errors of feed sources, beyond those every network shares."""

from __future__ import annotations

from rumeur.net.errors import SourceError


class NotAFeed(SourceError):
    """The URL answered with something no feed reader can read (an HTML page, an empty body):
    the settings point at the wrong address; retrying cannot help."""
