"""Publishing through the REST API (docs/publish.md, "The API"), for a token with the `publish`
permission (community managers and admins):

- `POST /api/w/SLUG/publish`: schedule a message, or a list of them, as `rumeur publish FILE`
  does: `{"items": [...], "existing": [...], "refused": [{"account", "network", "reason"}]}`;
- `POST /api/w/SLUG/publish/check`: the same expansion and checks, nothing stored: each
  account's variant as it will be sent, or why it is refused (the composer's preview);
- `GET /api/w/SLUG/publish`: the items, soonest first;
- `POST /api/w/SLUG/publish/ID/approve`: approve an item that waits (a no-op otherwise).

A body that does not read is answered 400 with one line naming the key; nothing of it is
scheduled.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from rumeur.publishing import schedule as scheduling
from rumeur.publishing.expand import Variant, expand
from rumeur.publishing.lookups import Lookups
from rumeur.publishing.spec import Spec, SpecError, read
from rumeur.web.auth import Viewer, api_viewer, state, workspace_of
from rumeur.web.filters import Id
from rumeur.web.permissions import Permission

api_router = APIRouter(prefix="/api")
Publishing = Annotated[Viewer, Depends(api_viewer(Permission.PUBLISH))]
MAX_MESSAGES = 1000  # in one request


def _specs(body: Any, zone: str) -> list[Spec]:
    messages = body if isinstance(body, list) else [body]
    if not messages or len(messages) > MAX_MESSAGES:
        raise SpecError(f"1 to {MAX_MESSAGES} messages")
    return [read(m, zone, f"[{i}]") for i, m in enumerate(messages)]


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


@api_router.post("/w/{slug}/publish")
def api_publish(
    request: Request, slug: str, viewer: Publishing, body: Annotated[Any, Body()]
) -> JSONResponse:
    """Schedule one message or a list of them."""
    ws = workspace_of(request, slug)
    try:
        specs = _specs(body, ws.timezone)
    except SpecError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    lookups = Lookups(ws.sources, ws.owned_accounts)
    found: dict[str, list[dict[str, Any]]] = {"items": [], "existing": [], "refused": []}
    for spec in specs:
        outcome = scheduling.schedule(
            state(request).store, ws, spec, datetime.now(UTC), author=viewer.user.name,
            role=viewer.user.role.value, resolve=lookups.resolve, limit=lookups.limit,
        )  # fmt: skip
        found["items"] += [scheduling.item_json(i) for i in outcome.created]
        found["existing"] += [scheduling.item_json(i) for i in outcome.existing]
        found["refused"] += [_refused(v) for v in outcome.refused]
    return JSONResponse(found, status_code=201 if found["items"] else 200)


@api_router.post("/w/{slug}/publish/check")
def api_check(
    request: Request, slug: str, viewer: Publishing, body: Annotated[Any, Body()]
) -> JSONResponse:
    """Each account's variant of one message (or of each of a list), checked, nothing stored."""
    ws = workspace_of(request, slug)
    try:
        specs = _specs(body, ws.timezone)
    except SpecError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    lookups = Lookups(ws.sources, ws.owned_accounts)
    variants = [
        _variant(v)
        for spec in specs
        for v in expand(spec, ws.owned_accounts, resolve=lookups.resolve, limit=lookups.limit)
    ]
    return JSONResponse({"variants": variants})


@api_router.get("/w/{slug}/publish")
def api_items(request: Request, slug: str, viewer: Publishing) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    items = scheduling.items_of(state(request).store, ws)
    return {"items": [scheduling.item_json(i) for i in items]}


@api_router.post("/w/{slug}/publish/{item_id}/approve")
def api_approve(request: Request, slug: str, item_id: Id, viewer: Publishing) -> JSONResponse:
    ws = workspace_of(request, slug)
    user = viewer.user
    try:
        item, done = scheduling.approve(
            state(request).store, ws, item_id, user.name, user.role.value, datetime.now(UTC)
        )
    except scheduling.PublishError as exc:
        return JSONResponse({"error": str(exc)}, status_code=404 if exc.missing else 403)
    return JSONResponse({"item": scheduling.item_json(item), "approved": done})
