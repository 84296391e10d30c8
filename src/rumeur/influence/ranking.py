"""The influencers of a workspace: each author's statistics over a rolling window, their tier,
engagement rate and its percentile in the tier, and an influence score with its explanation
(docs/influence.md).

Everything is read from `author_days` (store/author_stats.py), which the writer keeps: one
grouped read of the window ranks every author; only the page shown reads its authors' posts
(through the posts' author index) for the posts behind each part. The window ends with the
workspace's newest day of data, as the dashboard's periods do, unless `until` is given.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from rumeur.config import Workspace
from rumeur.influence import sentences
from rumeur.influence.locality import asked_level, closeness, place_of
from rumeur.influence.scores import (
    Measure,
    Part,
    growth_value,
    median,
    percentiles,
    sentiment_value,
    share,
    weigh,
)
from rumeur.settings.influence import TIERS
from rumeur.store import Store
from rumeur.store import author_stats as stats
from rumeur.store.rollups import ALL

NOT_ENOUGH_POSTS = "not_enough_posts"  # the reason given instead of a score
BEST_POSTS = 3  # the posts shown behind a part
FEW_AUTHORS = 2000  # up to this many ranked authors, their window is read by their ids


@dataclass(frozen=True, slots=True)
class Influencer:
    """An author as the influencer pages, the commands and the API show them. `score` is None
    with `reason` "not_enough_posts" when the window holds fewer posts than the minimum."""

    id: int
    author: str  # the handle
    platform: str
    display_name: str | None
    followers: int | None
    tier: str | None  # None: followers unknown
    engagement_rate: float | None  # interactions per post / followers, over the window
    tier_percentile: float | None  # of the rate among the tier's authors on the platform
    score: float | None
    place: dict[str, str | None] | None
    explanation: tuple[Part, ...]
    posts: tuple[int, ...]  # the best posts of the window, most interactions first
    brands: dict[str, int]  # posts per brand named, over the window
    languages: dict[str, int]  # posts per language, over the window
    queries: dict[str, int]  # posts per saved query matched, over the window
    growth: float | None  # follower growth over the window (0.1 is +10 %)
    first_mention: datetime | None  # of a brand of the workspace, ever
    last_mention: datetime | None
    window_posts: int
    interactions: int
    interactions_per_post: float
    views: int
    window_days: int
    since: datetime
    until: datetime
    reason: str | None = None
    listed_for: tuple[dict[str, Any], ...] = ()  # rising(): why the author is listed

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.author}"

    def to_json(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "platform": self.platform,
            "followers": self.followers,
            "tier": self.tier,
            "engagement_rate": _rounded(self.engagement_rate, 6),
            "tier_percentile": _rounded(self.tier_percentile, 4),
            "score": self.score,
            "place": self.place,
            "explanation": [
                {**part.to_json(), "text": sentences.sentence(part)} for part in self.explanation
            ],
            "reason": self.reason,
            "id": self.id,
            "display_name": self.display_name,
            "posts": list(self.posts),
            "brands": self.brands,
            "languages": self.languages,
            "queries": self.queries,
            "growth": _rounded(self.growth, 4),
            "first_mention": _iso(self.first_mention),
            "last_mention": _iso(self.last_mention),
            "window": {
                "days": self.window_days,
                "since": _iso(self.since),
                "until": _iso(self.until),
                "posts": self.window_posts,
                "interactions": self.interactions,
                "interactions_per_post": round(self.interactions_per_post, 3),
                "views": self.views,
            },
            **({"listed_for": [_listed(r) for r in self.listed_for]} if self.listed_for else {}),
        }


def _listed(reason: dict[str, Any]) -> dict[str, Any]:
    return {**reason, "text": sentences.listed_for(reason)}


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(slots=True)
class _Candidate:
    """An author's window while the ranking is computed."""

    row: stats.AuthorRow
    sums: stats.Sums
    brand_sums: stats.Sums
    tier: str | None = None
    rate: float | None = None
    percentile: float | None = None  # of the rate in (tier, platform), or of interactions
    growth: tuple[int, int] | None = None  # first and last follower counts of the window
    place: dict[str, str | None] | None = None
    locality: float | None = None
    score: float | None = None
    parts: list[Part] = field(default_factory=list)

    @property
    def per_post(self) -> float:
        return share(self.sums.engagement, self.sums.posts)


@dataclass(frozen=True, slots=True)
class Window:
    since: datetime
    until: datetime
    days: int


def window(store: Store, workspace: Workspace, until: datetime | None = None) -> Window | None:
    """The rolling window: `window_days` up to `until` (excluded), by default to the end of
    the workspace's newest day of data. None when the workspace has no posts."""
    days = workspace.influence.window_days
    if until is None:
        with store.read() as conn:
            newest = stats.newest_day(conn, workspace.slug)
        if newest is None:
            return None
        until = newest + timedelta(days=1)
    return Window(until - timedelta(days=days), until, days)


def _candidates(
    store: Store, workspace: Workspace, span: Window, brand: str | None, also: int | None = None
) -> dict[int, _Candidate]:
    """The authors with enough posts in the window (and the author `also`), their sums and
    their sums about the brand. Only they are ranked and compared: the others' rows are
    never read."""
    target = brand or workspace.brand.name
    least = workspace.influence.min_posts
    with store.read() as conn:
        chosen = brand or ALL
        sums = stats.window_sums(conn, workspace.slug, chosen, span.since, span.until, least=least)
        if also is not None and also not in sums:
            sums.update(
                stats.window_sums(conn, workspace.slug, chosen, span.since, span.until, [also])
            )
        ids = list(sums)
        # Many authors: one read of the whole window beats an IN (...) list per 500 of them.
        some = ids if len(ids) <= FEW_AUTHORS else None
        about = stats.window_sums(conn, workspace.slug, target, span.since, span.until, some)
        rows = stats.author_rows(conn, ids)
        growth = stats.follower_ends(conn, workspace.slug, span.since, span.until, some)
    found = {}
    for author_id, total in sums.items():
        candidate = _Candidate(rows[author_id], total, about.get(author_id, stats.Sums()))
        candidate.growth = growth.get(author_id)
        found[author_id] = candidate
    return found


def _rate(workspace: Workspace, candidates: dict[int, _Candidate]) -> None:
    """Tiers, engagement rates and their percentiles within (tier, platform); authors whose
    followers are unknown are compared by interactions per post within their platform."""
    tiers = workspace.influence.tiers
    groups: dict[tuple[str | None, str], dict[int, float]] = defaultdict(dict)
    for author_id, c in candidates.items():
        followers = c.row.followers
        c.tier = tiers.tier(followers)
        if followers:
            c.rate = c.per_post / followers
        measured = c.rate if c.rate is not None else c.per_post
        if c.sums.posts >= workspace.influence.min_posts:
            groups[(c.tier if c.rate is not None else None, c.row.platform)][author_id] = measured
    for group in groups.values():
        for author_id, pct in percentiles(group).items():
            candidates[author_id].percentile = pct


def _measures(
    workspace: Workspace, c: _Candidate, brand: str | None, asked: dict[str, Any] | None
) -> list[Measure]:
    target = brand or workspace.brand.name
    platform = c.row.platform
    pct = c.percentile or 0.0
    if c.rate is not None:
        engagement = Measure(
            "engagement", pct, "engagement_rate",
            {"rate": c.rate, "percentile": pct, "tier": c.tier, "platform": platform,
             "per_post": c.per_post, "followers": c.row.followers},
        )  # fmt: skip
    else:
        engagement = Measure(
            "engagement", pct, "engagement_followers_unknown",
            {"per_post": c.per_post, "percentile": pct, "platform": platform},
        )  # fmt: skip
    if workspace.queries:
        relevance = Measure(
            "relevance", share(c.sums.matched, c.sums.posts), "relevance_queries",
            {"matched": c.sums.matched, "posts": c.sums.posts},
        )  # fmt: skip
    else:
        relevance = Measure(
            "relevance", share(c.brand_sums.posts, c.sums.posts), "relevance_brand",
            {"matched": c.brand_sums.posts, "posts": c.sums.posts, "brand": target},
        )  # fmt: skip
    b = c.brand_sums
    sentiment = Measure(
        "sentiment", sentiment_value(b.positive, b.negative, b.posts),
        "sentiment_brand" if b.posts else "sentiment_no_brand_post",
        {"positive": b.positive, "negative": b.negative, "posts": b.posts, "brand": target},
    )  # fmt: skip
    measures = [engagement, relevance, sentiment]
    if asked is not None:
        place = c.place or {"city": None, "region": None, "country": None}
        measures.append(
            Measure(
                "locality",
                c.locality or 0.0,
                "locality",
                {"place": place, "asked": asked, "level": asked_level(asked)},
            )
        )
    if c.growth is not None:
        first, last = c.growth
        measures.append(
            Measure(
                "growth",
                growth_value(first, last),
                "growth",
                {"first": first, "last": last, "growth": share(last - first, first)},
            )
        )
    return measures


def _score(
    workspace: Workspace,
    candidates: dict[int, _Candidate],
    brand: str | None,
    asked: dict[str, Any] | None,
) -> None:
    for c in candidates.values():
        if asked is not None:  # else only the page shown reads its authors' places
            c.place = place_of(c.row.location)
            c.locality = closeness(c.place, asked)
        if c.sums.posts < workspace.influence.min_posts:
            continue
        c.score, c.parts = weigh(_measures(workspace, c, brand, asked), workspace.influence.weights)


def _asked_place(place: str | dict[str, Any] | None) -> dict[str, Any] | None:
    """The place asked for, normalised; a text the gazetteer cannot read is refused."""
    if place is None or isinstance(place, dict):
        return place
    found = place_of(place)
    if found is None:
        raise UnknownPlace(place)
    return found


class UnknownPlace(ValueError):
    """A place asked for that the gazetteer does not know (or reads ambiguously)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _scored(
    store: Store,
    workspace: Workspace,
    span: Window,
    brand: str | None,
    asked: dict[str, Any] | None,
    also: int | None = None,
) -> dict[int, _Candidate]:
    candidates = _candidates(store, workspace, span, brand, also)
    _rate(workspace, candidates)
    _score(workspace, candidates, brand, asked)
    return candidates


def _kept(
    c: _Candidate,
    tier: str | None,
    platform: str | None,
    asked: dict[str, Any] | None,
) -> bool:
    if tier is not None and c.tier != tier:
        return False
    if platform is not None and c.row.platform != platform:
        return False
    return asked is None or (c.locality or 0.0) >= 0.5


def ranked(
    store: Store,
    workspace: Workspace,
    *,
    place: str | dict[str, Any] | None = None,
    tier: str | None = None,
    platform: str | None = None,
    language: str | None = None,
    brand: str | None = None,
    limit: int = 50,
    offset: int = 0,
    until: datetime | None = None,
) -> list[Influencer]:
    """The workspace's authors with enough posts in the window, best score first. `place`
    (a typed place, or {city, region, country}) adds the locality part and keeps the authors
    in it or in its region; `brand` ranks on the posts that name it."""
    asked = _asked_place(place)
    span = window(store, workspace, until)
    if span is None:
        return []
    candidates = _scored(store, workspace, span, brand, asked)
    order = sorted(
        (c for c in candidates.values() if c.score is not None and _kept(c, tier, platform, asked)),
        key=lambda c: (-(c.score or 0.0), -c.per_post, c.row.id),
    )
    shown: list[Influencer] = []
    skipped = 0
    for c in order:
        found = _influencer(store, workspace, c, span)
        if language is not None and language not in found.languages:
            continue
        if skipped < offset:
            skipped += 1
            continue
        shown.append(found)
        if len(shown) >= limit:
            break
    return shown


def influencer(
    store: Store,
    workspace: Workspace,
    author: str,
    *,
    place: str | dict[str, Any] | None = None,
    brand: str | None = None,
    until: datetime | None = None,
) -> Influencer | None:
    """One author ("platform:handle", a handle, or an id) with their explanation; None when no
    post of the workspace is theirs. Too few posts in the window give `score` None and
    `reason` "not_enough_posts"."""
    asked = _asked_place(place)
    with store.read() as conn:
        author_id = stats.find_author(conn, workspace.slug, author)
    if author_id is None:
        return None
    span = window(store, workspace, until)
    if span is None:
        return None
    candidates = _scored(store, workspace, span, brand, asked, author_id)
    c = candidates.get(author_id)
    if c is None:  # no post in the window
        with store.read() as conn:
            rows = stats.author_rows(conn, [author_id])
        c = _Candidate(rows[author_id], stats.Sums(), stats.Sums())
        c.tier = workspace.influence.tiers.tier(c.row.followers)
    return _influencer(store, workspace, c, span)


def _influencer(store: Store, workspace: Workspace, c: _Candidate, span: Window) -> Influencer:
    """The author's page: their window's posts read through the author index for the posts
    behind each part, the brands, languages and queries, first and last mention. The place
    is read outside the read: the gazetteer's first load (seconds) is no read's budget."""
    with store.read() as conn:
        everything = stats.author_posts(conn, workspace.slug, c.row.id)
    recent = [p for p in everything if span.since <= p.created_at < span.until]
    best = sorted(recent, key=lambda p: (-p.engagement, -p.id))
    parts = tuple(_with_posts(part, best, workspace) for part in c.parts)
    mentions = [p.created_at for p in everything if p.brands]
    growth = None
    if c.growth is not None:
        growth = share(c.growth[1] - c.growth[0], c.growth[0])
    return Influencer(
        id=c.row.id,
        author=c.row.handle,
        platform=c.row.platform,
        display_name=c.row.display_name,
        followers=c.row.followers,
        tier=c.tier,
        engagement_rate=c.rate,
        tier_percentile=c.percentile if c.rate is not None else None,
        score=c.score,
        place=c.place if c.locality is not None else place_of(c.row.location),
        explanation=parts,
        posts=tuple(p.id for p in best[:BEST_POSTS]),
        brands=_counts(b for p in recent for b in p.brands),
        languages=_counts(p.language for p in recent if p.language),
        queries=_counts(q for p in recent for q in p.queries),
        growth=growth,
        first_mention=min(mentions, default=None),
        last_mention=max(mentions, default=None),
        window_posts=c.sums.posts,
        interactions=c.sums.engagement,
        interactions_per_post=c.per_post,
        views=c.sums.views,
        window_days=span.days,
        since=span.since,
        until=span.until,
        reason=None if c.score is not None else NOT_ENOUGH_POSTS,
    )


def _with_posts(part: Part, best: Sequence[stats.PostBrief], workspace: Workspace) -> Part:
    """The part with the posts behind it: the most engaged for engagement, those matching
    the queries (or naming the brand) for relevance, those about the brand for sentiment."""
    if part.name == "engagement":
        chosen = list(best)
    elif part.name == "relevance":
        brand = part.figures.get("brand")
        chosen = [p for p in best if (p.brands and brand in p.brands) or (not brand and p.queries)]
    elif part.name == "sentiment":
        brand = part.figures["brand"]
        chosen = [p for p in best if brand in p.brands and p.sentiment in ("positive", "negative")]
    else:
        return part
    return replace(part, posts=tuple(p.id for p in chosen[:BEST_POSTS]))


def _counts(values: Iterable[str]) -> dict[str, int]:
    counted: dict[str, int] = defaultdict(int)
    for value in values:
        counted[value] += 1
    return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))


# --- the workspace's figures ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TierRow:
    """Engagement by tier: the figure 000_39c79a2b16336228.txt argues from, measured on the
    workspace's own authors (those with enough posts in the window)."""

    tier: str | None  # None: followers unknown
    platform: str
    authors: int
    posts: int
    median_engagement_rate: float | None
    median_interactions_per_post: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "platform": self.platform,
            "authors": self.authors,
            "posts": self.posts,
            "median_engagement_rate": _rounded(self.median_engagement_rate, 6),
            "median_interactions_per_post": _rounded(self.median_interactions_per_post, 3),
        }


def engagement_by_tier(
    store: Store, workspace: Workspace, *, until: datetime | None = None
) -> list[TierRow]:
    """Per tier and platform: authors, posts and the median engagement rate (and interactions
    per post), nano to mega, then the authors whose followers are unknown."""
    span = window(store, workspace, until)
    if span is None:
        return []
    candidates = _candidates(store, workspace, span, None)
    _rate(workspace, candidates)
    groups: dict[tuple[str | None, str], list[_Candidate]] = defaultdict(list)
    for c in candidates.values():
        if c.sums.posts >= workspace.influence.min_posts:
            groups[(c.tier if c.rate is not None else None, c.row.platform)].append(c)
    order = {name: i for i, name in enumerate(TIERS)}
    rows = [
        TierRow(
            tier,
            platform,
            len(members),
            sum(c.sums.posts for c in members),
            median([c.rate for c in members if c.rate is not None]),
            median([c.per_post for c in members]),
        )
        for (tier, platform), members in groups.items()
    ]
    rows.sort(key=lambda r: (order.get(r.tier or "", len(order)), r.platform))
    return rows


RISING_RATIO = 1.25  # recent interactions per post at least this many times the earlier half's


def rising(
    store: Store,
    workspace: Workspace,
    *,
    place: str | dict[str, Any] | None = None,
    tier: str | None = None,
    platform: str | None = None,
    language: str | None = None,
    limit: int = 20,
    until: datetime | None = None,
) -> list[Influencer]:
    """Authors whose engagement and relevance grow: the window's recent half against its
    earlier half. Listed when interactions per post rose by RISING_RATIO or more without the
    relevance falling, or when a new voice posted the minimum in the recent half alone; each
    with the reasons (`listed_for`) and their best posts, best score first."""
    asked = _asked_place(place)
    span = window(store, workspace, until)
    if span is None:
        return []
    middle = span.since + (span.until - span.since) / 2
    candidates = _scored(store, workspace, span, None, asked)
    with store.read() as conn:
        halves = stats.split_sums(
            conn, workspace.slug, ALL, span.since, middle, span.until,
            workspace.influence.min_posts,
        )  # fmt: skip
    listed: list[tuple[_Candidate, tuple[dict[str, Any], ...]]] = []
    for author_id, (early, late) in halves.items():
        c = candidates.get(author_id)
        if c is None or c.score is None or not _kept(c, tier, platform, asked):
            continue
        reasons = _rising_reasons(workspace, early, late)
        if reasons:
            listed.append((c, reasons))
    listed.sort(key=lambda item: (-(item[0].score or 0.0), item[0].row.id))
    shown = []
    for c, reasons in listed:
        found = _influencer(store, workspace, c, span)
        if language is not None and language not in found.languages:
            continue
        shown.append(replace(found, listed_for=reasons))
        if len(shown) >= limit:
            break
    return shown


def _rising_reasons(
    workspace: Workspace, early: stats.Sums, late: stats.Sums
) -> tuple[dict[str, Any], ...]:
    if not late.posts:
        return ()
    if not early.posts:
        if late.posts >= workspace.influence.min_posts:
            return ({"sentence": "rising_new_voice", "posts": late.posts},)
        return ()
    before, now = share(early.engagement, early.posts), share(late.engagement, late.posts)
    rel_before, rel_now = share(early.matched, early.posts), share(late.matched, late.posts)
    if not workspace.queries:  # relevance is then the share of posts naming a brand
        rel_before = rel_now = 0.0
    if now < RISING_RATIO * max(before, 1e-9) or now == 0 or rel_now < rel_before:
        return ()
    found: list[dict[str, Any]] = [
        {"sentence": "rising_engagement", "before": round(before, 3), "now": round(now, 3)}
    ]
    if rel_now > rel_before:
        rounded = {"before": round(rel_before, 3), "now": round(rel_now, 3)}
        found.append({"sentence": "rising_relevance", **rounded})
    return tuple(found)
