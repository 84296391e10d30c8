"""The published items in the web app (docs/publish.md, "The composer"), for the `publish`
permission: the items that wait for approval (`/w/SLUG/publish/approvals`), and an item's page
(`/w/SLUG/publish/items/ID`): its variant, its step and whom it waits for, every decision taken
on it (who approved what and when), its answers once published, and the buttons the viewer may
use: Approve, Reject, Edit the variant, Lock the master text.

The rules are publishing/approvals.py's, the command line's and the API's: only a step's
approvers approve, never the item's author; the centre (an admin, the message's author) edits
every variant and locks the master; a local manager (a senior of the account's department)
edits their own accounts' variants only, and only the variables' values once the master is
locked. A local manager sees only the items they may edit or approve: any other is answered
404, as if it did not exist.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.publishing import answers as counting
from rumeur.publishing import approvals
from rumeur.publishing.expand import find_account
from rumeur.publishing.lookups import Lookups
from rumeur.publishing.schedule import items_of
from rumeur.publishing.spec import written
from rumeur.store import approvals as decisions
from rumeur.store import publishing as rows
from rumeur.store.publishing import Item
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.compose import is_local
from rumeur.web.filters import Id
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
Reading = Annotated[Viewer, Depends(page_viewer(Permission.PUBLISH))]
Deciding = Annotated[Viewer, Depends(csrf_checked(Permission.PUBLISH))]
ITEM = "/w/{slug}/publish/items/{item_id}"


def _who(viewer: Viewer) -> tuple[str, str]:
    return viewer.user.name, viewer.user.role.value


def may_decide(ws: Workspace, item: Item, viewer: Viewer, done: list[str]) -> bool:
    """Whether the viewer is one of the approvers of the item's current step, neither its
    author nor one who approved this step already (`done`)."""
    flow = approvals.item_flow(ws, item)
    if flow is None or item.status != "pending_approval":
        return False
    name, role = _who(viewer)
    if name.casefold() in {n.casefold() for n in [item.author or "", *done]}:
        return False
    steps = flow.workflow.steps
    return approvals.may_approve(flow, steps[min(item.step or 1, len(steps)) - 1], name, role)


def _done(approval: dict[str, Any] | None) -> list[str]:
    return list((approval or {}).get("approved") or [])


def sees(ws: Workspace, item: Item, message: dict[str, Any], viewer: Viewer) -> bool:
    """Everyone with the permission sees every item, but a local manager: the items they may
    edit (their own accounts') or approve at some step."""
    if not is_local(ws, viewer):
        return True
    name, role = _who(viewer)
    if approvals.may_edit(ws, item, message, name, role):
        return True
    flow = approvals.item_flow(ws, item)
    return flow is not None and any(
        approvals.may_approve(flow, s, name, role) for s in flow.workflow.steps
    )


def _visible(request: Request, ws: Workspace, viewer: Viewer, item_id: int) -> tuple[Item, dict]:
    item = rows.item(state(request).store, item_id)
    message = rows.message(state(request).store, item.message_id) if item else None
    if item is None or item.workspace != ws.slug or not sees(ws, item, message or {}, viewer):
        raise HTTPException(404, _("no such item in this workspace"))
    return item, message or {}


@router.get("/w/{slug}/publish/approvals")
def approvals_page(request: Request, slug: str, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    store = state(request).store
    pending = items_of(store, ws, ["pending_approval"])
    messages = {i.message_id: rows.message(store, i.message_id) or {} for i in pending}
    shown = [i for i in pending if sees(ws, i, messages[i.message_id], viewer)]
    waiting = approvals.list_approvals(store, ws, shown)
    listed = [{"item": i, "approval": waiting.get(i.id), "at": written(i.at, i.timezone),
               "may_decide": may_decide(ws, i, viewer, _done(waiting.get(i.id)))}
              for i in shown]  # fmt: skip
    mine = [w for w in listed if w["may_decide"]]
    others = [w for w in listed if not w["may_decide"]]
    context = page_context(request, viewer, ws=ws, mine=mine, others=others)
    return page("compose_approvals.html", context)


@router.get(ITEM)
def item_page(request: Request, slug: str, item_id: Id, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    item, message = _visible(request, ws, viewer, item_id)
    return _item(request, viewer, ws, item, message)


def _item(request: Request, viewer: Viewer, ws: Workspace, item: Item, message: dict[str, Any],
          status: int = 200, **more: Any) -> Response:  # fmt: skip
    store = state(request).store
    name, role = _who(viewer)
    account = find_account(ws.owned_accounts, item.account)
    edited = item.extra.get("edit") or {}
    more = {"error": None} | more
    variables = dict(account.variables) if account is not None else {}
    approval = approvals.list_approvals(store, ws, [item]).get(item.id)
    context = page_context(
        request, viewer, ws=ws, item=item, message=message,
        at=written(item.at, item.timezone), status_word=approvals.status_word,
        approval=approval, history=decisions.history(store, item.id),
        may_decide=may_decide(ws, item, viewer, _done(approval)),
        may_edit=approvals.may_edit(ws, item, message, name, role)
        and item.status in approvals.EDITABLE,
        is_centre=approvals.is_centre(message, name, role),
        source_text=_source_text(item, message),
        variables=variables | edited.get("variables", {}),
        answers=counting.answers(store, item, message) if item.native_id else None,
        **more,
    )  # fmt: skip
    return page("compose_item.html", context, status)


async def _form(request: Request) -> FormData:
    return await request.form()


@router.post(ITEM + "/approve")
async def approve(request: Request, slug: str, item_id: Id, viewer: Deciding) -> Response:
    return await run_in_threadpool(_decide, request, slug, item_id, viewer, None)


@router.post(ITEM + "/reject")
async def reject(request: Request, slug: str, item_id: Id, viewer: Deciding) -> Response:
    reason = str((await _form(request)).get("reason") or "")[:500]
    return await run_in_threadpool(_decide, request, slug, item_id, viewer, reason)


def _decide(request: Request, slug: str, item_id: int, viewer: Viewer,
            reason: str | None) -> Response:  # fmt: skip
    ws = workspace_of(request, slug)
    item, message = _visible(request, ws, viewer, item_id)
    name, role = _who(viewer)
    try:
        approvals.decide(state(request).store, ws, item.id, name, role, datetime.now(UTC),
                         reason=reason)  # fmt: skip
    except approvals.ApprovalError as exc:
        return _item(request, viewer, ws, item, message, 400 if exc.refusal else 403,
                     error=str(exc))  # fmt: skip
    if request.query_params.get("back") == "approvals":
        return RedirectResponse(f"/w/{ws.slug}/publish/approvals", status_code=303)
    return RedirectResponse(ITEM.format(slug=ws.slug, item_id=item.id), status_code=303)


@router.post(ITEM + "/edit")
async def edit(request: Request, slug: str, item_id: Id, viewer: Deciding) -> Response:
    form = await _form(request)
    return await run_in_threadpool(_edit, request, slug, item_id, viewer, form)


def _edit(request: Request, slug: str, item_id: int, viewer: Viewer, form: FormData) -> Response:
    ws = workspace_of(request, slug)
    item, message = _visible(request, ws, viewer, item_id)
    name, role = _who(viewer)
    text = form.get("text")
    values = {k.removeprefix("var:"): str(v)[:2000] for k, v in form.multi_items()
              if k.startswith("var:")}  # fmt: skip
    current = _source_text(item, message)
    changed = str(text) if isinstance(text, str) and text.strip() and text != current else None
    lookups = Lookups(ws.sources, ws.owned_accounts)
    try:
        approvals.edit(state(request).store, ws, item.id, name, role, datetime.now(UTC),
                       text=changed, values=values, resolve=lookups.resolve,
                       limit=lookups.limit)  # fmt: skip
    except approvals.ApprovalError as exc:
        status = 404 if exc.missing else 400 if exc.refusal else 403
        return _item(request, viewer, ws, item, message, status, error=str(exc))
    return RedirectResponse(ITEM.format(slug=ws.slug, item_id=item.id), status_code=303)


def _source_text(item: Item, message: dict[str, Any]) -> str:
    edited = item.extra.get("edit") or {}
    variants = message.get("variants") or {}
    for v in (variants.get(item.account), variants.get(item.platform)):
        if not edited.get("text") and v and v.get("text"):
            return str(v["text"])
    return str(edited.get("text") or message.get("text") or "")


@router.post(ITEM + "/lock")
async def lock(request: Request, slug: str, item_id: Id, viewer: Deciding) -> Response:
    locked = (await _form(request)).get("locked") == "1"
    return await run_in_threadpool(_lock, request, slug, item_id, viewer, locked)


def _lock(request: Request, slug: str, item_id: int, viewer: Viewer, locked: bool) -> Response:
    ws = workspace_of(request, slug)
    item, message = _visible(request, ws, viewer, item_id)
    name, role = _who(viewer)
    try:
        approvals.lock(state(request).store, ws, item.id, name, role, locked)
    except approvals.ApprovalError as exc:
        return _item(request, viewer, ws, item, message, 403, error=str(exc))
    return RedirectResponse(ITEM.format(slug=ws.slug, item_id=item.id), status_code=303)
