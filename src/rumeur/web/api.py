"""The REST API under `/api/`: the same figures and posts as the pages, as JSON, for a bearer
token (`Authorization: Bearer rmr_...`, made on the account page). Its schema is served at
`/api/openapi.json`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from rumeur.web import crisis
from rumeur.web.auth import Viewer, api_viewer, state, workspace_of
from rumeur.web.corrections import api_fields, correct_post
from rumeur.web.filters import Id, StreamFilters, read_keyset, reasons_for
from rumeur.web.permissions import ROLE_PERMISSIONS, Permission
from rumeur.web.views import export_lines, read_dashboard, read_post, read_stream

router = APIRouter(prefix="/api")


class Me(BaseModel):
    name: str
    role: str
    department: str | None
    permissions: list[str]


class WorkspaceOut(BaseModel):
    slug: str
    name: str
    brand: str
    competitors: list[str]
    timezone: str
    locale: str


class PostOut(BaseModel):
    id: int
    platform: str
    native_id: str
    url: str | None
    created_at: datetime
    author: str
    title: str | None
    text: str
    language: str | None
    sentiment: str | None
    emotion: str | None
    reason: str | None
    likes: int
    reposts: int
    replies: int
    quotes: int
    views: int | None
    hashtags: list[str]
    mentions: list[str]
    links: list[str]


class PostPage(BaseModel):
    posts: list[PostOut]
    next: str | None  # pass as `before` to get the next page


class CorrectionOut(BaseModel):
    post_id: int | None
    field: str
    value: str
    model_value: str | None
    corrected_by: str
    corrected_at: datetime


class PostDetail(PostOut):
    display_name: str | None
    followers: int | None
    brands: list[str]
    queries: list[str]
    why: list[dict[str, Any]]
    # The labels above are the ones in effect: the team's correction where there is one.
    model_sentiment: str | None
    model_emotion: str | None
    model_reason: str | None
    corrected_by: str | None  # who corrected one of the labels last, and when
    corrected_at: datetime | None
    corrections: dict[str, CorrectionOut]  # field -> the workspace's correction


class LabelsIn(BaseModel):
    """The labels to correct (any of them): a sentiment, an emotion (or `none`), a complaint
    reason of the workspace (or `none`, no complaint)."""

    model_config = ConfigDict(extra="forbid")
    sentiment: str | None = None
    emotion: str | None = None
    reason: str | None = None


FilterParams = Annotated[str | None, Query()]


@router.get("/me", response_model=Me)
def me(viewer: Annotated[Viewer, Depends(api_viewer(Permission.ACCOUNT))]) -> Me:
    user = viewer.user
    allowed = sorted(p.value for p in ROLE_PERMISSIONS[user.role])
    return Me(name=user.name, role=user.role.value, department=user.department, permissions=allowed)


@router.get("/workspaces", response_model=list[WorkspaceOut])
def workspaces(
    request: Request, viewer: Annotated[Viewer, Depends(api_viewer(Permission.STREAM))]
) -> list[WorkspaceOut]:
    shown = []
    for ws in state(request).settings.workspaces:
        if reasons_for(viewer.user, ws) == ():
            continue  # a department user sees only the workspaces that have their department
        shown.append(
            WorkspaceOut(
                slug=ws.slug,
                name=ws.name,
                brand=ws.brand.name,
                competitors=[c.name for c in ws.competitors],
                timezone=ws.timezone,
                locale=ws.locale,
            )
        )
    return shown


@router.get("/w/{slug}/dashboard")
def dashboard(
    request: Request,
    slug: str,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.DASHBOARD))],
    period: FilterParams = None,
    since: FilterParams = None,
    until: FilterParams = None,
) -> dict[str, Any]:
    """The dashboard's figures for a period: `period` 7d, 30d or 90d (ending with the newest
    data), or `since` and `until` (days in the workspace's time zone, both included)."""
    ws = workspace_of(request, slug)
    params = {k: v for k, v in (("period", period), ("since", since), ("until", until)) if v}
    view = read_dashboard(state(request), ws, viewer, params)
    return {
        "workspace": ws.slug,
        "period": {
            "name": view.period.name,
            "since": view.period.since.isoformat(),
            "until": view.period.until.isoformat(),
        },
        "department": view.department,
        **view.figures.as_dict(),
    }


def stream_filters(
    q: FilterParams = None,
    since: FilterParams = None,
    until: FilterParams = None,
    platform: FilterParams = None,
    sentiment: FilterParams = None,
    emotion: FilterParams = None,
    language: FilterParams = None,
    start: FilterParams = None,
    end: FilterParams = None,
    brand: FilterParams = None,
    department: FilterParams = None,
    author: FilterParams = None,
    sort: FilterParams = None,
) -> StreamFilters:
    """The stream's filters, as the page takes them: `q` is a boolean query
    (docs/queries.md), `since` and `until` days in the workspace's time zone (included),
    `start` and `end` times (ISO 8601, in that zone unless they carry an offset; `end`
    excluded), `brand` a brand's name, `department` a department's slug, `author` a handle,
    `sort` `date` (newest first) or `engagement` (most first)."""
    given = {
        "q": q, "since": since, "until": until, "platform": platform, "sentiment": sentiment,
        "emotion": emotion, "language": language, "start": start, "end": end, "brand": brand,
        "department": department, "author": author, "sort": sort,
    }  # fmt: skip
    return StreamFilters.read({k: v for k, v in given.items() if v})


Filters = Annotated[StreamFilters, Depends(stream_filters)]


@router.get("/w/{slug}/posts", response_model=PostPage)
def posts(
    request: Request,
    slug: str,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.STREAM))],
    filters: Filters,
    before: FilterParams = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 25,
) -> PostPage:
    """The mention stream, newest first (or the most engaged first); `before` is the `next` of
    the previous page."""
    ws = workspace_of(request, slug)
    keyset = read_keyset(before, filters.sort or "date")
    found = read_stream(state(request), ws, viewer, filters, keyset, limit)
    return PostPage(posts=[PostOut(**row) for row in found.posts], next=found.next)


@router.get("/w/{slug}/posts/{post_id}", response_model=PostDetail)
def post(
    request: Request,
    slug: str,
    post_id: Id,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.STREAM))],
) -> PostDetail:
    ws = workspace_of(request, slug)
    view = read_post(state(request), ws, viewer, post_id)
    row = view.post
    why = [w.as_dict() for w in view.why]
    labels = api_fields(state(request), ws, row)
    return PostDetail(**{**row, "author": row["handle"]}, why=why, **labels)


@router.post("/w/{slug}/posts/{post_id}/labels", response_model=PostDetail)
def correct_labels(
    request: Request,
    slug: str,
    post_id: Id,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.LABEL))],
    body: Annotated[LabelsIn, Body()],
) -> PostDetail:
    """Correct the post's sentiment, emotion or complaint reason: kept with the token's account
    and the time, in effect at once (counts included); answers the post as GET does."""
    ws = workspace_of(request, slug)
    correct_post(state(request), ws, viewer, post_id, body.model_dump(exclude_none=True))
    return post(request, slug, post_id, viewer)


@router.get("/w/{slug}/export.csv", response_class=StreamingResponse)
def export(
    request: Request,
    slug: str,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.EXPORT))],
    filters: Filters,
) -> StreamingResponse:
    """The filtered stream as CSV, oldest first."""
    ws = workspace_of(request, slug)
    return StreamingResponse(
        export_lines(state(request), ws, viewer, filters), media_type="text/csv; charset=utf-8"
    )


class AlertOut(BaseModel):
    id: int
    kind: str
    subject: str
    status: str
    revision: int
    started_at: datetime
    updated_at: datetime
    observed: float
    expected: float
    score: float
    acked_by: str | None
    acked_at: datetime | None
    muted_until: datetime | None


class AlertEventOut(BaseModel):
    at: datetime
    what: str
    by: str | None
    detail: dict[str, Any]


class AlertDetail(AlertOut):
    explanation: dict[str, Any]
    events: list[AlertEventOut]  # newest first


def _alert_out(row: dict[str, Any]) -> dict[str, Any]:
    return {name: row[name] for name in AlertOut.model_fields}


@router.get("/w/{slug}/alerts", response_model=list[AlertOut])
def alert_list(
    request: Request,
    slug: str,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.ALERTS))],
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AlertOut]:
    """The workspace's alerts: open ones first, then acked, muted and closed; newest first."""
    ws = workspace_of(request, slug)
    rows = crisis.read_alerts(state(request).store, ws.slug, limit)
    return [AlertOut(**_alert_out(row)) for row in rows]


@router.get("/w/{slug}/alerts/{alert_id}", response_model=AlertDetail)
def alert_detail(
    request: Request,
    slug: str,
    alert_id: Id,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.ALERTS))],
) -> AlertDetail:
    """One alert, with why it fired and its log (the detectors' and the team's actions)."""
    ws = workspace_of(request, slug)
    with state(request).store.read() as conn:
        row = crisis.read_alert(conn, ws.slug, alert_id)
        events = crisis.read_events(conn, alert_id)
    return AlertDetail(
        **_alert_out(row),
        explanation=row["explanation"] or {},
        events=[AlertEventOut(**{k: e[k] for k in ("at", "what", "by", "detail")}) for e in events],
    )
