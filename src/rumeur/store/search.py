"""Plain-text search over the full-text index, and the stream of posts for export.

The boolean query language (its own issue) will compile to these same indexes; until then a
search is the conjunction of its words, each matched as a word (accents and case ignored on
SQLite).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, exists, func, literal_column, select, text

from rumeur.store.schema import authors, enrichments, post_brands, posts

WORD = re.compile(r"\w+", re.UNICODE)
COLUMNS = (
    posts.c.id, posts.c.platform, posts.c.native_id, posts.c.url, posts.c.created_at,
    authors.c.handle.label("author"), posts.c.title, posts.c.text, posts.c.language,
    posts.c.sentiment, posts.c.emotion, posts.c.reason, posts.c.likes, posts.c.reposts,
    posts.c.replies, posts.c.quotes, posts.c.views, posts.c.mentions, posts.c.hashtags,
    posts.c.links,
)  # fmt: skip


@dataclass(slots=True)
class Period:
    since: datetime | None = None
    until: datetime | None = None


def search(
    conn: Connection, workspace: str, query: str, limit: int = 20, period: Period | None = None
) -> list[dict[str, Any]]:
    """Posts of `workspace` containing every word of `query`, newest first."""
    words = WORD.findall(query)
    if not words:
        return []
    stmt = _base(workspace, period).order_by(posts.c.created_at.desc()).limit(limit)
    if conn.dialect.name == "postgresql":
        stmt = stmt.where(
            literal_column("posts.search").op("@@")(func.plainto_tsquery("simple", " ".join(words)))
        )
    else:
        # Each word quoted: the user's text is never read as FTS5 syntax (NEAR, *, column:).
        match = " ".join('"' + w.replace('"', '""') + '"' for w in words)
        ids = text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :match").bindparams(
            match=match
        )
        stmt = stmt.where(posts.c.id.in_(ids.columns(literal_column("rowid"))))
    return [dict(row) for row in conn.execute(stmt).mappings()]


def export_rows(
    conn: Connection, workspace: str, period: Period | None = None, batch: int = 1000
) -> Iterator[dict[str, Any]]:
    """Every post of `workspace` in the period, oldest first, with its brands and model results."""
    stmt = _base(workspace, period).order_by(posts.c.created_at, posts.c.id)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
    for part in result.mappings().partitions():
        rows = [dict(r) for r in part]
        _attach(conn, workspace, rows)
        yield from rows


def _base(workspace: str, period: Period | None) -> Select[Any]:
    stmt = (
        select(*COLUMNS)
        .join(authors, authors.c.id == posts.c.author_id)
        .where(
            exists().where(
                post_brands.c.post_id == posts.c.id, post_brands.c.workspace == workspace
            )
        )
    )
    if period and period.since:
        stmt = stmt.where(posts.c.created_at >= period.since)
    if period and period.until:
        stmt = stmt.where(posts.c.created_at < period.until)
    return stmt


def _attach(conn: Connection, workspace: str, rows: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in rows]
    brands: dict[int, list[str]] = {i: [] for i in ids}
    models: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for pid, brand in conn.execute(
        select(post_brands.c.post_id, post_brands.c.brand)
        .where(post_brands.c.post_id.in_(ids), post_brands.c.workspace == workspace)
        .order_by(post_brands.c.brand)
    ):
        if brand:
            brands[pid].append(brand)
    for e in conn.execute(
        select(enrichments).where(enrichments.c.post_id.in_(ids)).order_by(enrichments.c.task)
    ).mappings():
        models[e["post_id"]].append(
            {k: e[k] for k in ("task", "label", "score", "model", "version")}
        )
    for row in rows:
        row["brands"] = brands[row["id"]]
        row["enrichments"] = models[row["id"]]
