"""The delivery log in the database (`alert_deliveries`): what each target was sent, safe with
several processes and across restarts.

A row per (alert, revision, target) is written, `pending`, before anything is sent
(`enqueue`). A sender then claims it (`claim`): a conditional UPDATE that moves `next_at` a
lease ahead only if the row is still pending and due; the one process whose UPDATE changed the
row sends it. `StoreDeliveryLog.record` writes what `deliver()` found: `delivered` and `failed`
end the row, `pending` sets the next try after a backoff (or the receiver's `Retry-After`).

A crash between sending and recording leaves the row pending with the lease as its `next_at`:
once the lease is over, a sweep sends it again, the one resend the receiver drops by its
`Idempotency-Key`. A pending row is never dropped: it is what `Dispatcher.sweep` sends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from rumeur.alerts.notify.deliver import Outcome
from rumeur.logs import redact_text
from rumeur.store import Store
from rumeur.store import deliveries as rows

LEASE = timedelta(minutes=5)  # how long a claimed row is left to its sender
FIRST_WAIT = 15.0  # seconds before a pending row is tried again, doubled with each attempt
MAX_WAIT = 3600.0
MAX_ERROR = 500
_KEY = re.compile(r"^rumeur-alert-(\d+)-(\d+)$")


def wall_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Pending:
    """One row to enqueue: a revision of an alert, for one target."""

    alert_id: int
    revision: int
    target: str
    reason: str  # new, grew, escalated
    observed: float
    message: dict[str, Any]  # AlertMessage.as_dict()


def enqueue(conn: Connection, pending: Iterable[Pending], now: datetime) -> int:
    """Insert the rows that are not there yet (run inside the writers' transaction)."""
    added = 0
    for row in pending:
        values = {
            "reason": row.reason, "status": "pending", "attempts": 0, "observed": row.observed,
            "message": row.message, "created_at": now, "next_at": now,
        }  # fmt: skip
        added += rows.add_new(conn, (row.alert_id, row.revision, row.target), values)
    return added


def due(store: Store, workspace: str, now: datetime) -> list[Row[Any]]:
    """The workspace's pending rows whose time has come, oldest first."""
    return rows.due(store, workspace, now)


def claim(store: Store, row_id: int, now: datetime, lease: timedelta = LEASE) -> bool:
    """Take a due pending row for this process; False if another one took it first."""
    return rows.claim(store, row_id, now, lease)


def give_up(store: Store, row_id: int, error: str) -> None:
    """A row that can never be sent (its target is gone from the settings)."""
    rows.fail(store, row_id, redact_text(error)[:MAX_ERROR])


def retry_wait(attempts: int, retry_after: float | None) -> float:
    """Seconds before a row that is still pending after `attempts` tries is due again."""
    backoff = min(MAX_WAIT, FIRST_WAIT * 2 ** min(max(attempts - 1, 0), 12))
    return max(backoff, retry_after or 0.0)


def parse_key(key: str) -> tuple[int, int]:
    match = _KEY.match(key)
    if match is None:
        raise ValueError(f"not an alert's idempotency key: {key!r}")
    return int(match.group(1)), int(match.group(2))


@dataclass
class StoreDeliveryLog:
    """`notify.DeliveryLog` over `alert_deliveries`."""

    store: Store
    clock: Callable[[], datetime] = wall_clock

    def delivered(self, key: str, target: str) -> bool:
        return rows.status(self.store, (*parse_key(key), target)) == "delivered"

    def record(self, key: str, target: str, outcome: Outcome) -> None:
        now = self.clock()
        # A row enqueue did not write is left alone (not ours to invent): rows.record skips it.
        rows.record(self.store, (*parse_key(key), target), lambda n: _after(n, outcome, now))


def _after(attempts: int, outcome: Outcome, now: datetime) -> dict[str, Any]:
    """A row's new values once `outcome` is known, `attempts` tries having been made before."""
    total = attempts + outcome.attempts
    error = redact_text(outcome.error)[:MAX_ERROR] if outcome.error else None
    values: dict[str, Any] = {"attempts": total, "last_error": error}
    if outcome.status == "delivered":
        values.update(status="delivered", delivered_at=now, next_at=None)
    elif outcome.status == "failed":
        values.update(status="failed", next_at=None)
    else:
        wait = retry_wait(total, outcome.retry_after)
        values.update(next_at=now + timedelta(seconds=wait))
    return values


def rows_of(store: Store, alert_id: int) -> list[dict[str, Any]]:
    """An alert's delivery rows, oldest first (the crisis room's "notified" list, tests)."""
    return rows.rows_of(store, alert_id)
