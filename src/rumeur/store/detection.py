"""What the alert detectors and the explanation of a fire read (`rumeur.alerts.detectors`,
`rumeur.alerts.explain`): hourly counts from `rollups_hourly`, and the posts of a few recent
hours, each read through a range of `ix_posts_created_at` (or the author's index). The
thresholds and baselines stay in `rumeur.alerts`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, select

from rumeur.metrics import engagement_sql
from rumeur.store.rollups import ALL
from rumeur.store.schema import authors, post_brands, post_queries, posts, rollups_hourly
from rumeur.store.store import Store


@contextmanager
def reading(store: Store) -> Iterator[Connection]:
    """The one connection a detection run reads through (the detectors, then the explanation
    of each fire). Without the time budget of `Store.read`: a run reads what it must."""
    with store.engine.connect() as conn:
        yield conn


def hourly_counts(
    conn: Connection, workspace: str, since: datetime, now: datetime
) -> list[Row[Any]]:
    """(hour, brand, sentiment, posts) of the workspace's rollups in [since, now)."""
    r = rollups_hourly.c
    return list(
        conn.execute(
            select(r.hour, r.brand, r.sentiment, func.sum(r.posts))
            .where(r.workspace == workspace, r.hour >= since, r.hour < now)
            .group_by(r.hour, r.brand, r.sentiment)
        )
    )


def first_hour(conn: Connection, workspace: str, now: datetime) -> datetime | None:
    """The workspace's first hour with a rollup before `now`."""
    r = rollups_hourly.c
    return conn.execute(
        select(func.min(r.hour)).where(r.workspace == workspace, r.brand == ALL, r.hour < now)
    ).scalar()


def query_matches(
    conn: Connection, workspace: str, query: str, since: datetime, now: datetime
) -> tuple[datetime | None, int]:
    """(the first post's time, how many) of the posts in (since, now] that `query` matched."""
    q, p = post_queries.c, posts.c
    first, count = conn.execute(
        select(func.min(p.created_at), func.count())
        .select_from(post_queries.join(posts, posts.c.id == q.post_id))
        .where(q.workspace == workspace, q.query == query)
        .where(p.created_at > since, p.created_at <= now)
    ).one()
    return first, count


def engagement() -> ColumnElement[int]:
    p = posts.c
    return engagement_sql(p.likes, p.reposts, p.replies, p.quotes)


def in_workspace(workspace: str) -> ColumnElement[bool]:
    """The post names a brand of the workspace. A correlated EXISTS on post_brands' key, so
    that the scan is driven by the posts' time (or author) index, never by the workspace's
    whole history in `ix_post_brands_workspace_brand`."""
    b = post_brands.c
    return select(b.post_id).where(b.post_id == posts.c.id, b.workspace == workspace).exists()


def engaging_posts(
    conn: Connection, workspace: str, since: datetime, now: datetime, floor: int
) -> list[Row[Any]]:
    """The workspace's posts of [since, now) with at least `floor` engagements."""
    p = posts.c
    return list(
        conn.execute(
            select(p.id, p.platform, p.native_id, p.created_at, p.likes, p.reposts, p.replies,
                   p.quotes, engagement().label("engagement"))
            .where(p.created_at >= since, p.created_at < now, engagement() >= floor)
            .where(in_workspace(workspace))
            .order_by(p.id)
        )
    )  # fmt: skip


def recent_engagement(
    conn: Connection, workspace: str, since: datetime, until: datetime, limit: int
) -> list[int]:
    """The engagement of the workspace's last `limit` posts of [since, until)."""
    p = posts.c
    sample = (
        select(engagement())
        .where(p.created_at >= since, p.created_at < until)
        .where(in_workspace(workspace))
        .order_by(p.created_at.desc())
        .limit(limit)
    )
    return list(conn.execute(sample).scalars())


def brands_of(conn: Connection, workspace: str, ids: Sequence[int]) -> dict[int, list[str]]:
    """The workspace's brands each post names, in name order."""
    b = post_brands.c
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        rows = conn.execute(
            select(b.post_id, b.brand)
            .where(b.post_id.in_(ids), b.workspace == workspace)
            .order_by(b.post_id, b.brand)
        )
        for post_id, brand in rows:
            out[post_id].append(brand)
    return out


def posts_of_big_accounts(
    conn: Connection, workspace: str, since: datetime, now: datetime, followers: int
) -> list[Row[Any]]:
    """The workspace's posts of [since, now) by authors with `followers` followers or more,
    in time order."""
    p, a = posts.c, authors.c
    return list(
        conn.execute(
            select(p.id, p.native_id, p.created_at, p.author_id, a.handle, a.followers,
                   a.verified)
            .join(authors, a.id == p.author_id)
            .where(p.created_at >= since, p.created_at < now, a.followers >= followers)
            .where(in_workspace(workspace))
            .order_by(p.created_at, p.id)
        )
    )  # fmt: skip


def posts_by(
    conn: Connection, workspace: str, author_ids: Iterable[int], since: datetime, until: datetime
) -> list[Row[Any]]:
    """(post id, author id) of those authors' posts in the workspace in [since, until)."""
    p = posts.c
    return list(
        conn.execute(
            select(p.id, p.author_id)
            .where(p.author_id.in_(author_ids), p.created_at >= since, p.created_at < until)
            .where(in_workspace(workspace))
        )
    )


def window_posts(
    conn: Connection,
    workspace: str,
    since: datetime,
    until: datetime,
    limit: int,
    *,
    post_ids: Sequence[int] = (),
    query: str | None = None,
    brand: str | None = None,
    negative: bool = False,
) -> list[Row[Any]]:
    """The newest `limit` posts of [since, until) with their author's handle: the given posts
    (`post_ids`), else those `query` matched, else those naming `brand` (`ALL`: any brand of
    the workspace); only the negative ones with `negative`."""
    p = posts.c
    select_ = (
        select(p.id, p.native_id, p.text, p.likes, p.reposts, p.replies, p.quotes,
               p.created_at, authors.c.handle)
        .join(authors, authors.c.id == p.author_id)
        .where(p.created_at >= since, p.created_at < until)
        .order_by(p.created_at.desc())
        .limit(limit)
    )  # fmt: skip
    if post_ids:
        return list(conn.execute(select_.where(p.id.in_(post_ids))))
    if query is not None:
        q = post_queries.c
        select_ = select_.join(post_queries, q.post_id == p.id).where(
            q.workspace == workspace, q.query == query
        )
    else:
        b = post_brands.c
        select_ = select_.join(post_brands, b.post_id == p.id).where(b.workspace == workspace)
        # The whole volume counts a post once, whatever the brands it names.
        select_ = select_.distinct() if brand == ALL else select_.where(b.brand == brand)
    if negative:
        select_ = select_.where(p.sentiment == "negative")
    return list(conn.execute(select_))
