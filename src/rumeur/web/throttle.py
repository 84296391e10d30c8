"""Sign-in throttling, kept in the database so that every web process counts the same failures.

Failures are counted per user name and per client address. Past `FREE` failures within
`WINDOW`, the key is locked for `FIRST_LOCK`, doubled at each further failure up to `MAX_LOCK`;
a success clears the name's count. The address allows more failures than a name, so that one
office behind one address is not locked out by a single person's typos.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from rumeur.store import Store, signin

WINDOW = timedelta(minutes=15)
FREE = {"name": 5, "ip": 20}
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)


def keys(name_key: str, address: str) -> list[str]:
    return [f"name:{name_key}", f"ip:{address}"]


def locked_until(store: Store, keys: Sequence[str], now: datetime | None = None) -> datetime | None:
    """When the latest lock on any of `keys` ends, if one is in force."""
    now = now or datetime.now(UTC)
    ends = signin.lock_ends(store, keys, now)
    return max(ends) if ends else None


def failed(store: Store, keys: Sequence[str], now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)

    def count(found: Mapping[str, Any]) -> list[dict[str, Any]]:
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
        return rows

    signin.count_failures(store, keys, count)


def succeeded(store: Store, name_key: str) -> None:
    signin.clear_failures(store, f"name:{name_key}")


def _locked(row: object, now: datetime) -> bool:
    until = getattr(row, "locked_until", None)
    return until is not None and until > now


def _lock(key: str, failures: int, now: datetime) -> datetime | None:
    over = failures - FREE[key.split(":", 1)[0]]
    if over <= 0:
        return None
    return now + min(FIRST_LOCK * 2 ** min(over - 1, 16), MAX_LOCK)
