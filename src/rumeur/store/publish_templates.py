"""A workspace's saved publishing templates (docs/publish.md, "Templates"): a message kept by
name to start from, with its dialogue format (`kind`: a plain message, a poll, a "battle", an
open question) and its body as publishing/templates.py reads it. Saving under a name that
exists replaces that template."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update

from rumeur.store.schema import publish_templates
from rumeur.store.store import Store


@dataclass(frozen=True, slots=True)
class StoredTemplate:
    id: int
    workspace: str
    name: str
    kind: str
    body: dict[str, Any]
    author: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> StoredTemplate:
        return cls(**dict(row._mapping))


def save(
    store: Store,
    workspace: str,
    name: str,
    kind: str,
    body: Mapping[str, Any],
    author: str | None,
    now: datetime,
) -> StoredTemplate:
    """Store the template `name` (replacing the workspace's template of that name)."""
    t = publish_templates.c
    values = {"kind": kind, "body": dict(body), "author": author, "updated_at": now}
    with store.transaction() as conn:
        done = conn.execute(
            update(publish_templates)
            .where(t.workspace == workspace, t.name == name)
            .values(**values)
        )
        if done.rowcount == 0:
            conn.execute(
                insert(publish_templates).values(
                    workspace=workspace, name=name, created_at=now, **values
                )
            )
        row = conn.execute(
            select(publish_templates).where(t.workspace == workspace, t.name == name)
        ).one()
    return StoredTemplate.of(row)


def find(store: Store, workspace: str, name: str) -> StoredTemplate | None:
    t = publish_templates.c
    with store.read() as conn:
        row = conn.execute(
            select(publish_templates).where(t.workspace == workspace, t.name == name)
        ).first()
    return None if row is None else StoredTemplate.of(row)


def listed(store: Store, workspace: str) -> list[StoredTemplate]:
    """The workspace's templates by name."""
    t = publish_templates.c
    with store.read() as conn:
        rows = conn.execute(
            select(publish_templates).where(t.workspace == workspace).order_by(t.name)
        )
        return [StoredTemplate.of(r) for r in rows]


def remove(store: Store, workspace: str, name: str) -> bool:
    t = publish_templates.c
    with store.transaction() as conn:
        done = conn.execute(
            delete(publish_templates).where(t.workspace == workspace, t.name == name)
        )
        return done.rowcount == 1
