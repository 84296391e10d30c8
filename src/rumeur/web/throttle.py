"""Sign-in throttling, kept in the database so that every web process counts the same failures.

Failures are counted per user name and per client address. Past `FREE` failures within
`WINDOW`, the key is locked for `FIRST_LOCK`, doubled at each further failure up to `MAX_LOCK`;
a success clears the name's count. The address allows more failures than a name, so that one
office behind one address is not locked out by a single person's typos.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from rumeur.store import Store
from rumeur.store.bulk import upsert
from rumeur.store.schema import signin_failures

WINDOW = timedelta(minutes=15)
FREE = {"name": 5, "ip": 20}
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)


def keys(name_key: str, address: str) -> list[str]:
    return [f"name:{name_key}", f"ip:{address}"]


def locked_until(store: Store, keys: Sequence[str], now: datetime | None = None) -> datetime | None:
    """When the latest lock on any of `keys` ends, if one is in force."""
    now = now or datetime.now(UTC)
    query = select(signin_failures.c.locked_until).where(
        signin_failures.c.key.in_(list(keys)), signin_failures.c.locked_until > now
    )
    with store.engine.connect() as conn:
        ends = [t for t in conn.execute(query).scalars() if t is not None]
    return max(ends) if ends else None


def failed(store: Store, keys: Sequence[str], now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    with store.transaction() as conn:
        found = {
            r.key: r
            for r in conn.execute(
                select(signin_failures).where(signin_failures.c.key.in_(list(keys)))
            )
        }
        rows = []
        for key in keys:
            old = found.get(key)
            fresh = old is None or (old.first_at + WINDOW <= now and not _locked(old, now))
            failures = 1 if fresh else old.failures + 1
            first_at = now if fresh else old.first_at
            rows.append(
                {
                    "key": key,
                    "failures": failures,
                    "first_at": first_at,
                    "locked_until": _lock(key, failures, now),
                }
            )
        upsert(
            conn,
            signin_failures,
            rows,
            ["key"],
            lambda new: {
                "failures": new.failures,
                "first_at": new.first_at,
                "locked_until": new.locked_until,
            },
        )


def succeeded(store: Store, name_key: str) -> None:
    with store.transaction() as conn:
        conn.execute(delete(signin_failures).where(signin_failures.c.key == f"name:{name_key}"))


def _locked(row: object, now: datetime) -> bool:
    until = getattr(row, "locked_until", None)
    return until is not None and until > now


def _lock(key: str, failures: int, now: datetime) -> datetime | None:
    over = failures - FREE[key.split(":", 1)[0]]
    if over <= 0:
        return None
    return now + min(FIRST_LOCK * 2 ** min(over - 1, 16), MAX_LOCK)
