"""Campaigns' rows (docs/influence.md, "Campaigns"): `campaigns` and `campaign_people`, and the
per-author tallies of the posts a campaign's query matches in a period, which
`influence/campaigns.py` turns into the report.

What a campaign's values mean and which are allowed is influence/campaigns.py's: this module
reads and writes what it is given, one transaction per change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from rumeur.errors import StoreError
from rumeur.metrics import engagement_of
from rumeur.query.ast import Node
from rumeur.store.schema import authors, campaign_people, campaigns
from rumeur.store.search import Period, export_rows
from rumeur.store.store import Store

Author = tuple[str, str]  # (platform, handle)
CHUNK = 500  # authors per IN (...) list


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    workspace: str
    name: str
    starts_at: datetime
    ends_at: datetime  # excluded
    query: str
    created_by: str | None
    created_at: datetime
    people: tuple[Author, ...]  # sorted


@dataclass(slots=True)
class Tally:
    """One author's posts that a query matches in a period."""

    posts: int = 0
    interactions: int = 0
    views: int = 0
    sentiments: Counter[str] = field(default_factory=Counter)  # "" for no label


@dataclass(frozen=True, slots=True)
class Profile:
    followers: int | None
    location: str | None


class CampaignExists(StoreError):
    """The workspace already has a campaign of this name."""


def create(
    store: Store,
    workspace: str,
    values: dict[str, Any],
    people: Iterable[Author],
    by: str | None,
    at: datetime,
) -> Campaign:
    """A new campaign from `values` (name, starts_at, ends_at, query) and its people."""
    with store.transaction() as conn:
        try:
            new_id = conn.execute(
                insert(campaigns)
                .values(workspace=workspace, created_by=by, created_at=at, **values)
                .returning(campaigns.c.id)
            ).scalar_one()
        except IntegrityError:
            raise CampaignExists(f"{values['name']}: already a campaign of {workspace}") from None
        _add(conn, new_id, people)
        return _one(conn, workspace, campaigns.c.id == new_id)  # type: ignore[return-value]


def add_people(
    store: Store, workspace: str, campaign_id: int, people: Iterable[Author]
) -> Campaign | None:
    """The campaign with `people` added (those already in it are left as they are); None when
    the workspace has no such campaign."""
    with store.transaction() as conn:
        if _one(conn, workspace, campaigns.c.id == campaign_id) is None:
            return None
        _add(conn, campaign_id, people)
        return _one(conn, workspace, campaigns.c.id == campaign_id)


def listed(store: Store, workspace: str) -> list[Campaign]:
    """The workspace's campaigns, the latest start first."""
    c = campaigns.c
    query = select(campaigns).where(c.workspace == workspace).order_by(c.starts_at.desc(), c.id)
    with store.read() as conn:
        rows = list(conn.execute(query))
        members = _people(conn, [row.id for row in rows])
    return [_campaign(row, members.get(row.id, ())) for row in rows]


def by_id(store: Store, workspace: str, campaign_id: int) -> Campaign | None:
    with store.read() as conn:
        return _one(conn, workspace, campaigns.c.id == campaign_id)


def by_name(store: Store, workspace: str, name: str) -> Campaign | None:
    with store.read() as conn:
        return _one(conn, workspace, campaigns.c.name == name)


def tallies(store: Store, workspace: str, query: Node, period: Period) -> dict[Author, Tally]:
    """Per author, the posts of `workspace` that `query` matches in `period`: how many, their
    interactions (metrics.engagement), views and sentiments. The posts are read as the export
    reads them (the compiled query, each inexact candidate checked by the evaluator)."""
    found: dict[Author, Tally] = {}
    with store.read() as conn:
        for row in export_rows(conn, workspace, period, query=query):
            tally = found.setdefault((row["platform"], row["author"]), Tally())
            tally.posts += 1
            tally.interactions += engagement_of(row)
            tally.views += int(row["views"] or 0)
            tally.sentiments[row["sentiment"] or ""] += 1
    return found


def profiles(store: Store, people: Sequence[Author]) -> dict[Author, Profile]:
    """The follower count and typed location the store holds for each author it knows."""
    found: dict[Author, Profile] = {}
    a = authors.c
    with store.read() as conn:
        for start in range(0, len(people), CHUNK):
            chunk = people[start : start + CHUNK]
            keys = tuple_(a.platform, a.handle).in_(chunk)  # the (platform, handle) index
            for row in conn.execute(
                select(a.platform, a.handle, a.followers, a.location).where(keys)
            ):
                found[(row.platform, row.handle)] = Profile(row.followers, row.location)
    return found


def _add(conn: Connection, campaign_id: int, people: Iterable[Author]) -> None:
    wanted = sorted(set(people))
    if not wanted:
        return
    c = campaign_people.c
    present = {
        (row.platform, row.handle)
        for row in conn.execute(
            select(c.platform, c.handle).where(
                c.campaign_id == campaign_id, tuple_(c.platform, c.handle).in_(wanted)
            )
        )
    }
    rows = [
        {"campaign_id": campaign_id, "platform": p, "handle": h}
        for p, h in wanted
        if (p, h) not in present
    ]
    if rows:
        conn.execute(insert(campaign_people), rows)


def _one(conn: Connection, workspace: str, which: Any) -> Campaign | None:
    row = conn.execute(select(campaigns).where(campaigns.c.workspace == workspace, which)).first()
    if row is None:
        return None
    return _campaign(row, _people(conn, [row.id]).get(row.id, ()))


def _people(conn: Connection, ids: list[int]) -> dict[int, tuple[Author, ...]]:
    found: dict[int, list[Author]] = {}
    if not ids:
        return {}
    c = campaign_people.c
    query = (
        select(c.campaign_id, c.platform, c.handle)
        .where(c.campaign_id.in_(ids))
        .order_by(c.platform, c.handle)
    )
    for row in conn.execute(query):
        found.setdefault(row.campaign_id, []).append((row.platform, row.handle))
    return {key: tuple(value) for key, value in found.items()}


def _campaign(row: Any, people: tuple[Author, ...]) -> Campaign:
    m = row._mapping
    return Campaign(
        m["id"], m["workspace"], m["name"], m["starts_at"], m["ends_at"], m["query"],
        m["created_by"], m["created_at"], people,
    )  # fmt: skip
