"""The figures of the web dashboard and of the REST API, for one workspace and one period, read
from the rollups the writer keeps exact (`rollups_hourly`, `facet_rollups`), never from a scan
of the posts.

- Hourly figures (volume, series, sentiment, emotions, reasons, languages, platforms, brands)
  are exact for the period, which is taken in whole UTC hours: `since` is rounded down to its
  hour and `until` up to its hour. A day bucket holds the UTC hours that start in that local day.
- Facet figures (hashtags, words, links, mentions, sites and the opinion leaders) are counted
  per UTC day: they cover every whole UTC day that overlaps the period.
- A department's scope (`Scope.reasons`) restricts every figure to posts with one of its
  reasons.
- The period of the same length just before is read for a comparison (`Previous`), which is
  given only when that period holds enough data to be a fair base (see `Previous`).

`dashboard_by_scan` computes the same figures from `posts` directly: the reference for the
tests and the baseline of the benchmark.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from rumeur.metrics import engagement_of
from rumeur.store import dashboard as reads
from rumeur.store.dashboard import Span, data_span  # data_span: offered beside the dashboard
from rumeur.store.facets import facets
from rumeur.store.rollups import NO_REASON, UNKNOWN

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
HOURLY_UP_TO = timedelta(hours=72)  # longer periods get one bucket per local day
SENTIMENTS = ("negative", "neutral", "positive", UNKNOWN)
TOP_KINDS = ("tag", "word", "link", "mention", "site")
# What "enough data" means for the previous period, the one place it is decided. A change
# against a period that the data barely reaches ("869.3%" when the collection started on the
# last day of the week before) says nothing about the brand; so the period must hold at least
# MIN_PREVIOUS_POSTS posts (below that a handful of posts swing the percentage), on at least
# MIN_PREVIOUS_COVERAGE of its days (24-hour slices from its start: the data must cover the
# period, not a corner of it; a day without a single post means the collection was off).
MIN_PREVIOUS_POSTS = 30
MIN_PREVIOUS_COVERAGE = 0.8


@dataclass(frozen=True, slots=True)
class Scope:
    workspace: str
    since: datetime  # UTC, inclusive
    until: datetime  # UTC, exclusive
    zone: ZoneInfo  # the workspace's time zone, for day buckets
    reasons: tuple[str, ...] | None = None  # a department's view: only posts with these reasons


@dataclass(slots=True)
class BrandSeries:
    name: str
    posts: int
    share: float  # of the mentions of the brands shown (the brand and its competitors), 0..1
    negative: float  # of this brand's posts labelled negative, 0..1
    engagement: int
    series: list[int]  # posts per bucket


@dataclass(slots=True)
class PlatformFigures:
    platform: str
    posts: int
    brand_posts: int  # posts naming the workspace's own brand
    engagement: int
    engagement_per_post: float


@dataclass(slots=True)
class Leader:
    author_id: int
    handle: str
    platform: str
    display_name: str | None
    followers: int | None
    posts: int
    engagement: int
    score: float  # engagement + posts * (1 + log10(1 + followers))
    why: str


@dataclass(slots=True)
class Previous:
    """The period of the same length just before, and the change against it when it holds
    enough data (`change` is None otherwise, and `shortfall` says why: "posts" when it holds
    too few posts, "days" when too few of its days hold any)."""

    posts: int
    days: int  # its 24-hour slices, the last one maybe shorter
    days_with_posts: int
    change: float | None  # (posts now - posts then) / posts then
    shortfall: str | None

    @classmethod
    def of(cls, posts_now: int, posts: int, days: int, days_with_posts: int) -> Previous:
        if posts < MIN_PREVIOUS_POSTS:
            shortfall: str | None = "posts"
        elif days_with_posts < MIN_PREVIOUS_COVERAGE * days:
            shortfall = "days"
        else:
            shortfall = None
        change = None if shortfall else (posts_now - posts) / posts
        return cls(posts, days, days_with_posts, change, shortfall)


@dataclass(slots=True)
class Dashboard:
    buckets: list[datetime]
    posts: int
    engagement: int
    previous_posts: int  # in the period of the same length just before
    previous: Previous  # that period's size, and the change against it when it is fair
    brands: list[BrandSeries]
    sentiment: dict[str, list[int]]
    emotions: list[tuple[str, int]]
    reasons: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    platforms: list[PlatformFigures]
    sites: list[tuple[str, int]]
    leaders: list[Leader]
    hashtags: list[tuple[str, int]]
    words: list[tuple[str, int]]
    links: list[tuple[str, int]]
    mentions: list[tuple[str, int]]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly: datetimes in ISO 8601, tuples as lists."""
        return _plain(self)


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(slots=True)
class _Sums:
    """What both readers gather; `_assemble` turns it into a Dashboard."""

    whole: dict[tuple[datetime, str], list[int]] = field(default_factory=dict)  # hour, sentiment
    dims: dict[tuple[str, str, str, str], list[int]] = field(default_factory=dict)
    brand_hours: Counter[tuple[datetime, str]] = field(default_factory=Counter)
    brand_negative: Counter[str] = field(default_factory=Counter)
    brand_engagement: Counter[str] = field(default_factory=Counter)
    brand_platforms: Counter[str] = field(default_factory=Counter)
    previous: Counter[int] = field(default_factory=Counter)  # posts per day slice before
    tops: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    authors: list[tuple[int, int, int]] = field(default_factory=list)  # id, posts, engagement


@dataclass(frozen=True, slots=True)
class _Period:
    lo: datetime  # first hour
    hi: datetime  # end, on an hour
    day_lo: datetime  # the UTC days the facets cover
    day_hi: datetime
    previous: datetime  # start of the period just before

    @classmethod
    def of(cls, scope: Scope) -> _Period:
        lo = _floor_hour(scope.since)
        hi = max(_floor_hour(scope.until + HOUR - timedelta(microseconds=1)), lo)
        day_hi = _floor_hour(hi - timedelta(microseconds=1)).replace(hour=0) + DAY
        return cls(lo, hi, lo.replace(hour=0), day_hi if hi > lo else lo, lo - (hi - lo))

    def hours(self, scope: Scope) -> Span:
        return Span(scope.workspace, self.lo, self.hi, scope.reasons)

    def before(self, scope: Scope) -> Span:
        return Span(scope.workspace, self.previous, self.lo, scope.reasons)

    def slice_before(self, hour: datetime) -> int:
        """The 24-hour slice of the previous period that an hour falls in."""
        return (hour - self.previous) // DAY

    @property
    def days_before(self) -> int:
        return -(-(self.lo - self.previous) // DAY)  # ceiling: a short last slice counts

    def days(self, scope: Scope) -> Span:
        return Span(scope.workspace, self.day_lo, self.day_hi, scope.reasons)


def counted_spans(
    workspace: str, since: datetime, until: datetime
) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """The hours (the volumes) and the whole UTC days (the top lists, the leaders) that the
    dashboard counts for the period [since, until): what its links to the stream cover."""
    period = _Period.of(Scope(workspace, since, until, ZoneInfo("UTC")))
    return (period.lo, period.hi), (period.day_lo, period.day_hi)


def _floor_hour(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def dashboard(
    conn: Connection, scope: Scope, brand: str, competitors: Sequence[str], top: int = 10
) -> Dashboard:
    """The dashboard from the rollups: a dozen grouped queries on their primary keys."""
    period = _Period.of(scope)
    names = _brand_names(brand, competitors)
    sums = _Sums()
    _read_hourly(conn, scope, period, names, brand, sums)
    for kind in TOP_KINDS:
        sums.tops[kind] = reads.top_facets(conn, period.days(scope), kind, top)
    sums.authors = reads.top_authors(conn, period.days(scope), top)
    return _assemble(conn, scope, period, names, sums, top)


def _brand_names(brand: str, competitors: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([brand, *competitors]))


def _read_hourly(
    conn: Connection, scope: Scope, period: _Period, names: list[str], own: str, sums: _Sums
) -> None:
    hours = period.hours(scope)
    # Read per bucket rather than per hour where a bucket holds many: each piece is keyed by
    # its first hour, which falls in the bucket (and the slice) that its hours fall in.
    bucketed = replace(hours, pieces=_bucket_starts(period, scope.zone))
    sums.whole = reads.by_hour_and_sentiment(conn, bucketed)
    sums.dims = reads.by_dimensions(conn, hours)
    for h, b, p, g, negative in reads.by_hour_and_brand(conn, bucketed, names):
        sums.brand_hours[(h, b)] += p
        sums.brand_engagement[b] += g
        sums.brand_negative[b] += negative
    sums.brand_platforms.update(reads.platforms_of(conn, hours, own))
    before = period.before(scope)
    slices = tuple(period.previous + i * DAY for i in range(1, period.days_before))
    for hour, n in reads.volume_by_hour(conn, replace(before, pieces=slices)).items():
        sums.previous[period.slice_before(hour)] += n


def _bucket_starts(period: _Period, zone: ZoneInfo) -> tuple[datetime, ...]:
    """The hours of the period at which a day bucket begins (after the first): where the local
    date changes; none when the buckets are the hours themselves."""
    if period.hi - period.lo <= HOURLY_UP_TO:
        return ()
    starts, day = [], period.lo.astimezone(zone).date()
    for i in range(1, (period.hi - period.lo) // HOUR):
        hour = period.lo + i * HOUR
        if hour.astimezone(zone).date() != day:
            starts.append(hour)
            day = hour.astimezone(zone).date()
    return tuple(starts)


# ---------------------------------------------------------------------------------------------
# The reference: the same figures from a scan of the period's posts.


def dashboard_by_scan(
    conn: Connection, scope: Scope, brand: str, competitors: Sequence[str], top: int = 10
) -> Dashboard:
    """The dashboard from `posts`, `post_brands` and `authors` (every post of the period read)."""
    period = _Period.of(scope)
    names = _brand_names(brand, competitors)
    sums = _Sums()
    tops: dict[str, Counter[str]] = defaultdict(Counter)
    by_author: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for post, brands in _scanned(conn, scope, period):
        hour = _floor_hour(post["created_at"])
        engagement = engagement_of(post)
        if period.previous <= hour < period.lo:
            sums.previous[period.slice_before(hour)] += 1
        if period.lo <= hour < period.hi:
            _count_hourly(sums, post, brands, hour, engagement, names, brand)
        if period.day_lo <= hour < period.day_hi:
            post_facets = facets(post["text"], post["title"], post["hashtags"],
                                 post["mentions"], post["links"], post["author_id"])  # fmt: skip
            for kind, value in post_facets:
                if kind == "author":
                    acc = by_author[int(value)]
                    acc[0] += 1
                    acc[1] += engagement
                else:
                    tops[kind][value] += 1
    for kind in TOP_KINDS:
        sums.tops[kind] = _top(tops[kind].items(), top)
    sums.authors = [(a, n, e) for a, (n, e) in by_author.items()]
    return _assemble(conn, scope, period, names, sums, top)


def _scanned(
    conn: Connection, scope: Scope, period: _Period
) -> Iterable[tuple[dict[str, Any], set[str]]]:
    """The workspace's posts of the period (and of the one before), each with its brands."""
    since = min(period.previous, period.day_lo)
    until = max(period.hi, period.day_hi)
    found: dict[int, tuple[dict[str, Any], set[str]]] = {}
    for row in reads.posts_with_brands(conn, scope.workspace, since, until):
        entry = found.setdefault(row["id"], (dict(row), set()))
        entry[1].add(row["brand"])
    for post, brands in found.values():
        if scope.reasons is None or (post["reason"] or NO_REASON) in scope.reasons:
            yield post, brands


def _count_hourly(
    sums: _Sums,
    post: dict[str, Any],
    brands: set[str],
    hour: datetime,
    engagement: int,
    names: list[str],
    own: str,
) -> None:
    sentiment = post["sentiment"] or UNKNOWN
    acc = sums.whole.setdefault((hour, sentiment), [0, 0])
    acc[0] += 1
    acc[1] += engagement
    dims = (post["platform"], post["language"] or UNKNOWN, post["emotion"] or UNKNOWN,
            post["reason"] or NO_REASON)  # fmt: skip
    acc = sums.dims.setdefault(dims, [0, 0])
    acc[0] += 1
    acc[1] += engagement
    for b in brands & set(names):
        sums.brand_hours[(hour, b)] += 1
        sums.brand_engagement[b] += engagement
        if sentiment == "negative":
            sums.brand_negative[b] += 1
    if own in brands:
        sums.brand_platforms[post["platform"]] += 1


# ---------------------------------------------------------------------------------------------
# From the sums to the figures, the same for both readers.


def _assemble(
    conn: Connection, scope: Scope, period: _Period, names: list[str], sums: _Sums, top: int
) -> Dashboard:
    buckets, slot = _buckets(period, scope.zone)
    sentiment = {s: [0] * len(buckets) for s in SENTIMENTS}
    for (hour, s), (n, _) in sums.whole.items():
        sentiment.setdefault(s, [0] * len(buckets))[slot(hour)] += n
    by = _by_dimension(sums.dims)
    posts = sum(n for n, _ in sums.whole.values())
    before = sum(sums.previous.values())
    covered = sum(1 for n in sums.previous.values() if n > 0)
    return Dashboard(
        buckets=buckets,
        posts=posts,
        engagement=sum(e for _, e in sums.whole.values()),
        previous_posts=before,
        previous=Previous.of(posts, before, period.days_before, covered),
        brands=_brands(names, sums, len(buckets), slot),
        sentiment=sentiment,
        emotions=_ranked(by["emotion"]),
        reasons=[(r, n) for r, n in _ranked(by["reason"]) if r != NO_REASON],
        languages=_ranked(by["language"]),
        platforms=_platforms(by, sums),
        sites=sums.tops["site"],
        leaders=_leaders(conn, sums.authors, top),
        hashtags=sums.tops["tag"],
        words=sums.tops["word"],
        links=sums.tops["link"],
        mentions=sums.tops["mention"],
    )


def _buckets(period: _Period, zone: ZoneInfo) -> tuple[list[datetime], Any]:
    """The bucket starts (in `zone`) and the function giving an hour's bucket index."""
    if period.hi - period.lo <= HOURLY_UP_TO:
        count = (period.hi - period.lo) // HOUR
        starts = [(period.lo + i * HOUR).astimezone(zone) for i in range(count)]
        return starts, lambda hour: (hour - period.lo) // HOUR
    first = period.lo.astimezone(zone).date()
    last = (period.hi - HOUR).astimezone(zone).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    starts = [datetime.combine(d, time(), tzinfo=zone) for d in days]
    return starts, lambda hour: (hour.astimezone(zone).date() - first).days


def _brands(names: list[str], sums: _Sums, length: int, slot: Any) -> list[BrandSeries]:
    series = {b: [0] * length for b in names}
    posts_of: Counter[str] = Counter()
    negative = sums.brand_negative
    for (hour, b), n in sums.brand_hours.items():
        series[b][slot(hour)] += n
        posts_of[b] += n
    mentions = sum(posts_of.values())
    return [
        BrandSeries(
            name=b,
            posts=posts_of[b],
            share=posts_of[b] / mentions if mentions else 0.0,
            negative=negative[b] / posts_of[b] if posts_of[b] else 0.0,
            engagement=sums.brand_engagement[b],
            series=series[b],
        )
        for b in names
    ]


def _by_dimension(dims: dict[tuple[str, str, str, str], list[int]]) -> dict[str, Any]:
    by: dict[str, Any] = {d: Counter() for d in ("platform", "language", "emotion", "reason")}
    by["platform_engagement"] = Counter()
    for (platform, language, emotion, reason), (n, e) in dims.items():
        by["platform"][platform] += n
        by["platform_engagement"][platform] += e
        by["language"][language] += n
        by["emotion"][emotion] += n
        by["reason"][reason] += n
    return by


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(((k, n) for k, n in counts.items() if n), key=lambda x: (-x[1], x[0]))


def _top(counts: Iterable[tuple[str, int]], top: int) -> list[tuple[str, int]]:
    return sorted(((k, n) for k, n in counts if n > 0), key=lambda x: (-x[1], x[0]))[:top]


def _platforms(by: dict[str, Any], sums: _Sums) -> list[PlatformFigures]:
    return [
        PlatformFigures(
            platform=p,
            posts=n,
            brand_posts=sums.brand_platforms[p],
            engagement=by["platform_engagement"][p],
            engagement_per_post=by["platform_engagement"][p] / n,
        )
        for p, n in _ranked(by["platform"])
    ]


def _leaders(conn: Connection, candidates: list[tuple[int, int, int]], top: int) -> list[Leader]:
    """Opinion leaders: reach and engagement together, not followers alone."""
    wanted = {a: (n, e) for a, n, e in candidates if n > 0}
    people = reads.authors_by_id(conn, list(wanted))
    leaders = [_leader(people[a], n, e) for a, (n, e) in wanted.items() if a in people]
    leaders.sort(key=lambda x: (-x.score, x.handle))
    return leaders[:top]


def _leader(person: Any, posts_n: int, engagement: int) -> Leader:
    followers = person.followers
    score = reads.leader_score(engagement, posts_n, followers)
    why = [_plural(posts_n, "post"), _plural(engagement, "interaction")]
    if followers is not None:
        why.append(_plural(followers, "follower"))
    return Leader(
        author_id=person.id,
        handle=person.handle,
        platform=person.platform,
        display_name=person.display_name,
        followers=followers,
        posts=posts_n,
        engagement=engagement,
        score=score,
        why=", ".join(why),
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


__all__ = [
    "BrandSeries",
    "Dashboard",
    "Leader",
    "PlatformFigures",
    "Previous",
    "Scope",
    "dashboard",
    "dashboard_by_scan",
    "data_span",
]
