"""The dashboard's sites counted by the rule of store/facets.site() (issue #16): a shortener's
host (t.co, bit.ly...) is no site, and `m.` and `mobile.` are folded as `www.` was.

Only the `site` rows of `facet_rollups` change. A shortener's rows go whole: no post counted
there counts anywhere else for it. A folded host cannot be merged by adding rows (a post that
links to m.lemonde.fr and to lemonde.fr counts once for lemonde.fr), so the posts whose links
name such a host, found by SQL, are counted again by the writer's code: what the writer takes
away when such a post changes is then what these rows hold. The posts' texts and links stay as
they were imported; importing a file again with `--restart` stores them decoded and cut
cleanly (docs/sources.md).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlsplit

from alembic import op
from sqlalchemy import Connection, String, and_, cast, delete, func, or_, select

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CHUNK = 2000  # posts per read, values per DELETE
# The hosts site() folds now and did not before start so (www.m.lemonde.fr included).
PREFIXES = ("m.", "mobile.", "www.m.", "www.mobile.")


def upgrade() -> None:
    # Imported here, as 0005 does: the counts are the writer's.
    from rumeur.store.facets import site
    from rumeur.store.schema import facet_rollups as table
    from rumeur.store.writer import FACET_KEY, upsert_sums

    conn = op.get_bind()
    values = conn.execute(select(table.c.value).where(table.c.kind == "site").distinct())
    changed = {v: site(v) for (v,) in values if site(v) != v}
    upsert_sums(conn, table, FACET_KEY, _recounted(conn))
    shorteners = [v for v, now in changed.items() if now is None]
    folded = [v for v, now in changed.items() if now is not None]
    for start in range(0, max(len(shorteners), len(folded)), CHUNK):
        gone = table.c.value.in_(shorteners[start : start + CHUNK])
        emptied = and_(table.c.value.in_(folded[start : start + CHUNK]), table.c.posts == 0)
        conn.execute(delete(table).where(table.c.kind == "site", or_(gone, emptied)))


def downgrade() -> None:
    # Counts folded together cannot be told apart again; the rows stay as they are.
    pass


def _recounted(conn: Connection) -> dict[tuple[Any, ...], list[int]]:
    """The site rows' deltas of the posts whose links name a folded host: each such post taken
    away from its old sites and added to its new ones (shorteners apart: their rows go)."""
    from rumeur.store.facets import MAX_VALUE, site

    deltas: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    last = -1
    while chunk := _posts(conn, last):
        for links, state in chunk.values():
            new = {v for kind, v in state.facets if kind == "site"}
            old = {v[:MAX_VALUE] for v in map(_old_site, links or ()) if v and site(v)}
            day = state.hour.replace(hour=0)
            for sign, sites in ((-1, old - new), (1, new - old)):
                for ws in state.workspaces():
                    for value in sites:
                        acc = deltas[(ws, "site", day, state.reason, value)]
                        acc[0] += sign
                        acc[1] += sign * state.engagement
        last = max(chunk)
    return deltas


def _posts(conn: Connection, after_id: int) -> dict[int, tuple[Any, Any]]:
    """The next posts (id -> (links, writer state)) whose links may name a folded host."""
    from rumeur.store.rebuild import _COLUMNS
    from rumeur.store.schema import post_brands, posts
    from rumeur.store.writer import _state

    text = func.lower(cast(posts.c.links, String))
    query = (
        select(*(posts.c[c] for c in _COLUMNS))
        .where(posts.c.id > after_id, or_(*(text.like(f"%://{p}%") for p in PREFIXES)))
        .order_by(posts.c.id)
        .limit(CHUNK)
    )
    rows = {r["id"]: dict(r) for r in conn.execute(query).mappings()}
    members: dict[int, set[tuple[str, str]]] = {pid: set() for pid in rows}
    if rows:
        query = select(post_brands).where(post_brands.c.post_id.in_(list(rows)))
        for m in conn.execute(query):
            members[m.post_id].add((m.workspace, m.brand))
    return {pid: (row["links"], _state(row, members[pid])) for pid, row in rows.items()}


def _old_site(link: str) -> str | None:
    """A link's site as it was counted before this revision: its host, `www.` folded."""
    try:
        host = urlsplit(link if "//" in link else f"//{link}").hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None
