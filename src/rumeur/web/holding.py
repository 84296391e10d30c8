"""A holding statement published from the crisis room in two clicks (docs/alerts.md,
"Publishing a holding statement"), for the `publish` permission:

- `GET /w/SLUG/alerts/ID/statements/STATEMENT/publish?language=fr` ("Publish…"): the owned
  accounts the statement would go to, each variant checked against its network's rules, the
  refused ones with their reason;
- `POST` to the same address ("Publish now", with the form's CSRF token): the variants
  scheduled at the preview's minute, pre-approved (publishing/holding.py), sent by the next
  `rumeur send`. The same form sent twice makes nothing new.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response

from rumeur.config import HoldingStatement, Workspace
from rumeur.i18n import _
from rumeur.publishing import approvals, holding
from rumeur.publishing.lookups import Lookups
from rumeur.web import crisis
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.filters import Id
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
Previewing = Annotated[Viewer, Depends(page_viewer(Permission.PUBLISH))]
Publishing = Annotated[Viewer, Depends(csrf_checked(Permission.PUBLISH))]
ADDRESS = "/w/{slug}/alerts/{alert_id}/statements/{statement}/publish"


def _now() -> datetime:
    return datetime.now(UTC)


def _found(
    request: Request, slug: str, alert_id: int, statement: str, language: str
) -> tuple[Workspace, HoldingStatement]:
    """The workspace and the statement, once the alert is live there and the language one of
    the statement's."""
    ws = workspace_of(request, slug)
    crisis.live_alert(state(request).store, ws.slug, alert_id)
    found = next((s for s in ws.statements if s.slug == statement), None)
    if found is None or language not in holding.LANGUAGES:
        raise HTTPException(404, _("There is no such statement."))
    return ws, found


def _page(request: Request, viewer: Viewer, ws: Workspace, alert_id: int,
          statement: HoldingStatement, language: str, **more: object) -> Response:  # fmt: skip
    context = page_context(
        request, viewer, ws=ws, alert_id=alert_id, statement=statement, language_code=language,
        status_word=approvals.status_word, **more,
    )  # fmt: skip
    return page("holding.html", context)


@router.get(ADDRESS)
def preview_page(
    request: Request, slug: str, alert_id: Id, statement: str, viewer: Previewing,
    language: str = "fr",
) -> Response:  # fmt: skip
    """Click 1: where the statement would go, and what each network would refuse."""
    ws, found = _found(request, slug, alert_id, statement, language)
    at = holding.minute_of(_now())
    lookups = Lookups(ws.sources, ws.owned_accounts)
    variants = holding.preview(ws, found, language, at, resolve=lookups.resolve,
                               limit=lookups.limit)  # fmt: skip
    return _page(request, viewer, ws, alert_id, found, language, variants=variants, at=at)


@router.post(ADDRESS)
def publish_now(
    request: Request, slug: str, alert_id: Id, statement: str, viewer: Publishing,
    language: Annotated[str, Form()] = "", at: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    """Click 2: the variants scheduled now, pre-approved; refused ones named again."""
    ws, found = _found(request, slug, alert_id, statement, language)
    now = _now()
    try:
        minute = holding.read_minute(at, now)
    except holding.HoldingError as exc:
        raise HTTPException(400, str(exc)) from None
    lookups = Lookups(ws.sources, ws.owned_accounts)
    outcome = holding.publish(
        state(request).store, ws, found, language, minute, now, author=viewer.user.name,
        role=viewer.user.role.value, resolve=lookups.resolve, limit=lookups.limit,
    )  # fmt: skip
    if outcome.created:  # the room's log says who published what, once
        accounts = [item.account for item in outcome.created]
        detail = {"statement": found.slug, "language": language, "accounts": accounts}
        store = state(request).store
        crisis.log_event(store, ws.slug, alert_id, "statement_published", viewer.user.name,
                         detail, now)  # fmt: skip
    return _page(request, viewer, ws, alert_id, found, language, outcome=outcome, at=minute)
