"""The publishing calendar's rows (docs/publish.md, "The calendar"): the items of a period, an
item moved to another time, and each team's iCalendar feed token.

`move` changes an item's time by a conditional UPDATE: only from a status that may still move
(nothing that the sender holds or has sent), only if the item was not changed since it was
read (its round, its status), and never an item that already has an outbox row (a post the
sender tried: its row keeps the key, and a second one could not be queued).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, insert, or_, select, update

from rumeur.store.publishing import Item
from rumeur.store.schema import UTCDateTime, calendar_feeds, outbox, publish_items
from rumeur.store.store import Store

LIMIT = 5000  # items in one period, at most
# The inbox's replies that spend a network's quota: sent, or still to be (not pending approval,
# not failed).
REPLY_STATES = ("queued", "claimed", "sent", "unknown")


def between(
    store: Store,
    workspace: str,
    start: datetime,
    end: datetime,
    accounts: Collection[str] | None = None,
    limit: int = LIMIT,
) -> list[Item]:
    """The workspace's items from `start` (included) to `end` (excluded), of `accounts` when
    given, in the order of their time."""
    i = publish_items.c
    query = (
        select(publish_items)
        .where(i.workspace == workspace, i.at >= start, i.at < end)
        .order_by(i.at, i.id)
        .limit(limit)
    )
    if accounts is not None:
        query = query.where(i.account.in_(list(accounts)))
    with store.read() as conn:
        return [Item.of(row) for row in conn.execute(query)]


def replies_between(
    store: Store,
    workspace: str,
    start: datetime,
    end: datetime,
    accounts: Collection[tuple[str, str]],
) -> list[tuple[str, str, datetime]]:
    """`(platform, account, at)` of the workspace's inbox replies (outbox rows of no item) from
    the `(platform, handle)` accounts, sent from `start` (included) to `end` (excluded), or due
    then: a reply spends the same network quota as a post."""
    if not accounts:
        return []
    o = outbox.c
    at = func.coalesce(o.sent_at, o.next_at, o.created_at, type_=UTCDateTime)
    mine = or_(*(and_(o.platform == p, o.account == h) for p, h in accounts))
    query = (
        select(o.platform, o.account, at.label("at"))
        .where(o.workspace == workspace, o.item_id.is_(None), o.state.in_(REPLY_STATES))
        .where(at >= start, at < end, mine)
        .limit(LIMIT)
    )
    with store.read() as conn:
        return [(row.platform, row.account, row.at) for row in conn.execute(query)]


def move(
    store: Store,
    item: Item,
    at: datetime,
    timezone: str,
    status: str,
    movable: Collection[str],
    now: datetime,
) -> bool:
    """Item `item` at `at` (written in `timezone`) and `status`, if it is still as it was read
    and in a `movable` status, with no outbox row; whether it moved."""
    i = publish_items.c
    tried = exists().where(outbox.c.item_id == publish_items.c.id)
    with store.transaction() as conn:
        done = conn.execute(
            update(publish_items)
            .where(i.id == item.id, i.status == item.status, i.round == item.round)
            .where(i.status.in_(list(movable)), ~tried)
            .values(at=at, timezone=timezone, status=status, updated_at=now,
                    error=None if status != item.status else i.error)
        )  # fmt: skip
        return done.rowcount == 1


def save_feed(
    store: Store, workspace: str, team: str, token_hash: str, by: str | None, now: datetime
) -> None:
    """Team `team`'s feed token (its hash), replacing the one it had."""
    f = calendar_feeds.c
    with store.transaction() as conn:
        conn.execute(delete(calendar_feeds).where(f.workspace == workspace, f.team == team))
        conn.execute(
            insert(calendar_feeds).values(
                workspace=workspace, team=team, token_hash=token_hash, created_by=by,
                created_at=now,
            )
        )  # fmt: skip


def drop_feed(store: Store, workspace: str, team: str) -> bool:
    f = calendar_feeds.c
    with store.transaction() as conn:
        done = conn.execute(delete(calendar_feeds).where(f.workspace == workspace, f.team == team))
        return done.rowcount > 0


def feed_team(store: Store, workspace: str, token_hash: str) -> str | None:
    """The team whose feed token has this hash, in `workspace`; None when none has."""
    f = calendar_feeds.c
    with store.read() as conn:
        return conn.execute(
            select(f.team).where(f.workspace == workspace, f.token_hash == token_hash)
        ).scalar_one_or_none()


def feeds(store: Store, workspace: str) -> dict[str, tuple[str | None, datetime]]:
    """Each team that has a feed: who made it and when."""
    f = calendar_feeds.c
    with store.read() as conn:
        rows = conn.execute(
            select(f.team, f.created_by, f.created_at).where(f.workspace == workspace)
        ).all()
    return {team: (by, at) for team, by, at in rows}
