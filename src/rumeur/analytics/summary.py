"""The summary a listening analyst wants first: volume, share of voice, sentiment, days,
languages, top authors, the posts of each saved query, and rejected rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, select

from rumeur.model import Rejected
from rumeur.store.rollups import ALL
from rumeur.store.schema import author_rollups, authors, post_queries, rejected, rollups_hourly


@dataclass(slots=True)
class BrandFigures:
    name: str
    posts: int
    share: float  # of all brand mentions in the workspace, 0..1
    negative: float  # share of this brand's posts labelled negative, 0..1
    engagement: int


@dataclass(slots=True)
class AuthorFigures:
    handle: str
    platform: str
    posts: int
    engagement: int
    followers: int | None


@dataclass(slots=True)
class Summary:
    workspace: str
    posts: int
    engagement: int
    brands: list[BrandFigures]
    days: list[tuple[date, int]]
    languages: list[tuple[str, int]]
    sentiments: list[tuple[str, int]]
    authors: list[AuthorFigures]
    rejected: int
    rejected_examples: list[str] = field(default_factory=list)
    queries: list[tuple[str, int]] = field(default_factory=list)  # saved query, posts matched


def summarise(conn: Connection, workspace: str, zone: ZoneInfo, top: int = 10) -> Summary:
    r = rollups_hourly
    mine = r.c.workspace == workspace
    rows = conn.execute(
        select(r.c.brand, r.c.sentiment, func.sum(r.c.posts), func.sum(r.c.engagement))
        .where(mine)
        .group_by(r.c.brand, r.c.sentiment)
    ).all()
    hours = conn.execute(
        select(r.c.hour, func.sum(r.c.posts)).where(mine, r.c.brand == ALL).group_by(r.c.hour)
    ).all()
    languages = conn.execute(
        select(r.c.language, func.sum(r.c.posts))
        .where(mine, r.c.brand == ALL)
        .group_by(r.c.language)
        .order_by(func.sum(r.c.posts).desc())
    ).all()
    total = sum(n for b, _, n, _ in rows if b == ALL)
    return Summary(
        workspace=workspace,
        posts=total,
        engagement=sum(e for b, _, _, e in rows if b == ALL),
        brands=_brands(rows),
        days=_days(hours, zone),
        languages=[(lang, n) for lang, n in languages if n],
        sentiments=sorted(((s, n) for b, s, n, _ in rows if b == ALL and n), key=lambda x: -x[1]),
        authors=_authors(conn, workspace, top),
        rejected=_rejected_count(conn, workspace),
        rejected_examples=_rejected_examples(conn, workspace, 5),
        queries=_queries(conn, workspace),
    )


def _queries(conn: Connection, workspace: str) -> list[tuple[str, int]]:
    q = post_queries
    count = func.count().label("posts")
    rows = conn.execute(
        select(q.c.query, count)
        .where(q.c.workspace == workspace)
        .group_by(q.c.query)
        .order_by(count.desc(), q.c.query)
    )
    return [(name, n) for name, n in rows]


def _brands(rows: list) -> list[BrandFigures]:
    posts: Counter[str] = Counter()
    negative: Counter[str] = Counter()
    engagement: Counter[str] = Counter()
    for brand, sentiment, n, e in rows:
        if brand in (ALL, ""):
            continue
        posts[brand] += n
        engagement[brand] += e
        if sentiment == "negative":
            negative[brand] += n
    mentions = sum(posts.values()) or 1
    return [
        BrandFigures(b, n, n / mentions, negative[b] / n if n else 0.0, engagement[b])
        for b, n in posts.most_common()
        if n
    ]


def _days(hours: list, zone: ZoneInfo) -> list[tuple[date, int]]:
    per_day: dict[date, int] = defaultdict(int)
    for hour, n in hours:
        per_day[hour.astimezone(zone).date()] += n
    return sorted((d, n) for d, n in per_day.items() if n)


def _authors(conn: Connection, workspace: str, top: int) -> list[AuthorFigures]:
    a = author_rollups
    query = (
        select(authors.c.handle, authors.c.platform, a.c.posts, a.c.engagement, authors.c.followers)
        .join(authors, authors.c.id == a.c.author_id)
        .where(a.c.workspace == workspace, a.c.posts > 0)
        .order_by(a.c.posts.desc(), a.c.engagement.desc(), authors.c.handle)
        .limit(top)
    )
    return [AuthorFigures(*row) for row in conn.execute(query)]


def _rejected_count(conn: Connection, workspace: str) -> int:
    query = select(func.count()).select_from(rejected).where(rejected.c.workspace == workspace)
    return conn.execute(query).scalar_one()


def _rejected_examples(conn: Connection, workspace: str, limit: int) -> list[str]:
    query = (
        select(rejected.c.source, rejected.c.line, rejected.c.field, rejected.c.reason)
        .where(rejected.c.workspace == workspace)
        .order_by(rejected.c.source, rejected.c.line)
        .limit(limit)
    )
    return [
        Rejected(s, line, f, reason, "").message() for s, line, f, reason in conn.execute(query)
    ]
