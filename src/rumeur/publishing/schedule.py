"""A message expanded, checked and scheduled in one go (docs/publish.md), and an item approved.

`schedule` expands the message into one variant per account (expand.py); the variants that
break a rule are refused, each with its line, and the others stored in one transaction
(store/publishing.py): nothing of what can go is lost for what cannot. An item is stored
`scheduled`, or `pending_approval` at the first step of its account's workflow unless its author
may skip it (publishing/approvals.py: `[[workspaces.workflows]]`, or the department's one-step
`approval`). The command line without `--as` acts as an admin does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.publishing import approvals, facets
from rumeur.publishing.expand import Limit, Variant, expand, find_account
from rumeur.publishing.spec import Spec, written
from rumeur.settings.inbox import OwnedAccount
from rumeur.store import publishing as rows
from rumeur.store.publishing import Item, NewItem
from rumeur.store.store import Store

PAST = timedelta(minutes=1)  # a time this far behind now is refused: its moment has passed


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


def needs_approval(
    ws: Workspace, account: OwnedAccount, author: str | None, role: str | None
) -> bool:
    """Whether an item of `author` (of `role`) on `account` goes through a workflow."""
    flow = approvals.flow_for(ws, account)
    return flow is not None and not approvals.skips(flow, author, role)


def items_of(store: Store, ws: Workspace, statuses: Sequence[str] | None = None) -> list[Item]:
    return rows.items(store, ws.slug, statuses)


def item_json(item: Item, approval: dict[str, Any] | None = None) -> dict[str, Any]:
    """An item as `publish list --json` and the API give it, with its `approval` (its step and
    whom it waits for, publishing/approvals.py)."""
    return {
        "id": item.id, "account": item.account, "network": item.platform,
        "handle": item.handle, "status": item.status,
        "at": written(item.at, item.timezone).isoformat(), "native_id": item.native_id,
        "native_url": item.native_url, "text": item.text, "title": item.title,
        "visibility": item.visibility, "spoiler": item.spoiler, "media": item.media,
        "message_id": item.message_id, "error": item.error, "author": item.author,
        "approved_by": item.approved_by, "approval": approval,
    }  # fmt: skip
