"""The publishing calendar's pages (docs/publish.md, "The calendar"), for the `publish`
permission:

- `GET /w/SLUG/calendar?view=week|month&day=YYYY-MM-DD&account=&network=&department=`: the
  period's items, each day in the workspace's zone, with their status and each network's
  quotas (publishing/calendar.py, publishing/quotas.py);
- `POST /w/SLUG/calendar/items/ID/at` (the form's CSRF token, and `at`, a local time, or
  `day`, another day at the same time): the item moved. calendar.js sends it when an item is
  dropped on a day and reads the JSON answer (`Accept: application/json`); without a script
  the time field of each item sends the same form, and the page comes back;
- `POST /w/SLUG/calendar/feeds` (`team`): a new iCalendar feed address for the team, shown
  once;
- `GET /w/SLUG/calendar.ics?team=&token=`: the team's feed, for calendar apps, which cannot
  sign in: the feed token opens it (publishing/feeds.py), and nothing else does. The token is
  in the query, which the server's log never writes (uvicorn's access log is off, and a
  failure logs the path alone).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from rumeur import i18n
from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.publishing import approvals, feeds, quotas
from rumeur.publishing import calendar as planning
from rumeur.publishing.schedule import item_json
from rumeur.store import calendar as feed_rows
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.filters import Id
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
Planning = Annotated[Viewer, Depends(page_viewer(Permission.PUBLISH))]
Moving = Annotated[Viewer, Depends(csrf_checked(Permission.PUBLISH))]
Text = Annotated[str, Form(max_length=64)]


def calendar_day(value: str | None, ws: Workspace) -> date:
    if not value:
        return datetime.now(UTC).astimezone(ws.zone).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(400, _("day: not a date (YYYY-MM-DD)")) from None


def calendar_filters(
    ws: Workspace, account: str, network: str, department: str
) -> planning.Filters:
    names = {a.name or a.key for a in ws.owned_accounts}
    if account and account not in names:
        raise HTTPException(400, _("account: no owned account named {name}").format(name=account))
    if network and network not in {a.platform for a in ws.owned_accounts}:
        raise HTTPException(400, _("network: no owned account on {name}").format(name=network))
    if department and department not in {d.slug for d in ws.departments}:
        raise HTTPException(400, _("department: no department {name}").format(name=department))
    return planning.Filters(account or None, network or None, department or None)


def asked_calendar(
    request: Request,
    slug: str,
    view: Annotated[str, Query(pattern="^(week|month)$")] = "week",
    day: Annotated[str | None, Query(max_length=10)] = None,
    account: Annotated[str, Query(max_length=200)] = "",
    network: Annotated[str, Query(max_length=32)] = "",
    department: Annotated[str, Query(max_length=64)] = "",
) -> planning.Calendar:
    """The week or month the query string asks for (`day`'s, today's by default), its filters
    checked: a dependency of the page and of the REST route, which read the same query."""
    ws = workspace_of(request, slug)
    filters = calendar_filters(ws, account, network, department)
    return planning.build(state(request).store, ws, view, calendar_day(day, ws), filters)  # type: ignore[arg-type]


AskedCalendar = Annotated[planning.Calendar, Depends(asked_calendar)]


@router.get("/w/{slug}/calendar")
def calendar_page(request: Request, slug: str, viewer: Planning, shown: AskedCalendar) -> Response:
    return _page(request, viewer, workspace_of(request, slug), shown)


def _page(
    request: Request, viewer: Viewer, ws: Workspace, shown: planning.Calendar, **more: Any
) -> Response:
    f, p = shown.filters, shown.period
    kept = {"account": f.account, "network": f.network, "department": f.department}
    base = {k: v for k, v in kept.items() if v} | {"view": p.view, "day": p.day}
    teams = [(feeds.WHOLE, _("the whole workspace")), *((d.slug, d.name) for d in ws.departments)]
    pending = [e.item for day in shown.days.values() for e in day
               if e.item.status == "pending_approval"]  # fmt: skip
    waiting = {
        item_id: _("step {step} of {steps}: waiting for {names}").format(
            step=a["step"], steps=a["steps"], names=", ".join(a["waiting"]) or "-")
        for item_id, a in approvals.list_approvals(state(request).store, ws, pending).items()
        if a is not None
    }  # fmt: skip
    context = page_context(
        request, viewer, ws=ws, cal=shown, status_word=approvals.status_word,
        today=datetime.now(UTC).astimezone(ws.zone).date(),
        link=lambda **q: f"/w/{ws.slug}/calendar?" + urlencode(base | q),
        accounts=sorted({a.name or a.key for a in ws.owned_accounts}),
        networks=sorted({a.platform for a in ws.owned_accounts}),
        feeds=feed_rows.feeds(state(request).store, ws.slug), quota_label=quotas.Quota.label,
        unit_word=quotas.unit_word, day_title=day_title, window_title=window_title,
        period_title=period_title, teams=teams, waiting=waiting,
        **more,
    )  # fmt: skip
    return page("calendar.html", context)


def day_title(day: date) -> str:
    """`Mon 29 Mar`, `lun. 29 mars`."""
    from babel.dates import format_date

    return format_date(day, "EEE d MMM", locale=i18n.language())


def window_title(use: quotas.Use, zone: ZoneInfo) -> str:
    """`Tue 1 Dec 08:00 – 08:30`, in the workspace's zone (the end's day when it differs)."""
    start, end = use.start.astimezone(zone), use.end.astimezone(zone)
    last = f"{day_title(end.date())} " if end.date() != start.date() else ""
    return f"{day_title(start.date())} {start:%H:%M} – {last}{end:%H:%M}"


def period_title(shown: planning.Calendar) -> str:
    """`29 Mar – 4 Apr 2027` for a week, `March 2027` for a month."""
    from babel.dates import format_date, format_interval

    p, lang = shown.period, i18n.language()
    if p.view == "month":
        return format_date(p.day, "LLLL y", locale=lang)
    return format_interval(p.first, p.last, "yMMMd", locale=lang)


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


@router.post("/w/{slug}/calendar/items/{item_id}/at")
def move_item(
    request: Request,
    slug: str,
    item_id: Id,
    viewer: Moving,
    at: Annotated[str, Form(max_length=40)] = "",
    day: Annotated[str, Form(max_length=10)] = "",
    back: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    """Move an item, to a local time (`at`) or to another day at its time (`day`)."""
    ws = workspace_of(request, slug)
    store, user = state(request).store, viewer.user
    try:
        moved = planning.move(
            store, ws, item_id, planning.target(store, ws, item_id, at, day), user.name,
            user.role.value, datetime.now(UTC),
        )  # fmt: skip
    except planning.MoveError as exc:
        if _wants_json(request):
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        raise HTTPException(exc.status, str(exc)) from None
    if _wants_json(request):
        return JSONResponse(moved_json(ws, moved))
    where = back if back.startswith(f"/w/{ws.slug}/calendar") else f"/w/{ws.slug}/calendar"
    return RedirectResponse(where, status_code=303)


def moved_json(ws: Workspace, moved: planning.Moved) -> dict[str, Any]:
    local = moved.item.at.astimezone(ws.zone)
    return {"item": item_json(moved.item), "local": local.isoformat(), "warnings": moved.warnings}


@router.post("/w/{slug}/calendar/feeds")
def make_feed(request: Request, slug: str, viewer: Moving, team: Text = feeds.WHOLE) -> Response:
    """A new feed address for `team` (a department's slug, or the whole workspace), shown once."""
    ws = workspace_of(request, slug)
    try:
        token = feeds.issue(state(request).store, ws, team, viewer.user.name, datetime.now(UTC))
    except feeds.FeedError as exc:
        raise HTTPException(400, str(exc)) from None
    query = urlencode({"team": team, "token": token})
    address = f"{request.base_url}w/{ws.slug}/calendar.ics?{query}"
    shown = planning.build(
        state(request).store, ws, "week", calendar_day(None, ws), planning.Filters()
    )
    return _page(request, viewer, ws, shown, new_feed=address, new_team=team)


@router.get("/w/{slug}/calendar.ics")
def feed(
    request: Request,
    slug: str,
    token: Annotated[str, Query(min_length=1, max_length=200)],
    team: Annotated[str, Query(max_length=64)] = feeds.WHOLE,
) -> Response:
    """A team's iCalendar feed, opened by its feed token alone (no session)."""
    ws = workspace_of(request, slug)
    store = state(request).store
    if not feeds.opens(store, ws, team, token):
        raise HTTPException(404, _("There is no such feed."))
    body = feeds.calendar(store, ws, team, datetime.now(UTC))
    return Response(
        body, media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )  # fmt: skip
