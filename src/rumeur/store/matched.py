"""The saved queries each stored post matches, recomputed over the archive: for a query added to
a workspace after its posts came in, or after `reenrich` changed the labels a query filters on.
The stream records matches as posts arrive (`pipeline.stages.match_queries`); this brings the
archive to the same answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, delete, select

from rumeur.query.ast import Node
from rumeur.store.bulk import upsert
from rumeur.store.schema import post_queries
from rumeur.store.search import export_rows


@dataclass(slots=True)
class Applied:
    name: str
    posts: int  # matched now
    added: int
    removed: int


def apply_query(conn: Connection, workspace: str, name: str, node: Node) -> Applied:
    """Make the stored matches of query `name` exactly the posts it matches now. Call inside a
    write transaction."""
    now = {row["id"] for row in export_rows(conn, workspace, query=node)}
    q = post_queries
    mine = (q.c.workspace == workspace) & (q.c.query == name)
    before = set(conn.execute(select(q.c.post_id).where(mine)).scalars())
    gone = sorted(before - now)
    for start in range(0, len(gone), 500):
        conn.execute(delete(q).where(mine, q.c.post_id.in_(gone[start : start + 500])))
    new = [{"post_id": i, "workspace": workspace, "query": name} for i in sorted(now - before)]
    upsert(conn, q, new, ["post_id", "workspace", "query"])
    return Applied(name, len(now), len(new), len(gone))


def forget_other_queries(conn: Connection, workspace: str, keep: set[str]) -> list[str]:
    """Drop the stored matches of queries the workspace no longer has; returns their names."""
    q = post_queries
    stored = set(
        conn.execute(select(q.c.query).where(q.c.workspace == workspace).distinct()).scalars()
    )
    gone = sorted(stored - keep)
    if gone:
        conn.execute(delete(q).where(q.c.workspace == workspace, q.c.query.in_(gone)))
    return gone
