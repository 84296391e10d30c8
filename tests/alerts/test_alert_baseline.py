"""The expected level with little, some and enough history."""

from __future__ import annotations

from datetime import UTC, datetime

from rumeur.alerts.baseline import HOUR, expected, robust_z, share_baseline, share_z

START = datetime(2015, 2, 17, tzinfo=UTC)


def flat(hours: int, per_hour: float) -> dict[datetime, float]:
    return {START + HOUR * i: per_hour for i in range(hours)}


def test_less_than_a_day_of_history_gives_no_expected_level() -> None:
    assert expected(flat(10, 5), START + HOUR * 13, 3, START) is None


def test_a_day_of_history_falls_back_on_the_trailing_median() -> None:
    exp = expected(flat(30, 5), START + HOUR * 30, 3, START)
    assert exp is not None and exp.method == "trailing"
    assert exp.level == 15  # 5 an hour over a 3-hour window


def test_three_days_use_the_same_hours_of_the_previous_days() -> None:
    series = flat(24 * 4, 1)
    for day in range(3):  # a busy 9-12 every day is the norm at 9-12, not a spike
        for h in (9, 10, 11):
            series[START + HOUR * (24 * day + h)] = 10
    exp = expected(series, START + HOUR * (24 * 3 + 12), 3, START)
    assert exp is not None and exp.method == "hour-of-day"
    assert exp.level == 30 and exp.points == 3


def test_two_weeks_blend_in_the_day_of_the_week() -> None:
    exp = expected(flat(24 * 15, 2), START + HOUR * 24 * 15, 3, START)
    assert exp is not None and exp.method == "hour-of-day+weekday"


def test_a_silent_series_does_not_make_one_post_a_spike() -> None:
    exp = expected(flat(48, 0), START + HOUR * 48, 3, START)
    assert exp is not None and exp.spread == 0
    assert robust_z(1, exp) == 1.0  # divided by the floor, not by zero


def test_a_brand_with_few_posts_borrows_the_workspace_share() -> None:
    assert share_baseline(0, 0, 0.4) == 0.4
    assert 0.4 < share_baseline(9, 10, 0.4) < 0.9
    assert share_z(30, 40, 0.4) > 3 > share_z(18, 40, 0.4)
