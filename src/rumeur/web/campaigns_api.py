"""Campaigns in the REST API (docs/influence.md, "Campaigns"), for a token whose role may keep
the influencers (`influence`):

- `GET /api/w/{slug}/campaigns`: the workspace's campaigns, the latest start first;
- `POST /api/w/{slug}/campaigns`: make one from `{"name", "from", "to", "query", "people"}`
  (`from` and `to` days, the last included, or ISO 8601 moments; people `platform:handle`);
- `GET /api/w/{slug}/campaigns/{id}`: its report, the JSON of `rumeur campaigns report --json`;
- `POST /api/w/{slug}/campaigns/{id}/people`: add `{"people": [...]}` to it.

The values are checked once, by `influence/campaigns.py`; a refusal is a 400 with its line, a
campaign of another workspace or none a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from rumeur.influence import campaigns as camp
from rumeur.influence.relationships import PeopleError
from rumeur.query.parser import QueryError
from rumeur.web.auth import Viewer, api_viewer, state, workspace_of
from rumeur.web.filters import Id
from rumeur.web.permissions import Permission

api_router = APIRouter(prefix="/api")
Keeping = Annotated[Viewer, Depends(api_viewer(Permission.INFLUENCE))]
Who = Annotated[str, Field(max_length=300)]
T = TypeVar("T")


class CampaignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: Annotated[str, Field(max_length=camp.NAME_LENGTH)]
    start: Annotated[str, Field(alias="from", max_length=40)]
    end: Annotated[str, Field(alias="to", max_length=40)]
    query: Annotated[str, Field(max_length=camp.QUERY_LENGTH)]
    people: Annotated[list[Who], Field(max_length=camp.MAX_PEOPLE)] = []


class PeopleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    people: Annotated[list[Who], Field(min_length=1, max_length=camp.MAX_PEOPLE)]


def _checked(call: Callable[[], T]) -> T:
    try:
        return call()
    except camp.NoSuchCampaign as missing:
        raise HTTPException(404, str(missing)) from None
    except (camp.CampaignError, PeopleError, QueryError) as refused:
        raise HTTPException(400, str(refused).splitlines()[0]) from None


@api_router.get("/w/{slug}/campaigns")
def list_campaigns(request: Request, slug: str, viewer: Keeping) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    found = camp.campaigns(state(request).store, ws.slug)
    return {"campaigns": [camp.campaign_json(c) for c in found]}


@api_router.post("/w/{slug}/campaigns")
def create(request: Request, slug: str, viewer: Keeping, body: CampaignIn) -> JSONResponse:
    ws = workspace_of(request, slug)
    store = state(request).store

    def make() -> camp.Campaign:
        starts_at, ends_at = camp.read_period(body.start, body.end, ws.zone)
        return camp.create_campaign(
            store, ws.slug, body.name, starts_at, ends_at, body.query, body.people,
            by=viewer.user.name,
        )  # fmt: skip

    return JSONResponse(camp.campaign_json(_checked(make)), status_code=201)


@api_router.get("/w/{slug}/campaigns/{campaign_id}")
def report(request: Request, slug: str, campaign_id: Id, viewer: Keeping) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    store = state(request).store
    return _checked(lambda: camp.campaign_report(store, ws.slug, campaign_id)).to_json()


@api_router.post("/w/{slug}/campaigns/{campaign_id}/people")
def add_people(
    request: Request, slug: str, campaign_id: Id, viewer: Keeping, body: PeopleIn
) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    store = state(request).store
    found = _checked(lambda: camp.add_person(store, ws.slug, campaign_id, body.people))
    return camp.campaign_json(found)
