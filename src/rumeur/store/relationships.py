"""The relationship file's rows (docs/influence.md, "The relationship file"): `people`, their
`person_events` (creation, notes, status and owner changes, contacts) and the GDPR erasures.

What the values mean and which are allowed is `influence/relationships.py`'s: this module reads
and writes what it is given, in one transaction per change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from rumeur.errors import StoreError
from rumeur.store.schema import (
    author_rollups,
    authors,
    campaign_people,
    campaigns,
    conversations,
    messages,
    people,
    people_erasures,
    person_events,
    post_brands,
    posts,
)
from rumeur.store.store import Store

# The columns a change may set; the others are the file's own (id, workspace, times).
EDITABLE = (
    "name", "kind", "status", "owner", "email", "phone", "consent", "consent_at", "consent_how",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    workspace: str
    platform: str | None
    handle: str | None
    name: str | None
    kind: str
    status: str
    owner: str | None
    email: str | None
    phone: str | None
    consent: bool
    consent_at: datetime | None
    consent_how: str | None
    last_contact_at: datetime | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Event:
    at: datetime
    by: str | None
    kind: str  # created, note, status, owner, contact
    value: str | None
    text: str | None


@dataclass(frozen=True, slots=True)
class AuthorPost:
    """One of the person's posts in the workspace's listening."""

    id: int
    created_at: datetime
    text: str
    url: str | None
    sentiment: str | None
    engagement: int


@dataclass(frozen=True, slots=True)
class Reply:
    """One of the brand's replies to the person, from the inbox."""

    conversation_id: int
    at: datetime
    account: str
    author: str
    text: str


class PersonExists(StoreError):
    """The workspace's file already holds this author: `person` is that record."""

    def __init__(self, person: Person) -> None:
        super().__init__(f"already in the file as {person.id}", permanent=True)
        self.person = person


def _person(row: Any) -> Person:
    return Person(**{k: row._mapping[k] for k in Person.__slots__})


def add(
    store: Store, workspace: str, values: Mapping[str, Any], by: str | None, at: datetime
) -> Person:
    """A new record from `values` (platform, handle and the `EDITABLE` columns) with its
    `created` event; PersonExists when the workspace already has this author."""
    with store.transaction() as conn:
        if values.get("handle") is not None:
            found = _by_author(conn, workspace, values["platform"], values["handle"])
            if found is not None:
                raise PersonExists(found)
        new_id = conn.execute(
            insert(people)
            .values(workspace=workspace, created_at=at, updated_at=at, **values)
            .returning(people.c.id)
        ).scalar_one()
        _event(conn, new_id, at, by, "created", values["status"], None)
        return _one(conn, workspace, new_id)  # type: ignore[return-value]


def person(store: Store, workspace: str, person_id: int) -> Person | None:
    with store.read() as conn:
        return _one(conn, workspace, person_id)


def person_of(store: Store, workspace: str, platform: str, handle: str) -> Person | None:
    with store.read() as conn:
        return _by_author(conn, workspace, platform, handle)


def listed(store: Store, workspace: str, status: str | None = None) -> list[Person]:
    """The workspace's records, by status then handle or name."""
    p = people.c
    query = select(people).where(p.workspace == workspace)
    if status is not None:
        query = query.where(p.status == status)
    query = query.order_by(p.status, func.coalesce(p.handle, p.name), p.id)
    with store.read() as conn:
        return [_person(row) for row in conn.execute(query)]


def change(
    store: Store,
    workspace: str,
    person_id: int,
    values: Mapping[str, Any],
    events: list[tuple[str, str | None, str | None]],
    by: str | None,
    at: datetime,
    contact: bool = False,
) -> Person:
    """Set `values` on the record and write its `events` (kind, value, text) in one
    transaction; `contact` moves its last contact to `at`."""
    assert set(values) <= set(EDITABLE), values
    with store.transaction() as conn:
        if _one(conn, workspace, person_id) is None:
            raise StoreError(f"no person {person_id} in workspace {workspace}", permanent=True)
        moved = dict(values, updated_at=at)
        if contact:
            moved["last_contact_at"] = at
        conn.execute(update(people).where(people.c.id == person_id).values(**moved))
        for kind, value, text in events:
            _event(conn, person_id, at, by, kind, value, text)
        return _one(conn, workspace, person_id)  # type: ignore[return-value]


def events(store: Store, person_id: int) -> list[Event]:
    """The record's events, oldest first."""
    e = person_events.c
    query = select(e.at, e.by, e.kind, e.value, e.text).where(e.person_id == person_id)
    with store.read() as conn:
        return [Event(*row) for row in conn.execute(query.order_by(e.at, e.id))]


def erase(store: Store, workspace: str, person_id: int, by: str | None, at: datetime) -> bool:
    """Delete the record, its events and its place in the workspace's campaigns, and note that
    an erasure was done (no personal data); False when there is no such record."""
    with store.transaction() as conn:
        found = _one(conn, workspace, person_id)
        if found is None:
            return False
        conn.execute(delete(people).where(people.c.id == person_id))
        if found.platform and found.handle:
            theirs = select(campaigns.c.id).where(campaigns.c.workspace == workspace)
            conn.execute(
                delete(campaign_people).where(
                    campaign_people.c.campaign_id.in_(theirs.scalar_subquery()),
                    campaign_people.c.platform == found.platform,
                    campaign_people.c.handle == found.handle,
                )
            )
        # SQLite enforces the cascade only with foreign_keys=ON: delete the events ourselves.
        conn.execute(delete(person_events).where(person_events.c.person_id == person_id))
        conn.execute(
            insert(people_erasures).values(workspace=workspace, person_id=person_id, by=by, at=at)
        )
    return True


def erasures(store: Store, workspace: str) -> list[tuple[int, str | None, datetime]]:
    """The erasures done in the workspace: person id, by whom, when."""
    e = people_erasures.c
    query = select(e.person_id, e.by, e.at).where(e.workspace == workspace).order_by(e.at, e.id)
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


def author_posts(
    store: Store, workspace: str, platform: str, handle: str, limit: int = 50
) -> list[AuthorPost]:
    """The author's posts in the workspace's listening, newest first."""
    p, a, b = posts.c, authors.c, post_brands.c
    in_workspace = select(b.post_id).where(b.workspace == workspace).scalar_subquery()
    engagement = p.likes + p.reposts + p.replies + p.quotes
    query = (
        select(p.id, p.created_at, p.text, p.url, p.sentiment, engagement)
        .join(authors, a.id == p.author_id)
        .where(a.platform == platform, a.handle == handle, p.id.in_(in_workspace))
        .order_by(p.created_at.desc(), p.id.desc())
        .limit(limit)
    )
    with store.read() as conn:
        return [AuthorPost(*row) for row in conn.execute(query)]


def replies_to(
    store: Store, workspace: str, platform: str, handle: str, limit: int = 50
) -> list[Reply]:
    """The brand's replies to the author in the workspace's inbox, newest first."""
    c, m = conversations.c, messages.c
    query = (
        select(m.conversation_id, m.at, c.account, m.author, m.text)
        .join(conversations, c.id == m.conversation_id)
        .where(
            c.workspace == workspace,
            c.platform == platform,
            c.customer == handle,
            m.direction == "out",
        )
        .order_by(m.at.desc(), m.id.desc())
        .limit(limit)
    )
    with store.read() as conn:
        return [Reply(*row) for row in conn.execute(query)]


def last_replies(
    store: Store, workspace: str, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], datetime]:
    """The time of the brand's last reply to each (platform, handle) in the inbox, for those
    it ever replied to."""
    if not keys:
        return {}
    c, m = conversations.c, messages.c
    handles = sorted({handle for _, handle in keys})
    query = (
        select(c.platform, c.customer, func.max(m.at))
        .join(messages, m.conversation_id == c.id)
        .where(c.workspace == workspace, c.customer.in_(handles), m.direction == "out")
        .group_by(c.platform, c.customer)
    )
    wanted = set(keys)
    with store.read() as conn:
        return {(pl, h): at for pl, h, at in conn.execute(query) if (pl, h) in wanted}


def authors_named(store: Store, workspace: str, handle: str) -> list[tuple[str, str]]:
    """The (platform, handle) of the workspace's authors with this handle (case ignored)."""
    a, r = authors.c, author_rollups.c
    query = (
        select(a.platform, a.handle)
        .join(author_rollups, and_(r.author_id == a.id, r.workspace == workspace))
        .where(func.lower(a.handle) == handle.lower())
        .order_by(a.platform, a.handle)
    )
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


def _one(conn: Connection, workspace: str, person_id: int) -> Person | None:
    query = select(people).where(people.c.id == person_id, people.c.workspace == workspace)
    row = conn.execute(query).one_or_none()
    return None if row is None else _person(row)


def _by_author(conn: Connection, workspace: str, platform: str, handle: str) -> Person | None:
    p = people.c
    query = select(people).where(
        p.workspace == workspace, p.platform == platform, p.handle == handle
    )
    row = conn.execute(query).one_or_none()
    return None if row is None else _person(row)


def _event(
    conn: Connection,
    person_id: int,
    at: datetime,
    by: str | None,
    kind: str,
    value: str | None,
    text: str | None,
) -> None:
    conn.execute(
        insert(person_events).values(
            person_id=person_id, at=at, by=by, kind=kind, value=value, text=text
        )
    )


def posts_by_id(store: Store, workspace: str, ids: list[int]) -> dict[int, AuthorPost]:
    """The workspace's posts of these ids (those the pages show behind a score)."""
    if not ids:
        return {}
    p, b = posts.c, post_brands.c
    in_workspace = select(b.post_id).where(b.workspace == workspace, b.post_id.in_(ids))
    engagement = p.likes + p.reposts + p.replies + p.quotes
    query = select(p.id, p.created_at, p.text, p.url, p.sentiment, engagement).where(
        p.id.in_(in_workspace.scalar_subquery())
    )
    with store.read() as conn:
        return {row[0]: AuthorPost(*row) for row in conn.execute(query)}
