"""The summary a listening analyst wants first: volume, share of voice, sentiment, days,
languages, top authors, the posts of each saved query, and rejected rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from rumeur.model import Rejected
from rumeur.store import summary as reads
from rumeur.store.rollups import ALL


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
    rows = reads.by_brand_and_sentiment(conn, workspace)
    hours = reads.posts_per_hour(conn, workspace)
    languages = reads.posts_per_language(conn, workspace)
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
        rejected=reads.rejected_count(conn, workspace),
        rejected_examples=_rejected_examples(conn, workspace, 5),
        queries=reads.query_matches(conn, workspace),
    )


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
    return [AuthorFigures(*row) for row in reads.top_authors(conn, workspace, top)]


def _rejected_examples(conn: Connection, workspace: str, limit: int) -> list[str]:
    return [
        Rejected(s, line, f, reason, "").message()
        for s, line, f, reason in reads.rejected_rows(conn, workspace, limit)
    ]
