"""The health of the installation (health/, docs/deploy.md): `GET /metrics` in Prometheus' text
format, and the admin's Workers page with the same figures. Both are for admins: `/metrics`
takes an admin's API token (`Authorization: Bearer`, as a scraper sends it) or an admin's
session, and answers 401 rather than a sign-in page to a request with neither."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from rumeur.health.prometheus import CONTENT_TYPE, exposition
from rumeur.health.report import Health, gather
from rumeur.i18n import _, duration, language
from rumeur.web import sessions
from rumeur.web.auth import SESSION_COOKIE, Viewer, api_viewer, page_viewer, state
from rumeur.web.permissions import Permission, allowed
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)


def metrics_viewer(request: Request) -> Viewer:
    """An admin, by API token or by session; 401 without either, 403 for another role."""
    if request.headers.get("authorization"):
        return api_viewer(Permission.WORKERS)(request)
    token = request.cookies.get(SESSION_COOKIE)
    found = sessions.find(state(request).store, token)
    if found is None:
        raise HTTPException(
            401, _("a valid API token is needed"), headers={"WWW-Authenticate": "Bearer"}
        )
    if not allowed(found.user.role, Permission.WORKERS):
        raise HTTPException(403, _("your role does not allow this"))
    return Viewer(found.user, language(), found.csrf, token or "")


def _health(request: Request) -> Health:
    # Plain functions: FastAPI runs them in its thread pool, so a slow broker (bounded by
    # health.broker.TIMEOUT_S) holds one thread, never the event loop.
    web = state(request)
    return gather(web.settings, web.store, datetime.now(UTC))


@router.get("/metrics")
def metrics(request: Request, viewer: Annotated[Viewer, Depends(metrics_viewer)]) -> Response:
    return Response(exposition(_health(request)), media_type=CONTENT_TYPE)


@router.get("/admin/workers")
def workers_page(
    request: Request, viewer: Annotated[Viewer, Depends(page_viewer(Permission.WORKERS))]
) -> Response:
    context = page_context(request, viewer, health=_health(request), duration=duration)
    return page("workers.html", context)
