"""The shared inbox's rows (docs/inbox.md): conversations, their messages and the outbox.

Threading (`receive`): a message read twice is stored once (one row per workspace, platform and
native id). A new message joins, in this order:

1. the conversation of the message it replies to, when that conversation is this author's or
   the message is the brand's (a customer who writes in someone else's thread opens their own);
2. the conversation of the network's own conversation id (`Message.thread`, a direct
   message's);
3. the author's conversation with the same account and of the same kind (public or private)
   that is not resolved: a customer's follow-up;

and otherwise a customer's message opens a conversation, with the route the caller gives
(`inbox.routing.Route.row()`); a brand's message that belongs to no conversation is not kept.
A thread's messages are given oldest first, so that a parent is known before its replies.

The outbox (`queue_reply`, `claim_due`, `record_sent`, `record_failed`, `mark_unknown`): a reply
is a row written in the same transaction as the conversation's change, before anything leaves.
A sender claims due rows by a conditional UPDATE (`... WHERE state = 'queued'`): two senders
never hold the same row, on SQLite or PostgreSQL. A conversation's replies go out in the order
they were written: a row is not due while an older row of its conversation waits.

    queued --claim--> claimed --record_sent--> sent
                         |--record_failed(permanent)--> failed
                         |--record_failed(retry_at)--> queued (again, after next_at)
                         `--mark_unknown--> unknown --record_sent / record_failed-->

A reply that needs a senior's approval (docs/inbox.md, "Approval") is queued `pending`, which no
sender claims: `approve` makes it `queued` (and the conversation waits for the customer, as a
reply queued at once makes it), `send_back` makes it `returned` to its author, with the reason.

    pending --approve--> queued     pending --send_back--> returned
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Row, and_, exists, func, insert, or_, select, tuple_, update
from sqlalchemy.orm import aliased

from rumeur.errors import StoreError
from rumeur.store.outbox_posts import follow
from rumeur.store.schema import conversations, messages, outbox
from rumeur.store.store import Store

Direction = Literal["in", "out"]
OutboxState = Literal["pending", "queued", "claimed", "sent", "failed", "unknown", "returned"]
STATES: tuple[OutboxState, ...] = (
    "pending", "queued", "claimed", "sent", "failed", "unknown", "returned",
)  # fmt: skip
# Conversation statuses; the work on them (assignment, targets) is the inbox's.
STATUSES = ("new", "assigned", "waiting", "resolved", "reopened")
NOTE = "note"  # messages.direction of an internal note (store/conversations.py writes them)
PRIVATE_KINDS = frozenset({"direct"})  # a message of this kind is answered in private
ERROR_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Message:
    """A message as a collector (or the sender) hands it to the inbox."""

    platform: str
    native_id: str
    author: str  # the handle
    text: str
    at: datetime
    direction: Direction = "in"
    kind: str = "mention"  # mention, reply, quote or direct
    reply_to: str | None = None  # the parent's id, as the network gives it
    local_id: str | None = None  # the id on the owned account's server, if not native_id
    thread: str | None = None  # the network's conversation id (a direct message's)
    visibility: str | None = None
    url: str | None = None
    sentiment: str | None = None
    language: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def private(self) -> bool:
        return self.kind in PRIVATE_KINDS


@dataclass(frozen=True, slots=True)
class Received:
    """What `receive` did: the conversation the message is in (None: a brand's message that
    belongs to none), its row (None then too), whether it opened the conversation, and whether
    the message was new."""

    conversation_id: int | None
    message_id: int | None
    opened: bool = False
    added: bool = False


@dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    workspace: str
    conversation_id: int | None  # None for a scheduled post (store/outbox_posts.py)
    item_id: int | None  # the publishing item a scheduled post's row sends
    platform: str
    account: str
    author: str | None
    text: str
    reply_to: str | None
    visibility: str
    idempotency_key: str
    request: dict[str, Any]
    state: OutboxState
    claimed_by: str | None
    claimed_at: datetime | None
    attempts: int
    next_at: datetime | None
    native_id: str | None
    url: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> OutboxRow:
        return cls(**dict(row._mapping))


# Threading -----------------------------------------------------------------------------------


# What a new conversation gets (`inbox.routing.Route.row()`), or a function that gives it.
RouteValues = Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None


def receive(
    store: Store, workspace: str, account: str, message: Message, route: RouteValues, now: datetime
) -> Received:
    """Store `message`, received by (or sent from) the owned account `account` (its handle),
    in its conversation, opened if need be with `route` (a mapping with `department`,
    `priority`, `tags`, `assignee` and `route`, the explanation; or a function that gives it,
    called only when a conversation opens). Idempotent: a message already stored changes
    nothing."""
    with store.transaction() as conn:
        m = messages.c
        known = conn.execute(
            select(m.id, m.conversation_id).where(
                m.workspace == workspace,
                m.platform == message.platform,
                m.native_id == message.native_id,
            )
        ).first()
        if known is not None:
            return Received(known.conversation_id, known.id)
        conversation_id = thread_of(conn, workspace, account, message)
        opened = False
        if conversation_id is None:
            if message.direction == "out":
                return Received(None, None)
            values = route() if callable(route) else (route or {})
            conversation_id = open_conversation(conn, workspace, account, message, values, now)
            opened = True
        message_id = add_message(conn, conversation_id, workspace, message, now)
        return Received(conversation_id, message_id, opened, True)


def thread_of(conn: Connection, workspace: str, account: str, message: Message) -> int | None:
    """The conversation `message` joins, or None when it opens one (see the module's doc)."""
    c, m = conversations.c, messages.c
    if message.reply_to:
        parent = conn.execute(
            select(m.conversation_id, c.customer)
            .join(conversations, c.id == m.conversation_id)
            .where(
                m.workspace == workspace,
                m.platform == message.platform,
                or_(m.native_id == message.reply_to, m.local_id == message.reply_to),
            )
            .order_by(m.id)
            .limit(1)
        ).first()
        if parent is not None and (
            message.direction == "out" or _same(parent.customer, message.author)
        ):
            return parent.conversation_id
    same = and_(
        c.workspace == workspace,
        c.platform == message.platform,
        func.lower(c.account) == account.lower(),
    )
    if message.thread:
        found = conn.execute(
            select(c.id).where(same, c.thread == message.thread).order_by(c.id.desc()).limit(1)
        ).scalar()
        if found is not None:
            return found
    if message.direction == "in":
        return conn.execute(
            select(c.id)
            .where(
                same,
                func.lower(c.customer) == message.author.lower(),
                c.kind == _kind(message),
                c.status != "resolved",
            )
            .order_by(c.last_at.desc(), c.id.desc())
            .limit(1)
        ).scalar()
    return None


def _same(a: str, b: str) -> bool:
    return a.lstrip("@").lower() == b.lstrip("@").lower()


def _kind(message: Message) -> str:
    return "private" if message.private else "public"


def open_conversation(
    conn: Connection,
    workspace: str,
    account: str,
    first: Message,
    route: Mapping[str, Any],
    now: datetime,
) -> int:
    """A new conversation of the customer who wrote `first` (not added here: `add_message`)."""
    row = {
        "workspace": workspace,
        "platform": first.platform,
        "account": account,
        "customer": first.author,
        "kind": _kind(first),
        "thread": first.thread,
        "root_id": first.native_id,
        "department": route.get("department"),
        "priority": route.get("priority") or "normal",
        "tags": list(route.get("tags") or ()),
        "assignee": route.get("assignee"),
        "status": "assigned" if route.get("assignee") else "new",
        "route": dict(route.get("route") or {}),
        "messages": 0,
        "opened_at": first.at,
        "last_at": first.at,
        "updated_at": now,
    }
    return conn.execute(
        insert(conversations).values(row).returning(conversations.c.id)
    ).scalar_one()


def add_message(
    conn: Connection,
    conversation_id: int,
    workspace: str,
    message: Message,
    now: datetime,
    outbox_id: int | None = None,
) -> int:
    """Add `message` to a conversation (it must not be stored yet) and bring the conversation's
    counts, times and status along: a customer who writes again wakes a conversation that
    waited for them and reopens a resolved one; the brand's message makes it wait for the
    customer."""
    c = conversations.c
    message_id = conn.execute(
        insert(messages)
        .values(
            conversation_id=conversation_id,
            workspace=workspace,
            platform=message.platform,
            native_id=message.native_id,
            local_id=message.local_id,
            direction=message.direction,
            kind=message.kind,
            author=message.author,
            text=message.text,
            reply_to=message.reply_to,
            visibility=message.visibility,
            url=message.url,
            at=message.at,
            sentiment=message.sentiment,
            language=message.language,
            outbox_id=outbox_id,
            extra=dict(message.extra),
            first_seen_at=now,
        )
        .returning(messages.c.id)
    ).scalar_one()
    current = conn.execute(
        select(
            c.status,
            c.assignee,
            c.opened_at,
            c.last_at,
            c.last_in_at,
            c.last_out_at,
            c.first_response_at,
        ).where(c.id == conversation_id)
    ).one()
    at = message.at
    values: dict[str, Any] = {
        "messages": c.messages + 1,
        "last_at": max(current.last_at, at),
        "updated_at": now,
    }
    # An older message (an ancestor read late) fills the thread in, and changes no status.
    newest = at >= current.last_at
    if message.direction == "in":
        values["last_in_at"] = _latest(current.last_in_at, at)
        if newest and current.status == "resolved":
            values |= {"status": "reopened", "resolved_at": None}
        elif newest and current.status == "waiting":
            values["status"] = "assigned" if current.assignee else "new"
    else:
        values["last_out_at"] = _latest(current.last_out_at, at)
        first = current.first_response_at
        if at >= current.opened_at and (first is None or at < first):
            values["first_response_at"] = at
        if newest and current.status in ("new", "assigned", "reopened"):
            values["status"] = "waiting"
    conn.execute(update(conversations).where(c.id == conversation_id).values(values))
    return message_id


def _latest(known: datetime | None, at: datetime) -> datetime:
    return at if known is None or at > known else known


# Reads ---------------------------------------------------------------------------------------


def conversation(store: Store, conversation_id: int) -> dict[str, Any] | None:
    with store.read() as conn:
        row = conn.execute(select(conversations).where(conversations.c.id == conversation_id))
        found = row.first()
    return None if found is None else dict(found._mapping)


def messages_of(store: Store, conversation_id: int) -> list[dict[str, Any]]:
    """A conversation's messages, oldest first; its internal notes are not messages."""
    m = messages.c
    with store.read() as conn:
        rows = conn.execute(
            select(messages)
            .where(m.conversation_id == conversation_id, m.direction != NOTE)
            .order_by(m.at, m.id)
        )
        return [dict(row._mapping) for row in rows]


def outbox_row(store: Store, outbox_id: int) -> OutboxRow | None:
    with store.read() as conn:
        found = conn.execute(select(outbox).where(outbox.c.id == outbox_id)).first()
    return None if found is None else OutboxRow.of(found)


def outbox_of(store: Store, conversation_id: int) -> list[OutboxRow]:
    """A conversation's replies, oldest first."""
    o = outbox.c
    with store.read() as conn:
        rows = conn.execute(
            select(outbox).where(o.conversation_id == conversation_id).order_by(o.id)
        )
        return [OutboxRow.of(row) for row in rows]


def outbox_in(store: Store, state: OutboxState, workspace: str | None = None) -> list[OutboxRow]:
    """The rows in `state` (say, the unknown ones to reconcile), oldest first."""
    o = outbox.c
    query = select(outbox).where(o.state == state).order_by(o.id)
    if workspace is not None:
        query = query.where(o.workspace == workspace)
    with store.read() as conn:
        return [OutboxRow.of(row) for row in conn.execute(query)]


# The outbox ----------------------------------------------------------------------------------


def queue_reply(
    store: Store,
    conversation_id: int,
    *,
    text: str,
    now: datetime,
    author: str | None = None,
    key: str | None = None,
    visibility: str | None = None,
    reply_to: str | None = None,
    request: Mapping[str, Any] | None = None,
    status: str | None = "waiting",
    pending: bool = False,
) -> int:
    """Queue a reply to a conversation and change the conversation (its `status`, unless None)
    in one transaction; the outbox row's id. `key` is the reply's idempotency key (a new one
    when not given): queueing the same key again returns the row it queued, and queues nothing.
    The reply answers, by default, the customer's last message (`reply_to`: its id on the
    account's server), in private for a private conversation, in public otherwise. A `pending`
    reply waits for approval (`approve`): no sender claims it, and the conversation's status
    stays as it is until it is approved."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"not a conversation status: {status!r}")
    c, m, o = conversations.c, messages.c, outbox.c
    key = key or uuid.uuid4().hex
    with store.transaction() as conn:
        again = conn.execute(select(o.id).where(o.idempotency_key == key)).scalar()
        if again is not None:
            return again
        talk = conn.execute(select(conversations).where(c.id == conversation_id)).first()
        if talk is None:
            raise StoreError(f"no conversation {conversation_id}", permanent=True)
        if reply_to is None:
            last = conn.execute(
                select(m.native_id, m.local_id)
                .where(m.conversation_id == conversation_id, m.direction == "in")
                .order_by(m.at.desc(), m.id.desc())
                .limit(1)
            ).first()
            reply_to = None if last is None else (last.local_id or last.native_id)
        outbox_id = conn.execute(
            insert(outbox)
            .values(
                workspace=talk.workspace,
                conversation_id=conversation_id,
                platform=talk.platform,
                account=talk.account,
                author=author,
                text=text,
                reply_to=reply_to,
                visibility=visibility or ("direct" if talk.kind == "private" else "public"),
                idempotency_key=key,
                request=dict(request or {}),
                state="pending" if pending else "queued",
                attempts=0,
                created_at=now,
                updated_at=now,
            )
            .returning(o.id)
        ).scalar_one()
        change: dict[str, Any] = {"updated_at": now}
        if status is not None and not pending:
            change["status"] = status
        conn.execute(update(conversations).where(c.id == conversation_id).values(change))
        return outbox_id


def approve(store: Store, outbox_id: int, approver: str | None, now: datetime) -> bool:
    """A pending reply approved by `approver` (None: the command line): queued, due at once, and
    its conversation waits for the customer, in one transaction. False when the row is not
    pending (approved or sent back already: of two seniors who approve at once, one does)."""
    c = conversations.c
    with store.transaction() as conn:
        decision = {"approved_by": approver, "approved_at": now.isoformat()}
        row = _decided(conn, outbox_id, "queued", decision, now)
        if row is None:
            return False
        conn.execute(
            update(conversations)
            .where(c.id == row.conversation_id)
            .values(status="waiting", updated_at=now)
        )
        return True


def send_back(store: Store, outbox_id: int, by: str | None, reason: str, now: datetime) -> bool:
    """A pending reply sent back to its author by `by` (None: the command line): `returned`,
    never sent, `reason` (one line) in its `error`. False when the row is not pending."""
    with store.transaction() as conn:
        decision = {"returned_by": by, "returned_at": now.isoformat()}
        return _decided(conn, outbox_id, "returned", decision, now, error=_line(reason)) is not None


def _decided(
    conn: Connection,
    outbox_id: int,
    state: str,
    decision: dict[str, Any],
    now: datetime,
    **more: Any,
) -> Row[Any] | None:
    """Pending reply `outbox_id` moved to `state`, `decision` added to its request (and `more`
    to its columns); the row as it was before, None when it is not pending (any more)."""
    o = outbox.c
    row = conn.execute(select(outbox).where(o.id == outbox_id)).first()
    if row is None or row.state != "pending":
        return None
    done = conn.execute(
        update(outbox)
        .where(o.id == outbox_id, o.state == "pending")
        .values(state=state, request=dict(row.request or {}) | decision, updated_at=now, **more)
    )
    return row if done.rowcount == 1 else None


def pending_replies(
    store: Store, workspace: str, departments: Collection[str] | None = None
) -> list[tuple[OutboxRow, dict[str, Any]]]:
    """The workspace's replies waiting for approval, oldest first, each with its conversation;
    only the conversations of `departments` when given."""
    c, o = conversations.c, outbox.c
    query = (
        select(outbox, c.department, c.customer, c.assignee, c.status.label("conversation_status"))
        .join(conversations, c.id == o.conversation_id)
        .where(o.workspace == workspace, o.state == "pending")
        .order_by(o.id)
    )
    if departments is not None:
        query = query.where(c.department.in_(list(departments)))
    found = []
    with store.read() as conn:
        for row in conn.execute(query):
            values = dict(row._mapping)
            talk = {
                key: values.pop(key)
                for key in ("department", "customer", "assignee", "conversation_status")
            }
            found.append((OutboxRow(**values), talk))
    return found


def claim_due(
    store: Store,
    sender_id: str,
    limit: int,
    now: datetime,
    exclude: Collection[tuple[str, str]] = (),
    workspaces: Collection[str] | None = None,
) -> list[OutboxRow]:
    """Claim up to `limit` due rows for `sender_id`, oldest first; the rows claimed. A row is due
    when it is queued, its `next_at` (if any) has come, its account is not in `exclude`
    ((platform, account) pairs: an account whose token was refused) and no older reply of its
    conversation is still to send; in the `workspaces` given (all when None). Each row moves
    from queued to claimed by a conditional UPDATE, so that of two senders claiming at once,
    each row goes to one only."""
    o = outbox.c
    older = aliased(outbox)
    waiting = exists().where(
        older.c.conversation_id == o.conversation_id,
        older.c.id < o.id,
        older.c.state.in_(("queued", "claimed", "unknown")),
    )
    query = (
        select(o.id)
        .where(o.state == "queued", or_(o.next_at.is_(None), o.next_at <= now), ~waiting)
        .order_by(o.id)
        .limit(limit)
    )
    if exclude:
        query = query.where(tuple_(o.platform, o.account).not_in(list(exclude)))
    if workspaces is not None:
        query = query.where(o.workspace.in_(list(workspaces)))
    with store.transaction() as conn:
        claimed = [
            row_id
            for row_id in conn.execute(query).scalars()
            if _claim(conn, row_id, sender_id, now)
        ]
        if not claimed:
            return []
        rows = conn.execute(select(outbox).where(o.id.in_(claimed)).order_by(o.id))
        return [OutboxRow.of(row) for row in rows]


def _claim(conn: Connection, row_id: int, sender_id: str, now: datetime) -> bool:
    """queued -> claimed, only if the row is still queued: False when another sender took it."""
    o = outbox.c
    done = conn.execute(
        update(outbox)
        .where(o.id == row_id, o.state == "queued")
        .values(
            state="claimed",
            claimed_by=sender_id,
            claimed_at=now,
            attempts=o.attempts + 1,
            updated_at=now,
        )
    )
    return done.rowcount == 1


def take_over(store: Store, dead_sender: str, sender_id: str, now: datetime) -> list[OutboxRow]:
    """The rows a sender known to be gone (`dead_sender`) had claimed, now claimed by
    `sender_id`, oldest first. Their replies may have left: the new claimer uses the network's
    guard (the same idempotency key, or a read of the network) before sending again."""
    o = outbox.c
    with store.transaction() as conn:
        ids = list(
            conn.execute(
                select(o.id).where(o.state == "claimed", o.claimed_by == dead_sender)
            ).scalars()
        )
        if not ids:
            return []
        conn.execute(
            update(outbox)
            .where(o.id.in_(ids), o.state == "claimed", o.claimed_by == dead_sender)
            .values(claimed_by=sender_id, claimed_at=now, updated_at=now)
        )
        rows = conn.execute(
            select(outbox).where(o.id.in_(ids), o.claimed_by == sender_id).order_by(o.id)
        )
        return [OutboxRow.of(row) for row in rows]


def claimers(store: Store) -> dict[str, datetime]:
    """The senders holding claimed rows, each with its oldest claim: whom a starting sender
    checks for life (inbox/sender.py) before it takes their rows over."""
    o = outbox.c
    with store.read() as conn:
        rows = conn.execute(
            select(o.claimed_by, func.min(o.claimed_at))
            .where(o.state == "claimed", o.claimed_by.is_not(None))
            .group_by(o.claimed_by)
        )
        return {row[0]: row[1] for row in rows}


def prepare_request(
    store: Store, outbox_id: int, sender_id: str, request: Mapping[str, Any], now: datetime
) -> OutboxRow | None:
    """Add `request` to a claimed row's (what the network's guard needs, chosen before the
    first try: a record key), committed before anything leaves; the row as it is now, or None
    when `sender_id` no longer holds it. A value already there is kept: a row prepared once is
    never prepared again differently."""
    o = outbox.c
    with store.transaction() as conn:
        row = conn.execute(select(outbox).where(o.id == outbox_id)).first()
        if row is None or row.state != "claimed" or row.claimed_by != sender_id:
            return None
        merged = dict(request) | dict(row.request or {})
        if merged != dict(row.request or {}):
            conn.execute(
                update(outbox)
                .where(o.id == outbox_id, o.state == "claimed", o.claimed_by == sender_id)
                .values(request=merged, updated_at=now)
            )
        found = conn.execute(select(outbox).where(o.id == outbox_id)).one()
        return OutboxRow.of(found)


def hold_account(
    store: Store, workspace: str, platform: str, account: str, error: str, now: datetime
) -> int:
    """Say on every queued reply of an account why it waits (`error`, one line: its token was
    refused); how many rows wait. The rows stay queued, to go once the account is reconnected."""
    o = outbox.c
    with store.transaction() as conn:
        done = conn.execute(
            update(outbox)
            .where(
                o.workspace == workspace,
                o.platform == platform,
                o.account == account,
                o.state == "queued",
            )
            .values(error=_line(error), updated_at=now)
        )
        _follow_waiting(conn, workspace, platform, account, error, now)
        return done.rowcount


def record_sent(
    store: Store,
    outbox_id: int,
    native_id: str,
    now: datetime,
    *,
    url: str | None = None,
    local_id: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> bool:
    """The network accepted the reply as `native_id` (as the collectors name the post: a
    Mastodon status's URI, with its id on the account's server as `local_id`): the row is sent,
    and the reply takes its place in the conversation (once, whether the collector read it back
    first or not). False when the row was neither claimed nor unknown (already recorded)."""
    o, m = outbox.c, messages.c
    with store.transaction() as conn:
        row = conn.execute(select(outbox).where(o.id == outbox_id)).first()
        if row is None or row.state not in ("claimed", "unknown"):
            return False
        conn.execute(
            update(outbox)
            .where(o.id == outbox_id)
            .values(
                state="sent", native_id=native_id, url=url, error=None, sent_at=now, updated_at=now
            )
        )
        if row.item_id is not None:  # a scheduled post: no conversation to add it to
            follow(conn, outbox_id, "sent", now, native_id=native_id, native_url=url, error=None)
            return True
        seen = conn.execute(
            select(m.id).where(
                m.workspace == row.workspace, m.platform == row.platform, m.native_id == native_id
            )
        ).scalar()
        if seen is not None:
            conn.execute(update(messages).where(m.id == seen).values(outbox_id=outbox_id))
            return True
        reply = Message(
            platform=row.platform,
            native_id=native_id,
            author=row.account,
            text=row.text,
            at=now,
            direction="out",
            kind="direct" if row.visibility == "direct" else "reply",
            reply_to=row.reply_to,
            local_id=local_id,
            visibility=row.visibility,
            url=url,
            extra=extra or {},
        )
        add_message(conn, row.conversation_id, row.workspace, reply, now, outbox_id)
        return True


def record_failed(
    store: Store,
    outbox_id: int,
    error: str,
    now: datetime,
    *,
    permanent: bool,
    retry_at: datetime | None = None,
    late: bool = False,
) -> bool:
    """The network refused the reply, or it could not be reached: failed for good when
    `permanent`, else queued again, due at `retry_at` (at once when None). `error` is one line
    that names no secret. A scheduled post past its moment (`late`) fails with its item flagged
    late. False when the row was neither claimed nor unknown."""
    o = outbox.c
    values: dict[str, Any] = {"error": _line(error), "updated_at": now}
    if permanent or late:
        values["state"] = "failed"
    else:
        values |= {"state": "queued", "next_at": retry_at, "claimed_by": None, "claimed_at": None}
    with store.transaction() as conn:
        done = conn.execute(
            update(outbox)
            .where(o.id == outbox_id, o.state.in_(("claimed", "unknown")))
            .values(values)
        )
        if done.rowcount == 1:
            follow(conn, outbox_id, "late" if late else values["state"], now, error=error)
        return done.rowcount == 1


def give_back(
    store: Store, outbox_id: int, sender_id: str, now: datetime, error: str | None = None
) -> bool:
    """A claimed row that `sender_id` did not try (it is stopping, or its account is held):
    queued again, due at once, its try not counted; `error` (one line) says why it waits,
    when given. False when the row is not claimed by `sender_id`."""
    o = outbox.c
    values: dict[str, Any] = {
        "state": "queued",
        "claimed_by": None,
        "claimed_at": None,
        "attempts": o.attempts - 1,
        "updated_at": now,
    }
    if error is not None:
        values["error"] = _line(error)
    with store.transaction() as conn:
        done = conn.execute(
            update(outbox)
            .where(o.id == outbox_id, o.state == "claimed", o.claimed_by == sender_id)
            .values(values)
        )
        if done.rowcount == 1 and error is not None:
            follow(conn, outbox_id, "queued", now, error=error)
        return done.rowcount == 1


def mark_unknown(store: Store, outbox_id: int, error: str, now: datetime) -> bool:
    """The outcome cannot be known (the answer was lost): the row waits to be reconciled by
    reading the network, and is never sent again blindly. False when it was not claimed."""
    o = outbox.c
    with store.transaction() as conn:
        done = conn.execute(
            update(outbox)
            .where(o.id == outbox_id, o.state == "claimed")
            .values(state="unknown", error=_line(error), updated_at=now)
        )
        if done.rowcount == 1:
            follow(conn, outbox_id, "unknown", now, error=error)
        return done.rowcount == 1


def _follow_waiting(
    conn: Connection, workspace: str, platform: str, account: str, error: str, now: datetime
) -> None:
    """The items of an account's queued posts say why they wait (its token was refused)."""
    o = outbox.c
    rows = conn.execute(
        select(o.id).where(
            o.workspace == workspace,
            o.platform == platform,
            o.account == account,
            o.state == "queued",
            o.item_id.is_not(None),
        )
    ).scalars()
    for row_id in list(rows):
        follow(conn, row_id, "queued", now, error=error)


def _line(error: str) -> str:
    first = (error.strip().splitlines() or [""])[0]
    return first[: ERROR_LENGTH - 1] + "…" if len(first) > ERROR_LENGTH else first


def set_status(store: Store, conversation_id: int, status: str, now: datetime) -> bool:
    """Set a conversation's status (one of STATUSES); False when there is no such conversation."""
    if status not in STATUSES:
        raise ValueError(f"not a conversation status: {status!r}")
    c = conversations.c
    values: dict[str, Any] = {"status": status, "updated_at": now}
    values["resolved_at"] = now if status == "resolved" else None
    with store.transaction() as conn:
        done = conn.execute(update(conversations).where(c.id == conversation_id).values(values))
        return done.rowcount == 1
