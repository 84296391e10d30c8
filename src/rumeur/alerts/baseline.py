"""The expected level of an hourly count, robust to the storms it must detect.

The expected count of a window of `hours` hours ending at `end` is, in order of preference:

1. the median of the same window on each of the previous `baseline_days` days (the hour of
   the day matters: a 3 a.m. lull is no spike at 9 a.m.), blended half and half with the median
   of the same window on the same weekday of the previous weeks when there are two such weeks;
2. with fewer than `min_days` such days, the median of the last `trailing_hours` hourly counts
   times `hours` (a new workspace), once there are that many hours of history;
3. nothing, when there is not even that much history: no alert is better than a guess.

The spread is the median absolute deviation scaled to a standard deviation (x 1.4826), and the
score divides by at least the Poisson deviation sqrt(expected), so that a quiet series with a
spread of zero does not make every post a spike.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)
MAD_TO_SD = 1.4826

Series = Mapping[datetime, float]  # UTC hour -> count; a missing hour counts 0


@dataclass(frozen=True, slots=True)
class Expected:
    level: float
    spread: float
    method: str  # "hour-of-day", "hour-of-day+weekday" or "trailing"
    points: int  # how many values the median was taken over


def window_sum(series: Series, end: datetime, hours: int) -> float:
    return sum(series.get(end - HOUR * (i + 1), 0.0) for i in range(hours))


def expected(
    series: Series,
    end: datetime,
    hours: int,
    history_start: datetime,
    *,
    days: int = 7,
    min_days: int = 3,
    trailing_hours: int = 24,
) -> Expected | None:
    """The expected count of the window [end - hours, end), from history before it only."""
    daily = _same_window(series, end, hours, history_start, DAY, days)
    if len(daily) >= min_days:
        level, spread = _median_mad(daily)
        weekly = _same_window(series, end, hours, history_start, WEEK, 4)
        if len(weekly) >= 2:
            week_level, week_spread = _median_mad(weekly)
            return Expected(
                (level + week_level) / 2,
                (spread + week_spread) / 2,
                "hour-of-day+weekday",
                len(daily) + len(weekly),
            )
        return Expected(level, spread, "hour-of-day", len(daily))
    return _trailing(series, end, hours, history_start, trailing_hours)


def robust_z(observed: float, exp: Expected) -> float:
    return (observed - exp.level) / max(exp.spread, math.sqrt(exp.level), 1.0)


def _same_window(
    series: Series, end: datetime, hours: int, start: datetime, step: timedelta, count: int
) -> list[float]:
    out = []
    for k in range(1, count + 1):
        past_end = end - step * k
        if past_end - HOUR * hours < start:
            break  # before the workspace had any post: not a zero, an unknown
        out.append(window_sum(series, past_end, hours))
    return out


def _trailing(
    series: Series, end: datetime, hours: int, start: datetime, trailing_hours: int
) -> Expected | None:
    first = end - HOUR * hours  # the window itself is not its own baseline
    points = [
        series.get(first - HOUR * (i + 1), 0.0)
        for i in range(trailing_hours)
        if first - HOUR * (i + 1) >= start
    ]
    if len(points) < trailing_hours:
        return None  # a part of a day only: its daily cycle would look like a spike
    level, spread = _median_mad(points)
    # A sum of `hours` roughly independent hours: the level adds up, the deviation by sqrt.
    return Expected(level * hours, spread * math.sqrt(hours), "trailing", len(points))


def _median_mad(values: Sequence[float]) -> tuple[float, float]:
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    return median, mad * MAD_TO_SD


def share_baseline(
    negative: float, posts: float, prior_share: float, prior_weight: float = 50.0
) -> float:
    """The subject's usual negative share, shrunk toward the workspace's own when the subject
    has few posts (a brand new to the stream has no share of its own yet)."""
    return (negative + prior_weight * prior_share) / (posts + prior_weight)


def share_z(negative: float, posts: float, baseline: float) -> float:
    """How far the window's share is above the baseline, in binomial standard errors."""
    if posts <= 0:
        return 0.0
    p = min(max(baseline, 0.01), 0.99)
    return (negative / posts - p) / math.sqrt(p * (1 - p) / posts)
