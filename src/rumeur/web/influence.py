"""The influence pages (docs/influence.md), for the `influence` permission:

- `GET /w/SLUG/influence`: the most engaged authors, one table per brand (or the brand asked
  for), each with its score explained, filtered by place, tier, platform and language; the
  engagement rate by tier measured on the workspace's own authors;
- `GET /w/SLUG/influence.csv`: the same list, one line per author and brand;
- `GET /w/SLUG/influence/rising` (and `.csv`): "Rising local voices", with the same filters;
- `GET /w/SLUG/influence/authors/ID`: an author's statistics, the parts of their score with
  their values, weights and the posts behind them, their history, and the buttons that add
  them to the relationship file and to a campaign.

The ranking is `influence/ranking.py`'s; the pages only show it. Every handle, name and post
is a stranger's text: the templates escape it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from rumeur.config import Workspace
from rumeur.i18n import _
from rumeur.influence import ranking, sentences
from rumeur.influence import relationships as rel
from rumeur.influence.ranking import Influencer, UnknownPlace
from rumeur.settings.influence import TIERS
from rumeur.store import relationships as rows
from rumeur.web.auth import Viewer, page_viewer, state, workspace_of
from rumeur.web.campaign_pages import campaigns_with
from rumeur.web.influence_csv import csv_response, influencer_rows
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
Reading = Annotated[Viewer, Depends(page_viewer(Permission.INFLUENCE))]
PER_BRAND = 10  # authors per brand on the page without a brand asked for
PAGE = 25  # authors on the page of one brand
Text = Annotated[str | None, Query(max_length=200)]


@dataclass(frozen=True, slots=True)
class Filters:
    """The list's filters as the form sends them; empty fields are no filter."""

    place: str | None = None
    tier: str | None = None
    platform: str | None = None
    language: str | None = None
    brand: str | None = None

    @classmethod
    def read(cls, ws: Workspace, **given: str | None) -> Filters:
        values = {k: (v.strip() or None) if v else None for k, v in given.items()}
        if values.get("tier") not in (None, *TIERS):
            raise HTTPException(400, _("tier: one of {known}").format(known=", ".join(TIERS)))
        if values.get("brand") not in (None, *(b.name for b in ws.brands)):
            raise HTTPException(400, _("brand: no such brand in this workspace"))
        return cls(**values)

    def ranked(self) -> dict[str, Any]:
        return {"place": self.place, "tier": self.tier, "platform": self.platform,
                "language": self.language}  # fmt: skip

    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in self.ranked().items() if v} | (
            {"brand": self.brand} if self.brand else {}
        ))  # fmt: skip


def _asked(
    request: Request,
    slug: str,
    place: Text = None,
    tier: Text = None,
    platform: Text = None,
    language: Text = None,
    brand: Text = None,
) -> Filters:
    """The list's filters from the query string (a dependency of the list's routes)."""
    ws = workspace_of(request, slug)
    return Filters.read(
        ws, place=place, tier=tier, platform=platform, language=language, brand=brand
    )


def _asked_rising(
    request: Request,
    slug: str,
    place: Text = None,
    tier: Text = None,
    platform: Text = None,
    language: Text = None,
) -> Filters:
    """The same filters but the brand: rising voices are not counted per brand."""
    return _asked(request, slug, place, tier, platform, language, None)


Asked = Annotated[Filters, Depends(_asked)]
AskedRising = Annotated[Filters, Depends(_asked_rising)]


@contextmanager
def _known_place() -> Iterator[None]:
    """A place the gazetteer does not know is the reader's input error: a 400 naming it."""
    try:
        yield
    except UnknownPlace as unknown:
        raise HTTPException(
            400, _("place: {place} is not a place rumeur knows").format(place=unknown.text)
        ) from None


def _lists(request: Request, ws: Workspace, filters: Filters) -> list[tuple[str, list[Influencer]]]:
    """(brand, its authors) for the brand asked for, else for each brand of the workspace."""
    store = state(request).store
    brands = [filters.brand] if filters.brand else [b.name for b in ws.brands]
    limit = PAGE if filters.brand else PER_BRAND
    with _known_place():
        return [
            (brand, ranking.ranked(store, ws, brand=brand, limit=limit, **filters.ranked()))
            for brand in brands
        ]


@router.get("/w/{slug}/influence")
def influencers_page(
    request: Request,
    slug: str,
    viewer: Reading,
    filters: Asked,
) -> Response:
    ws = workspace_of(request, slug)
    lists = _lists(request, ws, filters)
    shown = [i for _brand, found in lists for i in found]
    context = page_context(
        request, viewer, ws=ws, filters=filters, lists=lists, tiers=TIERS, words=sentences,
        followers_unknown=bool(shown) and all(i.followers is None for i in shown),
        by_tier=ranking.engagement_by_tier(state(request).store, ws),
        window=ranking.window(state(request).store, ws),
    )  # fmt: skip
    return page("influence.html", context)


@router.get("/w/{slug}/influence.csv")
def influencers_csv(
    request: Request,
    slug: str,
    viewer: Reading,
    filters: Asked,
) -> Response:
    ws = workspace_of(request, slug)
    lines = [(b, i) for b, found in _lists(request, ws, filters) for i in found]
    return csv_response(influencer_rows(lines), f"{ws.slug}-influencers.csv")


def _rising(request: Request, ws: Workspace, filters: Filters) -> list[Influencer]:
    with _known_place():
        return ranking.rising(state(request).store, ws, **filters.ranked())


@router.get("/w/{slug}/influence/rising")
def rising_page(
    request: Request,
    slug: str,
    viewer: Reading,
    filters: AskedRising,
) -> Response:
    ws = workspace_of(request, slug)
    found = _rising(request, ws, filters)
    posts = rows.posts_by_id(state(request).store, ws.slug, [p for i in found for p in i.posts])
    context = page_context(
        request, viewer, ws=ws, filters=filters, found=found, tiers=TIERS, words=sentences,
        posts=posts,
    )  # fmt: skip
    return page("influence_rising.html", context)


@router.get("/w/{slug}/influence/rising.csv")
def rising_csv(
    request: Request,
    slug: str,
    viewer: Reading,
    filters: AskedRising,
) -> Response:
    ws = workspace_of(request, slug)
    found = _rising(request, ws, filters)
    return csv_response(influencer_rows([("", i) for i in found]), f"{ws.slug}-rising.csv")


@router.get("/w/{slug}/influence/authors/{author_id}")
def author_page(
    request: Request, slug: str, author_id: int, viewer: Reading, brand: Text = None
) -> Response:
    """The author's page, scored on the posts that name `brand` when one is asked for (the
    list of that brand links here with it), else on all their posts in the workspace."""
    ws = workspace_of(request, slug)
    store = state(request).store
    brand = Filters.read(ws, brand=brand).brand
    found = ranking.influencer(store, ws, str(author_id), brand=brand)
    if found is None:
        raise HTTPException(404, _("no such author in this workspace"))
    person = rows.person_of(store, ws.slug, found.platform, found.author)
    behind = [p for part in found.explanation for p in part.posts] + list(found.posts)
    every, joined = campaigns_with(request, ws, found.platform, found.author)
    context = page_context(
        request, viewer, ws=ws, found=found, person=person, words=sentences, rel=rel,
        brand=brand,
        posts=rows.posts_by_id(store, ws.slug, behind),
        history=rel.history(store, ws.slug, person) if person else None,
        authored=rows.author_posts(store, ws.slug, found.platform, found.author, 20),
        campaigns=every, in_campaigns=joined,
    )  # fmt: skip
    return page("influence_author.html", context)
