"""The reads of the dashboard (`rumeur.analytics.dashboard`): grouped queries on the primary keys
of `rollups_hourly` and `facet_rollups`, the authors of the opinion leaders, and the scan of the
period's posts that the tests and the benchmark compare the rollups with. The figures (buckets,
shares, scores) are made in analytics; this module only reads.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Float,
    Row,
    RowMapping,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    func,
    select,
    union_all,
)

from rumeur.metrics import ENGAGEMENT
from rumeur.store.rollups import ALL
from rumeur.store.schema import (
    UTCDateTime,
    authors,
    facet_days,
    facet_rollups,
    post_brands,
    posts,
    rollups_hourly,
)

AUTHORS_PER_QUERY = 500  # ids per IN list when the leaders' authors are read
DAY = timedelta(days=1)
# Past this many values that may reach a top list, counting them all costs less than looking
# each up day by day.
MAX_CANDIDATES = 2000
# The kinds whose top lists are counted from their contenders alone: words, two thirds of
# facet_days' rows in the benchmark's million posts. Hashtags, links, mentions and sites hold a
# few percent each: counting all of a month's costs less than the first pass of `contenders`
# (on PostgreSQL 10 to 30 ms against about 10).
FEW_REACH = frozenset({"word"})
DAYS_PER_QUERY = 100  # sub-selects of one UNION ALL (SQLite takes 500 at most)

Pair = list[int]  # posts, engagement


@dataclass(frozen=True, slots=True)
class Span:
    """Rollup rows of a workspace in [lo, hi): whole hours, or whole UTC days for the facets;
    only the given reasons when `reasons` is set (a department's view)."""

    workspace: str
    lo: datetime
    hi: datetime
    reasons: tuple[str, ...] | None = None
    # The hours, inside [lo, hi), at which the caller's buckets begin (a chart's local days):
    # the reads keyed by hour then sum each piece, from one of them to the next, and key it by
    # its first hour. The same figures once bucketed, in a twentieth of the rows to parse.
    pieces: tuple[datetime, ...] = ()


def data_span(conn: Connection, workspace: str) -> tuple[datetime, datetime] | None:
    """The first and the last hour (UTC) with posts in the workspace."""
    r = rollups_hourly
    query = select(r.c.hour).where(r.c.workspace == workspace, r.c.brand == ALL, r.c.posts > 0)
    first = conn.execute(query.order_by(r.c.hour).limit(1)).scalar()
    if first is None:
        return None
    last = conn.execute(query.order_by(r.c.hour.desc()).limit(1)).scalar_one()
    return first, last


def _hourly_where(span: Span) -> list[Any]:
    r = rollups_hourly
    where = [r.c.workspace == span.workspace, r.c.hour >= span.lo, r.c.hour < span.hi]
    return where + _reasons_where(span)


def _reasons_where(span: Span) -> list[Any]:
    return [] if span.reasons is None else [rollups_hourly.c.reason.in_(span.reasons)]


def _sums() -> tuple[Any, Any]:
    r = rollups_hourly
    return func.sum(r.c.posts), func.sum(r.c.engagement)


def _by_hour(
    conn: Connection,
    span: Span,
    keys: Sequence[Any],
    sums: Sequence[Any],
    where: Sequence[Any],
    having: Any = None,
) -> Iterator[Row[Any]]:
    """(hour, *keys, *sums) of the span's rows that `where` allows, grouped by the hour and
    `keys`; with `span.pieces`, grouped by piece instead, the hour being the piece's first."""
    r = rollups_hourly
    if not span.pieces:
        query = select(r.c.hour, *keys, *sums).where(*_hourly_where(span), *where)
        query = query.group_by(r.c.hour, *keys)
        yield from conn.execute(query if having is None else query.having(having))
        return
    same = [r.c.workspace == span.workspace, *_reasons_where(span), *where]
    bounds = [span.lo, *(p for p in span.pieces if span.lo < p < span.hi), span.hi]
    for start in range(0, len(bounds) - 1, DAYS_PER_QUERY):
        chunk = bounds[start : start + DAYS_PER_QUERY + 1]
        piece = _pieces(len(chunk) - 1)
        inside = and_(r.c.hour >= piece.c.lo, r.c.hour < piece.c.hi)
        query = select(piece.c.lo, *keys, *sums).join_from(piece, r, inside).where(*same)
        query = query.group_by(piece.c.lo, *keys)
        query = query if having is None else query.having(having)
        yield from conn.execute(query, {f"piece{i}": b for i, b in enumerate(chunk)})


@lru_cache(maxsize=16)
def _pieces(count: int) -> Subquery:
    """`count` pieces of time as rows (lo, hi), from parameters `piece0`... `piece{count}`
    (each piece ends where the next begins): made once for a number of pieces."""
    bounds = [bindparam(f"piece{i}", type_=UTCDateTime()) for i in range(count + 1)]
    rows = [select(lo.label("lo"), hi.label("hi")) for lo, hi in pairwise(bounds)]
    return (rows[0] if count == 1 else union_all(*rows)).subquery("pieces")


def by_hour_and_sentiment(conn: Connection, span: Span) -> dict[tuple[datetime, str], Pair]:
    """The whole volume's posts and engagement per (hour, sentiment), or per (piece,
    sentiment) with `span.pieces`."""
    r = rollups_hourly
    n, e = _sums()
    rows = _by_hour(conn, span, [r.c.sentiment], [n, e], [r.c.brand == ALL])
    return {(h, s): [int(p), int(g)] for h, s, p, g in rows}


def by_dimensions(conn: Connection, span: Span) -> dict[tuple[str, str, str, str], Pair]:
    """The whole volume's posts and engagement per (platform, language, emotion, reason)."""
    r = rollups_hourly
    n, e = _sums()
    whole = [*_hourly_where(span), r.c.brand == ALL]
    dims = (r.c.platform, r.c.language, r.c.emotion, r.c.reason)
    rows = conn.execute(select(*dims, n, e).where(*whole).group_by(*dims))
    return {(pl, la, em, re): [int(p), int(g)] for pl, la, em, re, p, g in rows}


def by_hour_and_brand(
    conn: Connection, span: Span, names: Sequence[str]
) -> Iterable[tuple[datetime, str, int, int, int]]:
    """Posts, engagement and negative posts per (hour, brand) of the brands named, or per
    (piece, brand) with `span.pieces`."""
    r = rollups_hourly
    n, e = _sums()
    negative = func.sum(case((r.c.sentiment == "negative", r.c.posts), else_=0))
    # Sentiment apart: fewer rows (and times to parse) to read; the negative posts summed
    # beside, rather than by a second pass over the same rows.
    rows = _by_hour(conn, span, [r.c.brand], [n, e, negative], [r.c.brand.in_(names)])
    for h, b, p, g, m in rows:
        yield h, b, int(p), int(g), int(m)


def platforms_of(conn: Connection, span: Span, brand: str) -> dict[str, int]:
    """Posts naming `brand`, per platform."""
    r = rollups_hourly
    n, _ = _sums()
    mine = [*_hourly_where(span), r.c.brand == brand]
    rows = conn.execute(select(r.c.platform, n).where(*mine).group_by(r.c.platform))
    return {platform: int(p) for platform, p in rows}


def volume_by_hour(conn: Connection, span: Span) -> dict[datetime, int]:
    """The whole volume's posts per hour, or per piece with `span.pieces` (those without posts
    left out): the previous period's size and which of its days hold data."""
    r = rollups_hourly
    n, _ = _sums()
    rows = _by_hour(conn, span, [], [n], [r.c.brand == ALL], having=n > 0)
    return {h: int(p) for h, p in rows}


def _facet_where(span: Span, kind: str) -> list[Any]:
    f = facet_rollups
    where = [f.c.workspace == span.workspace, f.c.kind == kind]
    where += [f.c.day >= span.lo, f.c.day < span.hi]
    if span.reasons is not None:
        where.append(f.c.reason.in_(span.reasons))
    return where


def _bytewise(conn: Connection, column: Any) -> Any:
    """Order by code point, as Python does, whatever the database's collation."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def top_facets(conn: Connection, days: Span, kind: str, top: int) -> list[tuple[str, int]]:
    """The `top` values of a facet kind by posts, then by value (code point order)."""
    if days.reasons is not None:  # a department's view: its reasons' rows of facet_rollups
        return _grouped_top(conn, facet_rollups, _facet_where(days, kind), top)
    if kind in FEW_REACH:
        busy, candidates = contenders(conn, days, kind, top)
    else:
        busy, candidates = _days_of(days), None
    where = _day_where(days.workspace, kind, busy)
    if candidates is not None:
        where.append(facet_days.c.value.in_(candidates))
    return _grouped_top(conn, facet_days, where, top)


def contenders(
    conn: Connection, days: Span, kind: str, top: int
) -> tuple[list[datetime], list[str] | None]:
    """The days of the span with posts, and the values that can make its `top` list (None: any
    value can, or so many that counting them all costs less). Exact: a value whose total
    reaches the floor of `_floor_of_top` over the busy days reaches floor / days on one of them
    at least, so only the values with such a day can be among the `top`."""
    floor, busy = _floor_of_top(conn, days.workspace, kind, _days_of(days), top)
    least = -(-floor // max(len(busy), 1))  # the ceiling: counts are whole
    if least <= 1:
        return busy, None
    d = facet_days.c
    where = [*_day_where(days.workspace, kind, busy), d.posts >= least]
    candidates = list(conn.execute(select(d.value).where(*where).distinct()).scalars())
    return busy, candidates if len(candidates) <= MAX_CANDIDATES else None


def _days_of(days: Span) -> list[datetime]:
    """The UTC days (midnights) of [days.lo, days.hi)."""
    return [days.lo + i * DAY for i in range((days.hi - days.lo) // DAY)]


def _day_where(workspace: str, kind: str, window: Sequence[datetime]) -> list[Any]:
    """`facet_days` rows of these days. The days are listed rather than given as a range: with a
    list of values too (`value IN`), each (day, value) is one look-up in the key."""
    d = facet_days.c
    return [d.workspace == workspace, d.kind == kind, d.day.in_(window)]


def _floor_of_top(
    conn: Connection, workspace: str, kind: str, window: Sequence[datetime], top: int
) -> tuple[int, list[datetime]]:
    """A count that the `top`-th value of the window reaches at least (0 when fewer than `top`
    values show), and the days with a positive count. Read from each day's `top` values by
    count: their posts summed over the days read are no more than their totals."""
    so_far: Counter[str] = Counter()
    busy: set[datetime] = set()
    for start in range(0, len(window), DAYS_PER_QUERY):
        chunk = window[start : start + DAYS_PER_QUERY]
        params = {"workspace": workspace, "kind": kind}
        params.update({f"day{i}": day for i, day in enumerate(chunk)})
        for day, value, n in conn.execute(_firsts(len(chunk), top), params):
            so_far[value] += int(n)
            busy.add(day)
    best = sorted(so_far.values(), reverse=True)
    floor = best[top - 1] if top and len(best) >= top else 0
    return floor, sorted(busy)


@lru_cache(maxsize=16)
def _firsts(days: int, top: int) -> CompoundSelect:
    """Each of `days` days' `top` values by count (parameters `workspace`, `kind`, `day0`...):
    one statement, made once for a window's length (thirty sub-selects cost more to build than
    to run)."""
    d = facet_days.c
    firsts = [
        select(d.day, d.value, d.posts)
        .where(d.workspace == bindparam("workspace"), d.kind == bindparam("kind"))
        .where(d.day == bindparam(f"day{i}"), d.posts > 0)
        .order_by(d.posts.desc())
        .limit(top)
        .subquery()
        for i in range(days)
    ]
    return union_all(*(select(*f.c) for f in firsts))


def _grouped_top(conn: Connection, table: Any, where: list[Any], top: int) -> list[tuple[str, int]]:
    n = func.sum(table.c.posts)
    query = (
        select(table.c.value, n)
        .where(*where)
        .group_by(table.c.value)
        .having(n > 0)
        .order_by(n.desc(), _bytewise(conn, table.c.value))
        .limit(top)
    )
    return [(value, int(count)) for value, count in conn.execute(query)]


def top_authors(conn: Connection, days: Span, limit: int) -> list[tuple[int, int, int]]:
    """(author id, posts, engagement) of the `limit` authors with the best leader's score
    (`leader_score`), best first, ties by handle in code point order.

    Exact without joining every author of the period: an author's score is at most
    engagement + posts * `reach`, where `reach` takes the most followers of any author (one
    look-up in `ix_authors_followers`). The period's authors are read by that bound, best
    first, `wanted` at a time; once the `limit`-th exact score of those read beats the bound
    of the last one, no author left unread can reach the list."""
    if days.reasons is None:  # one row per author and day rather than per reason too
        f, where = facet_days, _day_where(days.workspace, "author", _days_of(days))
    else:
        f, where = facet_rollups, _facet_where(days, "author")
    reach = leader_score(0, 1, most_followers(conn))
    n, e = func.sum(f.c.posts), func.sum(f.c.engagement)
    # The bound summed as a float row by row, not computed from the exact sums: PostgreSQL's
    # sum of a bigint is a numeric, and turning every author's into a float to order them cost
    # a third of the query (a month of the benchmark's million posts has 27,000 authors).
    bound = func.sum(cast(f.c.engagement, Float) + f.c.posts * reach)
    by_bound = (
        select(f.c.value, n, e)
        .where(*where)
        .group_by(f.c.value)
        .having(n > 0)
        .order_by(bound.desc())
    )
    wanted = 2 * limit + 10
    while True:
        rows = [(int(a), int(p), int(g)) for a, p, g in conn.execute(by_bound.limit(wanted))]
        best = _ranked_authors(conn, rows)
        if len(rows) < wanted or _settled(best, rows[-1], reach, limit):
            return [(a, p, g) for _, _, a, p, g in best[:limit]]
        wanted *= 4


def leader_score(engagement: int, posts: int, followers: int | None) -> float:
    """An opinion leader's score: reach and engagement together, not followers alone."""
    return engagement + posts * (1 + math.log10(1 + (followers or 0)))


def most_followers(conn: Connection) -> int:
    """The most followers of any author (0 when no source gave any)."""
    return int(conn.execute(select(func.max(authors.c.followers))).scalar() or 0)


def _ranked_authors(
    conn: Connection, rows: list[tuple[int, int, int]]
) -> list[tuple[float, str, int, int, int]]:
    """(-score, handle, id, posts, engagement) of these authors, best first; an id without an
    author row is left out, as a join would."""
    people = authors_by_id(conn, [a for a, _, _ in rows])
    ranked = [
        (-leader_score(g, p, people[a].followers), people[a].handle, a, p, g)
        for a, p, g in rows
        if a in people
    ]
    return sorted(ranked)


def _settled(
    best: list[tuple[float, str, int, int, int]], last: tuple[int, int, int], reach: float, k: int
) -> bool:
    """Whether no author ranked after `last` by the bound can enter the first `k` of `best`: the
    `k`-th score beats that bound, with room for the database's rounding of it."""
    if len(best) < k:
        return False
    _, posts_n, engagement = last
    bound = engagement + posts_n * reach
    return -best[k - 1][0] > bound * (1 + 1e-9) + 1e-9


def authors_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, Any]:
    """The author rows of these ids."""
    people = {}
    for start in range(0, len(ids), AUTHORS_PER_QUERY):
        chunk = ids[start : start + AUTHORS_PER_QUERY]
        query = select(authors).where(authors.c.id.in_(chunk))
        people.update({row.id: row for row in conn.execute(query)})
    return people


def posts_with_brands(
    conn: Connection, workspace: str, since: datetime, until: datetime
) -> Iterable[RowMapping]:
    """The workspace's posts of [since, until), one row per (post, brand named): a scan of the
    posts, for the reference reader that the rollups are checked against."""
    pb = post_brands
    columns = [posts.c[c] for c in ("id", "created_at", "platform", "sentiment", "language",
               "emotion", "reason", *ENGAGEMENT, "text", "title", "hashtags", "mentions",
               "links", "author_id")]  # fmt: skip
    query = (
        select(*columns, pb.c.brand)
        .join(pb, pb.c.post_id == posts.c.id)
        .where(pb.c.workspace == workspace)
        .where(posts.c.created_at >= since)
        .where(posts.c.created_at < until)
    )
    return conn.execute(query).mappings()
