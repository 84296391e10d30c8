"""Per-user API tokens for the REST API: `rmr_` and 43 random characters, shown once when made;
the database keeps only their SHA-256 (a token is random enough that a slow hash adds nothing).
One token per user: making a new one revokes the old."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from rumeur.store import Store
from rumeur.store import accounts as rows
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
    return rows.token_hash(store, user_id) is not None


def user_of(store: Store, token: str) -> User | None:
    """The enabled user a bearer token belongs to, or None."""
    if not token.startswith(PREFIX):
        return None
    row = rows.user_with_token(store, _digest(token))
    if row is None or row["disabled"]:
        return None
    return row_user(row)


def _save(store: Store, user_id: int, digest: str | None) -> None:
    rows.update_user(store, user_id, {"api_token_hash": digest, "updated_at": datetime.now(UTC)})
