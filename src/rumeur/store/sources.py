"""The stored state of a workspace's sources (`source_cursors`): cursor, items, last success
and last error, as `rumeur sources` lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rumeur.store.schema import source_cursors

if TYPE_CHECKING:
    from rumeur.store import Store


def source_states(store: Store, workspace: str) -> dict[str, dict[str, Any]]:
    """The workspace's cursor rows, by source key."""
    query = source_cursors.select().where(source_cursors.c.workspace == workspace)
    with store.engine.connect() as conn:
        return {r["source"]: dict(r) for r in conn.execute(query).mappings()}
