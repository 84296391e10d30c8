"""A message expanded, checked and scheduled in one go (docs/publish.md), and an item approved.

`schedule` expands the message into one variant per account (expand.py); the variants that
break a rule are refused, each with its line, and the others stored in one transaction
(store/publishing.py): nothing of what can go is lost for what cannot. An item is stored
`scheduled`, or `pending_approval` when its account's department approves what is published:

- the department's `approval` is `all`: every item waits for someone other than its author;
- it is `juniors`: the items of anyone who is neither a senior of the department nor an admin.

(The command line without `--as` acts as an admin does.) `approve` schedules a waiting item;
on an item that waits for nothing it does nothing and says so. The workflows with several
steps come later (issue #18).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rumeur.config import Department, Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.publishing import facets
from rumeur.publishing.expand import Limit, Variant, expand, find_account
from rumeur.publishing.spec import Spec, written
from rumeur.settings.inbox import OwnedAccount
from rumeur.store import publishing as rows
from rumeur.store.publishing import Item, NewItem
from rumeur.store.store import Store

ADMIN = "admin"
PAST = timedelta(minutes=1)  # a time this far behind now is refused: its moment has passed


class PublishError(RumeurError):
    """An item cannot be approved as asked: one line. `missing`: there is no such item."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


@dataclass(slots=True)
class Outcome:
    """What scheduling a message did: its new items, the items it had made already (the same
    file scheduled again), and the refused variants."""

    created: list[Item] = field(default_factory=list)
    existing: list[Item] = field(default_factory=list)
    refused: list[Variant] = field(default_factory=list)


def schedule(
    store: Store,
    ws: Workspace,
    spec: Spec,
    now: datetime,
    *,
    author: str | None = None,
    role: str | None = None,
    resolve: facets.Resolver | None = None,
    limit: Limit | None = None,
) -> Outcome:
    """Expand, check and store `spec`'s items for `author` (of `role`; None: the command
    line)."""
    outcome = Outcome()
    variants = expand(spec, ws.owned_accounts, resolve=resolve, limit=limit)
    if spec.at < now - PAST:
        reason = _("{at} has passed").format(at=spec.at.isoformat())
        variants = [v if v.refusal else _refused(v, reason) for v in variants]
    outcome.refused = [v for v in variants if v.refusal]
    kept = [v for v in variants if not v.refusal]
    if not kept:
        return outcome
    items = [_new(ws, spec, v, author, role) for v in kept]
    made = rows.create(
        store, ws.slug, text=spec.text, items=items, now=now, author=author,
        variants=_variants_json(spec), content_type=spec.content_type, template=spec.template,
    )  # fmt: skip
    for item_id, new in made.items:
        found = rows.item(store, item_id)
        if found is not None:
            (outcome.created if new else outcome.existing).append(found)
    return outcome


def _refused(variant: Variant, reason: str) -> Variant:
    return Variant(variant.account, variant.platform, variant.handle, variant.draft, reason)


def _new(ws: Workspace, spec: Spec, v: Variant, author: str | None, role: str | None) -> NewItem:
    account = find_account(ws.owned_accounts, v.account)
    waits = account is not None and needs_approval(ws, account, author, role)
    d = v.draft
    return NewItem(
        account=v.account, platform=v.platform, handle=v.handle, text=d.text, at=spec.at,
        timezone=spec.timezone, status="pending_approval" if waits else "scheduled",
        title=d.title, media=[{"path": m.path, "alt": m.alt} for m in d.media],
        visibility=d.visibility or ("public" if v.platform == "mastodon" else None),
        spoiler=d.spoiler, extra=dict(d.extra),
    )  # fmt: skip


def _variants_json(spec: Spec) -> dict[str, object]:
    def plain(fields: dict[str, object]) -> dict[str, object]:
        media = fields.get("media")
        if isinstance(media, tuple):
            fields = fields | {"media": [{"path": m.path, "alt": m.alt} for m in media]}
        return fields

    return {"master": plain(dict(spec.fields))} | {
        k: plain(dict(v)) for k, v in spec.variants.items()
    }


def department(ws: Workspace, account: OwnedAccount) -> Department | None:
    return next((d for d in ws.departments if d.slug == account.department), None)


def _senior(found: Department | None, name: str | None) -> bool:
    if found is None or name is None:
        return False
    return name.casefold() in {s.casefold() for s in found.seniors}


def needs_approval(
    ws: Workspace, account: OwnedAccount, author: str | None, role: str | None
) -> bool:
    """Whether an item of `author` (of `role`) on `account` waits for approval."""
    found = department(ws, account)
    if found is None or found.approval == "none":
        return False
    if found.approval == "all":
        return True
    return not (role == ADMIN or author is None or _senior(found, author))


def approve(
    store: Store, ws: Workspace, item_id: int, name: str | None, role: str | None, now: datetime
) -> tuple[Item, bool]:
    """Approve item `item_id` as `name` (of `role`; None: the command line): (the item, whether
    this approved it). An item that waits for no approval is left as it is (False)."""
    item = rows.item(store, item_id)
    if item is None or item.workspace != ws.slug:
        raise PublishError(_("no item {id} in this workspace").format(id=item_id), missing=True)
    if item.status != "pending_approval":
        return item, False
    if name is not None and item.author is not None and name.casefold() == item.author.casefold():
        raise PublishError(
            _("{user} wrote item {id}: someone else approves it").format(user=name, id=item_id)
        )
    account = find_account(ws.owned_accounts, item.account)
    found = department(ws, account) if account is not None else None
    if not (role == ADMIN or name is None or _senior(found, name)):
        raise PublishError(
            _("{user} may not approve item {id}: only a senior of {department} or an admin may")
            .format(user=name, id=item_id, department=found.slug if found else "-")
        )  # fmt: skip
    done = rows.approve(store, item_id, name, now)
    return rows.item(store, item_id) or item, done


def items_of(store: Store, ws: Workspace, statuses: Sequence[str] | None = None) -> list[Item]:
    return rows.items(store, ws.slug, statuses)


def item_json(item: Item) -> dict[str, Any]:
    """An item as `publish list --json` and the API give it."""
    return {
        "id": item.id, "account": item.account, "network": item.platform,
        "handle": item.handle, "status": item.status,
        "at": written(item.at, item.timezone).isoformat(), "native_id": item.native_id,
        "native_url": item.native_url, "text": item.text, "title": item.title,
        "visibility": item.visibility, "spoiler": item.spoiler, "media": item.media,
        "message_id": item.message_id, "error": item.error, "author": item.author,
        "approved_by": item.approved_by,
    }  # fmt: skip
