"""One stored post as its detail page shows it: the post, its author, the brands it names and
the saved queries it matched in a workspace, and every model's (or the source's) answer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, exists, select

from rumeur.store.schema import authors, enrichments, post_brands, post_queries, posts

AUTHOR_COLUMNS = (
    authors.c.handle, authors.c.display_name, authors.c.followers, authors.c.following,
    authors.c.location.label("author_location"), authors.c.verified,
)  # fmt: skip


def post_detail(
    conn: Connection, workspace: str, post_id: int, where: Sequence[ColumnElement[bool]] = ()
) -> dict[str, Any] | None:
    """The post `post_id` if it belongs to `workspace` and `where` allows it, else None."""
    member = exists().where(
        post_brands.c.post_id == posts.c.id, post_brands.c.workspace == workspace
    )
    query = (
        select(posts, *AUTHOR_COLUMNS)
        .join(authors, authors.c.id == posts.c.author_id)
        .where(posts.c.id == post_id, member, *where)
    )
    row = conn.execute(query).mappings().one_or_none()
    if row is None:
        return None
    found = dict(row)
    found["brands"] = [
        b
        for b in conn.execute(
            select(post_brands.c.brand)
            .where(post_brands.c.post_id == post_id, post_brands.c.workspace == workspace)
            .order_by(post_brands.c.brand)
        ).scalars()
        if b
    ]
    found["queries"] = list(
        conn.execute(
            select(post_queries.c.query)
            .where(post_queries.c.post_id == post_id, post_queries.c.workspace == workspace)
            .order_by(post_queries.c.query)
        ).scalars()
    )
    found["enrichments"] = [
        dict(e)
        for e in conn.execute(
            select(enrichments)
            .where(enrichments.c.post_id == post_id)
            .order_by(enrichments.c.task, enrichments.c.model)
        ).mappings()
    ]
    return found
