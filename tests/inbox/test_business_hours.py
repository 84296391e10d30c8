"""Business time (inbox/hours.py): when a response-time target ends, across nights, weekends,
holidays and the clock changes of Europe/Paris, and how much business time lies between two
instants; each the inverse of the other."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO
from rumeur.config import parse_settings
from rumeur.inbox.hours import business_time, due_at, windows
from rumeur.settings.inbox import BusinessHours

PARIS = ZoneInfo("Europe/Paris")
OFFICE = BusinessHours(days=["mon", "tue", "wed", "thu", "fri"], start="09:00", end="18:00")
EVERY_DAY = BusinessHours(days=["mon", "tue", "wed", "thu", "fri", "sat", "sun"])


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def test_within_a_day_the_target_is_plain_time() -> None:
    # Tuesday 1 December 2026, 10:00 in Paris (09:00 UTC).
    assert due_at(paris(2026, 12, 1, 10), timedelta(hours=2), OFFICE, PARIS) == paris(
        2026, 12, 1, 12
    )
    assert due_at(paris(2026, 12, 1, 10), timedelta(hours=2), OFFICE, PARIS).tzinfo == UTC


def test_the_night_and_the_weekend_do_not_count() -> None:
    # Friday 4 December 2026 at 17:00: one hour on Friday, one on Monday.
    assert due_at(paris(2026, 12, 4, 17), timedelta(hours=2), OFFICE, PARIS) == paris(
        2026, 12, 7, 10
    )
    # Received on Saturday: the clock starts on Monday at 09:00.
    assert due_at(paris(2026, 12, 5, 11), timedelta(minutes=30), OFFICE, PARIS) == paris(
        2026, 12, 7, 9, 30
    )
    # Received on a weekday evening: the next morning.
    assert due_at(paris(2026, 12, 1, 20), timedelta(hours=1), OFFICE, PARIS) == paris(
        2026, 12, 2, 10
    )


def test_a_holiday_does_not_count() -> None:
    hours = OFFICE.model_copy(update={"holidays": [date(2026, 12, 25)]})
    # Thursday 24 December 17:30: half an hour that day, Christmas skipped, Friday 25 off too.
    assert due_at(paris(2026, 12, 24, 17, 30), timedelta(hours=1), hours, PARIS) == paris(
        2026, 12, 28, 9, 30
    )
    assert due_at(paris(2026, 12, 24, 17, 30), timedelta(hours=1), OFFICE, PARIS) == paris(
        2026, 12, 25, 9, 30
    )


def test_the_clock_changes_of_paris_are_read_as_instants() -> None:
    # Summer time begins on Sunday 29 March 2026 (02:00 CET -> 03:00 CEST).
    # Saturday 17:00 CET, open every day 09:00-18:00: one hour on Saturday, one on Sunday,
    # due at 10:00 CEST, which is 08:00 UTC (not 09:00 UTC as a fixed offset would say).
    due = due_at(paris(2026, 3, 28, 17), timedelta(hours=2), EVERY_DAY, PARIS)
    assert due == datetime(2026, 3, 29, 8, tzinfo=UTC)
    assert due == paris(2026, 3, 29, 10)
    # A window across the jump is an hour shorter; across the fall back (25 October), longer.
    night = BusinessHours(days=["sun"], start="01:00", end="04:00")
    assert business_time(paris(2026, 3, 29), paris(2026, 3, 30), night, PARIS) == timedelta(hours=2)
    assert business_time(paris(2026, 10, 25), paris(2026, 10, 26), night, PARIS) == timedelta(
        hours=4
    )
    # Winter time: a Monday 17:30 CET message with a one-hour target, due Tuesday 09:30 CET.
    assert due_at(paris(2026, 10, 26, 17, 30), timedelta(hours=1), OFFICE, PARIS) == datetime(
        2026, 10, 27, 8, 30, tzinfo=UTC
    )


def test_until_midnight_and_without_a_calendar() -> None:
    late = BusinessHours(days=["mon"], start="20:00", end="24:00")
    # Monday 7 December 23:00, two hours: one that night, one the next Monday.
    assert due_at(paris(2026, 12, 7, 23), timedelta(hours=2), late, PARIS) == paris(
        2026, 12, 14, 21
    )
    start = paris(2026, 12, 5, 23)
    assert due_at(start, timedelta(hours=3), None, PARIS) == start + timedelta(hours=3)
    assert business_time(start, start + timedelta(hours=3), None, PARIS) == timedelta(hours=3)
    assert due_at(start, timedelta(0), OFFICE, PARIS) == start


def test_a_calendar_without_an_open_day_ends_with_an_error() -> None:
    closed = BusinessHours(
        days=["mon"], holidays=[date(2027, 1, 4) + timedelta(weeks=w) for w in range(200)]
    )
    with pytest.raises(ValueError, match="no business hours"):
        due_at(paris(2027, 1, 1), timedelta(hours=1), closed, PARIS)


HOURS = [("00:00", "24:00"), ("01:30", "03:00"), ("02:15", "02:45"), ("09:00", "18:00"),
         ("08:00", "12:00"), ("22:00", "24:00")]  # fmt: skip
CALENDARS = st.builds(
    lambda days, opening, holidays: BusinessHours(
        days=days, start=opening[0], end=opening[1], holidays=holidays
    ),
    st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1),
    st.sampled_from(HOURS),
    st.lists(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=5),
)
INSTANTS = st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC))
DURATIONS = st.timedeltas(timedelta(0), timedelta(days=5)).map(
    lambda d: timedelta(seconds=int(d.total_seconds()))
)
ZONES = st.sampled_from([PARIS, ZoneInfo("America/New_York"), ZoneInfo("UTC")])


@settings(max_examples=150, deadline=None)
@given(CALENDARS, INSTANTS, DURATIONS, ZONES)
def test_due_at_and_business_time_are_each_others_inverse(
    hours: BusinessHours, start: datetime, duration: timedelta, zone: ZoneInfo
) -> None:
    due = due_at(start, duration, hours, zone)
    assert due >= start
    assert business_time(start, due, hours, zone) == duration
    if duration > timedelta(0):
        # The target ends inside business hours (or at a closing time), never in the night.
        inside = any(opens < due <= closes for opens, closes in _until(start, due, hours, zone))
        assert inside
        # A second earlier, the target had not ended yet.
        earlier = business_time(start, due - timedelta(seconds=1), hours, zone)
        assert earlier < duration


def _until(start: datetime, end: datetime, hours: BusinessHours, zone: ZoneInfo):
    for opens, closes in windows(start, hours, zone):
        if opens > end:
            return
        yield opens, closes


@settings(max_examples=100, deadline=None)
@given(CALENDARS, INSTANTS, DURATIONS, DURATIONS, ZONES)
def test_a_longer_target_is_never_due_sooner(
    hours: BusinessHours, start: datetime, a: timedelta, b: timedelta, zone: ZoneInfo
) -> None:
    short, long = sorted((a, b))
    assert due_at(start, short, hours, zone) <= due_at(start, long, hours, zone)


@pytest.mark.parametrize("doc", ["inbox.md", "inbox.fr.md"])
def test_the_docs_calendar_says_what_the_docs_say(doc: str) -> None:
    """docs/inbox.md, "Response-time targets": Friday 17:00 with two hours is Monday 10:00."""
    text = (REPO / "docs" / doc).read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"^```toml\n(.*?)^```", text, re.M | re.S) if "business" in b]
    ws = parse_settings(block, f"docs/{doc}").workspace()
    [colis] = ws.departments
    assert (colis.first_response, colis.next_response) == (
        timedelta(hours=2),
        timedelta(minutes=30),
    )
    assert colis.first_response is not None
    due = due_at(paris(2026, 12, 4, 17), colis.first_response, ws.business_hours, ws.zone)
    assert due == paris(2026, 12, 7, 10)
    christmas = due_at(paris(2026, 12, 24, 17), colis.first_response, ws.business_hours, ws.zone)
    assert christmas == paris(2026, 12, 28, 10)
