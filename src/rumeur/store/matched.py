"""The saved queries each stored post matches, recomputed over the archive: for a query added to
a workspace after its posts came in, or after `reenrich` changed the labels a query filters on.
The stream records matches as posts arrive (`pipeline.stages.match_queries`); this brings the
archive to the same answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, select

from rumeur.query.ast import Node
from rumeur.store.author_stats import matched_posts, shift_matched
from rumeur.store.bulk import upsert
from rumeur.store.schema import post_queries
from rumeur.store.search import export_rows

if TYPE_CHECKING:
    from rumeur.store import Store


@dataclass(slots=True)
class Applied:
    name: str
    posts: int  # matched now
    added: int
    removed: int


def apply_queries(
    store: Store,
    workspace: str,
    queries: Sequence[tuple[str, Node]],
    forget_others: bool = False,
) -> tuple[list[Applied], list[str]]:
    """Make the stored matches of each query (name, parsed query) those it matches now, in one
    transaction; with `forget_others`, drop those of the queries not among them. Returns what each
    query matches, and the names whose matches were dropped."""
    with store.transaction() as conn:
        was = matched_posts(conn, workspace)
        done = [apply_query(conn, workspace, name, node) for name, node in queries]
        keep = {name for name, _node in queries}
        dropped = forget_other_queries(conn, workspace, keep) if forget_others else []
        shift_matched(conn, workspace, was)  # the authors' matched posts (author_days)
    return done, dropped


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
