"""Each network's publishing quota, per account, and the hours and days a plan goes over it
(docs/publish.md, "Quotas"). The calendar shows them; moving an item into a window over quota
answers with a warning (publishing/calendar.py).

The figures, as each network publishes them:

- Bluesky, "Rate Limits" (https://docs.bsky.app/docs/advanced-guides/rate-limits, read
  2026-12): record writes per account (DID) cost points, a CREATE 3, an UPDATE 2, a DELETE 1;
  5,000 points an hour and 35,000 a day. A post is one `createRecord` (3 points); an image's
  `uploadBlob` writes no record and costs none.
- Mastodon, "Rate limits" (https://docs.joinmastodon.org/api/rate-limits/): 300 requests per
  5 minutes per account on the whole API, and 30 media uploads per 30 minutes (`POST
  /api/v1/media`, v2 too). A status with n images is at least 1 + n requests and n uploads
  (the sender also reads a processing attachment back: those reads are not counted here, so
  the figure is a floor). An instance may set other limits; these are Mastodon's defaults.
- Reddit: no published per-post quota rumeur can plan with (its API's limit is per OAuth
  client, per minute); nothing is shown.

Windows are counted on the clock, in UTC: Mastodon's limiter (rack-attack) cuts time into
fixed periods from the epoch, so its 5 and 30 minute windows are exactly these. Bluesky's
limiter counts from its own window's start, which rumeur does not know: the clock hour and the
UTC day are an estimate, and a plan near the limit should keep a margin.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from rumeur.i18n import _, number

BLUESKY_CREATE_POINTS = 3  # a createRecord (docs.bsky.app, "Rate Limits")


@dataclass(frozen=True, slots=True)
class Quota:
    """A limit of `allowed` units of `unit` per `window`, per account of `network`."""

    key: str
    network: str
    unit: str  # points, requests, uploads
    allowed: int
    window: timedelta
    source: str

    def label(self) -> str:
        words = {
            "bluesky_hour": _("Bluesky: {allowed} points an hour"),
            "bluesky_day": _("Bluesky: {allowed} points a day"),
            "mastodon_requests": _("Mastodon: {allowed} requests per 5 minutes"),
            "mastodon_media": _("Mastodon: {allowed} media uploads per 30 minutes"),
        }
        return words[self.key].format(allowed=number(self.allowed))


BLUESKY_DOC = "https://docs.bsky.app/docs/advanced-guides/rate-limits"
MASTODON_DOC = "https://docs.joinmastodon.org/api/rate-limits/"
QUOTAS: tuple[Quota, ...] = (
    Quota("bluesky_hour", "bluesky", "points", 5_000, timedelta(hours=1), BLUESKY_DOC),
    Quota("bluesky_day", "bluesky", "points", 35_000, timedelta(days=1), BLUESKY_DOC),
    Quota("mastodon_requests", "mastodon", "requests", 300, timedelta(minutes=5), MASTODON_DOC),
    Quota("mastodon_media", "mastodon", "uploads", 30, timedelta(minutes=30), MASTODON_DOC),
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def cost(quota: Quota, platform: str, media: Sequence[Any]) -> int:
    """What one post of `platform` with `media` costs of `quota`."""
    if quota.network != platform:
        return 0
    if quota.network == "bluesky":
        return BLUESKY_CREATE_POINTS
    if quota.key == "mastodon_requests":
        return 1 + len(media)
    return len(media)


def window_of(quota: Quota, at: datetime) -> datetime:
    """The start (UTC) of `quota`'s window holding `at`: fixed windows from the epoch."""
    seconds = int(quota.window.total_seconds())
    since = int((at.astimezone(UTC) - EPOCH).total_seconds())
    return EPOCH + timedelta(seconds=since - since % seconds)


@dataclass(frozen=True, slots=True)
class Planned:
    """What a quota sees of an item: its account, network, time and media."""

    id: int
    account: str
    platform: str
    at: datetime
    media: Sequence[Any] = ()


@dataclass(frozen=True, slots=True)
class Use:
    """An account's use of a quota in one window."""

    account: str
    quota: Quota
    start: datetime  # UTC
    used: int
    items: tuple[int, ...]

    @property
    def over(self) -> bool:
        return self.used > self.quota.allowed

    @property
    def end(self) -> datetime:
        return self.start + self.quota.window


def usage(planned: Iterable[Planned]) -> list[Use]:
    """Every (account, quota, window) the items use, with what they use of it."""
    used: dict[tuple[str, str, datetime], int] = defaultdict(int)
    ids: dict[tuple[str, str, datetime], list[int]] = defaultdict(list)
    by_key = {q.key: q for q in QUOTAS}
    for p in planned:
        for quota in QUOTAS:
            spent = cost(quota, p.platform, p.media)
            if spent:
                key = (p.account, quota.key, window_of(quota, p.at))
                used[key] += spent
                ids[key].append(p.id)
    return [
        Use(account, by_key[q], start, n, tuple(ids[(account, q, start)]))
        for (account, q, start), n in sorted(used.items(), key=lambda kv: (kv[0][2], kv[0][:2]))
    ]


def over(planned: Iterable[Planned]) -> list[Use]:
    """The windows an account goes over a quota in."""
    return [u for u in usage(planned) if u.over]


def busiest(uses: Iterable[Use]) -> dict[tuple[str, str], Use]:
    """Per (account, quota key), its busiest window."""
    found: dict[tuple[str, str], Use] = {}
    for use in uses:
        key = (use.account, use.quota.key)
        if key not in found or use.used > found[key].used:
            found[key] = use
    return found


def unit_word(quota: Quota) -> str:
    words = {"points": _("points"), "requests": _("requests"), "uploads": _("media uploads")}
    return words[quota.unit]


def warning(use: Use) -> str:
    """`lyon: 5004 of 5000 points from 2027-03-29 09:00 to 2027-03-29 10:00 UTC: over
    Bluesky's quota`."""
    return _("{account}: {used} of {allowed} {unit} from {start} to {end} UTC: over {network}'s "
             "quota").format(
        account=use.account, used=use.used, allowed=use.quota.allowed, unit=unit_word(use.quota),
        start=use.start.strftime("%Y-%m-%d %H:%M"), end=use.end.strftime("%Y-%m-%d %H:%M"),
        network=use.quota.network.capitalize(),
    )  # fmt: skip


def warnings(planned: Iterable[Planned], item_id: int) -> list[str]:
    """One line per window over quota that item `item_id` is in (its account's quota)."""
    return [warning(use) for use in over(planned) if item_id in use.items]
