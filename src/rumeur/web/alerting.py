"""The alerts pages: a workspace's alerts, with Ack and Mute, and the crisis room of each, where
the team assigns tasks, writes notes, copies the holding statements and downloads the report.
Each route declares the permission it needs; every POST checks the form's CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from rumeur.alerts import actions
from rumeur.alerts.sentences import status  # the `status` macro's words, as the CLI's
from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.web import crisis
from rumeur.web.accounts import list_users
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.crisis_figures import room_charts
from rumeur.web.filters import Id, check_text
from rumeur.web.links import alert_link
from rumeur.web.permissions import Permission, allowed
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
# What fills the demo's empty alerts page, run where `make demo` ran (the same database):
# tests/web/test_alerts_pages.py checks it names the demo's data file.
DEMO_REPLAY = ".venv/bin/rumeur replay ../shared/data/airline-tweets/tweets.csv --preset airline"
Seeing = Annotated[Viewer, Depends(page_viewer(Permission.ALERTS))]
Responding = Annotated[Viewer, Depends(csrf_checked(Permission.RESPOND))]


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/w/{slug}/alerts")
def alerts_page(request: Request, slug: str, viewer: Seeing) -> Response:
    ws = workspace_of(request, slug)
    found = crisis.told_alerts(crisis.read_alerts(state(request).store, ws.slug), ws.zone)
    context = page_context(
        request,
        viewer,
        ws=ws,
        alerts=found,
        mute_hours=crisis.MUTE_HOURS,
        replay=DEMO_REPLAY,
        alert_status=status,
    )
    return page("alerts.html", context)


def _team(request: Request) -> list[str]:
    """Who a task may be given to: the enabled accounts that may respond."""
    return [
        u.name
        for u in list_users(state(request).store)
        if not u.disabled and allowed(u.role, Permission.RESPOND)
    ]


def _room(request: Request, slug: str, alert_id: int) -> tuple[Any, crisis.Room]:
    ws = workspace_of(request, slug)
    return ws, crisis.read_room(state(request).store, ws, alert_id, _team(request))


@router.get("/w/{slug}/alerts/{alert_id}")
def room_page(request: Request, slug: str, alert_id: Id, viewer: Seeing) -> Response:
    ws, room = _room(request, slug, alert_id)
    context = page_context(
        request,
        viewer,
        ws=ws,
        room=room,
        a=room.alert,
        charts=room_charts(room, ws),
        mute_hours=crisis.MUTE_HOURS,
        stream=alert_link(ws, room.alert),  # None: the alert counted no posts to list
        alert_status=status,
    )
    return page("crisis.html", context)


@router.get("/w/{slug}/alerts/{alert_id}/report.html")
def report_download(request: Request, slug: str, alert_id: Id, viewer: Seeing) -> Response:
    """The whole room as one self-contained HTML file, for after the crisis."""
    ws, room = _room(request, slug, alert_id)
    context = {
        "ws": ws,
        "room": room,
        "a": room.alert,
        "charts": room_charts(room, ws),
        "alert_status": status,
    }
    response = page("report.html", {**context, "made": _now(), "viewer": viewer})
    name = f"rumeur-{ws.slug}-alert-{alert_id}.html"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _back(slug: str, alert_id: int | None = None) -> RedirectResponse:
    where = f"/w/{slug}/alerts" + (f"/{alert_id}" if alert_id is not None else "")
    return RedirectResponse(where, status_code=303)


def _live(request: Request, slug: str, alert_id: int) -> str:
    """The workspace's slug, once the alert is found there and is not closed."""
    ws = workspace_of(request, slug)
    crisis.live_alert(state(request).store, ws.slug, alert_id)
    return ws.slug


@router.post("/w/{slug}/alerts/{alert_id}/ack")
def ack_alert(
    request: Request,
    slug: str,
    alert_id: Id,
    viewer: Responding,
    back: Annotated[str, Form()] = "",
) -> Response:
    ws_slug = _live(request, slug, alert_id)
    actions.ack(state(request).store, ws_slug, alert_id, viewer.user.name, _now())
    return _back(ws_slug, alert_id if back == "room" else None)


@router.post("/w/{slug}/alerts/{alert_id}/mute")
def mute_alert(
    request: Request,
    slug: str,
    alert_id: Id,
    viewer: Responding,
    hours: Annotated[int, Form()] = 2,
    back: Annotated[str, Form()] = "",
) -> Response:
    if hours not in crisis.MUTE_HOURS:
        raise HTTPException(400, _("Choose one of the offered durations."))
    ws_slug = _live(request, slug, alert_id)
    store = state(request).store
    actions.mute(store, ws_slug, alert_id, timedelta(hours=hours), viewer.user.name, _now())
    return _back(ws_slug, alert_id if back == "room" else None)


def _text(value: str) -> str:
    text = value.strip()
    if not text:
        raise HTTPException(400, _("Write something first."))
    return check_text("text", text[: crisis.MAX_TEXT], crisis.MAX_TEXT)


def _log(
    request: Request, ws: Workspace, alert_id: int, what: str, viewer: Viewer, detail: dict
) -> None:
    """One of the team's actions, by the viewer now, in the alert's log."""
    store = state(request).store
    crisis.log_event(store, ws.slug, alert_id, what, viewer.user.name, detail, _now())


@router.post("/w/{slug}/alerts/{alert_id}/assign")
def assign_task(
    request: Request,
    slug: str,
    alert_id: Id,
    viewer: Responding,
    to: Annotated[str, Form()] = "",
    task: Annotated[str, Form()] = "",
) -> Response:
    if to not in _team(request):
        raise HTTPException(400, _("Choose a member of the team."))
    ws = workspace_of(request, slug)
    detail = {"to": to, "task": _text(task)}
    _log(request, ws, alert_id, "assigned", viewer, detail)
    return _back(ws.slug, alert_id)


@router.post("/w/{slug}/alerts/{alert_id}/note")
def add_note(
    request: Request,
    slug: str,
    alert_id: Id,
    viewer: Responding,
    text: Annotated[str, Form()] = "",
) -> Response:
    ws = workspace_of(request, slug)
    detail = {"text": _text(text)}
    _log(request, ws, alert_id, "note", viewer, detail)
    return _back(ws.slug, alert_id)


@router.post("/w/{slug}/alerts/{alert_id}/copied")
def statement_copied(
    request: Request,
    slug: str,
    alert_id: Id,
    viewer: Responding,
    statement: Annotated[str, Form()] = "",
    language: Annotated[str, Form()] = "",
) -> Response:
    """Logged by rumeur.js when someone copies a holding statement."""
    ws = workspace_of(request, slug)
    if statement not in {s.slug for s in ws.statements} or language not in ("fr", "en"):
        raise HTTPException(400, _("There is no such statement."))
    detail = {"statement": statement, "language": language}
    _log(request, ws, alert_id, "statement_copied", viewer, detail)
    return JSONResponse({"logged": True})
