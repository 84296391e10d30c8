"""Dates typed on the command line, read in the workspace's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rumeur.errors import ConfigError
from rumeur.store.search import Period


def parse_period(since: str | None, until: str | None, zone: ZoneInfo) -> Period:
    return Period(_parse("--since", since, zone, False), _parse("--until", until, zone, True))


def _parse(option: str, value: str | None, zone: ZoneInfo, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option} {value!r}: expected a date such as 2015-02-22") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    # --until 2015-02-22 means up to the end of that day, as a person reads it.
    if end and len(value) == 10:
        moment += timedelta(days=1)
    return moment
