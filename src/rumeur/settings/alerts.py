"""The thresholds of the detectors, per workspace (`[workspaces.alerts]`).

The defaults were tuned on the shape of the demo's airline set only (six brands, a few hundred
posts a day each, eight days of February 2015): see docs/alerts.md. A workspace with much more
or much less traffic should check them against its own history.

In the config layer (`rumeur.settings`), so that reading a settings file loads no detector.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Positive = Annotated[float, Field(gt=0)]
Hours = Annotated[int, Field(ge=1, le=168)]


class AlertSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Volume spike: the posts of the last `window_hours` against the expected level.
    window_hours: Hours = 3
    volume_ratio: Positive = 2.5  # observed at least this many times the expected level
    volume_z: Positive = 5.0  # and this many robust deviations above it
    volume_min_posts: Annotated[int, Field(ge=1)] = 30
    # The baseline: the same hours of the previous `baseline_days` days; with fewer than
    # `min_days` of them, a trailing median of the last `trailing_hours` hours instead.
    baseline_days: Annotated[int, Field(ge=1, le=28)] = 7
    min_days: Annotated[int, Field(ge=1, le=28)] = 3
    trailing_hours: Hours = 24
    # Negative-share surge over `negative_window_hours`, against the subject's share over the
    # baseline days (shrunk toward the workspace's share when the subject has few posts).
    negative_window_hours: Hours = 6
    negative_lift: Annotated[float, Field(gt=0, lt=1)] = 0.12  # share points above the baseline
    negative_z: Positive = 3.0
    negative_min_posts: Annotated[int, Field(ge=1)] = 40
    # An alert that has not fired for this long is closed; the next fire opens a new one.
    cooldown_hours: Hours = 6
    # Watch words alert on matches newer than this (or than the last closed alert).
    watch_lookback_hours: Hours = 24
    top: Annotated[int, Field(ge=1, le=20)] = 5  # posts, terms and authors in an explanation
    # Viral post: a post of the last `viral_window_hours` whose engagement per hour since it
    # was created is `viral_ratio` times the `viral_quantile` of the posts of the previous
    # `baseline_days` (their engagement over `viral_window_hours`), with at least
    # `viral_min_engagement` likes, reposts, replies and quotes.
    viral_window_hours: Hours = 6
    viral_ratio: Positive = 10.0
    viral_quantile: Annotated[float, Field(ge=0.5, lt=1)] = 0.99
    viral_min_engagement: Annotated[int, Field(ge=1)] = 25
    # Influencer: an author with at least `influencer_followers` followers whose post of the
    # last `influencer_window_hours` names a brand they had not named in the
    # `influencer_lookback_days` before.
    influencer_followers: Annotated[int, Field(ge=1)] = 10_000
    influencer_window_hours: Hours = 3
    influencer_lookback_days: Annotated[int, Field(ge=1, le=90)] = 30
