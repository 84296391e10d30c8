"""The mention stream's saved views: each user's filters in a workspace, kept as the stream's
query string (what `web/filters.StreamFilters.params` writes, read back by `StreamFilters.read`,
so that a view holds nothing the stream would not check again).

A view is named by its user; the name `LAST` ('') holds the filters the user last searched
with, which the stream opens with when it is asked for without any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, and_, delete, insert, select, update

from rumeur.store.schema import stream_views
from rumeur.store.store import Store

LAST = ""
MAX_NAME = 100  # stream_views.name
MAX_VIEWS = 50  # named views per user and workspace


@dataclass(frozen=True, slots=True)
class View:
    id: int
    name: str
    params: str


def _mine(user_id: int, workspace: str):  # type: ignore[no-untyped-def]
    v = stream_views.c
    return and_(v.user_id == user_id, v.workspace == workspace)


def named_views(store: Store, user_id: int, workspace: str) -> list[View]:
    """The user's named views in the workspace, by name."""
    v = stream_views.c
    query = (
        select(v.id, v.name, v.params)
        .where(_mine(user_id, workspace), v.name != LAST)
        .order_by(v.name, v.id)
    )
    with store.read() as conn:
        return [View(i, n, p) for i, n, p in conn.execute(query)]


def last_params(store: Store, user_id: int, workspace: str) -> str | None:
    """The filters the user last searched with in the workspace, if any."""
    v = stream_views.c
    with store.read() as conn:
        query = select(v.params).where(_mine(user_id, workspace), v.name == LAST)
        return conn.execute(query).scalar()


def save(store: Store, user_id: int, workspace: str, name: str, params: str) -> bool:
    """Keep `params` under `name` (replacing a view of that name); False when the user already
    has `MAX_VIEWS` other views."""
    with store.transaction() as conn:
        if _update(conn, user_id, workspace, name, params):
            return True
        if name != LAST and _count(conn, user_id, workspace) >= MAX_VIEWS:
            return False
        conn.execute(
            insert(stream_views).values(
                user_id=user_id, workspace=workspace, name=name, params=params, saved_at=_now()
            )
        )
    return True


def remove(store: Store, user_id: int, workspace: str, view_id: int) -> bool:
    """Delete one of the user's named views; False when there is no such view of theirs."""
    v = stream_views.c
    with store.transaction() as conn:
        gone = conn.execute(
            delete(stream_views).where(_mine(user_id, workspace), v.id == view_id, v.name != LAST)
        )
    return bool(gone.rowcount)


def _update(conn: Connection, user_id: int, workspace: str, name: str, params: str) -> bool:
    v = stream_views.c
    done = conn.execute(
        update(stream_views)
        .where(_mine(user_id, workspace), v.name == name)
        .values(params=params, saved_at=_now())
    )
    return bool(done.rowcount)


def _count(conn: Connection, user_id: int, workspace: str) -> int:
    v = stream_views.c
    query = select(v.id).where(_mine(user_id, workspace), v.name != LAST)
    return len(conn.execute(query).all())


def _now() -> datetime:
    return datetime.now(UTC)
