"""The errors of network sources. Each message is the one line the command line prints: which
source, what happened, what to do. A token or a password never appears in one."""

from __future__ import annotations

from datetime import datetime

from rumeur.errors import RumeurError
from rumeur.logs import redact_text


class SourceError(RumeurError):
    """A network source failed. `permanent` says whether trying again could help."""

    def __init__(self, source: str, message: str, *, permanent: bool = True) -> None:
        # Redacted here, where every source's error is made: it is printed, logged and stored
        # as the source's last error, and a feed's path or an API's answer may hold a token.
        super().__init__(redact_text(f"{source}: {message}"), permanent=permanent)
        self.source = source


class AuthError(SourceError):
    """The network refused the credentials: fix them; retrying cannot help."""


class Unavailable(SourceError):
    """The network could not be reached or failed (timeout, 5xx): worth another try."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(source, message, permanent=False)


class Lost(SourceError):
    """A request that makes something (a reply, a post) may have reached the network and its
    answer was lost: the thing may or may not exist. Whoever sent it reads the network before
    anything else, never sends it again blindly."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(source, message, permanent=False)


class RateLimited(SourceError):
    """The network said to wait (429), until `until`."""

    def __init__(self, source: str, until: datetime) -> None:
        super().__init__(
            source,
            f"rate limited until {until.astimezone():%H:%M:%S}",
            permanent=False,
        )
        self.until = until
