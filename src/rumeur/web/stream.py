"""The mention stream's page: the filters, the result count, the posts with what the query
matched marked, and each user's saved views (store/stream_views.py).

The stream opened without any parameter shows the user's last filters; a search with filters
becomes the last one. Named views are saved and deleted by POST forms, CSRF-checked."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.store import stream_views
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.filters import (
    BAD_INPUT,
    MAX_QUERY,
    Id,
    StreamFilters,
    read_keyset,
    read_moment,
    reasons_for,
)
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context
from rumeur.web.views import read_stream

router = APIRouter(include_in_schema=False)
Reading = Annotated[Viewer, Depends(page_viewer(Permission.STREAM))]
Saving = Annotated[Viewer, Depends(csrf_checked(Permission.STREAM))]


@router.get("/w/{slug}/stream")
def stream_page(
    request: Request, slug: str, viewer: Reading, before: str | None = None
) -> Response:
    ws = workspace_of(request, slug)
    return _render(request, viewer, ws, dict(request.query_params), before)


def _render(
    request: Request,
    viewer: Viewer,
    ws: Workspace,
    params: dict[str, str],
    before: str | None = None,
    view_error: str | None = None,
) -> Response:
    store = state(request).store
    restored = False
    if not params:  # the stream as the user left it
        last = stream_views.last_params(store, viewer.user.id, ws.slug)
        params, restored = dict(parse_qsl(last or "")), bool(last)
    error = None
    try:
        filters = StreamFilters.read(params)
        keyset = read_keyset(before, filters.sort or "date")
        found = read_stream(state(request), ws, viewer, filters, keyset, counted=before is None)
        if before is None and not restored and view_error is None:
            _remember(request, viewer, ws, filters)
    except BAD_INPUT as exc:  # a malformed query or filter: said on the page, kept in the form
        error, found = str(exc).splitlines()[0], None
        filters = StreamFilters(q=_shown_query(params.get("q", "")))
    context = page_context(
        request,
        viewer,
        ws=ws,
        filters=filters,
        found=found,
        error=error,
        view_error=view_error,
        restored=restored,
        window=[read_moment(n, getattr(filters, n), ws.zone) for n in ("start", "end")],
        views=stream_views.named_views(store, viewer.user.id, ws.slug),
        departments=_departments(viewer, ws),
    )
    # htmx asks for the next page only: a refusal comes whole (htmx swaps no 400 into the list).
    fragment = request.headers.get("hx-request") and before and error is None
    status = 400 if error or view_error else 200
    return page("stream_page.html" if fragment else "stream.html", context, status)


def _remember(request: Request, viewer: Viewer, ws: Workspace, filters: StreamFilters) -> None:
    """The filters become the user's last ones, written only when they changed."""
    store = state(request).store
    params = filters.params()
    if stream_views.last_params(store, viewer.user.id, ws.slug) != params:
        stream_views.save(store, viewer.user.id, ws.slug, stream_views.LAST, params)


def _departments(viewer: Viewer, ws: Workspace) -> list[tuple[str, str]]:
    """The departments the filter offers: none to a department user, who sees only theirs."""
    if reasons_for(viewer.user, ws) is not None:
        return []
    return [(d.slug, d.name) for d in ws.departments]


def _shown_query(q: str) -> str:
    """A refused query as the form shows it again, to be corrected: cut to the longest
    accepted, without the control characters a page cannot show."""
    return "".join(c if c.isprintable() or c in "\t\n" else "\ufffd" for c in q[:MAX_QUERY])


@router.post("/w/{slug}/stream/views")
def save_view(
    request: Request,
    slug: str,
    viewer: Saving,
    name: Annotated[str, Form()] = "",
    params: Annotated[str, Form()] = "",
) -> Response:
    """Save the filters shown (`params`, the stream's query string) under `name`."""
    ws = workspace_of(request, slug)
    name = " ".join(name.split())
    if not name or len(name) > stream_views.MAX_NAME:
        return _refused(request, viewer, ws, params, _view_name_error())
    try:
        filters = StreamFilters.read(dict(parse_qsl(params)))
        filters.query()
    except BAD_INPUT as exc:
        return _refused(request, viewer, ws, params, str(exc).splitlines()[0])
    if not stream_views.save(state(request).store, viewer.user.id, ws.slug, name, filters.params()):
        message = _("at most {n} saved views: delete one first").format(n=stream_views.MAX_VIEWS)
        return _refused(request, viewer, ws, params, message)
    return RedirectResponse(f"/w/{ws.slug}/stream?{filters.params()}", status_code=303)


@router.post("/w/{slug}/stream/views/{view_id}/delete")
def delete_view(request: Request, slug: str, view_id: Id, viewer: Saving) -> Response:
    ws = workspace_of(request, slug)
    stream_views.remove(state(request).store, viewer.user.id, ws.slug, view_id)
    return RedirectResponse(f"/w/{ws.slug}/stream", status_code=303)


def _view_name_error() -> str:
    return _("name: give the view a name of 1 to {n} characters").format(n=stream_views.MAX_NAME)


def _refused(
    request: Request, viewer: Viewer, ws: Workspace, params: str, message: str
) -> Response:
    """The stream with the filters shown, the refusal said beside the form to save them."""
    return _render(request, viewer, ws, dict(parse_qsl(params)), view_error=message)
