"""What the alerts pages and the crisis room read (web/crisis.py): a workspace's alerts in the
order people handle them, one alert and its log, and the rollups behind the room's charts
(the subject's hours, platforms and most active authors). Each takes the caller's connection,
so that a page's reads share one `Store.read()` and its time budget."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Row, case, func, select

from rumeur.store import alerts as alert_rows
from rumeur.store.rollups import ALL
from rumeur.store.schema import alert_events, alerts, authors, post_brands, posts, rollups_hourly

if TYPE_CHECKING:
    from rumeur.store import Store


def open_count(conn: Connection, workspace: str) -> int:
    """The workspace's open alerts (the status index answers it)."""
    a = alerts.c
    query = select(func.count()).where(a.workspace == workspace, a.status == "open")
    return int(conn.execute(query).scalar_one())


def alerts_by_status(
    conn: Connection, workspace: str, order: Mapping[str, int], limit: int
) -> list[dict[str, Any]]:
    """The workspace's alerts by the rank `order` gives their status (unknown ones last), the
    newest first within a status."""
    a = alerts.c
    rank = case(dict(order), value=a.status, else_=len(order))
    query = (
        select(alerts)
        .where(a.workspace == workspace)
        .order_by(rank, a.updated_at.desc(), a.id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def alert_row(conn: Connection, workspace: str, alert_id: int) -> dict[str, Any] | None:
    row = alert_rows.find(conn, workspace, alert_id)
    return None if row is None else dict(row._mapping)


def alert_status(store: Store, workspace: str, alert_id: int) -> str | None:
    """The alert's status, or None when the workspace has no such alert."""
    with store.engine.connect() as conn:
        row = alert_row(conn, workspace, alert_id)
    return None if row is None else row["status"]


def alert_log(conn: Connection, alert_id: int) -> list[dict[str, Any]]:
    """The alert's log, newest first."""
    e = alert_events.c
    query = (
        select(e.id, e.at, e.what, e.by, e.detail)
        .where(e.alert_id == alert_id)
        .order_by(e.at.desc(), e.id.desc())
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def add_event(
    store: Store,
    workspace: str,
    alert_id: int,
    event: Mapping[str, Any],
) -> bool:
    """Log `event` (at, what, by, detail) on the alert; False, logging nothing, when the
    workspace has no such alert. The check and the insert share one write transaction."""
    logged = (event["at"], event["what"], event["by"], event["detail"])
    return alert_rows.act(store, workspace, alert_id, {}, logged)


def hourly_sentiment(
    conn: Connection, workspace: str, subject: str, since: datetime, until: datetime
) -> list[tuple[datetime, str | None, int]]:
    """Posts per hour and sentiment of the rollups' brand `subject`, `since` to `until`
    included; hours without posts are absent."""
    r = rollups_hourly.c
    query = (
        select(r.hour, r.sentiment, func.sum(r.posts))
        .where(r.workspace == workspace, r.brand == subject, r.hour >= since, r.hour <= until)
        .group_by(r.hour, r.sentiment)
    )
    return [(hour, sentiment, int(n or 0)) for hour, sentiment, n in conn.execute(query)]


def top_platforms(
    conn: Connection, workspace: str, subject: str, since: datetime, until: datetime, top: int
) -> list[tuple[str, int]]:
    r = rollups_hourly.c
    total = func.sum(r.posts)
    query = (
        select(r.platform, total)
        .where(r.workspace == workspace, r.brand == subject, r.hour >= since, r.hour < until)
        .group_by(r.platform)
        .order_by(total.desc())
        .limit(top)
    )
    return [(p, int(n or 0)) for p, n in conn.execute(query)]


def top_authors(
    conn: Connection, workspace: str, subject: str, since: datetime, until: datetime, top: int
) -> list[tuple[str, int]]:
    """The most active authors of the subject's posts (every brand's for `ALL`) from `since`
    to `until`: one grouped query over those hours, on the brand index."""
    p, b = posts.c, post_brands.c
    n = func.count(func.distinct(p.id))
    query = (
        select(authors.c.handle, n)
        .select_from(posts)
        .join(authors, authors.c.id == p.author_id)
        .join(post_brands, b.post_id == p.id)
        .where(b.workspace == workspace, p.created_at >= since, p.created_at < until)
        .group_by(authors.c.handle)
        .order_by(n.desc(), authors.c.handle)
        .limit(top)
    )
    if subject != ALL:
        query = query.where(b.brand == subject)
    return [(handle, int(count)) for handle, count in conn.execute(query)]


def alerts_by_id(store: Store, workspace: str) -> list[Row[Any]]:
    """Every alert of the workspace, the oldest first (the replay prints the new ones)."""
    return alert_rows.workspace_alerts(store, workspace, oldest_first=True)
