"""The detectors: each reads what it needs at the detectors' clock and returns the fires it
sees, one per subject (a brand, `*` for the whole workspace, a watch query, or a post for a
viral post). They decide nothing about alerts: the engine turns fires into one alert per storm.

Volume and negative share read `rollups_hourly` only (never a scan of the posts), so a run
costs one grouped range query whatever the traffic. Viral posts and influencers read the posts
of their last few hours (a range of `ix_posts_created_at`), and their history only when one of
those posts could fire.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row

from rumeur.alerts.baseline import (
    DAY,
    HOUR,
    expected,
    robust_z,
    share_baseline,
    share_z,
    window_sum,
)
from rumeur.alerts.kinds import INFLUENCER, NEGATIVE, VIRAL, VOLUME, WATCH
from rumeur.config import Workspace
from rumeur.settings.alerts import AlertSettings
from rumeur.store import detection as reads
from rumeur.store.rollups import ALL

MIN_AGE = HOUR / 4  # a post younger than this counts as this old: no division by a second
VIRAL_SAMPLE = 2000  # the most recent posts of the baseline days that the usual speed is read from
VIRAL_MIN_SAMPLE = 50  # with fewer, nobody knows what is usual: no viral alert
MIN_SPEED = 1.0  # engagements an hour: the floor of the usual speed of a quiet workspace


@dataclass(slots=True)
class Fire:
    kind: str
    subject: str
    observed: float
    expected: float
    score: float
    since: datetime  # the start of the window that fired (UTC)
    until: datetime  # its end: the detectors' clock
    why: dict[str, Any] = field(default_factory=dict)  # the figures behind the decision
    post_ids: tuple[int, ...] = ()  # the posts that fired, when a fire is about given posts


@dataclass(slots=True)
class Counts:
    """Hourly posts and negative posts per subject, and the workspace's first hour."""

    posts: dict[str, dict[datetime, float]]
    negative: dict[str, dict[datetime, float]]
    start: datetime | None


def read_counts(conn: Connection, workspace: str, now: datetime, days: int) -> Counts:
    rows = reads.hourly_counts(conn, workspace, now - DAY * (days + 1), now)
    all_posts: dict[str, dict[datetime, float]] = defaultdict(lambda: defaultdict(float))
    negative: dict[str, dict[datetime, float]] = defaultdict(lambda: defaultdict(float))
    for hour, brand, sentiment, n in rows:
        if not brand:
            continue  # posts that name no brand are in the '*' row already
        all_posts[brand][hour] += n
        if sentiment == "negative":
            negative[brand][hour] += n
    return Counts(all_posts, negative, reads.first_hour(conn, workspace, now))


def subjects(ws: Workspace) -> list[str]:
    return [ALL, *(b.name for b in ws.brands)]


def volume_spikes(counts: Counts, ws: Workspace, now: datetime, s: AlertSettings) -> list[Fire]:
    if counts.start is None:
        return []
    fires = []
    for subject in subjects(ws):
        series = counts.posts.get(subject, {})
        observed = window_sum(series, now, s.window_hours)
        if observed < s.volume_min_posts:
            continue
        exp = expected(
            series,
            now,
            s.window_hours,
            counts.start,
            days=s.baseline_days,
            min_days=s.min_days,
            trailing_hours=s.trailing_hours,
        )
        if exp is None:
            continue
        level = max(exp.level, 1.0)  # a brand that was silent: one post is the floor
        z = robust_z(observed, exp)
        if observed >= s.volume_ratio * level and z >= s.volume_z:
            why = {"method": exp.method, "points": exp.points, "ratio": round(observed / level, 2)}
            since = now - HOUR * s.window_hours
            fires.append(Fire(VOLUME, subject, observed, round(exp.level, 2), z, since, now, why))
    return fires


def negative_surges(counts: Counts, ws: Workspace, now: datetime, s: AlertSettings) -> list[Fire]:
    if counts.start is None:
        return []
    window = s.negative_window_hours
    prior = _baseline_share(counts, ALL, now, window, s, None)
    if prior is None:
        return []
    fires = []
    for subject in subjects(ws):
        n = window_sum(counts.posts.get(subject, {}), now, window)
        k = window_sum(counts.negative.get(subject, {}), now, window)
        if n < s.negative_min_posts:
            continue
        base = _baseline_share(counts, subject, now, window, s, prior[0])
        if base is None:
            continue
        share, z = k / n, share_z(k, n, base[0])
        if share - base[0] >= s.negative_lift and z >= s.negative_z:
            why = {"posts": n, "negative": k, "baseline_posts": base[1]}
            fires.append(
                Fire(NEGATIVE, subject, round(share, 4), round(base[0], 4), z,
                     now - HOUR * window, now, why)
            )  # fmt: skip
    return fires


def _baseline_share(
    counts: Counts, subject: str, now: datetime, window: int, s: AlertSettings, prior: float | None
) -> tuple[float, float] | None:
    """(share, posts) of negative posts in the baseline days before the window."""
    assert counts.start is not None
    end = now - HOUR * window
    hours = int((end - max(counts.start, end - DAY * s.baseline_days)) / HOUR)
    if hours < s.trailing_hours // 2:
        return None  # too little history to know what is usual
    n = window_sum(counts.posts.get(subject, {}), end, hours)
    k = window_sum(counts.negative.get(subject, {}), end, hours)
    if prior is None:
        return (k / n, n) if n >= s.negative_min_posts else None
    return share_baseline(k, n, prior), n


def watch_words(
    conn: Connection,
    ws: Workspace,
    now: datetime,
    s: AlertSettings,
    after: dict[str, datetime],
) -> list[Fire]:
    """Each watch query with matching posts newer than `after[query]` (where its last alert
    stopped counting) and than the lookback fires with their number; the first of them is
    the start of a new alert."""
    fires = []
    for query in (q.name for q in ws.queries if q.watch):
        since = max(after.get(query, now - HOUR * s.watch_lookback_hours),
                    now - HOUR * s.watch_lookback_hours)  # fmt: skip
        first, count = reads.query_matches(conn, ws.slug, query, since, now)
        if count:
            first = first if first.tzinfo else first.replace(tzinfo=now.tzinfo)
            fires.append(Fire(WATCH, query, count, 0.0, float(count), first, now,
                              {"query": query}))  # fmt: skip
    return fires


def viral_posts(conn: Connection, ws: Workspace, now: datetime, s: AlertSettings) -> list[Fire]:
    """Each post of the last `viral_window_hours` naming a brand whose engagement per hour since
    it was created is `viral_ratio` times the usual speed fires, one subject per post."""
    since = now - HOUR * s.viral_window_hours
    fresh = _engaging_posts(conn, ws.slug, since, now, s.viral_min_engagement)
    if not fresh:
        return []  # the common case: the baseline is not even read
    usual = _usual_speed(conn, ws.slug, since, s)
    if usual is None:
        return []
    fires = []
    for row, brands in fresh:
        age = max(now - row.created_at, MIN_AGE) / HOUR
        speed = row.engagement / age
        if speed >= s.viral_ratio * usual[0]:
            fires.append(_viral_fire(row, brands, speed, age, usual, now))
    return fires


def _engaging_posts(
    conn: Connection, workspace: str, since: datetime, now: datetime, floor: int
) -> list[tuple[Row[Any], list[str]]]:
    rows = reads.engaging_posts(conn, workspace, since, now, floor)
    brands = reads.brands_of(conn, workspace, [row.id for row in rows])
    return [(row, brands[row.id]) for row in rows]


def _usual_speed(
    conn: Connection, workspace: str, since: datetime, s: AlertSettings
) -> tuple[float, int] | None:
    """(engagements an hour, sample size): the `viral_quantile` of the engagement of the
    workspace's last posts of the baseline days before the window, spread over the window's
    hours (an upper bound of how fast a usual post gathered it)."""
    earliest = since - DAY * s.baseline_days
    values = sorted(reads.recent_engagement(conn, workspace, earliest, since, VIRAL_SAMPLE))
    if len(values) < VIRAL_MIN_SAMPLE:
        return None
    level = quantile(values, s.viral_quantile) / s.viral_window_hours
    return max(level, MIN_SPEED), len(values)


def quantile(values: Sequence[float], q: float) -> float:
    """The `q` quantile of sorted `values`, interpolated between the two nearest ranks."""
    at = q * (len(values) - 1)
    low = int(at)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (at - low)


def _viral_fire(
    row: Row[Any],
    brands: list[str],
    speed: float,
    age: float,
    usual: tuple[float, int],
    now: datetime,
) -> Fire:
    why = {
        "post_id": row.id,
        "platform": row.platform,
        "native_id": row.native_id,
        "brands": brands,
        "engagement": row.engagement,
        "likes": row.likes,
        "reposts": row.reposts,
        "replies": row.replies,
        "quotes": row.quotes,
        "age_hours": round(age, 2),
        "baseline_posts": usual[1],
        "ratio": round(speed / usual[0], 2),
    }
    subject = f"post:{row.platform}:{row.native_id}"
    return Fire(VIRAL, subject, round(speed, 2), round(usual[0], 2), speed / usual[0],
                row.created_at, now, why, (row.id,))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Voice:
    """A post of a big account, with one brand it names."""

    post: Row[Any]
    brand: str


def influencers(conn: Connection, ws: Workspace, now: datetime, s: AlertSettings) -> list[Fire]:
    """Per brand, the authors with `influencer_followers` followers or more who named it in the
    last `influencer_window_hours` and not in the `influencer_lookback_days` before."""
    since = now - HOUR * s.influencer_window_hours
    fresh = _big_voices(conn, ws.slug, since, now, s.influencer_followers)
    if not fresh:
        return []
    before = since - DAY * s.influencer_lookback_days
    known = _named_before(conn, ws.slug, {v.post.author_id for v in fresh}, before, since)
    newcomers: dict[str, dict[int, Row[Any]]] = defaultdict(dict)
    for v in fresh:  # in time order: each newcomer's first post of the window
        if (v.post.author_id, v.brand) not in known:
            newcomers[v.brand].setdefault(v.post.author_id, v.post)
    return [
        _influencer_fire(brand, list(first.values()), now, s)
        for brand, first in sorted(newcomers.items())
    ]


def _big_voices(
    conn: Connection, workspace: str, since: datetime, now: datetime, followers: int
) -> list[Voice]:
    """The posts of the window by authors with that many followers, one per brand named."""
    rows = reads.posts_of_big_accounts(conn, workspace, since, now, followers)
    brands = reads.brands_of(conn, workspace, [row.id for row in rows])
    return [Voice(row, brand) for row in rows for brand in brands[row.id]]


def _named_before(
    conn: Connection, workspace: str, author_ids: set[int], since: datetime, until: datetime
) -> set[tuple[int, str]]:
    """The (author, brand) pairs of those authors' posts in [since, until)."""
    rows = reads.posts_by(conn, workspace, author_ids, since, until)
    brands = reads.brands_of(conn, workspace, [post_id for post_id, _ in rows])
    return {(author, brand) for post_id, author in rows for brand in brands[post_id]}


def _influencer_fire(brand: str, rows: list[Row[Any]], now: datetime, s: AlertSettings) -> Fire:
    rows.sort(key=lambda r: (-r.followers, r.created_at))
    reach = sum(r.followers for r in rows)
    voices = [
        {"handle": r.handle, "followers": r.followers, "verified": bool(r.verified),
         "post_id": r.id, "native_id": r.native_id, "at": r.created_at.isoformat()}
        for r in rows[: s.top]
    ]  # fmt: skip
    why = {"reach": reach, "influencers": voices, "lookback_days": s.influencer_lookback_days}
    first = min(r.created_at for r in rows)
    return Fire(INFLUENCER, brand, float(reach), float(s.influencer_followers),
                reach / s.influencer_followers, first, now, why,
                tuple(r.id for r in rows))  # fmt: skip
