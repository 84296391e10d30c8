"""The rows of the sign-in throttle (`signin_failures`), one per user name or client address.
How failures turn into locks is the web app's policy (web/throttle.py); here they are read and
written in one transaction, so that every web process counts the same failures."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, delete, select

from rumeur.store.bulk import upsert
from rumeur.store.schema import signin_failures

if TYPE_CHECKING:
    from rumeur.store import Store

# From the stored rows of the keys (by key) to the rows to write.
Count = Callable[[Mapping[str, Row[Any]]], list[dict[str, Any]]]


def lock_ends(store: Store, keys: Sequence[str], now: datetime) -> list[datetime]:
    """The ends of the locks on `keys` still in force at `now`."""
    query = select(signin_failures.c.locked_until).where(
        signin_failures.c.key.in_(list(keys)), signin_failures.c.locked_until > now
    )
    with store.engine.connect() as conn:
        return [t for t in conn.execute(query).scalars() if t is not None]


def count_failures(store: Store, keys: Sequence[str], count: Count) -> None:
    """Write the rows `count` makes of the keys' stored rows, read in the same transaction so
    that two failures at once both count."""
    with store.transaction() as conn:
        query = select(signin_failures).where(signin_failures.c.key.in_(list(keys)))
        found = {r.key: r for r in conn.execute(query)}
        upsert(
            conn,
            signin_failures,
            count(found),
            ["key"],
            lambda new: {
                "failures": new.failures,
                "first_at": new.first_at,
                "locked_until": new.locked_until,
            },
        )


def clear_failures(store: Store, key: str) -> None:
    with store.transaction() as conn:
        conn.execute(delete(signin_failures).where(signin_failures.c.key == key))
