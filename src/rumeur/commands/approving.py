"""`rumeur inbox approve|reject`: a senior's decision on a reply that waits for approval
(docs/inbox.md, "Approval").

`--as USER` acts as a rumeur user, who must be a senior of the conversation's department or an
admin, and not the reply's author; without `--as`, the command line, which holds the database,
acts as an admin does."""

from __future__ import annotations

from datetime import UTC, datetime

from rumeur.commands.inboxing import InboxError, _known_user
from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.inbox import approval
from rumeur.store import Store


def _who(store: Store, as_user: str | None) -> tuple[str | None, str | None]:
    if as_user is None:
        return None, None
    found = _known_user(store, as_user)
    return found.name, found.role.value


def approve(store: Store, ws: Workspace, outbox_id: int, as_user: str | None) -> None:
    name, role = _who(store, as_user)
    try:
        row = approval.approve(store, ws, outbox_id, name, role, datetime.now(UTC))
    except approval.ApprovalError as exc:
        raise InboxError(str(exc)) from None
    print(_("reply {id} approved: queued, rumeur send sends it").format(id=row.id))


def reject(store: Store, ws: Workspace, outbox_id: int, reason: str, as_user: str | None) -> None:
    name, role = _who(store, as_user)
    try:
        row = approval.send_back(store, ws, outbox_id, name, role, reason, datetime.now(UTC))
    except approval.ApprovalError as exc:
        raise InboxError(str(exc)) from None
    print(
        _("reply {id} sent back to {author}: it will not be sent").format(
            id=row.id, author=row.author or "-"
        )
    )
