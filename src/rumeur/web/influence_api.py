"""The influencers in the REST API: `GET /api/w/{slug}/influencers` (ranked, with the filters
of `rumeur influencers list`) and `GET /api/w/{slug}/influencers/{author}` (one author), the
same JSON as `--json`, for a token whose role may read the influencers."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from rumeur.i18n import _
from rumeur.influence import ranking
from rumeur.influence.ranking import UnknownPlace
from rumeur.settings.influence import TIERS
from rumeur.web.auth import Viewer, api_viewer, state, workspace_of
from rumeur.web.permissions import Permission

api_router = APIRouter(prefix="/api")
Text = Annotated[str | None, Query(max_length=200)]


@api_router.get("/w/{slug}/influencers")
def influencers(
    request: Request,
    slug: str,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.INFLUENCE))],
    place: Text = None,
    tier: Annotated[str | None, Query(pattern="^(" + "|".join(TIERS) + ")$")] = None,
    platform: Text = None,
    language: Text = None,
    brand: Text = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """The authors with enough posts in the window, best influence score first, each with
    the parts of the score, their weights and the posts behind them."""
    ws = workspace_of(request, slug)
    if brand is not None and brand not in {b.name for b in ws.brands}:
        raise HTTPException(400, _("brand: not a brand of this workspace"))
    try:
        found = ranking.ranked(
            state(request).store, ws, place=place, tier=tier, platform=platform,
            language=language, brand=brand, limit=limit, offset=offset,
        )  # fmt: skip
    except UnknownPlace:
        raise HTTPException(400, _("place: not a place rumeur knows")) from None
    return {
        "workspace": ws.slug,
        "window_days": ws.influence.window_days,
        "min_posts": ws.influence.min_posts,
        "influencers": [one.to_json() for one in found],
    }


@api_router.get("/w/{slug}/influencers/{author}")
def influencer(
    request: Request,
    slug: str,
    author: str,
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.INFLUENCE))],
    place: Text = None,
) -> dict[str, Any]:
    """One author ("platform:handle", a handle, or an id): their score explained, or the
    reason they have none ("not_enough_posts")."""
    ws = workspace_of(request, slug)
    try:
        found = ranking.influencer(state(request).store, ws, author, place=place)
    except UnknownPlace:
        raise HTTPException(400, _("place: not a place rumeur knows")) from None
    if found is None:
        raise HTTPException(404, _("no such author in this workspace"))
    return found.to_json()
