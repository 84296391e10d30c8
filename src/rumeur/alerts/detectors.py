"""The detectors: each reads what it needs at the detectors' clock and returns the fires it
sees, one per subject (a brand, `*` for the whole workspace, or a watch query). They decide
nothing about alerts: the engine turns fires into one alert per storm.

Volume and negative share read `rollups_hourly` only (never a scan of the posts), so a run
costs one grouped range query whatever the traffic.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from rumeur.alerts.baseline import (
    DAY,
    HOUR,
    expected,
    robust_z,
    share_baseline,
    share_z,
    window_sum,
)
from rumeur.alerts.settings import AlertSettings
from rumeur.config import Workspace
from rumeur.store.schema import post_queries, posts, rollups_hourly
from rumeur.store.writer import ALL

VOLUME = "volume_spike"
NEGATIVE = "negative_surge"
WATCH = "watch_word"
KINDS = (VOLUME, NEGATIVE, WATCH)


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


@dataclass(slots=True)
class Counts:
    """Hourly posts and negative posts per subject, and the workspace's first hour."""

    posts: dict[str, dict[datetime, float]]
    negative: dict[str, dict[datetime, float]]
    start: datetime | None


def read_counts(conn: Connection, workspace: str, now: datetime, days: int) -> Counts:
    r = rollups_hourly.c
    since = now - DAY * (days + 1)
    rows = conn.execute(
        select(r.hour, r.brand, r.sentiment, func.sum(r.posts))
        .where(r.workspace == workspace, r.hour >= since, r.hour < now)
        .group_by(r.hour, r.brand, r.sentiment)
    )
    all_posts: dict[str, dict[datetime, float]] = defaultdict(lambda: defaultdict(float))
    negative: dict[str, dict[datetime, float]] = defaultdict(lambda: defaultdict(float))
    for hour, brand, sentiment, n in rows:
        if not brand:
            continue  # posts that name no brand are in the '*' row already
        all_posts[brand][hour] += n
        if sentiment == "negative":
            negative[brand][hour] += n
    start = conn.execute(
        select(func.min(r.hour)).where(r.workspace == workspace, r.brand == ALL, r.hour < now)
    ).scalar()
    return Counts(all_posts, negative, start)


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
        q, p = post_queries.c, posts.c
        first, count = conn.execute(
            select(func.min(p.created_at), func.count())
            .select_from(post_queries.join(posts, posts.c.id == q.post_id))
            .where(q.workspace == ws.slug, q.query == query)
            .where(p.created_at > since, p.created_at <= now)
        ).one()
        if count:
            first = first if first.tzinfo else first.replace(tzinfo=now.tzinfo)
            fires.append(Fire(WATCH, query, count, 0.0, float(count), first, now,
                              {"query": query}))  # fmt: skip
    return fires
