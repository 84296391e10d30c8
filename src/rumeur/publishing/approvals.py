"""Approval workflows of published items (docs/publish.md, "Approval").

An item's workflow is the `[[workspaces.workflows]]` entry naming its account or its account's
department; else, when the department has an `approval` (`all`, `juniors`), the one step it
always had: a senior of the department or an admin, anyone of them. An item of an author who
may skip (or, for `juniors`, of a senior or an admin) is scheduled at once; "post now" is no
exception. The command line without `--as` acts as an admin and, where a decision is recorded,
is named `rumeur`.

Approving records the user's decision at the item's current step (store/approvals.py); an
`all` step ends when each of its people approved, an `any` step at the first approval, and
after the last step the item is scheduled. A rejection sends it back to draft with its reason.
Nobody approves their own item; a step's seniors are those of the item's account's department,
so a local manager approves the variants of their own accounts and no other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rumeur.config import Department, Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.publishing.expand import find_account
from rumeur.publishing.spec import UNSTORABLE
from rumeur.settings.inbox import OwnedAccount
from rumeur.settings.publishing import Step, Workflow
from rumeur.store import approvals as decisions
from rumeur.store import publishing as rows
from rumeur.store.publishing import Item
from rumeur.store.store import Store

ADMIN = "admin"
CLI_NAME = "rumeur"  # the command line without --as, as a decision records it


class ApprovalError(RumeurError):
    """An item cannot be decided or edited as asked: one line. `missing`: no such item;
    `refusal`: the edited variant breaks a rule (the text's fault, not the user's)."""

    def __init__(self, message: str, *, missing: bool = False, refusal: bool = False) -> None:
        super().__init__(message)
        self.missing = missing
        self.refusal = refusal


@dataclass(frozen=True, slots=True)
class Flow:
    """The workflow an item goes through, with its account's department (for `seniors`)."""

    workflow: Workflow
    department: Department | None
    seniors_skip: bool = False  # a department's `juniors`: its seniors schedule at once


def department(ws: Workspace, account: OwnedAccount) -> Department | None:
    return next((d for d in ws.departments if d.slug == account.department), None)


def flow_for(ws: Workspace, account: OwnedAccount) -> Flow | None:
    """The workflow of `account`'s items, or None when they wait for nobody."""
    found = department(ws, account)
    for workflow in ws.workflows:
        if workflow.applies_to(account):
            return Flow(workflow, found)
    if found is None or found.approval == "none":
        return None
    juniors = found.approval == "juniors"
    step = Step(seniors=True, roles=[ADMIN], need="any")
    workflow = Workflow(name=found.slug, departments=[found.slug], steps=[step],
                        may_skip_roles=[ADMIN] if juniors else [])  # fmt: skip
    return Flow(workflow, found, seniors_skip=juniors)


def _in(name: str | None, names: list[str]) -> bool:
    return name is not None and name.casefold() in {n.casefold() for n in names}


def _seniors(flow: Flow) -> list[str]:
    return list(flow.department.seniors) if flow.department is not None else []


def skips(flow: Flow, author: str | None, role: str | None) -> bool:
    """Whether `author` (of `role`; None: the command line, an admin) schedules at once."""
    role = ADMIN if author is None else role
    w = flow.workflow
    if flow.seniors_skip and (author is None or _in(author, _seniors(flow))):
        return True
    return _in(author, w.may_skip) or role in w.may_skip_roles


def may_approve(flow: Flow, step: Step, name: str | None, role: str | None) -> bool:
    role = ADMIN if name is None else role
    if role in step.roles:
        return True
    return _in(name, step.users) or (step.seniors and _in(name, _seniors(flow)))


def required(flow: Flow, step: Step, author: str | None) -> list[str] | None:
    """Who must approve an `all` step (its author excepted: nobody approves their own item);
    None for an `any` step."""
    if step.need == "any":
        return None
    names = [*step.users, *(_seniors(flow) if step.seniors else [])]
    unique = list(dict.fromkeys(n for n in names if not _in(n, [author or ""])))
    return unique or None


def awaited(flow: Flow, step: Step, author: str | None, done: list[str]) -> list[str]:
    """Whom the step waits for: the people of an `all` step who have not approved, else
    anyone who may."""
    needed = required(flow, step, author)
    if needed is not None:
        return [n for n in needed if not _in(n, done)]
    people = [*step.users, *(_seniors(flow) if step.seniors else [])]
    roles = [_("any {role}").format(role=r) for r in step.roles]
    return [*dict.fromkeys(p for p in people if not _in(p, [author or ""])), *roles]


def waiting_line(flow: Flow, item: Item, done: list[str]) -> str:
    """`step 1 of 2: waiting for léa, marc`."""
    number, steps = item.step or 1, flow.workflow.steps
    step = steps[min(number, len(steps)) - 1]
    names = ", ".join(awaited(flow, step, item.author, done)) or "-"
    return _("step {step} of {steps}: waiting for {names}").format(
        step=number, steps=len(steps), names=names
    )


def approval_json(flow: Flow | None, item: Item, done: list[str]) -> dict[str, Any] | None:
    """The `approval` of `publish list --json` and the API: a pending item's step and whom it
    waits for; None for an item that waits for nothing."""
    if flow is None or item.status != "pending_approval":
        return None
    steps = flow.workflow.steps
    number = min(item.step or 1, len(steps))
    step = steps[number - 1]
    return {
        "workflow": flow.workflow.name, "step": number, "steps": len(steps),
        "need": step.need, "approved": done, "waiting": awaited(flow, step, item.author, done),
    }  # fmt: skip


def found_item(store: Store, ws: Workspace, item_id: int) -> Item:
    item = rows.item(store, item_id)
    if item is None or item.workspace != ws.slug:
        raise ApprovalError(_("no item {id} in this workspace").format(id=item_id), missing=True)
    return item


def item_flow(ws: Workspace, item: Item) -> Flow | None:
    account = find_account(ws.owned_accounts, item.account)
    return flow_for(ws, account) if account is not None else None


def list_approvals(store: Store, ws: Workspace, items: list[Item]) -> dict[int, Any]:
    """Each item's `approval` object (None for those that wait for nothing)."""
    done = decisions.approvers_now(store, items)
    return {i.id: approval_json(item_flow(ws, i), i, done.get(i.id, [])) for i in items}


@dataclass(frozen=True, slots=True)
class Decided:
    item: Item
    outcome: decisions.Outcome | None  # None: the item waited for no approval
    line: str


def decide(
    store: Store,
    ws: Workspace,
    item_id: int,
    name: str | None,
    role: str | None,
    now: datetime,
    *,
    reason: str | None = None,
) -> Decided:
    """Approve item `item_id` as `name` (of `role`), or reject it when `reason` is given."""
    if reason is not None and (not reason.strip() or UNSTORABLE.search(reason)):
        raise ApprovalError(_("reason: say why it is rejected"), refusal=True)
    item = found_item(store, ws, item_id)
    flow = item_flow(ws, item)
    if item.status == "pending_approval" and flow is None and reason is None:
        # Its workflow was taken out of the settings since: nothing holds it any more.
        rows.approve(store, item.id, name or CLI_NAME, now)
        after = rows.item(store, item.id) or item
        return Decided(after, "scheduled", _("item {id} approved: scheduled").format(id=item.id))
    if item.status != "pending_approval" or flow is None:
        line = _("item {id} needs no approval (it is {status}): nothing to do")
        return Decided(item, None, line.format(id=item.id, status=status_word(item.status)))
    step = _allowed_step(flow, item, name, role)
    needed = required(flow, step, item.author) if reason is None else None
    who = name or CLI_NAME
    outcome = decisions.decide(
        store, item, who, "approved" if reason is None else "rejected", now,
        required=needed, steps=len(flow.workflow.steps), reason=reason,
    )  # fmt: skip
    after = rows.item(store, item.id) or item
    return Decided(after, outcome, _line(store, flow, after, who, outcome))


def _allowed_step(flow: Flow, item: Item, name: str | None, role: str | None) -> Step:
    if name is not None and _in(name, [item.author or ""]):
        raise ApprovalError(
            _("{user} wrote item {id}: someone else approves it").format(user=name, id=item.id)
        )
    steps = flow.workflow.steps
    step = steps[min(item.step or 1, len(steps)) - 1]
    if name is None and (step.need == "all" or not may_approve(flow, step, name, role)):
        raise ApprovalError(_("step {step} is approved by name: give --as USER").format(
            step=item.step or 1))  # fmt: skip
    if not may_approve(flow, step, name, role):
        who = ", ".join(awaited(flow, step, item.author, [])) or "-"
        raise ApprovalError(
            _("{user} may not approve item {id} at step {step}: {who} may").format(
                user=name, id=item.id, step=item.step or 1, who=who)
        )  # fmt: skip
    return step


def _line(store: Store, flow: Flow, item: Item, who: str, outcome: decisions.Outcome) -> str:
    if outcome == "scheduled":
        return _("item {id} approved: scheduled").format(id=item.id)
    if outcome == "rejected":
        return _("item {id} rejected: back to draft ({reason})").format(
            id=item.id, reason=item.error or "-")  # fmt: skip
    if outcome == "stale":
        return _("item {id} changed meanwhile (it is {status}): nothing recorded").format(
            id=item.id, status=status_word(item.status))  # fmt: skip
    done = decisions.approvers_now(store, [item]).get(item.id, [])
    waiting = waiting_line(flow, item, done)
    if outcome == "again":
        return _("item {id}: {user} approved this step already; {waiting}").format(
            id=item.id, user=who, waiting=waiting)  # fmt: skip
    return _("item {id} approved by {user}; {waiting}").format(
        id=item.id, user=who, waiting=waiting)  # fmt: skip


EDITABLE = ("draft", "pending_approval", "scheduled", "late")


def may_edit(ws: Workspace, item: Item, message: dict[str, Any], name: str | None,
             role: str | None) -> bool:  # fmt: skip
    """The centre (an admin, the message's author) edits every variant; a local manager (a
    senior of the account's department) only their own accounts'."""
    if name is None or role == ADMIN or _in(name, [message.get("author") or ""]):
        return True
    account = find_account(ws.owned_accounts, item.account)
    found = department(ws, account) if account is not None else None
    return found is not None and _in(name, list(found.seniors))


def is_centre(message: dict[str, Any], name: str | None, role: str | None) -> bool:
    return name is None or role == ADMIN or _in(name, [message.get("author") or ""])


def edit(
    store: Store,
    ws: Workspace,
    item_id: int,
    name: str | None,
    role: str | None,
    now: datetime,
    *,
    text: str | None = None,
    values: dict[str, str] | None = None,
    resolve: Any = None,
    limit: Any = None,
) -> Item:
    """Item `item_id`'s variant with a new `text` and/or variables' `values`, checked as its
    network checks it, in a new round of approvals (at the first step where it has a workflow
    and the editor may not skip). A locked master lets only the values change."""
    item = found_item(store, ws, item_id)
    message = rows.message(store, item.message_id) or {}
    if not may_edit(ws, item, message, name, role):
        raise ApprovalError(_("{user} may not edit item {id}: it is {account}'s variant").format(
            user=name, id=item.id, account=item.account))  # fmt: skip
    if item.status not in EDITABLE:
        raise ApprovalError(_("item {id} is {status}: it can no longer be edited").format(
            id=item.id, status=status_word(item.status)))  # fmt: skip
    if text is not None and message.get("locked"):
        raise ApprovalError(_(
            "item {id}: the master text is locked; only the variables' values may change (--set)"
        ).format(id=item.id))  # fmt: skip
    account = find_account(ws.owned_accounts, item.account)
    if account is None:
        raise ApprovalError(_("no owned account named {name} in this workspace").format(
            name=item.account))  # fmt: skip
    changed = _redrafted(item, message, account, text, values or {}, resolve, limit)
    if decisions.text_hash(changed) == decisions.text_hash(item):
        return item
    flow = flow_for(ws, account)
    pending = flow is not None and not skips(flow, name, role)
    if not decisions.resubmit(store, item, changed, now, pending=pending):
        raise ApprovalError(_("item {id} changed meanwhile: nothing edited").format(id=item.id))
    return rows.item(store, item.id) or item


def _redrafted(
    item: Item, message: dict[str, Any], account: OwnedAccount, text: str | None,
    values: dict[str, str], resolve: Any, limit: Any,
) -> dict[str, Any]:  # fmt: skip
    """The item's new text, title, media, warning and extra: its variant written again from
    the text it came from (or `text`) with the variables' values (and `values`)."""
    from rumeur.publishing.expand import variant
    from rumeur.publishing.rules import Media
    from rumeur.publishing.spec import Spec, SpecError, _string

    try:  # no NUL nor lone surrogate, which no database takes
        text = None if text is None else _string(text, "--text", required=True)
        values = {_name(k): _string(v, f"--set {k}", limit=2000) for k, v in values.items()}
    except SpecError as exc:
        raise ApprovalError(str(exc), refusal=True) from None
    before = item.extra.get("edit") or {}
    variants = message.get("variants") or {}
    written = next((v["text"] for v in (variants.get(account.name or ""),
                   variants.get(account.platform)) if v and v.get("text")), None)  # fmt: skip
    template = text if text is not None else before.get("text") or written or message["text"]
    kept = {**before.get("variables", {}), **values}
    local = account.model_copy(update={"variables": {**account.variables, **kept}})
    fields: dict[str, Any] = {
        "title": item.title, "visibility": item.visibility, "spoiler": item.spoiler,
        "media": tuple(Media(m["path"], m.get("alt") or "") for m in item.media),
        **{k: item.extra[k] for k in ("subreddit", "url") if item.extra.get(k)},
    }  # fmt: skip
    spec = Spec(template, (item.account,), item.at, item.timezone, fields=fields)
    found = variant(spec, local, resolve=resolve, limit=limit)
    if found.refusal:
        raise ApprovalError(found.line, refusal=True)
    d = found.draft
    extra = {k: v for k, v in item.extra.items() if k != "facets"} | dict(d.extra)
    edited = {"text": template} if text is not None or "text" in before else {}
    extra["edit"] = edited | ({"variables": kept} if kept else {})
    return {"text": d.text, "title": d.title, "spoiler": d.spoiler, "extra": extra,
            "media": [{"path": m.path, "alt": m.alt} for m in d.media]}  # fmt: skip


def _name(key: str) -> str:
    """A variable's name as `{ville}` writes it; SpecError otherwise."""
    from rumeur.publishing.spec import SpecError

    if not re.fullmatch(r"[^\W\d]\w{0,62}", key):
        raise SpecError(_("--set {key}: not a variable's name").format(key=ascii(key)[1:-1]))
    return key


def lock(
    store: Store, ws: Workspace, item_id: int, name: str | None, role: str | None, locked: bool
) -> int:
    """Lock (or unlock) the master text of item `item_id`'s message: the centre's; its id."""
    item = found_item(store, ws, item_id)
    message = rows.message(store, item.message_id) or {}
    if not is_centre(message, name, role):
        raise ApprovalError(_("{user} may not lock message {id}: its author or an admin may")
                            .format(user=name, id=item.message_id))  # fmt: skip
    decisions.lock(store, item.message_id, locked)
    return item.message_id


def status_word(status: str) -> str:
    words = {
        "draft": _("draft"), "pending_approval": _("pending approval"),
        "scheduled": _("scheduled"), "sending": _("sending"), "published": _("published"),
        "failed": _("failed"), "late": _("late"), "unknown": _("unknown"),
    }  # fmt: skip
    return words.get(status, status)
