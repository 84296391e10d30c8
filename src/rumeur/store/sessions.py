"""The rows of the web app's sign-in sessions (`web_sessions`), keyed by the SHA-256 of their
token: started, found with their user's row, touched and ended. When a session ends is the web
app's rule (web/sessions.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update

from rumeur.store.schema import users, web_sessions

if TYPE_CHECKING:
    from rumeur.store import Store


def insert_session(store: Store, row: Mapping[str, Any], now: datetime) -> None:
    """Store a new session; the sessions expired by `now` go in the same transaction, so the
    table holds no more than the live ones and the last few."""
    with store.transaction() as conn:
        conn.execute(web_sessions.delete().where(web_sessions.c.expires_at < now))
        conn.execute(web_sessions.insert().values(dict(row)))


def session_with_user(store: Store, id_hash: str) -> Mapping[str, Any] | None:
    """The session's row joined to its user's (the user's id as `user_id`), or None."""
    query = (
        select(web_sessions, users)
        .join(users, users.c.id == web_sessions.c.user_id)
        .where(web_sessions.c.id_hash == id_hash)
    )
    with store.engine.connect() as conn:
        return conn.execute(query).mappings().one_or_none()


def touch_session(store: Store, id_hash: str, now: datetime) -> None:
    with store.transaction() as conn:
        conn.execute(
            update(web_sessions).where(web_sessions.c.id_hash == id_hash).values(last_seen_at=now)
        )


def delete_session(store: Store, id_hash: str) -> None:
    with store.transaction() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == id_hash))


def delete_user_sessions(store: Store, user_id: int) -> None:
    with store.transaction() as conn:
        conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))
