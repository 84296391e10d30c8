"""The reads and writes of the work on conversations (docs/inbox.md, "Working the inbox"): the
list with its filters and counts, one conversation with its messages and notes, assignment,
internal notes, and the response-time clocks that inbox/work.py turns into `due_at`.

Threading and the outbox are store/inbox.py's. A customer who writes in a resolved conversation
reopens it there (`add_message`: `resolved` -> `reopened`); nothing here changes that.

Internal notes are rows of `messages` with `direction = 'note'` (no migration needed): their
`native_id` is `note:` and a random hex, so that no network's id can take their place; they do
not count in the conversation's `messages`, do not move its times or its status, and are never
the target of a reply (`queue_reply` answers the last `in` message). `thread` below returns the
`in` and `out` messages apart from the notes.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    insert,
    or_,
    select,
    update,
)

from rumeur.errors import StoreError
from rumeur.store.inbox import NOTE
from rumeur.store.schema import conversations, messages, users
from rumeur.store.store import Store

# A conversation in these statuses waits for the brand: its response-time clock runs.
OPEN = ("new", "assigned", "reopened")
NOTE_LENGTH = 10_000


@dataclass(frozen=True, slots=True)
class Filters:
    """What the list shows: every value given narrows it (None: any)."""

    department: str | None = None
    status: str | None = None
    platform: str | None = None
    priority: str | None = None
    sentiment: str | None = None  # the sentiment of the conversation's first message
    assignee: str | None = None
    overdue: bool | None = None  # True: only the overdue ones; False: only the others
    departments: Collection[str] | None = None  # a department user's view: these only


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    by_status: dict[str, int]
    by_department: dict[str, int]  # "" for the conversations without a department
    overdue: int


@dataclass(frozen=True, slots=True)
class Clock:
    """A conversation whose `due_at` may have to change: its department, whether the brand has
    answered yet (`answered`), and since when the customer waits (`since`: the first of their
    messages after the brand's last reply; None when nobody waits)."""

    id: int
    department: str | None
    status: str
    answered: bool
    since: datetime | None
    due_at: datetime | None


@dataclass(frozen=True, slots=True)
class Note:
    id: int
    author: str
    text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Thread:
    conversation: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)  # in and out, oldest first
    notes: list[Note] = field(default_factory=list)  # oldest first


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """A conversation waits for the brand and its target has passed."""
    c = conversations.c
    return and_(c.status.in_(OPEN), c.due_at.is_not(None), c.due_at <= now)


def _sentiment() -> Any:
    """The sentiment of a conversation's first message (the one it was routed on)."""
    m, c = messages.c, conversations.c
    return (
        select(m.sentiment)
        .where(m.conversation_id == c.id, m.native_id == c.root_id)
        .limit(1)
        .scalar_subquery()
    )


def _filtered(query: Select[Any], workspace: str, filters: Filters, now: datetime) -> Select[Any]:
    c = conversations.c
    query = query.where(c.workspace == workspace)
    for column, value in (
        (c.department, filters.department),
        (c.status, filters.status),
        (c.platform, filters.platform),
        (c.priority, filters.priority),
        (c.assignee, filters.assignee),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.departments is not None:
        allowed = list(filters.departments)
        query = query.where(c.department.in_(allowed) if allowed else false())
    if filters.sentiment is not None:
        query = query.where(_sentiment() == filters.sentiment)
    if filters.overdue is not None:
        late = overdue_clause(now)
        query = query.where(late if filters.overdue else ~late)
    return query


def list_conversations(
    store: Store,
    workspace: str,
    filters: Filters = Filters(),
    *,
    now: datetime,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The workspace's conversations that `filters` keeps, the latest activity first; each row
    is the conversation's, with `sentiment` (its first message's) and `overdue` (its target has
    passed while it waits for the brand, at `now`)."""
    c = conversations.c
    query = select(
        conversations, _sentiment().label("sentiment"), overdue_clause(now).label("overdue")
    )
    query = _filtered(query, workspace, filters, now).order_by(c.last_at.desc(), c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    with store.read() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["overdue"] = bool(row["overdue"])
    return rows


def count_conversations(
    store: Store, workspace: str, filters: Filters = Filters(), *, now: datetime
) -> Counts:
    """How many conversations `filters` keeps, per status and per department, and how many of
    them are overdue at `now`."""
    c = conversations.c
    late = func.sum(case((overdue_clause(now), 1), else_=0))
    query = select(c.status, c.department, func.count().label("n"), late.label("late"))
    query = _filtered(query, workspace, filters, now).group_by(c.status, c.department)
    by_status: dict[str, int] = {}
    by_department: dict[str, int] = {}
    total = overdue = 0
    with store.read() as conn:
        for row in conn.execute(query):
            by_status[row.status] = by_status.get(row.status, 0) + row.n
            key = row.department or ""
            by_department[key] = by_department.get(key, 0) + row.n
            total += row.n
            overdue += int(row.late or 0)
    return Counts(total, by_status, by_department, overdue)


def thread(store: Store, workspace: str, conversation_id: int) -> Thread | None:
    """A conversation of `workspace` with its messages and its notes, or None."""
    c, m = conversations.c, messages.c
    with store.read() as conn:
        found = conn.execute(
            select(conversations).where(c.id == conversation_id, c.workspace == workspace)
        ).first()
        if found is None:
            return None
        rows = conn.execute(
            select(messages).where(m.conversation_id == conversation_id).order_by(m.at, m.id)
        )
        said, notes = [], []
        for row in rows:
            if row.direction == NOTE:
                notes.append(Note(row.id, row.author, row.text, row.at))
            else:
                said.append(dict(row._mapping))
    return Thread(dict(found._mapping), said, notes)


def add_note(
    store: Store, workspace: str, conversation_id: int, author: str, text: str, now: datetime
) -> int:
    """An internal note on a conversation, by the rumeur user `author`: the note's id. It
    changes neither the conversation's count nor its status."""
    text = text.strip()
    if not text:
        raise StoreError("a note needs some text", permanent=True)
    if len(text) > NOTE_LENGTH:
        raise StoreError(f"a note holds at most {NOTE_LENGTH} characters", permanent=True)
    c = conversations.c
    with store.transaction() as conn:
        platform = conn.execute(
            select(c.platform).where(c.id == conversation_id, c.workspace == workspace)
        ).scalar()
        if platform is None:
            raise StoreError(f"no conversation {conversation_id}", permanent=True)
        return conn.execute(
            insert(messages)
            .values(
                conversation_id=conversation_id,
                workspace=workspace,
                platform=platform,
                native_id=f"{NOTE}:{uuid.uuid4().hex}",
                direction=NOTE,
                kind=NOTE,
                author=author,
                text=text,
                at=now,
                extra={},
                first_seen_at=now,
            )
            .returning(messages.c.id)
        ).scalar_one()


# Assignment -----------------------------------------------------------------------------------


def assign(
    store: Store,
    workspace: str,
    conversation_id: int,
    user: str | None,
    now: datetime,
    *,
    only_if_unassigned: bool = False,
) -> bool:
    """Give a conversation to `user` (None: to nobody). A new conversation becomes `assigned`,
    an assigned one without assignee `new` again; the other statuses stay. With
    `only_if_unassigned`, only a conversation nobody holds changes (an automatic assignment
    never takes one from a colleague). False when nothing changed that way or there is no such
    conversation."""
    c = conversations.c
    where = [c.id == conversation_id, c.workspace == workspace]
    if only_if_unassigned:
        where.append(c.assignee.is_(None))
    if user is not None:
        status = case((c.status == "new", "assigned"), else_=c.status)
    else:
        status = case((c.status == "assigned", "new"), else_=c.status)
    with store.transaction() as conn:
        done = conn.execute(
            update(conversations).where(*where).values(assignee=user, status=status, updated_at=now)
        )
        return done.rowcount == 1


def department_members(store: Store, department: str) -> list[str]:
    """The names of the enabled users of `department` (users.department), by name."""
    u = users.c
    with store.read() as conn:
        rows = conn.execute(
            select(u.name)
            .where(u.department == department, u.disabled.is_(False))
            .order_by(u.name_key)
        )
        return list(rows.scalars())


def open_load(store: Store, workspace: str, names: Sequence[str]) -> dict[str, int]:
    """How many conversations each of `names` holds that are not resolved (0 for none). A name
    matches an assignee whatever its case (a routing rule may write `Camille`)."""
    c = conversations.c
    load = dict.fromkeys(names, 0)
    if not names:
        return load
    by_key = {name.lower(): name for name in names}
    who = func.lower(c.assignee)
    with store.read() as conn:
        rows = conn.execute(
            select(who, func.count())
            .where(c.workspace == workspace, who.in_(list(by_key)), c.status != "resolved")
            .group_by(who)
        )
        for key, n in rows:
            load[by_key[key]] += n
    return load


def last_assignee(
    store: Store, workspace: str, department: str, names: Sequence[str]
) -> str | None:
    """Which of `names` holds the department's most recently opened conversation that one of
    them holds (whatever the case): where a round-robin goes on from."""
    c = conversations.c
    if not names:
        return None
    by_key = {name.lower(): name for name in names}
    with store.read() as conn:
        found = conn.execute(
            select(func.lower(c.assignee))
            .where(
                c.workspace == workspace,
                c.department == department,
                func.lower(c.assignee).in_(list(by_key)),
            )
            .order_by(c.opened_at.desc(), c.id.desc())
            .limit(1)
        ).scalar()
    return None if found is None else by_key[found]


# Response-time clocks ---------------------------------------------------------------------------


def clocks(store: Store, workspace: str, ids: Collection[int] | None = None) -> list[Clock]:
    """The conversations whose `due_at` may be due for a change: those that wait for the brand,
    and those that hold a `due_at` though they no longer wait (answered, resolved)."""
    c, m = conversations.c, messages.c
    since = (
        select(func.min(m.at))
        .where(
            m.conversation_id == c.id,
            m.direction == "in",
            or_(c.last_out_at.is_(None), m.at > c.last_out_at),
        )
        .scalar_subquery()
    )
    query = select(
        c.id, c.department, c.status, c.first_response_at, c.due_at, since.label("since")
    ).where(c.workspace == workspace, or_(c.status.in_(OPEN), c.due_at.is_not(None)))
    if ids is not None:
        query = query.where(c.id.in_(list(ids)))
    with store.read() as conn:
        return [
            Clock(
                row.id,
                row.department,
                row.status,
                row.first_response_at is not None,
                row.since if row.status in OPEN else None,
                row.due_at,
            )
            for row in conn.execute(query)
        ]


def set_due(store: Store, due: Mapping[int, datetime | None]) -> None:
    """Write each conversation's `due_at` (None: no target runs)."""
    if not due:
        return
    c = conversations.c
    with store.transaction() as conn:
        for conversation_id, at in due.items():
            conn.execute(update(conversations).where(c.id == conversation_id).values(due_at=at))
