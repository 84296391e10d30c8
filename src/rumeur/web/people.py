"""The relationship file's pages (docs/influence.md, "The relationship file"), for the
`influence` permission:

- `GET /w/SLUG/people` (and `.csv`): the records by status, with their owners, last contacts
  and the partners to contact again;
- `POST /w/SLUG/people`: add an author (`author`, platform:handle) or someone by `name`; the
  viewer owns the record unless the form names another owner;
- `GET /w/SLUG/people/ID`: the record, its history (their posts, the brand's replies from the
  inbox, the team's notes and changes) and the forms that change it;
- `POST /w/SLUG/people/ID` (status, owner, kind, contact fields, consent), `.../notes`,
  `.../erase`, and `GET .../export.json` (the GDPR access request).

The values are checked by `influence/relationships.py`; a refusal is a 400 with its line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from rumeur.config import Workspace
from rumeur.influence import relationships as rel
from rumeur.influence.relationships import Person
from rumeur.web.auth import Viewer, csrf_checked, page_viewer, state, workspace_of
from rumeur.web.campaign_pages import campaigns_with
from rumeur.web.influence_csv import csv_response
from rumeur.web.permissions import Permission
from rumeur.web.render import page, page_context

router = APIRouter(include_in_schema=False)
Reading = Annotated[Viewer, Depends(page_viewer(Permission.INFLUENCE))]
Writing = Annotated[Viewer, Depends(csrf_checked(Permission.INFLUENCE))]
Field = Annotated[str, Form(max_length=5000)]
T = TypeVar("T")
PEOPLE_COLUMNS = (
    "id", "platform", "handle", "name", "kind", "status", "owner", "last_contact", "due",
    "consent", "created_at",
)  # fmt: skip


def checked(call: Callable[[], T]) -> T:
    """The relationship file's answer, or its refusal as a 400 with the one line."""
    try:
        return call()
    except rel.PeopleError as refused:
        raise HTTPException(400, str(refused)) from None


def _person(request: Request, ws: Workspace, person_id: int) -> Person:
    return checked(lambda: rel.find(state(request).store, ws.slug, str(person_id)))


def _listing(request: Request, ws: Workspace, status: str | None) -> dict[str, Any]:
    store = state(request).store
    listed = checked(lambda: rel.listed(store, ws.slug, status or None))
    due = rel.due(store, ws.slug, rel.contact_again_days(ws))
    return {
        "listed": listed, "due": due, "due_ids": {d.person.id for d in due},
        "contacts": rel.last_contacts(store, ws.slug, listed),
    }  # fmt: skip


@router.get("/w/{slug}/people")
def people_page(
    request: Request,
    slug: str,
    viewer: Reading,
    status: Annotated[str | None, Query(max_length=16)] = None,
    erased: int | None = None,
) -> Response:
    ws = workspace_of(request, slug)
    context = page_context(
        request, viewer, ws=ws, status=status or None, rel=rel, erased=erased,
        days=rel.contact_again_days(ws), **_listing(request, ws, status),
    )  # fmt: skip
    return page("influence_people.html", context)


@router.get("/w/{slug}/people.csv")
def people_csv(
    request: Request,
    slug: str,
    viewer: Reading,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    ws = workspace_of(request, slug)
    found = _listing(request, ws, status)
    lines: list[tuple[object, ...]] = [PEOPLE_COLUMNS]
    for p in found["listed"]:
        last = found["contacts"][p.id]
        lines.append(
            (
                p.id, p.platform or "", p.handle or "", p.name or "", p.kind, p.status,
                p.owner or "", last.isoformat() if last else "",
                "yes" if p.id in found["due_ids"] else "no", "yes" if p.consent else "no",
                p.created_at.isoformat(),
            )
        )  # fmt: skip
    return csv_response(lines, f"{ws.slug}-people.csv")


@router.post("/w/{slug}/people")
def add_page(
    request: Request,
    slug: str,
    viewer: Writing,
    author: Field = "",
    name: Field = "",
    kind: Field = "influencer",
    status: Field = "spotted",
    owner: Field = "",
) -> Response:
    ws = workspace_of(request, slug)
    person, _made = checked(
        lambda: rel.add_person(
            state(request).store, ws.slug, author.strip() or None, name=name or None,
            kind=kind, status=status, owner=owner.strip() or viewer.user.name,
            by=viewer.user.name,
        )
    )  # fmt: skip
    return _back(ws, person)


@router.get("/w/{slug}/people/{person_id}")
def person_page(request: Request, slug: str, person_id: int, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    store = state(request).store
    person = _person(request, ws, person_id)
    context = page_context(
        request, viewer, ws=ws, person=person, rel=rel,
        history=rel.history(store, ws.slug, person),
        last_contact=rel.last_contacts(store, ws.slug, [person])[person.id],
        users=rel.user_names(store),
        in_campaigns=_campaigns_of(request, ws, person),
    )  # fmt: skip
    return page("influence_person.html", context)


def _campaigns_of(request: Request, ws: Workspace, person: Person) -> list[Any]:
    if not (person.platform and person.handle):
        return []
    return campaigns_with(request, ws, person.platform, person.handle)[1]


@router.post("/w/{slug}/people/{person_id}")
def change_page(
    request: Request,
    slug: str,
    person_id: int,
    viewer: Writing,
    status: Field = "",
    owner: Field = "",
    kind: Field = "",
    email: Field = "",
    phone: Field = "",
    consent: Field = "",
    how: Field = "",
) -> Response:
    ws = workspace_of(request, slug)
    store = state(request).store
    person = _person(request, ws, person_id)
    by = viewer.user.name
    person = checked(
        lambda: rel.update(
            store, ws.slug, person, status=status or None, owner=owner or None,
            kind=kind or None, email=email, phone=phone, by=by,
        )
    )  # fmt: skip
    if consent in ("given", "withdrawn"):
        given = consent == "given"
        if given != person.consent or person.consent_at is None:
            checked(lambda: rel.consent(store, ws.slug, person, given, how or None, by=by))
    return _back(ws, person)


@router.post("/w/{slug}/people/{person_id}/notes")
def note_page(
    request: Request,
    slug: str,
    person_id: int,
    viewer: Writing,
    text: Field = "",
    contact: Field = "",
) -> Response:
    ws = workspace_of(request, slug)
    person = _person(request, ws, person_id)
    checked(
        lambda: rel.note(
            state(request).store, ws.slug, person, text, contact=bool(contact),
            by=viewer.user.name,
        )
    )  # fmt: skip
    return _back(ws, person)


@router.get("/w/{slug}/people/{person_id}/export.json")
def export_page(request: Request, slug: str, person_id: int, viewer: Reading) -> Response:
    ws = workspace_of(request, slug)
    person = _person(request, ws, person_id)
    name = f"{ws.slug}-person-{person.id}.json"
    return JSONResponse(
        rel.export(state(request).store, ws.slug, person),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/w/{slug}/people/{person_id}/erase")
def erase_page(request: Request, slug: str, person_id: int, viewer: Writing) -> Response:
    ws = workspace_of(request, slug)
    person = _person(request, ws, person_id)
    checked(lambda: rel.erase(state(request).store, ws.slug, person, by=viewer.user.name))
    return RedirectResponse(f"/w/{ws.slug}/people?erased={person.id}", status_code=303)


def _back(ws: Workspace, person: Person) -> RedirectResponse:
    return RedirectResponse(f"/w/{ws.slug}/people/{person.id}", status_code=303)
