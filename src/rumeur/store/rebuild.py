"""Recount `rollups_hourly`, `facet_rollups` and `facet_days` from the stored posts, for a
migration that changes their keys (0005) or a repair. The posts are streamed in id order and
counted by the writer's own code (`writer._state`, `hourly_deltas`, `facet_deltas`,
`day_deltas`), so a rebuilt rollup is what the writer would have kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, inspect, select

from rumeur.metrics import ENGAGEMENT
from rumeur.store.schema import facet_days, facet_rollups, post_brands, posts, rollups_hourly
from rumeur.store.writer import (
    FACET_COLUMNS,
    FACET_DAY_KEY,
    FACET_KEY,
    HOURLY_KEY,
    LABEL_TASKS,
    _State,
    _state,
    day_deltas,
    facet_deltas,
    hourly_deltas,
    upsert_sums,
)

CHUNK = 2000  # posts per read: bounded memory, few round trips

_COLUMNS = ("id", "platform", "created_at", "author_id", *LABEL_TASKS, *ENGAGEMENT, *FACET_COLUMNS)


def rebuild_rollups(conn: Connection) -> int:
    """Empty the rollups and count every post again; returns how many posts were read.
    `facet_days` only where it exists: 0005 runs before 0014 makes it (and 0014 fills it)."""
    days = inspect(conn).has_table(facet_days.name)
    for table in (rollups_hourly, facet_rollups, *((facet_days,) if days else ())):
        conn.execute(delete(table))
    last, read = -1, 0
    while states := _next_states(conn, last):
        upsert_sums(conn, rollups_hourly, HOURLY_KEY, hourly_deltas({}, states))
        facet_sums = facet_deltas({}, states)
        upsert_sums(conn, facet_rollups, FACET_KEY, facet_sums)
        if days:
            upsert_sums(conn, facet_days, FACET_DAY_KEY, day_deltas(facet_sums))
        last = max(states)
        read += len(states)
    return read


def _next_states(conn: Connection, after_id: int) -> dict[int, _State]:
    query = (
        select(*(posts.c[c] for c in _COLUMNS))
        .where(posts.c.id > after_id)
        .order_by(posts.c.id)
        .limit(CHUNK)
    )
    rows: dict[int, dict[str, Any]] = {r["id"]: dict(r) for r in conn.execute(query).mappings()}
    if not rows:
        return {}
    members: dict[int, set[tuple[str, str]]] = {pid: set() for pid in rows}
    ids = list(rows)
    query = select(post_brands).where(post_brands.c.post_id.between(ids[0], ids[-1]))
    for m in conn.execute(query):
        if m.post_id in members:
            members[m.post_id].add((m.workspace, m.brand))
    # A post in no workspace counts nowhere (its states would have no rows anyway).
    return {pid: _state(row, members[pid]) for pid, row in rows.items()}
