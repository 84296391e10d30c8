"""The reads of `rumeur summary` (`rumeur.analytics.summary`): a workspace's whole history from
the rollups (`rollups_hourly`, `author_rollups`), its saved queries' matches and its rejected
rows. The figures (shares, days in the workspace's zone) are made in analytics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, func, select

from rumeur.store.rollups import ALL
from rumeur.store.schema import author_rollups, authors, post_queries, rejected, rollups_hourly


def by_brand_and_sentiment(conn: Connection, workspace: str) -> list[tuple[str, str, int, int]]:
    """(brand, sentiment, posts, engagement) over the workspace's whole history. PostgreSQL's
    SUM of integers is a numeric (a Decimal in Python): counts are given back as int."""
    r = rollups_hourly
    rows = conn.execute(
        select(r.c.brand, r.c.sentiment, func.sum(r.c.posts), func.sum(r.c.engagement))
        .where(r.c.workspace == workspace)
        .group_by(r.c.brand, r.c.sentiment)
    )
    return [(b, s, int(n), int(e)) for b, s, n, e in rows]


def posts_per_hour(conn: Connection, workspace: str) -> list[tuple[datetime, int]]:
    return _posts_by(conn, workspace, rollups_hourly.c.hour)


def posts_per_language(conn: Connection, workspace: str) -> list[tuple[str, int]]:
    """(language, posts), most posts first."""
    return _posts_by(conn, workspace, rollups_hourly.c.language, most_first=True)


def _posts_by(
    conn: Connection, workspace: str, column: ColumnElement[Any], most_first: bool = False
) -> list[Any]:
    """(value of `column`, posts) over the workspace's whole history, each post once (the
    rollups' `ALL` brand)."""
    r = rollups_hourly
    total = func.sum(r.c.posts)
    query = (
        select(column, total).where(r.c.workspace == workspace, r.c.brand == ALL).group_by(column)
    )
    if most_first:
        query = query.order_by(total.desc())
    return [(value, int(n)) for value, n in conn.execute(query)]


def query_matches(conn: Connection, workspace: str) -> list[tuple[str, int]]:
    """(saved query, posts matched), most posts first."""
    q = post_queries
    count = func.count().label("posts")
    rows = conn.execute(
        select(q.c.query, count)
        .where(q.c.workspace == workspace)
        .group_by(q.c.query)
        .order_by(count.desc(), q.c.query)
    )
    return [(name, n) for name, n in rows]


def top_authors(conn: Connection, workspace: str, top: int) -> list[Row[Any]]:
    """(handle, platform, posts, engagement, followers) of the authors with most posts."""
    a = author_rollups
    query = (
        select(authors.c.handle, authors.c.platform, a.c.posts, a.c.engagement, authors.c.followers)
        .join(authors, authors.c.id == a.c.author_id)
        .where(a.c.workspace == workspace, a.c.posts > 0)
        .order_by(a.c.posts.desc(), a.c.engagement.desc(), authors.c.handle)
        .limit(top)
    )
    return list(conn.execute(query))


def rejected_count(conn: Connection, workspace: str) -> int:
    query = select(func.count()).select_from(rejected).where(rejected.c.workspace == workspace)
    return conn.execute(query).scalar_one()


def rejected_rows(conn: Connection, workspace: str, limit: int) -> list[Row[Any]]:
    """(source, line, field, reason) of the first rejected rows, by source and line."""
    query = (
        select(rejected.c.source, rejected.c.line, rejected.c.field, rejected.c.reason)
        .where(rejected.c.workspace == workspace)
        .order_by(rejected.c.source, rejected.c.line)
        .limit(limit)
    )
    return list(conn.execute(query))
