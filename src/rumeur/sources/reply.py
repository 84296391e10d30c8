"""What the inbox's sender (`inbox/sender.py`) asks of a network to answer a conversation
(docs/inbox.md, "Sending"), and the one way a reply goes out.

A network's `reply.py` (`sources/<network>/reply.py`) makes a `Replier`:

- `prepare(row)`: what its guard needs, chosen once before the first try and stored in the
  outbox row's `request` (a Bluesky record key, the reply's parent and root);
- `send(row)`: one try, no retry here (the sender decides when to try again): the `Sent` reply,
  or a `SourceError`; `Lost` when the request may have reached the network and its answer did
  not come back (a timeout or a connection cut after the request was written, a 5xx);
- `find(row)`: the reply read back from the network, or None when it is not there: what the
  sender does before it tries again a reply whose first try may have left.

`write` makes the one try: the `Http`'s client, rate limit and errors, with no retry, and a
failure after the request may have left told apart (`Lost`) from one before it (`Unavailable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from rumeur.net.errors import SourceError, Unavailable
from rumeur.net.http import Http

if TYPE_CHECKING:
    from rumeur.store.inbox import OutboxRow


class Lost(SourceError):
    """The request may have reached the network, and its answer was lost: the reply may or may
    not exist. The sender marks the row unknown and reads the network before anything else."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(source, message, permanent=False)


@dataclass(frozen=True, slots=True)
class Sent:
    """A reply the network holds: its id as the collectors name it (`native_id`), its id on
    the account's server when that differs (`local_id`), its address, and what answering it
    later needs (`extra`: a Bluesky post's cid)."""

    native_id: str
    local_id: str | None = None
    url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


class Replier(Protocol):
    platform: str

    def prepare(self, row: OutboxRow) -> dict[str, Any]: ...

    def send(self, row: OutboxRow) -> Sent: ...

    def find(self, row: OutboxRow) -> Sent | None: ...

    def close(self) -> None: ...


# Failures that happen before a byte of the request left: nothing can have been made.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def write(http: Http, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One try of a request that makes something on the network: its 2xx response; else
    `Unavailable` (nothing left: try again), `Lost` (it may have been made), `RateLimited`,
    `AuthError` or a permanent `SourceError`, as `Http` tells them apart."""
    if http.limiter is not None:
        http.limiter.before()
    try:
        response = http.client.request(method, path, **kwargs)
    except NOT_SENT as exc:
        raise Unavailable(http.source, f"{path} unreachable ({type(exc).__name__})") from None
    except httpx.TransportError as exc:
        raise Lost(http.source, f"{path}: the answer was lost ({type(exc).__name__})") from None
    now = datetime.now(UTC)
    quota = http.quota(response.headers, now) if http.quota is not None else None
    if http.limiter is not None:
        http.limiter.after(quota)
    if response.status_code >= 500:
        # A gateway's 502 or 504 may stand in front of a post the server made.
        raise Lost(http.source, f"{path} failed ({response.status_code}) once it had the request")
    http._check(response, now, quota.reset_at if quota else None)
    return response


def first_try_at(row: OutboxRow) -> datetime | None:
    """When the row's first try was prepared (`request["first_try_at"]`), if it was."""
    value = row.request.get("first_try_at")
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
