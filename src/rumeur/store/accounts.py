"""The rows of the web app's accounts (`users`): found by name, by API token or by id, listed,
created and updated. What a row means (roles, hashing, who may sign in) is the web app's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from rumeur.store.schema import users

if TYPE_CHECKING:
    from rumeur.store import Store


class NameTaken(Exception):
    """A user with the same name key exists: `name` is that user's name as stored."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def user_named(store: Store, name_key: str) -> Mapping[str, Any] | None:
    """The user row whose name key is `name_key`, or None."""
    with store.engine.connect() as conn:
        query = select(users).where(users.c.name_key == name_key)
        return conn.execute(query).mappings().one_or_none()


def user_with_token(store: Store, token_hash: str) -> Mapping[str, Any] | None:
    """The user row holding the API token of this hash, or None."""
    with store.engine.connect() as conn:
        query = select(users).where(users.c.api_token_hash == token_hash)
        return conn.execute(query).mappings().one_or_none()


def token_hash(store: Store, user_id: int) -> str | None:
    """The hash of the user's API token, None when it has none (or there is no such user)."""
    with store.engine.connect() as conn:
        query = select(users.c.api_token_hash).where(users.c.id == user_id)
        return conn.execute(query).scalar_one_or_none()


def all_users(store: Store) -> list[Mapping[str, Any]]:
    """Every user row, by name key."""
    with store.engine.connect() as conn:
        return list(conn.execute(select(users).order_by(users.c.name_key)).mappings().all())


def insert_user(store: Store, row: Mapping[str, Any]) -> int:
    """Store a new user and return its id; `NameTaken` when its name key is in use. The check
    and the insert share one write transaction, so two requests cannot both take a name."""
    with store.transaction() as conn:
        taken = conn.execute(
            select(users.c.name).where(users.c.name_key == row["name_key"])
        ).scalar_one_or_none()
        if taken is not None:
            raise NameTaken(taken)
        return conn.execute(users.insert().values(dict(row)).returning(users.c.id)).scalar_one()


def update_user(store: Store, user_id: int, values: Mapping[str, Any]) -> None:
    with store.transaction() as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(dict(values)))


def update_user_row(
    store: Store, user_id: int, values: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """Update the user and return its row as written (None when there is no such user)."""
    with store.transaction() as conn:
        conn.execute(users.update().where(users.c.id == user_id).values(dict(values)))
        query = select(users).where(users.c.id == user_id)
        return conn.execute(query).mappings().one_or_none()
