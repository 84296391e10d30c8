"""Reads of the inbox's messages that the collectors of owned accounts need
(`inbox/collect.py`): whether a message is held already, by its id or by its id on the owned
account's server. The rows themselves are written by `store/inbox.py`."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_, select

from rumeur.store.schema import messages
from rumeur.store.store import Store


def holds(store: Store, workspace: str, platform: str, ref: str) -> bool:
    """True when the inbox holds a message of `platform` whose id (or local id) is `ref`."""
    m = messages.c
    with store.read() as conn:
        found = conn.execute(
            select(m.id)
            .where(
                m.workspace == workspace,
                m.platform == platform,
                or_(m.native_id == ref, m.local_id == ref),
            )
            .limit(1)
        ).first()
    return found is not None


def held(store: Store, workspace: str, platform: str, ids: Collection[str]) -> set[str]:
    """Those of `ids` (native ids) that the inbox holds already."""
    m = messages.c
    found: set[str] = set()
    wanted = list(dict.fromkeys(ids))
    with store.read() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = conn.execute(
                select(m.native_id).where(
                    m.workspace == workspace, m.platform == platform, m.native_id.in_(chunk)
                )
            )
            found.update(rows.scalars())
    return found
