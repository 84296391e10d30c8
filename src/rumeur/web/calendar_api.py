"""The calendar's REST route (docs/publish.md, "The calendar"), for a token with the `publish`
permission: `PATCH` (or `POST`) `/api/w/SLUG/publish/items/ID/at` with `{"at": "..."}` (ISO
8601; without an offset, in the workspace's zone) or `{"day": "YYYY-MM-DD"}` (the same local
time on another day) moves an item, as a drop on the calendar does:
`{"item": {...}, "local": "...", "warnings": [...]}`, the warnings naming each quota window the
new time goes over. 400: not a time, or a time passed; 403: the user may not move this
account's items; 404: no such item; 409: the item was sent, or is being sent, or changed
meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse

from rumeur.i18n import _
from rumeur.publishing import calendar as planning
from rumeur.web.auth import Viewer, api_viewer, state, workspace_of
from rumeur.web.calendar import moved_json, target
from rumeur.web.filters import Id
from rumeur.web.permissions import Permission

api_router = APIRouter(prefix="/api")
Publishing = Annotated[Viewer, Depends(api_viewer(Permission.PUBLISH))]
ROUTE = "/w/{slug}/publish/items/{item_id}/at"


@api_router.patch(ROUTE)
@api_router.post(ROUTE)
def api_move(
    request: Request, slug: str, item_id: Id, viewer: Publishing, body: Annotated[Any, Body()]
) -> JSONResponse:
    """Move an item to `at` (or to `day` at the same local time)."""
    ws = workspace_of(request, slug)
    at = body.get("at") if isinstance(body, dict) else None
    day = body.get("day") if isinstance(body, dict) else None
    if not (isinstance(at, str) and at) and not (isinstance(day, str) and day):
        return JSONResponse({"error": _("at: give the new time (or a day)")}, status_code=400)
    store, user = state(request).store, viewer.user
    try:
        when = target(store, ws, item_id, (at or "")[:40], (day or "")[:10])
        moved = planning.move(
            store, ws, item_id, when, user.name, user.role.value, datetime.now(UTC)
        )
    except planning.MoveError as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    return JSONResponse(moved_json(ws, moved))
