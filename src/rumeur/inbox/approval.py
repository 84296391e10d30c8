"""Approval of replies per department (docs/inbox.md, "Approval"): a junior's reply waits for a
senior.

A department's `approval` says which replies wait:

- `none` (the default): none; every reply is queued at once;
- `juniors`: the replies of anyone who is neither one of the department's `seniors` nor an
  admin;
- `all`: every reply, until someone other than its author approves it.

Who approves: a senior of the conversation's department, or an admin; never the reply's own
author. The command line without `--as` acts as an admin does. A waiting reply is an outbox
row in the `pending` state, which no sender claims; `approve` queues it, `send_back` returns it
to its author with a reason (store/inbox.py).
"""

from __future__ import annotations

from datetime import datetime

from rumeur.config import Department, Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.store import inbox as outbox
from rumeur.store.inbox import OutboxRow
from rumeur.store.store import Store

ADMIN = "admin"


class ApprovalError(RumeurError):
    """A reply cannot be approved or sent back as asked: the one line says why. `decided`: it
    is not waiting for approval (any more)."""

    def __init__(self, message: str, *, decided: bool = False) -> None:
        super().__init__(message)
        self.decided = decided


def department(ws: Workspace, slug: str | None) -> Department | None:
    return next((d for d in ws.departments if d.slug == slug), None)


def _senior(found: Department | None, name: str | None) -> bool:
    if found is None or name is None:
        return False
    return name.casefold() in {s.casefold() for s in found.seniors}


def needs_approval(ws: Workspace, slug: str | None, author: str | None, role: str | None) -> bool:
    """Whether a reply by `author` (of `role`; None, None: the command line, as an admin) in a
    conversation of department `slug` waits for approval."""
    found = department(ws, slug)
    if found is None or found.approval == "none":
        return False
    if found.approval == "all":
        return True
    return not (role == ADMIN or author is None or _senior(found, author))


def may_approve(
    ws: Workspace, slug: str | None, name: str | None, role: str | None, author: str | None
) -> bool:
    """Whether `name` (of `role`; None, None: the command line) may approve or send back a
    reply by `author` in a conversation of department `slug`: a senior of that department or an
    admin, never the reply's author."""
    if name is not None and author is not None and name.casefold() == author.casefold():
        return False
    return role == ADMIN or name is None or _senior(department(ws, slug), name)


def waiting_line(ws: Workspace, slug: str | None) -> str:
    """Who the reply waits for, in the reader's language."""
    found = department(ws, slug)
    seniors = ", ".join(found.seniors) if found is not None else ""
    if seniors:
        return _("waiting for approval by a senior ({seniors}) or an admin").format(seniors=seniors)
    return _("waiting for approval by an admin")


def _pending(store: Store, ws: Workspace, outbox_id: int) -> tuple[OutboxRow, str | None]:
    row = outbox.outbox_row(store, outbox_id)
    # A scheduled post's row (no conversation) is no reply: its approval is publishing's.
    if row is None or row.workspace != ws.slug or row.conversation_id is None:
        raise ApprovalError(_("no reply {id} in this workspace").format(id=outbox_id))
    if row.state != "pending":
        raise ApprovalError(
            _("reply {id} is not waiting for approval (it is {state})").format(
                id=outbox_id, state=row.state
            ),
            decided=True,
        )
    talk = outbox.conversation(store, row.conversation_id)
    return row, None if talk is None else talk["department"]


def _check(
    ws: Workspace, row: OutboxRow, slug: str | None, name: str | None, role: str | None
) -> None:
    if name is not None and row.author is not None and name.casefold() == row.author.casefold():
        raise ApprovalError(
            _("{user} wrote reply {id}: someone else approves it").format(user=name, id=row.id)
        )
    if not may_approve(ws, slug, name, role, row.author):
        raise ApprovalError(
            _("{user} may not approve reply {id}: only a senior of {department} or an admin may")
            .format(user=name, id=row.id, department=slug or "-")
        )  # fmt: skip


def approve(
    store: Store, ws: Workspace, outbox_id: int, name: str | None, role: str | None, now: datetime
) -> OutboxRow:
    """Approve a pending reply as `name` (of `role`): it is queued, and the sender sends it."""
    row, slug = _pending(store, ws, outbox_id)
    _check(ws, row, slug, name, role)
    if not outbox.approve(store, outbox_id, name, now):
        raise ApprovalError(
            _("reply {id} was approved or sent back already").format(id=outbox_id), decided=True
        )
    return outbox.outbox_row(store, outbox_id) or row


def send_back(
    store: Store,
    ws: Workspace,
    outbox_id: int,
    name: str | None,
    role: str | None,
    reason: str,
    now: datetime,
) -> OutboxRow:
    """Send a pending reply back to its author as `name` (of `role`), with `reason`: it is
    never sent."""
    reason = " ".join(reason.split())
    if not reason:
        raise ApprovalError(_("say why the reply goes back"))
    row, slug = _pending(store, ws, outbox_id)
    _check(ws, row, slug, name, role)
    if not outbox.send_back(store, outbox_id, name, reason, now):
        raise ApprovalError(
            _("reply {id} was approved or sent back already").format(id=outbox_id), decided=True
        )
    return outbox.outbox_row(store, outbox_id) or row
