"""Business time: when a response-time target ends (docs/inbox.md, "Working the inbox").

A workspace's calendar (`[workspaces.business_hours]`) names the days it answers on, the hours
of those days in the workspace's time zone, and its holidays. A target of two hours counts two
hours of real time spent inside those hours: a message received on Friday at 17:00, with hours
09:00-18:00 from Monday to Friday, is due on Monday at 10:00. The arithmetic is done on instants
(UTC): on the night a clock goes forward, an 01:00-04:00 window lasts two hours; on the night it
goes back, four. Without a calendar (None), every hour counts.

Pure functions, no store and no settings file: `due_at` and `business_time` are each other's
inverse (tests/inbox/test_business_hours.py checks it with hypothesis).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rumeur.settings.inbox import BusinessHours

# A calendar whose days are all holidays for this long has no business time left: an error in
# the settings, not a reason to loop for ever.
HORIZON_DAYS = 3 * 366


def windows(
    start: datetime, hours: BusinessHours, zone: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    """The business windows from `start` on, as (open, close) instants in UTC, the first one
    clipped to begin at `start`. Ends (ValueError) after HORIZON_DAYS days without one."""
    start = start.astimezone(UTC)
    day = start.astimezone(zone).date() - timedelta(days=1)  # a window may end after midnight
    empty = 0
    while empty <= HORIZON_DAYS:
        opens, closes = _window(day, hours, zone)
        day += timedelta(days=1)
        if opens is None or closes is None or closes <= start:
            empty += 1
            continue
        empty = 0
        yield max(opens, start), closes
    raise ValueError(f"no business hours in the {HORIZON_DAYS} days after {start.isoformat()}")


def _window(
    day: date, hours: BusinessHours, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    if not hours.open_on(day):
        return None, None
    opens = _instant(day, hours.opens, zone)
    closes = _instant(day, hours.closes, zone)
    return (opens, closes) if closes > opens else (None, None)


def _instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """`minutes` after the local midnight that begins `day`, as a UTC instant. A wall time that
    does not exist (inside a clock's jump forward) reads with the offset before the jump."""
    if minutes >= 24 * 60:
        day, minutes = day + timedelta(days=1), minutes - 24 * 60
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


def due_at(
    start: datetime, duration: timedelta, hours: BusinessHours | None, zone: ZoneInfo
) -> datetime:
    """The instant (UTC) at which `duration` of business time after `start` has passed. A
    duration of zero or less is due at `start`."""
    start = start.astimezone(UTC)
    if hours is None or duration <= timedelta(0):
        return start + max(duration, timedelta(0))
    left = duration
    for opens, closes in windows(start, hours, zone):
        if closes - opens >= left:
            return opens + left
        left -= closes - opens
    raise AssertionError("windows() ends only by raising")  # pragma: no cover


def business_time(
    start: datetime, end: datetime, hours: BusinessHours | None, zone: ZoneInfo
) -> timedelta:
    """How much business time lies between `start` and `end` (zero when `end` is not after
    `start`): how fast a message was answered, in the terms of the targets."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return timedelta(0)
    if hours is None:
        return end - start
    total = timedelta(0)
    for opens, closes in windows(start, hours, zone):
        if opens >= end:
            break
        total += min(closes, end) - opens
    return total
