"""Per-user API tokens for the REST API: `rmr_` and 43 random characters, shown once when made;
the database keeps only their SHA-256 (a token is random enough that a slow hash adds nothing).
One token per user: making a new one revokes the old."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from rumeur.store import Store
from rumeur.store.schema import users
from rumeur.web.accounts import User, row_user

PREFIX = "rmr_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(store: Store, user_id: int) -> str:
    token = PREFIX + secrets.token_urlsafe(32)
    _save(store, user_id, _digest(token))
    return token


def revoke(store: Store, user_id: int) -> None:
    _save(store, user_id, None)


def has_token(store: Store, user_id: int) -> bool:
    with store.engine.connect() as conn:
        query = select(users.c.api_token_hash).where(users.c.id == user_id)
        return conn.execute(query).scalar_one_or_none() is not None


def user_of(store: Store, token: str) -> User | None:
    """The enabled user a bearer token belongs to, or None."""
    if not token.startswith(PREFIX):
        return None
    with store.engine.connect() as conn:
        row = (
            conn.execute(select(users).where(users.c.api_token_hash == _digest(token)))
            .mappings()
            .one_or_none()
        )
    if row is None or row["disabled"]:
        return None
    return row_user(row)


def _save(store: Store, user_id: int, digest: str | None) -> None:
    with store.transaction() as conn:
        conn.execute(
            users.update()
            .where(users.c.id == user_id)
            .values(api_token_hash=digest, updated_at=datetime.now(UTC))
        )
