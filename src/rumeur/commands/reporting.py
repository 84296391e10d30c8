"""What `rumeur summary`, `search` and `rejected` print: tables for people, JSON for scripts."""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from rich.table import Table
from rich.text import Text

from rumeur.analytics import Summary, summarise
from rumeur.commands.consoles import make_console
from rumeur.commands.dates import parse_period
from rumeur.config import Workspace
from rumeur.i18n import _, day, number, percent
from rumeur.model import Rejected, platform_name
from rumeur.query.ast import Query
from rumeur.store import Store
from rumeur.store.search import search

BAR_WIDTH = 30
# Terminal control characters a stranger could use to rewrite the analyst's screen.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(value: str) -> Text:
    """A stranger's text for the terminal: no console markup read, control characters visible."""
    return Text(CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value))


def print_summary(store: Store, ws: Workspace, as_json: bool = False) -> Summary:
    with store.engine.connect() as conn:
        figures = summarise(conn, ws.slug, ws.zone)
    if as_json:
        print(json.dumps(asdict(figures), default=_json_default, ensure_ascii=False))
        return figures
    console = make_console()
    console.print(_headline(ws, figures))
    for table in (
        _brand_table(figures),
        _day_table(figures),
        _mix_table(figures),
        _author_table(figures),
        *([_query_table(figures)] if figures.queries else []),
    ):
        console.print(table)
    console.print(_("Rejected rows: {n}").format(n=number(figures.rejected)), markup=False)
    for example in figures.rejected_examples:
        console.print("  " + example, markup=False)
    return figures


def _headline(ws: Workspace, s: Summary) -> Text:
    first, last = (s.days[0][0], s.days[-1][0]) if s.days else (None, None)
    span = f"{day(first)} – {day(last)}" if first and last else _("no posts yet")
    return Text(
        _("{name}: {posts} posts, {engagement} interactions, {span} ({zone})").format(
            name=ws.name,
            posts=number(s.posts),
            engagement=number(s.engagement),
            span=span,
            zone=ws.timezone,
        ),
        style="bold",
    )


def _query_table(s: Summary) -> Table:
    table = Table(title=_("Saved queries"), title_justify="left")
    table.add_column(_("Query"))
    table.add_column(_("Posts"), justify="right")
    for name, n in s.queries:
        table.add_row(shown(name), number(n))
    return table


def _brand_table(s: Summary) -> Table:
    table = Table(title=_("Share of voice"), title_justify="left")
    for header in (_("Brand"), _("Posts"), _("Share of voice"), _("Negative"), _("Interactions")):
        table.add_column(header, justify="left" if header == _("Brand") else "right")
    for b in s.brands:
        table.add_row(
            shown(b.name),
            number(b.posts),
            percent(b.share),
            percent(b.negative),
            number(b.engagement),
        )
    return table


def _day_table(s: Summary) -> Table:
    table = Table(title=_("Volume per day"), title_justify="left")
    table.add_column(_("Day"))
    table.add_column(_("Posts"), justify="right")
    table.add_column("")
    peak = max((n for _d, n in s.days), default=1)
    for d, n in s.days:
        table.add_row(day(d), number(n), "█" * max(1, round(BAR_WIDTH * n / peak)))
    return table


def _mix_table(s: Summary) -> Table:
    table = Table(title=_("Sentiment and languages"), title_justify="left")
    table.add_column(_("Sentiment"))
    table.add_column(_("Posts"), justify="right")
    table.add_column(_("Language"))
    table.add_column(_("Posts"), justify="right")
    rows = max(len(s.sentiments), len(s.languages))
    for i in range(rows):
        sent = s.sentiments[i] if i < len(s.sentiments) else ("", None)
        lang = s.languages[i] if i < len(s.languages) else ("", None)
        table.add_row(
            _(sent[0]) if sent[0] else "",
            number(sent[1]) if sent[1] is not None else "",
            _("unknown") if lang[0] == "unknown" else lang[0],  # codes, but this one is a word
            number(lang[1]) if lang[1] is not None else "",
        )
    return table


def _author_table(s: Summary) -> Table:
    table = Table(title=_("Top authors"), title_justify="left")
    for header in (_("Author"), _("Platform"), _("Posts"), _("Interactions")):
        table.add_column(
            header, justify="right" if header in (_("Posts"), _("Interactions")) else "left"
        )
    for a in s.authors:
        table.add_row(
            shown("@" + a.handle), platform_name(a.platform), number(a.posts), number(a.engagement)
        )
    return table


def print_search(
    store: Store,
    ws: Workspace,
    query: Query | str,
    limit: int,
    since: str | None,
    until: str | None,
    as_json: bool,
) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        found = search(conn, ws.slug, query, limit, parse_period(since, until, ws.zone))
    if as_json:
        for row in found:
            print(json.dumps(row, default=_json_default, ensure_ascii=False))
        return found
    console = make_console()
    table = Table(title=_("{n} posts found").format(n=number(len(found))), title_justify="left")
    for header in (_("Date"), _("Author"), _("Platform"), _("Text")):
        table.add_column(header)
    for row in found:
        local = row["created_at"].astimezone(ws.zone).strftime("%Y-%m-%d %H:%M")
        table.add_row(
            local, shown("@" + row["author"]), platform_name(row["platform"]), shown(row["text"])
        )
    console.print(table)
    return found


def print_rejected(store: Store, ws: Workspace, as_json: bool) -> None:
    for row in store.rejected_rows():
        if row["workspace"] != ws.slug:
            continue
        if as_json:
            keep = ("source", "line", "field", "reason", "raw")
            print(json.dumps({k: row[k] for k in keep}, ensure_ascii=False))
        else:
            message = Rejected(
                row["source"], row["line"], row["field"], row["reason"], ""
            ).message()
            print(CONTROL.sub("?", message))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
