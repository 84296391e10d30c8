"""Sign-in sessions: a random token in an HttpOnly cookie, only its SHA-256 in the database, so
that a copy of the database signs nobody in. Each session carries its own CSRF token.

A session ends when the user signs out, after `IDLE` without a request, or `LIFETIME` after it
began, whichever comes first.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from rumeur.store import Store
from rumeur.store import sessions as rows
from rumeur.web.accounts import User, row_user

IDLE = timedelta(hours=12)
LIFETIME = timedelta(days=7)
TOUCH_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf: str = field(repr=False)  # a secret: never in a message or a log line
    language: str | None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(store: Store, user_id: int, now: datetime | None = None) -> str:
    """A new session for the user; returns the cookie's token (shown nowhere else)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    row = {
        "id_hash": digest(token),
        "user_id": user_id,
        "csrf": secrets.token_urlsafe(24),
        "created_at": now,
        "last_seen_at": now,
        "expires_at": now + LIFETIME,
    }
    rows.insert_session(store, row, now)
    return token


def find(store: Store, token: str | None, now: datetime | None = None) -> Session | None:
    """The live session of a cookie's token, or None (unknown, expired, idle, user disabled)."""
    if not token:
        return None
    now = now or datetime.now(UTC)
    key = digest(token)
    row = rows.session_with_user(store, key)
    if row is None:
        return None
    if row["disabled"] or row["expires_at"] <= now or row["last_seen_at"] + IDLE <= now:
        end(store, token)
        return None
    if now - row["last_seen_at"] >= TOUCH_EVERY:
        rows.touch_session(store, key, now)
    user = row_user({**row, "id": row["user_id"]})
    return Session(user, row["csrf"], row["language"])


def end(store: Store, token: str | None) -> None:
    if token:
        rows.delete_session(store, digest(token))


def end_all(store: Store, user_id: int) -> None:
    """Sign a user out everywhere (the account was disabled)."""
    rows.delete_user_sessions(store, user_id)
