"""`GET /api/locate?q=TEXT`: the place a typed text names, as `rumeur locate` prints it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from rumeur.places import MAX_LENGTH, locate
from rumeur.web.auth import Viewer, api_viewer
from rumeur.web.filters import check_text
from rumeur.web.permissions import Permission

api_router = APIRouter(prefix="/api")


class PlaceOut(BaseModel):
    city: str | None
    region: str | None
    country: str | None  # ISO 3166-1 alpha-2


# Every account may locate a text: it reads nothing of any workspace.
@api_router.get("/locate", response_model=PlaceOut)
def locate_text(
    viewer: Annotated[Viewer, Depends(api_viewer(Permission.ACCOUNT))],
    q: Annotated[str, Query()] = "",
) -> PlaceOut:
    return PlaceOut(**locate(check_text("q", q, MAX_LENGTH)).to_json())
