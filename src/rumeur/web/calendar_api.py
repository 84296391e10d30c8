"""The calendar's REST routes (docs/publish.md, "The calendar"), for a token with the `publish`
permission.

`GET /api/w/SLUG/calendar?view=week|month&day=YYYY-MM-DD&account=&network=&department=`: the
period as the page shows it, `{"view", "first", "last", "timezone", "days": [{"day", "items":
[...]}], "quotas": [...]}`, each item as `publish list --json` gives it with its `local` time
and the quota windows over quota it is in (`over`), and each account's busiest window of each
quota.

`PATCH` (or `POST`) `/api/w/SLUG/publish/items/ID/at` with `{"at": "..."}` (ISO
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

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.publishing import calendar as planning
from rumeur.publishing import quotas
from rumeur.publishing.schedule import item_json
from rumeur.web.auth import Viewer, api_viewer, state, workspace_of
from rumeur.web.calendar import AskedCalendar, moved_json
from rumeur.web.filters import Id
from rumeur.web.permissions import Permission

api_router = APIRouter(prefix="/api")
Publishing = Annotated[Viewer, Depends(api_viewer(Permission.PUBLISH))]
ROUTE = "/w/{slug}/publish/items/{item_id}/at"


@api_router.get("/w/{slug}/calendar")
def api_calendar(
    request: Request,
    slug: str,
    viewer: Publishing,
    shown: AskedCalendar,
) -> dict[str, Any]:
    """The week or month holding `day` (today by default), in the workspace's zone."""
    ws = workspace_of(request, slug)
    return {
        "view": shown.period.view, "first": shown.period.first.isoformat(),
        "last": shown.period.last.isoformat(), "timezone": ws.timezone,
        "days": [
            {"day": d.isoformat(), "items": [
                item_json(e.item) | {"local": e.local.isoformat(), "over": list(e.over)}
                for e in entries
            ]}
            for d, entries in shown.days.items()
        ],
        "quotas": [_use(u, ws) for u in shown.busiest()],
    }  # fmt: skip


def _use(use: quotas.Use, ws: Workspace) -> dict[str, Any]:
    return {
        "account": use.account, "quota": use.quota.key, "network": use.quota.network,
        "unit": use.quota.unit, "allowed": use.quota.allowed, "used": use.used,
        "over": use.over, "start": use.start.astimezone(ws.zone).isoformat(),
        "end": use.end.astimezone(ws.zone).isoformat(), "source": use.quota.source,
    }  # fmt: skip


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
        when = planning.target(store, ws, item_id, (at or "")[:40], (day or "")[:10])
        moved = planning.move(
            store, ws, item_id, when, user.name, user.role.value, datetime.now(UTC)
        )
    except planning.MoveError as exc:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)
    return JSONResponse(moved_json(ws, moved))
