"""Publishing through the REST API (docs/publish.md, "The API"), for a token with the `publish`
permission (community managers and admins):

- `POST /api/w/SLUG/publish`: schedule a message, or a list of them, as `rumeur publish FILE`
  does: `{"items": [...], "existing": [...], "refused": [{"account", "network", "reason"}]}`;
- `POST /api/w/SLUG/publish/check`: the same expansion and checks, nothing stored: each
  account's variant as it will be sent, or why it is refused (the composer's preview);
- `GET /api/w/SLUG/publish`: the items, soonest first;
- `POST /api/w/SLUG/publish/ID/approve`: approve the current step of an item that waits (a
  no-op otherwise), as one of the step's approvers (403 otherwise);
- `POST /api/w/SLUG/publish/ID/reject` (`{"reason"}`): back to draft with the reason;
- `POST /api/w/SLUG/publish/ID/edit` (`{"text", "variables"}`): a variant edited, checked, and
  sent back to the first step; a locked master text lets only the variables change;
- `GET /api/w/SLUG/publish/templates`, `POST` (`{"name", "kind", "text", "options",
  "expires_in", "type"}`): the saved templates, and one saved (the same name replaces it); a
  message's `template` key starts it from one;
- `GET /api/w/SLUG/publish/items/ID/answers`: the item's replies counted, as `rumeur publish
  answers ID --json` gives them (404: no such item in the workspace).

A body that does not read is answered 400 with one line naming the key; nothing of it is
scheduled.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.publishing import answers, approvals, templates
from rumeur.publishing import calendar as planning
from rumeur.publishing import schedule as scheduling
from rumeur.publishing.expand import Variant, expand
from rumeur.publishing.lookups import Lookups
from rumeur.publishing.spec import Spec, SpecError, read
from rumeur.store import publishing as rows
from rumeur.store.store import Store
from rumeur.web.auth import Viewer, api_viewer, state, workspace_of
from rumeur.web.filters import Id
from rumeur.web.permissions import Permission

api_router = APIRouter(prefix="/api")
Publishing = Annotated[Viewer, Depends(api_viewer(Permission.PUBLISH))]
MAX_MESSAGES = 1000  # in one request
REASON_LENGTH = 500  # a rejection's reason, as the store keeps it
MAX_TEXT, MAX_VARIABLES, MAX_VALUE = 100_000, 100, 2000  # an edit's body


def _specs(body: Any, ws: Workspace, store: Store) -> list[Spec]:
    messages = body if isinstance(body, list) else [body]
    if not messages or len(messages) > MAX_MESSAGES:
        raise SpecError(f"1 to {MAX_MESSAGES} messages")
    return [read(templates.started_from(store, ws.slug, m), ws.timezone, f"[{i}]")
            for i, m in enumerate(messages)]  # fmt: skip


def _refused(variant: Variant) -> dict[str, Any]:
    return {"account": variant.account, "network": variant.platform or None,
            "reason": variant.refusal}  # fmt: skip


def _variant(variant: Variant) -> dict[str, Any]:
    d = variant.draft
    return {
        "account": variant.account, "network": variant.platform or None,
        "handle": variant.handle or None, "text": d.text, "title": d.title,
        "media": [{"path": m.path, "alt": m.alt} for m in d.media],
        "visibility": d.visibility, "spoiler": d.spoiler, "extra": d.extra,
        "refusal": variant.refusal,
    }  # fmt: skip


def _read_specs(
    body: Any, ws: Workspace, store: Store
) -> tuple[list[Spec], Lookups] | JSONResponse:
    """The messages a request sends (each started from its `template`), with the lookups that
    expand them; a 400 when unreadable."""
    try:
        specs = _specs(body, ws, store)
    except SpecError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return specs, Lookups(ws.sources, ws.owned_accounts)


@api_router.post("/w/{slug}/publish")
def api_publish(
    request: Request, slug: str, viewer: Publishing, body: Annotated[Any, Body()]
) -> JSONResponse:
    """Schedule one message or a list of them."""
    ws = workspace_of(request, slug)
    parsed = _read_specs(body, ws, state(request).store)
    if isinstance(parsed, JSONResponse):
        return parsed
    specs, lookups = parsed
    found: dict[str, list[Any]] = {"items": [], "existing": [], "refused": [], "warnings": []}
    for spec in specs:
        outcome = scheduling.schedule(
            state(request).store, ws, spec, datetime.now(UTC), author=viewer.user.name,
            role=viewer.user.role.value, resolve=lookups.resolve, limit=lookups.limit,
        )  # fmt: skip
        made = outcome.created + outcome.existing
        waiting = approvals.list_approvals(state(request).store, ws, made)
        found["items"] += [scheduling.item_json(i, waiting[i.id]) for i in outcome.created]
        found["existing"] += [scheduling.item_json(i, waiting[i.id]) for i in outcome.existing]
        found["refused"] += [_refused(v) for v in outcome.refused]
        found["warnings"] += planning.schedule_warnings(state(request).store, ws, outcome.created)
    return JSONResponse(found, status_code=201 if found["items"] else 200)


@api_router.post("/w/{slug}/publish/check")
def api_check(
    request: Request, slug: str, viewer: Publishing, body: Annotated[Any, Body()]
) -> JSONResponse:
    """Each account's variant of one message (or of each of a list), checked, nothing stored."""
    ws = workspace_of(request, slug)
    parsed = _read_specs(body, ws, state(request).store)
    if isinstance(parsed, JSONResponse):
        return parsed
    specs, lookups = parsed
    variants = [
        _variant(v)
        for spec in specs
        for v in expand(spec, ws.owned_accounts, resolve=lookups.resolve, limit=lookups.limit)
    ]
    return JSONResponse({"variants": variants})


@api_router.get("/w/{slug}/publish")
def api_items(request: Request, slug: str, viewer: Publishing) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    store = state(request).store
    items = scheduling.items_of(store, ws)
    waiting = approvals.list_approvals(store, ws, items)
    return {"items": [scheduling.item_json(i, waiting.get(i.id)) for i in items]}


def _decided(request: Request, ws: Workspace, decided: approvals.Decided) -> JSONResponse:
    item = decided.item
    waiting = approvals.list_approvals(state(request).store, ws, [item]).get(item.id)
    return JSONResponse({
        "item": scheduling.item_json(item, waiting), "outcome": decided.outcome,
        "approved": decided.outcome == "scheduled", "message": decided.line,
    })  # fmt: skip


def _decide(
    request: Request, ws: Workspace, item_id: int, viewer: Viewer, reason: str | None = None
) -> JSONResponse:
    """Approve (no reason) or reject the item as the token's user, and answer with the item."""
    user = viewer.user
    try:
        decided = approvals.decide(
            state(request).store, ws, item_id, user.name, user.role.value, datetime.now(UTC),
            reason=reason,
        )  # fmt: skip
    except approvals.ApprovalError as exc:
        return _refusal(exc)
    return _decided(request, ws, decided)


def _refusal(exc: approvals.ApprovalError) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, status_code=_edit_status(exc))


@api_router.post("/w/{slug}/publish/{item_id}/approve")
def api_approve(request: Request, slug: str, item_id: Id, viewer: Publishing) -> JSONResponse:
    """Approve the item's current step as the token's user (who must be one of its approvers)."""
    return _decide(request, workspace_of(request, slug), item_id, viewer)


@api_router.post("/w/{slug}/publish/{item_id}/reject")
def api_reject(
    request: Request, slug: str, item_id: Id, viewer: Publishing, body: Annotated[Any, Body()]
) -> JSONResponse:
    """Reject the item: `{"reason": "..."}`; it goes back to draft with it."""
    ws = workspace_of(request, slug)
    reason = body.get("reason") if isinstance(body, dict) else None
    if not isinstance(reason, str) or not reason.strip() or len(reason) > REASON_LENGTH:
        return JSONResponse({"error": _("reason: say why it is rejected")}, status_code=400)
    return _decide(request, ws, item_id, viewer, reason=reason)


@api_router.post("/w/{slug}/publish/{item_id}/edit")
def api_edit(
    request: Request, slug: str, item_id: Id, viewer: Publishing, body: Annotated[Any, Body()]
) -> JSONResponse:
    """Edit an account's variant: `{"text": "...", "variables": {"ville": "..."}}`."""
    ws = workspace_of(request, slug)
    text = body.get("text") if isinstance(body, dict) else None
    values = body.get("variables", {}) if isinstance(body, dict) else None
    if not _edit_body(text, values):
        return JSONResponse({"error": _("a text and/or variables (names to texts)")}, 400)
    user, lookups = viewer.user, Lookups(ws.sources, ws.owned_accounts)
    try:
        item = approvals.edit(
            state(request).store, ws, item_id, user.name, user.role.value, datetime.now(UTC),
            text=text, values=values, resolve=lookups.resolve, limit=lookups.limit,
        )  # fmt: skip
    except approvals.ApprovalError as exc:
        return _refusal(exc)
    waiting = approvals.list_approvals(state(request).store, ws, [item]).get(item.id)
    return JSONResponse({"item": scheduling.item_json(item, waiting)})


def _edit_body(text: Any, values: Any) -> bool:
    if text is not None and not (isinstance(text, str) and 0 < len(text) <= MAX_TEXT):
        return False
    if not isinstance(values, dict) or len(values) > MAX_VARIABLES:
        return False
    fine = all(isinstance(k, str) and isinstance(v, str) and len(v) <= MAX_VALUE
               for k, v in values.items())  # fmt: skip
    return fine and (text is not None or bool(values))


def _edit_status(exc: approvals.ApprovalError) -> int:
    # A variant its network refuses is the body's fault (400); a refusal of the user, 403.
    return 404 if exc.missing else 400 if exc.refusal else 403


def _template(template: templates.Template) -> dict[str, Any]:
    return {"name": template.name, "kind": template.kind} | template.body()


@api_router.get("/w/{slug}/publish/templates")
def api_templates(request: Request, slug: str, viewer: Publishing) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    return {"templates": [_template(t) for t in templates.listed(state(request).store, ws.slug)]}


@api_router.post("/w/{slug}/publish/templates")
def api_save_template(
    request: Request, slug: str, viewer: Publishing, body: Annotated[Any, Body()]
) -> JSONResponse:
    """Save a template (docs/publish.md, "Templates"): 201 with it, 400 naming the field."""
    ws = workspace_of(request, slug)
    try:
        template = templates.read_template(body)
    except templates.TemplateError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    saved = templates.save(state(request).store, ws.slug, template, viewer.user.name,
                           datetime.now(UTC))  # fmt: skip
    return JSONResponse({"template": _template(saved)}, status_code=201)


@api_router.get("/w/{slug}/publish/items/{item_id}/answers")
def api_answers(request: Request, slug: str, item_id: Id, viewer: Publishing) -> JSONResponse:
    """The item's answers gathered from the inbox's replies (docs/publish.md, "Answers")."""
    ws, store = workspace_of(request, slug), state(request).store
    try:
        item = approvals.found_item(store, ws, item_id)
    except approvals.ApprovalError as exc:
        return JSONResponse({"error": str(exc)}, status_code=404)
    found = answers.answers(store, item, rows.message(store, item.message_id))
    return JSONResponse({"id": item.id} | found.as_json())
