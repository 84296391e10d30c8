"""The work on conversations (docs/inbox.md, "Working the inbox"): who gets a conversation,
who may answer it, and when its answer is due.

- Assignment, by hand or by a policy within the conversation's department, among the enabled
  users whose account names that department: `round-robin` gives it to the member after the
  one who holds the department's latest conversation (by name, then round again);
  `least-busy` to the member who holds the fewest conversations not resolved, ties going in
  the round-robin's order. An automatic assignment never takes a conversation from a colleague.
- Who may send: the assignee, or an admin (`may_reply`).
- Targets: a department's `first_response` runs from the customer's first message until the
  brand's first reply, its `next_response` from the customer's first message after the brand's
  last reply; both count business time (inbox/hours.py, the workspace's calendar and time
  zone). `refresh_due` writes each conversation's `due_at`; a conversation that waits for the
  brand past it is overdue, flagged in the list and counted.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from rumeur.config import Department, Workspace
from rumeur.errors import StoreError
from rumeur.inbox.hours import due_at
from rumeur.store import conversations as rows
from rumeur.store.conversations import Clock, Counts, Filters
from rumeur.store.store import Store

Policy = Literal["round-robin", "least-busy"]
POLICIES: tuple[Policy, ...] = ("round-robin", "least-busy")
ADMIN = "admin"  # the role that may answer any conversation
# The JSON of a conversation, as `rumeur inbox list|show --json` (commands/inboxing.py) and the
# REST API (web/inbox.py) give it: the same names in both, a contract.
LIST_FIELDS = (
    "id", "platform", "account", "customer", "department", "priority", "status", "assignee",
    "messages", "last_at", "due_at",
)  # fmt: skip
MORE_FIELDS = ("overdue", "kind", "tags", "sentiment", "opened_at", "first_response_at")
MESSAGE_FIELDS = ("direction", "native_id", "author", "text", "at")
MORE_MESSAGE_FIELDS = ("kind", "reply_to", "url", "sentiment", "language")
REPLY_FIELDS = ("id", "state", "author", "text", "created_at", "sent_at", "native_id", "error")


def rotation(members: Sequence[str], last: str | None) -> list[str]:
    """`members` in the order a round-robin offers them: from the one after `last`."""
    if last not in members:
        return list(members)
    at = members.index(last) + 1  # type: ignore[arg-type]
    return [*members[at:], *members[:at]]


def choose(
    policy: Policy, members: Sequence[str], last: str | None, load: Mapping[str, int]
) -> str | None:
    """The member `policy` picks (None when the department has none). Pure."""
    order = rotation(sorted(members, key=str.casefold), last)
    if not order:
        return None
    if policy == "round-robin":
        return order[0]
    return min(order, key=lambda name: load.get(name, 0))  # min keeps the first of equals


def assign_next(
    store: Store, ws: Workspace, conversation_id: int, policy: Policy, now: datetime
) -> str | None:
    """Give a conversation nobody holds to the member of its department that `policy` picks;
    who got it (None: nobody, the department has no members or someone holds it already)."""
    found = rows.thread(store, ws.slug, conversation_id)
    if found is None:
        raise StoreError(f"no conversation {conversation_id}", permanent=True)
    talk = found.conversation
    if talk["assignee"] is not None or talk["department"] is None:
        return None
    members = rows.department_members(store, talk["department"])
    last = rows.last_assignee(store, ws.slug, talk["department"], members)
    load = rows.open_load(store, ws.slug, members) if policy == "least-busy" else {}
    chosen = choose(policy, members, last, load)
    if chosen is None:
        return None
    done = rows.assign(store, ws.slug, conversation_id, chosen, now, only_if_unassigned=True)
    return chosen if done else None


def may_reply(name: str, role: str, assignee: str | None) -> bool:
    """Only the conversation's assignee, or an admin, may send a reply."""
    if role == ADMIN:
        return True
    return assignee is not None and name.casefold() == assignee.casefold()


# Targets ------------------------------------------------------------------------------------------


def target_due(clock: Clock, ws: Workspace) -> datetime | None:
    """When the conversation's answer is due, or None when no target runs (the brand answered
    last, it is resolved, or its department sets no target)."""
    if clock.since is None or clock.department is None:
        return None
    department = _department(ws, clock.department)
    if department is None:
        return None
    target = department.next_response if clock.answered else department.first_response
    if target is None:
        return None
    return due_at(clock.since, target, ws.business_hours, ws.zone)


def _department(ws: Workspace, slug: str) -> Department | None:
    return next((d for d in ws.departments if d.slug == slug), None)


def refresh_due(
    store: Store, ws: Workspace, ids: Collection[int] | None = None
) -> dict[int, datetime | None]:
    """Bring the workspace's `due_at` up to date with its messages and settings (the
    conversations `ids`, or all that may need it); the ones changed, with their new value."""
    changed = {}
    for clock in rows.clocks(store, ws.slug, ids):
        due = target_due(clock, ws)
        if due != clock.due_at:
            changed[clock.id] = due
    rows.set_due(store, changed)
    return changed


def worklist(
    store: Store,
    ws: Workspace,
    filters: Filters,
    now: datetime,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], Counts]:
    """The list (`filters`, latest activity first) and its counts, with the targets brought up
    to date first."""
    refresh_due(store, ws)
    found = rows.list_conversations(store, ws.slug, filters, now=now, limit=limit, offset=offset)
    return found, rows.count_conversations(store, ws.slug, filters, now=now)
