"""The relationship file in the REST API (docs/influence.md, "Commands and API"), for a token
whose role has the `influence` permission. The JSON is the command line's:

- `GET /api/w/SLUG/people[?status=S&due=true]`: the records as `rumeur people list --json`;
- `POST /api/w/SLUG/people` `{"author": "platform:handle"}` or `{"name": ...}`, with `kind`,
  `status`, `owner`: the record (201 when made, 200 when the file already had them);
- `GET /api/w/SLUG/people/ID`: everything the file holds about the person, as
  `rumeur people export` (the GDPR access request);
- `PATCH /api/w/SLUG/people/ID`: status, owner, kind, email, phone, consent and how;
- `POST /api/w/SLUG/people/ID/notes` `{"text": ..., "contact": false}`;
- `DELETE /api/w/SLUG/people/ID`: the GDPR erasure (204).

A refusal is a 400 `{"error": "<one line>"}`; a person not in the file, a 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from rumeur.config import Workspace
from rumeur.influence import relationships as rel
from rumeur.influence.relationships import Person
from rumeur.web.auth import Viewer, api_viewer, state, workspace_of
from rumeur.web.people import checked
from rumeur.web.permissions import Permission

api_router = APIRouter(prefix="/api")
Acting = Annotated[Viewer, Depends(api_viewer(Permission.INFLUENCE))]
Short = Annotated[str | None, Field(max_length=300)]


class PersonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    author: Short = None
    name: Short = None
    kind: Short = "influencer"
    status: Short = "spotted"
    owner: Short = None


class PersonChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Short = None
    owner: Short = None
    kind: Short = None
    email: Short = None
    phone: Short = None
    consent: bool | None = None
    how: Short = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(max_length=rel.NOTE_LENGTH + 100)]
    contact: bool = False


def _person(request: Request, ws: Workspace, person_id: int) -> Person:
    try:
        return rel.find(state(request).store, ws.slug, str(person_id))
    except rel.PeopleError as missing:
        raise HTTPException(404, str(missing)) from None


@api_router.get("/w/{slug}/people")
def people(
    request: Request,
    slug: str,
    viewer: Acting,
    status: Annotated[str | None, Query(max_length=16)] = None,
    due: bool = False,
) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    store = state(request).store
    listed = checked(lambda: rel.listed(store, ws.slug, status))
    due_ids = {d.person.id for d in rel.due(store, ws.slug, rel.contact_again_days(ws))}
    if due:
        listed = [p for p in listed if p.id in due_ids]
    contacts = rel.last_contacts(store, ws.slug, listed)
    return {
        "workspace": ws.slug,
        "contact_again_days": rel.contact_again_days(ws),
        "people": [rel.list_json(p, contacts[p.id], p.id in due_ids) for p in listed],
    }


@api_router.post("/w/{slug}/people")
def add(
    request: Request, slug: str, viewer: Acting, body: Annotated[PersonIn, Body()]
) -> JSONResponse:
    ws = workspace_of(request, slug)
    person, made = checked(
        lambda: rel.add_person(
            state(request).store, ws.slug, body.author, name=body.name,
            kind=body.kind or "influencer", status=body.status or "spotted", owner=body.owner,
            by=viewer.user.name,
        )
    )  # fmt: skip
    return JSONResponse(rel.record_json(person), status_code=201 if made else 200)


@api_router.get("/w/{slug}/people/{person_id}")
def one(request: Request, slug: str, person_id: int, viewer: Acting) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    person = _person(request, ws, person_id)
    return rel.export(state(request).store, ws.slug, person)


@api_router.patch("/w/{slug}/people/{person_id}")
def change(
    request: Request,
    slug: str,
    person_id: int,
    viewer: Acting,
    body: Annotated[PersonChange, Body()],
) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    store = state(request).store
    person = _person(request, ws, person_id)
    by = viewer.user.name
    person = checked(
        lambda: rel.update(
            store, ws.slug, person, status=body.status, owner=body.owner, kind=body.kind,
            email=body.email, phone=body.phone, by=by,
        )
    )  # fmt: skip
    if body.consent is not None:
        person = checked(lambda: rel.consent(store, ws.slug, person, body.consent, body.how, by=by))  # type: ignore[arg-type]
    return rel.record_json(person)


@api_router.post("/w/{slug}/people/{person_id}/notes")
def note(
    request: Request,
    slug: str,
    person_id: int,
    viewer: Acting,
    body: Annotated[NoteIn, Body()],
) -> dict[str, Any]:
    ws = workspace_of(request, slug)
    person = _person(request, ws, person_id)
    person = checked(
        lambda: rel.note(
            state(request).store, ws.slug, person, body.text, contact=body.contact,
            by=viewer.user.name,
        )
    )  # fmt: skip
    return rel.record_json(person)


@api_router.delete("/w/{slug}/people/{person_id}", status_code=204)
def erase(request: Request, slug: str, person_id: int, viewer: Acting) -> Response:
    ws = workspace_of(request, slug)
    person = _person(request, ws, person_id)
    checked(lambda: rel.erase(state(request).store, ws.slug, person, by=viewer.user.name))
    return Response(status_code=204)
