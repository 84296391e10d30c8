"""`rumeur people add|list|show|set|note|export|erase`: the relationship file from the command
line (docs/influence.md, "The relationship file"), for people (tables in French or English) and
scripts (`--json`, the field names a contract).

Handles, names and notes come from strangers or colleagues: printed through `shown`, and as
JSON strings in `--json`. Without `--as`, the command line, which holds the database, acts
unsigned (the events' `by` is empty).
"""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from rumeur.commands.consoles import make_console
from rumeur.commands.reporting import shown
from rumeur.config import Workspace
from rumeur.i18n import _, moment
from rumeur.influence import relationships as rel
from rumeur.influence.relationships import Person
from rumeur.store import Store


def add(
    store: Store,
    ws: Workspace,
    author: str | None,
    name: str | None,
    kind: str,
    status: str,
    owner: str | None,
    by: str | None,
) -> None:
    person, made = rel.add_person(
        store, ws.slug, author, name=name, kind=kind, status=status, owner=owner, by=by
    )
    said = (
        _("Added {who} to the file ({id}).") if made else _("{who} is already in the file ({id}).")
    )
    make_console().print(shown(said.format(who=rel.who(person), id=person.id)))


def print_list(
    store: Store,
    ws: Workspace,
    status: str | None,
    only_due: bool,
    days: int | None,
    as_json: bool,
) -> None:
    if status is not None:
        rel.check_status(status)
    days = rel.contact_again_days(ws) if days is None else days
    due_ids = {d.person.id for d in rel.due(store, ws.slug, days)}
    listed = rel.listed(store, ws.slug, status)
    if only_due:
        listed = [p for p in listed if p.id in due_ids]
    contacts = rel.last_contacts(store, ws.slug, listed)
    if as_json:
        for p in listed:
            print(json.dumps(rel.list_json(p, contacts[p.id], p.id in due_ids), ensure_ascii=False))
        return
    console = make_console()
    if not listed:
        console.print(_("Nobody in the file.") if not only_due else _("Nobody to contact again."))
        return
    table = Table(box=None)
    headers = (_("id"), _("who"), _("kind"), _("status"), _("owner"), _("last contact"))
    for header in headers:
        table.add_column(header)
    for p in listed:
        last = moment(contacts[p.id], ws.zone, "short") if contacts[p.id] else "-"
        if p.id in due_ids:
            last = f"{last} ({_('to contact again')})"
        table.add_row(
            str(p.id), shown(rel.who(p)), rel.kind_word(p.kind), rel.status_word(p.status),
            shown(p.owner or ""), last,
        )  # fmt: skip
    console.print(table)


def show(store: Store, ws: Workspace, who: str, as_json: bool) -> None:
    person = rel.find(store, ws.slug, who)
    if as_json:
        print(json.dumps(rel.export(store, ws.slug, person), ensure_ascii=False))
        return
    console = make_console()
    console.print(shown(f"{rel.who(person)} ({person.id})"))
    facts = (
        (_("kind"), rel.kind_word(person.kind)), (_("status"), rel.status_word(person.status)),
        (_("owner"), person.owner or "-"), (_("email"), person.email or "-"),
        (_("phone"), person.phone or "-"), (_("consent"), _consent(person, ws)),
    )  # fmt: skip
    for label, value in facts:
        console.print(shown(f"  {label}: {value}"))
    table = Table(box=None, title=_("History"))
    for header in (_("when"), _("what"), _("by"), _("note or post")):
        table.add_column(header)
    for item in rel.history(store, ws.slug, person):
        text = item.text or rel.value_word(item.kind, item.value)
        table.add_row(
            moment(item.at, ws.zone, "short"), rel.event_word(item.kind), shown(item.by or ""),
            shown(text),
        )  # fmt: skip
    console.print(table)


def change(store: Store, ws: Workspace, who: str, by: str | None, **values: Any) -> None:
    person = rel.find(store, ws.slug, who)
    given, how = values.pop("consent"), values.pop("how")
    person = rel.update(store, ws.slug, person, by=by, **values)
    if given is not None:
        person = rel.consent(store, ws.slug, person, given, how, by=by)
    make_console().print(
        shown(_("{who}: {status}, owner {owner}.").format(
            who=rel.who(person), status=rel.status_word(person.status), owner=person.owner or "-"
        ))
    )  # fmt: skip


def note(store: Store, ws: Workspace, who: str, text: str, contact: bool, by: str | None) -> None:
    person = rel.find(store, ws.slug, who)
    rel.note(store, ws.slug, person, text, contact=contact, by=by)
    make_console().print(shown(_("Note added to {who}.").format(who=rel.who(person))))


def export(store: Store, ws: Workspace, who: str) -> None:
    person = rel.find(store, ws.slug, who)
    print(json.dumps(rel.export(store, ws.slug, person), ensure_ascii=False, indent=2))


def erase(store: Store, ws: Workspace, who: str, yes: bool, by: str | None) -> None:
    person = rel.find(store, ws.slug, who)
    if not yes:
        typer.confirm(
            _("Erase {who}'s record, notes and contact fields for good?").format(
                who=rel.who(person)
            ),
            abort=True,
        )
    rel.erase(store, ws.slug, person, by=by)
    make_console().print(
        _("Erased record {id}: its notes and contact fields are gone; the public posts stay in "
          "the listening.").format(id=person.id)
    )  # fmt: skip


def _consent(person: Person, ws: Workspace) -> str:
    if person.consent_at is None:
        return _("not asked")
    when = moment(person.consent_at, ws.zone, "short")
    said = _("given on {when}") if person.consent else _("withdrawn on {when}")
    how = f" ({person.consent_how})" if person.consent_how else ""
    return said.format(when=when) + how
