"""What the inbox's sender (`inbox/sender.py`) asks of a network to answer a conversation
(docs/inbox.md, "Sending"), and the one way a reply goes out.

A network's `reply.py` (`sources/<network>/reply.py`) makes a `Replier`:

- `prepare(row)`: what its guard needs, chosen once before the first try and stored in the
  outbox row's `request` (a Bluesky record key, the reply's parent and root);
- `send(row)`: one try, no retry here (the sender decides when to try again): the `Sent` reply,
  or a `SourceError`; `Lost` (`net/errors.py`) when the request may have reached the network
  and its answer did not come back (a timeout or a connection cut after the request was
  written, a 5xx);
- `find(row)`: the reply read back from the network, or None when it is not there: what the
  sender does before it tries again a reply whose first try may have left.

The one try is `Http.write` (`net/http.py`): the client, rate limit and errors of `Http`, with
no retry, and a failure after the request may have left told apart (`Lost`) from one before it
(`Unavailable`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from rumeur.store.inbox import OutboxRow


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


def first_try_at(row: OutboxRow) -> datetime | None:
    """When the row's first try was prepared (`request["first_try_at"]`), if it was."""
    return time_or_none(row.request.get("first_try_at"))


def time_or_none(value: Any) -> datetime | None:
    """An ISO 8601 time (a trailing Z read as UTC, as is one without an offset); None when
    `value` is not one, since a network's time only narrows a search."""
    if not isinstance(value, str):
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
