"""The campaigns' pages (docs/influence.md, "Campaigns"), for the `influence` permission:

- `GET /w/SLUG/campaigns`: the workspace's campaigns and the form that creates one (a name,
  the first and last day in the workspace's zone, a query, people);
- `POST /w/SLUG/campaigns`: create it, then show its report;
- `GET /w/SLUG/campaigns/ID` (and `/report.csv`): the report, national and local side by side,
  against the same length of time just before, and each person's contribution;
- `POST /w/SLUG/campaigns/people`: add an author to the campaign the form names (the author
  page's "Add to a campaign"), then go back to the campaign.

The campaigns and their reports are `influence/campaigns.py`'s; a refusal is a 400 with its line.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.influence import campaigns as camp
from rumeur.influence import relationships as rel
from rumeur.query.parser import QueryError
from rumeur.store.campaigns import Campaign
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
Reading = Annotated[Viewer, Depends(page_viewer(Permission.INFLUENCE))]
Writing = Annotated[Viewer, Depends(csrf_checked(Permission.INFLUENCE))]
Field = Annotated[str, Form(max_length=20_000)]
T = TypeVar("T")


def checked(call: Callable[[], T]) -> T:
    try:
        return call()
    except (camp.CampaignError, rel.PeopleError, QueryError) as refused:
        raise HTTPException(400, str(refused).splitlines()[0]) from None


def _day(field: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise HTTPException(
            400, _("{field}: not a date (YYYY-MM-DD)").format(field=field)
        ) from None


def _midnight(ws: Workspace, day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=ws.zone)


@router.get("/w/{slug}/campaigns")
def campaigns_page(request: Request, slug: str, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    found = camp.campaigns(state(request).store, ws.slug)
    days = {c.id: days_of(ws, c.starts_at, c.ends_at) for c in found}
    context = page_context(request, viewer, ws=ws, found=found, rel=rel, days=days)
    return page("influence_campaigns.html", context)


@router.post("/w/{slug}/campaigns")
def create_page(
    request: Request,
    slug: str,
    viewer: Writing,
    name: Field = "",
    first: Field = "",
    last: Field = "",
    query: Field = "",
    people: Field = "",
) -> Response:
    ws = workspace_of(request, slug)
    first_day, last_day = _day(_("first day"), first), _day(_("last day"), last)
    who = [p.strip() for p in people.replace("\n", ",").split(",") if p.strip()]
    made = checked(
        lambda: camp.create_campaign(
            state(request).store, ws.slug, name, _midnight(ws, first_day),
            _midnight(ws, last_day + timedelta(days=1)), query, who, by=viewer.user.name,
        )
    )  # fmt: skip
    return RedirectResponse(f"/w/{ws.slug}/campaigns/{made.id}", status_code=303)


@router.post("/w/{slug}/campaigns/people")
def add_person_page(
    request: Request,
    slug: str,
    viewer: Writing,
    campaign: Annotated[int, Form()],
    author: Field = "",
) -> Response:
    ws = workspace_of(request, slug)
    store = state(request).store
    found = checked(lambda: camp.add_person(store, ws.slug, campaign, author))
    return RedirectResponse(f"/w/{ws.slug}/campaigns/{found.id}", status_code=303)


@router.get("/w/{slug}/campaigns/{campaign_id}")
def report_page(request: Request, slug: str, campaign_id: int, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    report = checked(lambda: camp.campaign_report(state(request).store, ws.slug, campaign_id))
    c, before = report.campaign, report.previous
    context = page_context(
        request, viewer, ws=ws, report=report, c=c, days=days_of(ws, c.starts_at, c.ends_at),
        before_days=days_of(ws, before.since, before.until),
    )  # fmt: skip
    return page("influence_campaign.html", context)


def days_of(ws: Workspace, since: datetime, until: datetime) -> tuple[date, date]:
    """A period as its first and last days in the workspace's zone (`until` is excluded)."""
    last = until - timedelta(microseconds=1)
    return since.astimezone(ws.zone).date(), last.astimezone(ws.zone).date()


@router.get("/w/{slug}/campaigns/{campaign_id}/report.csv")
def report_csv(request: Request, slug: str, campaign_id: int, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    report = checked(lambda: camp.campaign_report(state(request).store, ws.slug, campaign_id))
    name = f"{ws.slug}-campaign-{campaign_id}.csv"
    return Response(
        camp.report_csv(report), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip


def campaigns_with(
    request: Request, ws: Workspace, platform: str, handle: str
) -> tuple[list[Campaign], list[Campaign]]:
    """(every campaign of the workspace, those the author is in), for the author's page."""
    every = camp.campaigns(state(request).store, ws.slug)
    return every, [c for c in every if (platform, handle) in c.people]
