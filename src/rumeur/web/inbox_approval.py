"""Approval of replies in the web app and the REST API (docs/inbox.md, "Approval"): the replies
that wait for a senior (`/w/{slug}/inbox/approvals`), and a senior's or an admin's decision on
one, Approve (queued: the sender sends it) or Send back (returned to its author with a reason,
never sent).

The rules are inbox/approval.py's, the command line's (`rumeur inbox approve|reject`): a senior
of the conversation's department or an admin decides, never the reply's author. A department
user sees the replies of their department's conversations only; any other is answered 404.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.inbox import approval
from rumeur.store.inbox import OutboxRow, outbox_row, pending_replies
from rumeur.web.auth import Viewer, state, workspace_of
from rumeur.web.filters import FilterError, Id
from rumeur.web.inbox import ApiWorking, Reading, Working, departments_for, visible_thread
from rumeur.web.permissions import Permission, allowed
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api")


def may_decide(viewer: Viewer, ws: Workspace, department: str | None, author: str | None) -> bool:
    """Whether the viewer may approve or send back a reply by `author` in `department`."""
    user = viewer.user
    return allowed(user.role, Permission.ANSWER) and approval.may_approve(
        ws, department, user.name, user.role.value, author
    )


def decisions(
    viewer: Viewer, ws: Workspace, talk: dict[str, Any], replies: list[OutboxRow]
) -> dict[int, dict[str, Any]]:
    """For each of a conversation's replies that waits for approval: whether the viewer may
    decide on it, and whom it waits for (what the conversation page shows)."""
    return {
        r.id: {
            "may_decide": may_decide(viewer, ws, talk["department"], r.author),
            "waiting": approval.waiting_line(ws, talk["department"]),
        }
        for r in replies
        if r.state == "pending"
    }


def _reply(request: Request, ws: Workspace, viewer: Viewer, outbox_id: int) -> OutboxRow:
    """The workspace's reply `outbox_id`, if the viewer may see its conversation; else 404."""
    row = outbox_row(state(request).store, outbox_id)
    if row is None or row.workspace != ws.slug or row.conversation_id is None:  # a post's row
        raise HTTPException(404, _("no such reply in this workspace"))
    visible_thread(request, ws, viewer, row.conversation_id)  # a conversation they may not see: 404
    return row


def _decide(
    request: Request, slug: str, viewer: Viewer, outbox_id: int, reason: str | None
) -> OutboxRow:
    """Approve (`reason` None) or send back the reply, as the viewer; a refusal in one line."""
    ws = workspace_of(request, slug)
    _reply(request, ws, viewer, outbox_id)
    store, now = state(request).store, datetime.now(UTC)
    user = viewer.user
    try:
        if reason is None:
            return approval.approve(store, ws, outbox_id, user.name, user.role.value, now)
        return approval.send_back(store, ws, outbox_id, user.name, user.role.value, reason, now)
    except approval.ApprovalError as exc:
        raise Undecided(str(exc), 409 if exc.decided else 403) from None


class Undecided(FilterError):
    """A decision refused (a 400 on the page); `status` is the API's answer: 403 not a senior
    or the author, 409 decided already."""

    def __init__(self, line: str, status: int) -> None:
        super().__init__(line)
        self.status = status


def _back(request: Request, slug: str, row: OutboxRow) -> RedirectResponse:
    back = request.query_params.get("back", "")
    if back == "approvals":
        return RedirectResponse(f"/w/{slug}/inbox/approvals", status_code=303)
    return RedirectResponse(f"/w/{slug}/inbox/{row.conversation_id}", status_code=303)


@router.post("/w/{slug}/inbox/replies/{outbox_id}/approve")
def approve_page(request: Request, slug: str, outbox_id: Id, viewer: Working) -> Response:
    return _back(request, slug, _decide(request, slug, viewer, outbox_id, None))


@router.post("/w/{slug}/inbox/replies/{outbox_id}/reject")
def reject_page(
    request: Request,
    slug: str,
    outbox_id: Id,
    viewer: Working,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    return _back(request, slug, _decide(request, slug, viewer, outbox_id, reason))


def waiting(request: Request, ws: Workspace, viewer: Viewer) -> list[dict[str, Any]]:
    """The replies the viewer sees that wait for approval, oldest first, each saying whether the
    viewer may decide on it."""
    found = pending_replies(state(request).store, ws.slug, departments_for(viewer.user, ws))
    return [
        {
            "row": row,
            "talk": talk,
            "may_decide": may_decide(viewer, ws, talk["department"], row.author),
            "waiting": approval.waiting_line(ws, talk["department"]),
        }
        for row, talk in found
    ]


@router.get("/w/{slug}/inbox/approvals")
def approvals_page(request: Request, slug: str, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    context = page_context(
        request,
        viewer,
        ws=ws,
        waiting=waiting(request, ws, viewer),
        department_names={d.slug: d.name for d in ws.departments},
    )
    return page("inbox_approvals.html", context)


# The REST API ------------------------------------------------------------------------------------


class RejectIn(BaseModel):
    reason: Annotated[str, Field(max_length=500)]


def _answer(row: OutboxRow) -> dict[str, Any]:
    return {"id": row.id, "state": row.state, "error": row.error}


@api_router.get("/w/{slug}/inbox/approvals")
def api_approvals(request: Request, slug: str, viewer: ApiWorking) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    return {
        "replies": [
            {
                "id": w["row"].id,
                "conversation": w["row"].conversation_id,
                "department": w["talk"]["department"],
                "author": w["row"].author,
                "text": w["row"].text,
                "created_at": w["row"].created_at.astimezone(UTC).isoformat(),
                "may_approve": w["may_decide"],
            }
            for w in waiting(request, ws, viewer)
        ]
    }


@api_router.post("/w/{slug}/inbox/replies/{outbox_id}/approve")
def api_approve(request: Request, slug: str, outbox_id: Id, viewer: ApiWorking) -> Response:
    try:
        row = _decide(request, slug, viewer, outbox_id, None)
    except Undecided as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    return JSONResponse(_answer(row))


@api_router.post("/w/{slug}/inbox/replies/{outbox_id}/reject")
def api_reject(
    request: Request,
    slug: str,
    outbox_id: Id,
    viewer: ApiWorking,
    body: Annotated[RejectIn, Body()],
) -> Response:
    try:
        row = _decide(request, slug, viewer, outbox_id, body.reason)
    except Undecided as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    return JSONResponse(_answer(row))
