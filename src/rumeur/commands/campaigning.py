"""`rumeur campaigns add|list|report`: campaigns from the command line (docs/influence.md,
"Campaigns"), tables for people and `--json` or `--csv` for scripts (the field names are a
contract). Names, handles and queries come from colleagues or strangers: printed through
`shown`, and as JSON strings in `--json`."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.table import Table

from rumeur.commands.consoles import make_console
from rumeur.commands.reporting import shown
from rumeur.config import Workspace
from rumeur.i18n import _, day, moment, number, percent
from rumeur.influence import campaigns as camp
from rumeur.store import Store


def add(
    store: Store,
    ws: Workspace,
    name: str,
    start: str,
    end: str,
    query: str,
    people: str | None,
    by: str | None,
) -> None:
    starts_at, ends_at = camp.read_period(start, end, ws.zone)
    names = [p for p in (people or "").split(",") if p.strip()]
    made = camp.create_campaign(store, ws.slug, name, starts_at, ends_at, query, names, by)
    said = _("Campaign {name} created ({id}), {people} people.")
    make_console().print(shown(said.format(name=made.name, id=made.id, people=len(made.people))))


def print_list(store: Store, ws: Workspace, as_json: bool) -> None:
    found = camp.campaigns(store, ws.slug)
    if as_json:
        for c in found:
            print(json.dumps(camp.campaign_json(c), ensure_ascii=False))
        return
    console = make_console()
    if not found:
        console.print(_("No campaign yet."))
        return
    table = Table(box=None)
    # Not "name", "query" nor "people": those are names to type (an argument, commands), the
    # same in both languages, and a message of that word would make them read as untranslated.
    for header in (_("id"), _("campaign name"), _("from"), _("to"), _("search query"),
                   _("people taking part")):  # fmt: skip
        table.add_column(header)
    for c in found:
        first, last = shown_period(c.starts_at, c.ends_at, ws.zone)
        table.add_row(
            str(c.id), shown(c.name), first, last, shown(c.query), str(len(c.people)),
        )  # fmt: skip
    console.print(table)


def print_report(store: Store, ws: Workspace, which: str, as_json: bool, as_csv: bool) -> None:
    found = camp.campaign(store, ws.slug, which)
    report = camp.campaign_report(store, ws.slug, found.id)
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return
    if as_csv:
        sys.stdout.write(camp.report_csv(report))
        return
    console = make_console()
    console.print(shown(f"{found.name} ({found.id}): {found.query}"))
    first, last = shown_period(found.starts_at, found.ends_at, ws.zone)
    before_first, before_last = shown_period(report.previous.since, found.starts_at, ws.zone)
    console.print(
        _("From {first} to {last}, against {before_first} to {before_last}.").format(
            first=first, last=last, before_first=before_first, before_last=before_last
        )
    )
    table = Table(box=None)
    for header in (_("side"), _("posts"), _("reach"), _("interactions"), _("positive"),
                   _("negative"), _("posts before"), _("interactions before")):  # fmt: skip
        table.add_column(header)
    for label, side in ((_("total"), report.total), (_("national"), report.national),
                        (_("local"), report.local)):  # fmt: skip
        now, before = side.now, side.before
        table.add_row(
            label, number(now.posts), number(now.reach), number(now.interactions),
            number(now.sentiment["positive"]), number(now.sentiment["negative"]),
            number(before.posts), number(before.interactions),
        )  # fmt: skip
    console.print(table)
    people = Table(box=None, title=_("Each person's contribution"))
    for header in (_("contributor"), _("place"), _("posts"), _("interactions"), _("share"),
                   _("posts before")):  # fmt: skip
        people.add_column(header)
    for p in report.people:
        place = p.place.city or p.place.region or p.place.country or "-"
        share = "-" if p.share is None else percent(p.share)
        people.add_row(
            shown(p.author), shown(place), number(p.posts), number(p.interactions), share,
            number(p.posts_before),
        )  # fmt: skip
    console.print(people)


def shown_period(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """A period as a person reads it: its first and last days when it runs from midnight to
    midnight in the workspace's zone (the end excluded), else its two moments."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if all(m.time() == datetime.min.time() for m in (local_start, local_end)):
        return day(local_start.date()), day((local_end - timedelta(days=1)).date())
    return moment(start, zone, "short"), moment(end, zone, "short")
