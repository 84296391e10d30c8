"""The results of what was published (docs/publish.md, "Results"), for the `publish`
permission:

- `GET /w/SLUG/publish/results?days=30`: each item published in the last `days` days with a
  link to its post on its network and the engagement the collectors read back, then the sums
  per network, per account, per content type and national against local
  (publishing/results.py);
- `GET /w/SLUG/publish/results.csv?days=30`: the same items, one line each;
- `POST /w/SLUG/publish/results/read` (`days`, the form's CSRF token): "Read the posts again",
  the period's Bluesky posts read back from the network with their counts of now
  (publishing/readback.py), then the page.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from rumeur.config import Workspace
from rumeur.publishing import readback
from rumeur.publishing import results as outcome
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
Reading = Annotated[Viewer, Depends(page_viewer(Permission.PUBLISH))]
Refreshing = Annotated[Viewer, Depends(csrf_checked(Permission.PUBLISH))]
Days = Annotated[int, Query(ge=1, le=366)]


def _read(request: Request, slug: str, days: int) -> tuple[Workspace, outcome.Results]:
    ws = workspace_of(request, slug)
    until = datetime.now(UTC) + timedelta(minutes=1)
    found = outcome.results(state(request).store, ws, until - timedelta(days=days), until)
    return ws, found


@router.get("/w/{slug}/publish/results")
def results_page(request: Request, slug: str, viewer: Reading, days: Days = 30) -> Response:
    return _page(request, slug, viewer, days)


def _page(request: Request, slug: str, viewer: Viewer, days: int, **more: object) -> Response:
    ws, found = _read(request, slug, days)
    context = page_context(
        request, viewer, ws=ws, found=found, days=days, scope_word=outcome.scope_word, **more,
    )  # fmt: skip
    return page("publish_results.html", context)


@router.post("/w/{slug}/publish/results/read")
def read_again(
    request: Request, slug: str, viewer: Refreshing, days: Annotated[int, Form(ge=1, le=366)] = 30
) -> Response:
    """The period's Bluesky posts read back from the network, then the page with what was read."""
    ws = workspace_of(request, slug)
    done = readback.read_back(state(request).store, ws, datetime.now(UTC), days)
    return _page(request, slug, viewer, days, read_back=done)


@router.get("/w/{slug}/publish/results.csv")
def results_csv(request: Request, slug: str, viewer: Reading, days: Days = 30) -> Response:
    ws, found = _read(request, slug, days)
    body = outcome.csv_text(found, ws.zone)
    name = f"{ws.slug}-publish-results-{days}d.csv"
    return Response(
        body, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip
