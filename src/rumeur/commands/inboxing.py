"""`rumeur inbox list|show|assign|reply|note|resolve`: the shared inbox from the command line
(docs/inbox.md, "Working the inbox"), for people (tables, in French or English) and scripts
(`--json`, the field names a contract).

Customers' handles and texts come from strangers: they are printed through `shown` (no console
markup read, control characters made visible), and as JSON strings in `--json`.

Who acts: `reply --as USER` sends as a rumeur user, who must be the conversation's assignee or
an admin; without `--as`, the command line, which holds the database, acts as an admin does.
While a colleague holds the conversation's reply lock (writing in the web app), nobody else
replies.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, replace
from datetime import UTC, datetime
from typing import Any

from rich.table import Table
from rich.text import Text

from rumeur.commands.consoles import make_console
from rumeur.commands.reporting import shown
from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _, moment, number
from rumeur.inbox.approval import needs_approval, waiting_line
from rumeur.inbox.work import (
    LIST_FIELDS,
    MESSAGE_FIELDS,
    MORE_FIELDS,
    MORE_MESSAGE_FIELDS,
    POLICIES,
    REPLY_FIELDS,
    Policy,
    assign_next,
    may_reply,
    refresh_due,
    worklist,
)
from rumeur.settings.inbox import PRIORITIES
from rumeur.store import Store, locks
from rumeur.store import conversations as rows
from rumeur.store.conversations import Filters
from rumeur.store.inbox import STATUSES, outbox_of, queue_reply, set_status
from rumeur.web.accounts import AccountError, find_user


class InboxError(RumeurError):
    """A conversation cannot be found or worked on as asked: the one line says why."""


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def _row(row: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    return {key: _json(row.get(key)) for key in fields}


def _now() -> datetime:
    return datetime.now(UTC)


def check_filters(ws: Workspace, department: str | None, status: str | None) -> Filters:
    if department is not None and department not in [d.slug for d in ws.departments]:
        known = ", ".join(d.slug for d in ws.departments) or "-"
        raise InboxError(
            _("--department {slug}: no such department in workspace {ws} (it has: {known})").format(
                slug=department, ws=ws.slug, known=known
            )
        )
    if status is not None and status not in STATUSES:
        raise InboxError(
            _("--status {status}: one of {known}").format(status=status, known=", ".join(STATUSES))
        )
    return Filters(department=department, status=status)


def print_list(
    store: Store,
    ws: Workspace,
    department: str | None,
    status: str | None,
    as_json: bool,
    overdue: bool = False,
) -> None:
    filters = check_filters(ws, department, status)
    if overdue:
        filters = replace(filters, overdue=True)
    found, counts = worklist(store, ws, filters, _now())
    if as_json:
        for row in found:
            line = _row(row, LIST_FIELDS + MORE_FIELDS)
            print(json.dumps(line, ensure_ascii=False))
        return
    console = make_console()
    if not found:
        console.print(_("No conversations."))
        return
    table = Table(box=None)
    headers = (
        _("id"), _("customer"), _("department"), _("priority"), _("status"), _("assignee"),
        _("messages"), _("last message"), _("due"),
    )  # fmt: skip
    for header in headers:
        table.add_column(header, no_wrap=header in (_("id"), _("messages")))
    for row in found:
        due = moment(row["due_at"], ws.zone, "short") if row["due_at"] else ""
        if row["overdue"]:
            due = f"{due} ({_('overdue')})"
        customer = shown(f"{row['customer']} ({row['platform']})")
        table.add_row(
            str(row["id"]), customer, row["department"] or "", _priority(row["priority"]),
            _status(row["status"]), shown(row["assignee"] or ""), number(row["messages"]),
            moment(row["last_at"], ws.zone, "short"), due,
        )  # fmt: skip
    console.print(table)
    statuses = ", ".join(f"{number(n)} {_status(s)}" for s, n in sorted(counts.by_status.items()))
    console.print(
        _("{total} conversations ({statuses}), {overdue} overdue").format(
            total=number(counts.total), statuses=statuses, overdue=number(counts.overdue)
        )
    )


def _status(status: str) -> str:
    labels = {
        "new": _("new"), "assigned": _("assigned"), "waiting": _("waiting"),
        "resolved": _("resolved"), "reopened": _("reopened"),
    }  # fmt: skip
    return labels.get(status, status)


def _priority(priority: str) -> str:
    labels = {"low": _("low"), "normal": _("normal"), "high": _("high"), "urgent": _("urgent")}
    return labels.get(priority, priority) if priority in PRIORITIES else priority


def _thread(store: Store, ws: Workspace, conversation_id: int) -> rows.Thread:
    found = rows.thread(store, ws.slug, conversation_id)
    if found is None:
        raise InboxError(
            _("no conversation {id} in workspace {ws}").format(id=conversation_id, ws=ws.slug)
        )
    return found


def print_conversation(store: Store, ws: Workspace, conversation_id: int, as_json: bool) -> None:
    refresh_due(store, ws, [conversation_id])
    found = _thread(store, ws, conversation_id)
    talk = found.conversation
    due_at = talk["due_at"]
    talk["overdue"] = talk["status"] in rows.OPEN and due_at is not None and due_at <= _now()
    replies = outbox_of(store, conversation_id)
    if as_json:
        shown_row = _row(talk, LIST_FIELDS + MORE_FIELDS[:1] + ("kind", "tags", "opened_at"))
        shown_row["messages_count"] = talk["messages"]
        shown_row["messages"] = [
            _row(m, MESSAGE_FIELDS + MORE_MESSAGE_FIELDS) for m in found.messages
        ]
        shown_row["notes"] = [
            {"id": n.id, "author": n.author, "text": n.text, "at": _json(n.at)} for n in found.notes
        ]
        shown_row["replies"] = [_row(asdict(r), REPLY_FIELDS) for r in replies]
        print(json.dumps(shown_row, ensure_ascii=False))
        return
    console = make_console()
    head = shown(f"#{talk['id']} {talk['platform']} {talk['account']} <- {talk['customer']}")
    console.print(head)
    due = moment(talk["due_at"], ws.zone, "short") if talk["due_at"] else "-"
    if talk["overdue"]:
        due = f"{due} ({_('overdue')})"
    console.print(
        _(
            "department: {department}, priority: {priority}, status: {status}, "
            "assignee: {assignee}, due: {due}"
        ).format(
            department=talk["department"] or "-",
            priority=_priority(talk["priority"]),
            status=_status(talk["status"]),
            assignee=talk["assignee"] or "-",
            due=due,
        )
    )
    for message in found.messages:
        arrow = "<" if message["direction"] == "in" else ">"
        line = Text(f"{moment(message['at'], ws.zone, 'short')} {arrow} ")
        line.append(shown(message["author"]))
        line.append(": ")
        line.append(shown(message["text"]))
        console.print(line)
    for written in found.notes:
        line = Text(f"{moment(written.at, ws.zone, 'short')} {_('note')} ")
        line.append(shown(written.author))
        line.append(": ")
        line.append(shown(written.text))
        console.print(line)
    for queued in replies:
        if queued.state != "sent":
            line = Text(_("reply {id} {state}: ").format(id=queued.id, state=queued.state))
            line.append(shown(queued.text))
            console.print(line)


def _known_user(store: Store, name: str) -> Any:
    try:
        found = find_user(store, name)
    except AccountError:
        raise InboxError(_("no user named {name!r}").format(name=name)) from None
    if found.disabled:
        raise InboxError(_("the account {name!r} is disabled").format(name=found.name))
    return found


def assign_conversation(
    store: Store, ws: Workspace, conversation_id: int, user: str | None, policy: str | None
) -> str:
    """Give the conversation to `user`, or to the member of its department `policy` picks; who
    got it."""
    if (user is None) == (policy is None):
        raise InboxError(_("name a user, or a --policy (round-robin, least-busy), not both"))
    _thread(store, ws, conversation_id)
    if user is not None:
        name = _known_user(store, user).name
        rows.assign(store, ws.slug, conversation_id, name, _now())
    else:
        if policy not in POLICIES:
            raise InboxError(
                _("--policy {policy}: one of {known}").format(
                    policy=policy, known=", ".join(POLICIES)
                )
            )
        chosen: Policy = policy  # type: ignore[assignment]
        got = assign_next(store, ws, conversation_id, chosen, _now())
        if got is None:
            raise InboxError(
                _(
                    "conversation {id}: nobody to assign it to (it has an assignee, or its "
                    "department has no members)"
                ).format(id=conversation_id)
            )
        name = got
    print(_("conversation {id} assigned to {user}").format(id=conversation_id, user=name))
    return name


def reply(store: Store, ws: Workspace, conversation_id: int, text: str, as_user: str | None) -> int:
    """Queue a reply (the outbox row's id, printed alone on its line)."""
    talk = _thread(store, ws, conversation_id).conversation
    text = text.strip()
    if not text:
        raise InboxError(_("--text: the reply is empty"))
    author = role = None
    if as_user is not None:
        found = _known_user(store, as_user)
        role = found.role.value
        if not may_reply(found.name, found.role.value, talk["assignee"]):
            raise InboxError(
                _(
                    "{user} may not answer conversation {id}: only its assignee ({assignee}) "
                    "or an admin may"
                ).format(user=found.name, id=conversation_id, assignee=talk["assignee"] or "-")
            )
        author = found.name
    held = locks.holder(store, ws.slug, conversation_id, _now())
    if held is not None and (author is None or held.holder.casefold() != author.casefold()):
        raise InboxError(
            _("{user} is writing a reply to conversation {id} until {until}").format(
                user=held.holder, id=conversation_id, until=moment(held.until, ws.zone, "short")
            )
        )
    pending = needs_approval(ws, talk["department"], author, role)
    outbox_id = queue_reply(
        store, conversation_id, text=text, now=_now(), author=author, pending=pending
    )
    print(outbox_id)
    if pending:
        print(waiting_line(ws, talk["department"]), file=sys.stderr)
    return outbox_id


def note(store: Store, ws: Workspace, conversation_id: int, text: str, as_user: str | None) -> int:
    """An internal note, by `as_user` (a rumeur user) or by `cli`."""
    _thread(store, ws, conversation_id)
    if not text.strip():
        raise InboxError(_("--text: the note is empty"))
    by = _known_user(store, as_user).name if as_user is not None else "cli"
    note_id = rows.add_note(store, ws.slug, conversation_id, by, text, _now())
    print(_("note {note} added to conversation {id}").format(note=note_id, id=conversation_id))
    return note_id


def resolve(store: Store, ws: Workspace, conversation_id: int) -> None:
    _thread(store, ws, conversation_id)
    set_status(store, conversation_id, "resolved", _now())
    print(_("conversation {id} resolved").format(id=conversation_id))
