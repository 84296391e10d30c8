"""What the pages and the REST API show, read once for both: the dashboard of a period, a page of
the mention stream, one post with the reasons for its labels, a CSV export. Each read is
narrowed to what the viewer may see (a department, its items only)."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import HTTPException
from markupsafe import Markup
from sqlalchemy import Connection

from rumeur.analytics.dashboard import Dashboard, Scope, dashboard, data_span
from rumeur.config import Workspace
from rumeur.errors import QueryTooCostly
from rumeur.i18n import _
from rumeur.nlp.why import TaskWhy, explain_post
from rumeur.pipeline.adapters import own_models
from rumeur.query.ast import Query
from rumeur.query.document import from_mapping
from rumeur.query.highlight import highlights, marked
from rumeur.store.conditions import reason_condition
from rumeur.store.detail import post_detail
from rumeur.store.export import CSV_COLUMNS, csv_cells
from rumeur.store.search import (
    Keyset,
    Period,
    Ranked,
    count,
    export_rows,
    latest,
    rollup_count,
    search,
)
from rumeur.web.auth import Viewer, WebState
from rumeur.web.filters import (
    DashboardPeriod,
    StreamFilters,
    keyset_param,
    reasons_for,
)

PAGE = 25
TOP = 10


@dataclass(slots=True)
class DashboardView:
    period: DashboardPeriod
    figures: Dashboard
    department: str | None


def read_dashboard(
    state: WebState, ws: Workspace, viewer: Viewer, params: dict[str, str]
) -> DashboardView:
    reasons = reasons_for(viewer.user, ws)
    with state.store.read() as conn:
        span = data_span(conn, ws.slug)
        period = DashboardPeriod.read(params, ws.zone, span)
        scope = Scope(ws.slug, period.since, period.until, ws.zone, reasons)
        figures = dashboard(conn, scope, ws.brand.name, [c.name for c in ws.competitors], TOP)
    return DashboardView(period, figures, viewer.user.department if reasons is not None else None)


@dataclass(slots=True)
class StreamPage:
    filters: StreamFilters
    posts: list[dict[str, Any]]
    next: str | None  # the `before` of the next page, None on the last one
    total: int | None = None  # every post the filters find (first page only)
    marks: dict[int, dict[str, Markup]] = field(default_factory=dict)  # id -> field -> HTML

    def shown(self, post: dict[str, Any], name: str) -> Markup:
        """The post's title or text as HTML, what the query matched marked, all escaped."""
        found = self.marks.get(post["id"], {}).get(name)
        return found if found is not None else marked(post.get(name), [])


def read_stream(
    state: WebState,
    ws: Workspace,
    viewer: Viewer,
    filters: StreamFilters,
    before: Keyset | Ranked | None,
    limit: int = PAGE,
    counted: bool = False,
) -> StreamPage:
    """A page of the stream; with `counted`, the number of posts of all its pages too."""
    query = filters.query()
    where = filters.conditions(ws, reasons_for(viewer.user, ws))
    period = filters.period(ws.zone)
    sort = filters.sort or "date"
    paged = [*where, before.condition()] if before is not None else where
    with state.store.read() as conn:
        if query is None:
            rows = latest(conn, ws.slug, limit + 1, period, paged, sort)
        else:
            rows = search(conn, ws.slug, query, limit + 1, period, paged, sort)
        total = _total(conn, ws, filters, viewer, query, period, where) if counted else None
    more = len(rows) > limit
    rows = rows[:limit]
    after = keyset_param(rows[-1], sort) if more and rows else None
    return StreamPage(filters, rows, after, total, _marks(query, rows))


def _total(
    conn: Connection,
    ws: Workspace,
    filters: StreamFilters,
    viewer: Viewer,
    query: Query | None,
    period: Period,
    where: list[Any],
) -> int | None:
    """Every post the filters find: from the rollups when they can say (the links from the
    dashboard and the alerts, a brand's month on a large store), else from the posts; None
    when counting them outruns the read's time budget: the page shows its posts without a
    count rather than refusing them."""
    tally = filters.tally(ws, reasons_for(viewer.user, ws))
    found = None if tally is None else rollup_count(conn, ws.slug, period, tally)
    if found is not None:
        return found
    try:
        return count(conn, ws.slug, query, period, where)
    except QueryTooCostly:
        return None


def _marks(query: Query | None, rows: list[dict[str, Any]]) -> dict[int, dict[str, Markup]]:
    """What the query matched in each post, from its evaluation (`query/highlight.py`)."""
    if query is None:
        return {}
    found = {}
    for row in rows:
        texts = {"title": row.get("title"), "text": row.get("text")}
        spans = highlights(query.root, from_mapping(row), texts, found=True)
        found[row["id"]] = {name: marked(texts[name], spans[name]) for name in texts}
    return found


@dataclass(slots=True)
class PostView:
    post: dict[str, Any]
    why: list[TaskWhy]


def read_post(state: WebState, ws: Workspace, viewer: Viewer, post_id: int) -> PostView:
    where = reason_condition(reasons_for(viewer.user, ws))
    with state.store.read() as conn:
        found = post_detail(conn, ws.slug, post_id, where)
    if found is None:
        raise HTTPException(404, _("no such post in this workspace"))
    # The workspace's own models explain the labels they gave (`rumeur models adapt`).
    own = own_models(state.store, state.settings, ws)
    why = explain_post(state.settings, ws, found, found["enrichments"], models=own)
    return PostView(found, why)


def export_lines(
    state: WebState, ws: Workspace, viewer: Viewer, filters: StreamFilters
) -> Iterator[str]:
    """The filtered view as CSV text, a chunk at a time; cells that a spreadsheet would run as a
    formula are neutralised (see `store/export.py`)."""
    query = filters.query()  # read before the response starts: a bad query is a 400
    where = filters.conditions(ws, reasons_for(viewer.user, ws))
    period = filters.period(ws.zone)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        with state.store.read() as conn:
            for n, row in enumerate(export_rows(conn, ws.slug, period, query=query, where=where)):
                writer.writerow(csv_cells(row))
                if n % 500 == 499:
                    yield _drain(buffer)
        yield _drain(buffer)

    chunks = lines()
    # The first batch is read before the response starts, so that a query over its time
    # budget is still a 400, not a cut file.
    return itertools.chain([next(chunks)], chunks)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
