"""Every link from a figure to the mentions, made in one place: the dashboard's tables, an
alert and its crisis room. Each opens the stream on a query that finds exactly the posts the
figure counted: the same posts (a brand's by the stream's brand filter, which is `brand:`:
its attribution, not a word of its name) over the same time (the figure's hours or days, as
`start` and `end`).

What a figure counts, and so what its link says:

- the dashboard's volumes (brands, platforms) count the exact hours of the period, from
  the hourly rollups; its top hashtags and leaders count whole UTC days (the facet rollups);
  its top terms, mentions and sites have no link (`DashboardLinks.tag` says why);
- an alert counts its window [since, until) (`explanation`), a brand's posts for a volume
  spike and a negative surge (`ALL`: every post of the workspace), a saved query's matches
  for a watch word (from its first match to the time it fired, that time included).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rumeur.alerts.kinds import NEGATIVE, VOLUME, WATCH
from rumeur.analytics.dashboard import counted_spans
from rumeur.config import Workspace
from rumeur.store.rollups import ALL
from rumeur.web.filters import stream_link

# A watch word counts the posts up to the time it fired, that time included; the stream's
# `end` is excluded, so the link ends a second later (posts are stored to the second).
_INCLUDED = timedelta(seconds=1)


def figure_link(
    slug: str, since: datetime, until: datetime, zone: ZoneInfo, **values: str
) -> str | None:
    """The stream's address for the posts a figure counted over [since, until) (UTC, any
    precision): the window as `start` and `end` in the workspace's time, with its offset so
    that an hour a change of clock repeats is not read twice."""
    window = {"start": _moment(since, zone), "end": _moment(until, zone)}
    return stream_link(slug, **window, **values)


def _moment(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    exact = local.second == 0 and local.microsecond == 0
    return local.isoformat(timespec="minutes" if exact else "seconds")


def _window(why: Mapping[str, Any]) -> tuple[datetime, datetime] | None:
    try:
        since, until = (datetime.fromisoformat(str(why[k])) for k in ("since", "until"))
    except (KeyError, ValueError):
        return None
    return since.astimezone(UTC), until.astimezone(UTC)


def alert_link(ws: Workspace, alert: Mapping[str, Any]) -> str | None:
    """The posts an alert counted in its window; None for the alerts about posts rather than a
    count (a viral post, an influencer), and for an alert without a window."""
    why = alert.get("explanation") or {}
    window = _window(why)
    if window is None:
        return None
    since, until = window
    kind, subject = alert["kind"], str(alert["subject"])
    if kind in (VOLUME, NEGATIVE):
        values = {} if subject == ALL else {"brand": subject}
        return figure_link(ws.slug, since, until, ws.zone, **values)
    if kind == WATCH:
        saved = {q.name: q.query for q in ws.queries}.get(subject)
        if saved is None:
            return None
        return figure_link(ws.slug, since, until + _INCLUDED, ws.zone, q=saved)
    return None


@dataclass(frozen=True, slots=True)
class DashboardLinks:
    """The dashboard's links, for the period it shows: `hours` for the volumes, `days` (whole
    UTC days) for the top lists and the leaders, as `analytics.dashboard` counts them."""

    slug: str
    zone: ZoneInfo
    hours: tuple[datetime, datetime]
    days: tuple[datetime, datetime]

    @classmethod
    def of(cls, ws: Workspace, since: datetime, until: datetime) -> DashboardLinks:
        """For the period [since, until) (UTC) the dashboard was asked for."""
        hours, days = counted_spans(ws.slug, since, until)
        return cls(ws.slug, ws.zone, hours, days)

    def brand(self, name: str, platform: str = "") -> str | None:
        """A brand's posts of the period (on one platform)."""
        return self._hours(brand=name, platform=platform)

    def platform(self, name: str) -> str | None:
        """Every post of the period on a platform."""
        return self._hours(platform=name)

    def tag(self, value: str) -> str | None:
        """A top hashtag's posts of the period. The top terms, mentions and sites have no link:
        the query language reads a mention, a word and a site otherwise than their facets do
        (`.@name` is a facet's mention and not `@name`'s; a facet's words leave out tags and
        addresses; `site:` takes subdomains and the post's own address), so no query finds
        exactly the posts they counted."""
        return figure_link(self.slug, *self.days, self.zone, q=f"#{value}")

    def author(self, handle: str) -> str | None:
        """An opinion leader's posts of the period."""
        return figure_link(self.slug, *self.days, self.zone, author=handle)

    def _hours(self, **values: str) -> str | None:
        return figure_link(
            self.slug, *self.hours, self.zone, **{k: v for k, v in values.items() if v}
        )
