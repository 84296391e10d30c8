"""Campaigns (docs/influence.md, "Campaigns"): a period, a query and a set of people, and their
report against the same length of time just before.

- **Posts** are the workspace's posts that the campaign's query matches in the period, whoever
  wrote them: the campaign's whole echo. The people's part is broken down person by person.
- **Reach** is, for each post, its author's followers as the store last saw them, summed: the
  audience each post could reach (an author with no known count adds 0). **Interactions** are
  the engagement formula (metrics.py: likes, reposts, replies, quotes); **views** are counted
  apart, where the network gives them.
- **Local** is the posts of the campaign's people whose typed location names a city
  (rumeur.places); **national** is every other post of the campaign: the people without a known
  city, the brand's own accounts and everyone else. The two add up to the total.
- A person's **share** is their part of the campaign's interactions (None when there were
  none).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.influence.relationships import split_author
from rumeur.places import Place, locate_author
from rumeur.query.parser import parse
from rumeur.store import Store
from rumeur.store import campaigns as rows
from rumeur.store.campaigns import Author, Campaign, Profile, Tally
from rumeur.store.export import safe_cell
from rumeur.store.search import Period

NAME_LENGTH = 200
QUERY_LENGTH = 2000  # as a query typed in the stream
MAX_DAYS = 3 * 366  # a campaign's period, at most
MAX_PEOPLE = 1000  # added at once
SENTIMENTS = ("positive", "neutral", "negative", "unknown")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class CampaignError(RumeurError):
    """A campaign cannot be made, found or changed as asked: the one line says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, permanent=True)


class NoSuchCampaign(CampaignError):
    pass


@dataclass(frozen=True, slots=True)
class Figures:
    posts: int
    reach: int
    interactions: int
    views: int
    sentiment: dict[str, int]  # SENTIMENTS, each a count of posts

    def to_json(self) -> dict[str, Any]:
        return {
            "posts": self.posts,
            "reach": self.reach,
            "interactions": self.interactions,
            "views": self.views,
            "sentiment": dict(self.sentiment),
        }


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the report (total, national or local), in the period and the one before."""

    now: Figures
    before: Figures

    def to_json(self) -> dict[str, Any]:
        return {"now": self.now.to_json(), "before": self.before.to_json()}


@dataclass(frozen=True, slots=True)
class Contribution:
    platform: str
    handle: str
    place: Place
    local: bool
    posts: int
    interactions: int
    reach: int
    share: float | None  # of the campaign's interactions
    posts_before: int
    interactions_before: int

    @property
    def author(self) -> str:
        return f"{self.platform}:{self.handle}"

    def to_json(self) -> dict[str, Any]:
        return {
            "author": self.author,
            "platform": self.platform,
            "handle": self.handle,
            "place": self.place.to_json(),
            "local": self.local,
            "posts": self.posts,
            "interactions": self.interactions,
            "reach": self.reach,
            "share": self.share,
            "posts_before": self.posts_before,
            "interactions_before": self.interactions_before,
        }


@dataclass(frozen=True, slots=True)
class CampaignReport:
    campaign: Campaign
    previous: Period  # the same length of time, just before
    total: Side
    national: Side
    local: Side
    people: list[Contribution]  # the most interactions first

    def to_json(self) -> dict[str, Any]:
        return {
            "campaign": campaign_json(self.campaign),
            "previous": {
                "from": _iso(self.previous.since),
                "to": _iso(self.previous.until),
            },
            "total": self.total.to_json(),
            "national": self.national.to_json(),
            "local": self.local.to_json(),
            "people": [p.to_json() for p in self.people],
        }


def campaign_json(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.id,
        "name": campaign.name,
        "from": _iso(campaign.starts_at),
        "to": _iso(campaign.ends_at),
        "query": campaign.query,
        "people": [f"{p}:{h}" for p, h in campaign.people],
        "created_by": campaign.created_by,
        "created_at": _iso(campaign.created_at),
    }


# Making and finding campaigns ----------------------------------------------------------------


def create_campaign(
    store: Store,
    workspace: str,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    query: str,
    people: Iterable[str] = (),
    by: str | None = None,
) -> Campaign:
    """A new campaign, each value checked here once: the name, the period (start before end,
    at most three years), the query (the query language's parser) and the people
    (`platform:handle`, or a handle one author of the listening has)."""
    values = {
        "name": check_name(name),
        **dict(zip(("starts_at", "ends_at"), check_period(starts_at, ends_at), strict=True)),
        "query": check_query(query),
    }
    authors = [split_author(store, workspace, who) for who in _bounded(people)]
    if rows.by_name(store, workspace, values["name"]) is not None:
        raise CampaignError(_("{name}: there is already a campaign of this name").format(name=name))
    try:
        return rows.create(store, workspace, values, authors, by, _now())
    except rows.CampaignExists:  # made by another at the same moment
        raise CampaignError(
            _("{name}: there is already a campaign of this name").format(name=name)
        ) from None


def add_person(
    store: Store, workspace: str, campaign_id: int, who: Iterable[str] | str
) -> Campaign:
    """The campaign with the people `who` names added (one or several)."""
    names = [who] if isinstance(who, str) else list(who)
    authors = [split_author(store, workspace, name) for name in _bounded(names)]
    found = rows.add_people(store, workspace, campaign_id, authors)
    if found is None:
        raise _missing(campaign_id)
    return found


def campaigns(store: Store, workspace: str) -> list[Campaign]:
    """The workspace's campaigns, the latest start first."""
    return rows.listed(store, workspace)


def campaign(store: Store, workspace: str, which: int | str) -> Campaign:
    """A campaign by its id or its name."""
    found = rows.by_id(store, workspace, which) if isinstance(which, int) else None
    if found is None and isinstance(which, str):
        found = rows.by_name(store, workspace, which.strip())
        if found is None and which.strip().isdigit():
            found = rows.by_id(store, workspace, int(which.strip()))
    if found is None:
        raise _missing(which)
    return found


def read_period(start: str, end: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """`--from` and `--to` as a person types them: days (the end day included) or ISO 8601
    moments, read in the workspace's zone when they name none."""
    return _moment("from", start, zone, False), _moment("to", end, zone, True)


def _moment(field: str, value: str, zone: tzinfo, end: bool) -> datetime:
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CampaignError(
            _("{field} {value}: expected a date such as 2026-12-01").format(
                field=field, value=repr(value[:40])
            )
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    if end and len(value) == 10:  # a day: up to its end
        moment += timedelta(days=1)
    return moment


def check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise CampaignError(_("a campaign needs a name"))
    if len(name) > NAME_LENGTH:
        raise CampaignError(
            _("{field}: at most {limit} characters").format(field="name", limit=NAME_LENGTH)
        )
    if _CONTROL.search(name):
        raise CampaignError(_("{field}: holds a control character").format(field="name"))
    return name


def check_period(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ValueError("a campaign's period must be timezone-aware")  # a caller's mistake
    if ends_at <= starts_at:
        raise CampaignError(_("a campaign must end after it starts"))
    if ends_at - starts_at > timedelta(days=MAX_DAYS):
        raise CampaignError(_("a campaign lasts at most {days} days").format(days=MAX_DAYS))
    return starts_at.astimezone(UTC), ends_at.astimezone(UTC)


def check_query(query: str) -> str:
    """The query, as the stream reads it; the parser's QueryError says what is wrong."""
    query = query.strip()
    if not query:
        raise CampaignError(_("a campaign needs a query (a hashtag, a link, words)"))
    if len(query) > QUERY_LENGTH:
        raise CampaignError(
            _("{field}: at most {limit} characters").format(field="query", limit=QUERY_LENGTH)
        )
    parse(query)
    return query


# The report ----------------------------------------------------------------------------------


def campaign_report(store: Store, workspace: str, campaign_id: int) -> CampaignReport:
    found = campaign(store, workspace, campaign_id)
    query = parse(found.query)
    length = found.ends_at - found.starts_at
    period = Period(found.starts_at, found.ends_at)
    previous = Period(found.starts_at - length, found.starts_at)
    now = rows.tallies(store, workspace, query, period)
    before = rows.tallies(store, workspace, query, previous)
    everyone = sorted(set(now) | set(before) | set(found.people))
    profiles = rows.profiles(store, everyone)
    places = {p: _place(profiles.get(p)) for p in found.people}
    local = {p for p, place in places.items() if place.city is not None}
    followers = {p: (profile.followers or 0) for p, profile in profiles.items()}

    def side(tallies: Mapping[Author, Tally], keep: Any) -> Figures:
        return _figures({a: t for a, t in tallies.items() if keep(a)}, followers)

    def sides(keep: Any) -> Side:
        return Side(side(now, keep), side(before, keep))

    total = sides(lambda a: True)
    people = [
        _contribution(person, places[person], person in local, now, before, followers, total)
        for person in found.people
    ]
    people.sort(key=lambda c: (-c.interactions, -c.posts, c.author))
    return CampaignReport(
        found,
        previous,
        total,
        sides(lambda a: a not in local),
        sides(lambda a: a in local),
        people,
    )


def report_csv(report: CampaignReport) -> str:
    """The report as CSV: one line per side and per person, in the period (`now`) and the one
    before (`before`). A cell a spreadsheet would read as a formula gets a leading quote."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for name, side in (("total", report.total), ("national", report.national),
                       ("local", report.local)):  # fmt: skip
        for when, figures in (("now", side.now), ("before", side.before)):
            writer.writerow(
                [name, "", "", when, figures.posts, figures.reach, figures.interactions,
                 figures.views, *(figures.sentiment[s] for s in SENTIMENTS), ""]
            )  # fmt: skip
    for person in report.people:
        place = person.place.city or person.place.region or person.place.country or ""
        for when, posts, interactions, share in (
            ("now", person.posts, person.interactions, person.share),
            ("before", person.posts_before, person.interactions_before, None),
        ):
            writer.writerow(
                ["person", safe_cell(person.author), safe_cell(place), when, posts,
                 person.reach if when == "now" else "", interactions, "", "", "", "", "",
                 "" if share is None else f"{share:.4f}"]
            )  # fmt: skip
    return out.getvalue()


CSV_COLUMNS = (
    "row", "author", "place", "period", "posts", "reach", "interactions", "views",
    *SENTIMENTS, "share",
)  # fmt: skip


def _figures(tallies: Mapping[Author, Tally], followers: Mapping[Author, int]) -> Figures:
    sentiment: Counter[str] = Counter()
    for tally in tallies.values():
        for label, count in tally.sentiments.items():
            sentiment[label if label in SENTIMENTS else "unknown"] += count
    return Figures(
        posts=sum(t.posts for t in tallies.values()),
        reach=sum(t.posts * followers.get(a, 0) for a, t in tallies.items()),
        interactions=sum(t.interactions for t in tallies.values()),
        views=sum(t.views for t in tallies.values()),
        sentiment={s: sentiment[s] for s in SENTIMENTS},
    )


def _contribution(
    person: Author,
    place: Place,
    local: bool,
    now: Mapping[Author, Tally],
    before: Mapping[Author, Tally],
    followers: Mapping[Author, int],
    total: Side,
) -> Contribution:
    mine, earlier = now.get(person, Tally()), before.get(person, Tally())
    whole = total.now.interactions
    return Contribution(
        person[0], person[1], place, local, mine.posts, mine.interactions,
        mine.posts * followers.get(person, 0),
        mine.interactions / whole if whole else None,
        earlier.posts, earlier.interactions,
    )  # fmt: skip


def _place(profile: Profile | None) -> Place:
    return locate_author(profile.location if profile else None)


def _bounded(people: Iterable[str]) -> list[str]:
    names = [p.strip() for p in people if p and p.strip()]
    if len(names) > MAX_PEOPLE:
        raise CampaignError(_("at most {n} people at once").format(n=MAX_PEOPLE))
    return names


def _missing(which: object) -> CampaignError:
    return NoSuchCampaign(_("{which}: no such campaign").format(which=which))


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def _now() -> datetime:
    return datetime.now(UTC)
