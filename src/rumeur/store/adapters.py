"""A workspace's own models, learnt from its corrections by `rumeur models adapt` (issue #17):
the sentiment and emotion adapters (nlp/adapt.py) and the complaint-reason model
(nlp/workspace_reasons.py). Each run stores a new version per task, with the number of
corrections it learnt from, the shipped model it adapts and its figures; the newest version is
the one the pipeline, `rumeur classify` and the post page use.

The weights are bytes this module never reads: the models read them back themselves, and never
as a pickle. A model is never changed once stored, so a process keeps what it loaded under its
version and asks only which versions are newest (`newest`, one small read per batch).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from rumeur.store.schema import model_adapters
from rumeur.store.store import Store

__all__ = ["StoredModel", "history", "newest", "save", "weights"]

ma = model_adapters.c


@dataclass(frozen=True, slots=True)
class StoredModel:
    """One stored version of a workspace's model of a task, without its weights."""

    workspace: str
    task: str
    version: int
    created_at: datetime
    examples: int  # corrections it learnt from
    base_model: str  # the shipped model it adapts (or the reason model's kind)
    base_version: str
    metrics: dict[str, Any]


def save(
    store: Store,
    model: StoredModel,
    blob: bytes,
) -> int:
    """Store `blob` as the next version of the workspace's model of `model.task` (the version
    and time `model` gives are replaced); the version number stored."""
    with store.transaction() as conn:
        version = _latest(conn, model.workspace, model.task) + 1
        conn.execute(
            insert(model_adapters).values(
                workspace=model.workspace,
                task=model.task,
                version=version,
                created_at=datetime.now(UTC),
                examples=model.examples,
                base_model=model.base_model,
                base_version=model.base_version,
                weights=blob,
                metrics=model.metrics,
            )
        )
    return version


def newest(store: Store, workspace: str) -> dict[str, int]:
    """task -> the newest version stored for the workspace; empty when it has none."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(ma.task, func.max(ma.version)).where(ma.workspace == workspace).group_by(ma.task)
        ).all()
    return {task: int(version) for task, version in rows}


def weights(store: Store, workspace: str, task: str, version: int) -> tuple[StoredModel, bytes]:
    """One stored version and its bytes."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(model_adapters).where(
                ma.workspace == workspace, ma.task == task, ma.version == version
            )
        ).one()
    return _model(row), bytes(row.weights)


def history(store: Store, workspace: str, task: str | None = None) -> list[StoredModel]:
    """The workspace's stored versions (of `task` only, when given), newest first."""
    columns = [c for c in model_adapters.c if c.name != "weights"]
    query = select(*columns).where(ma.workspace == workspace)
    if task is not None:
        query = query.where(ma.task == task)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(ma.task, ma.version.desc())).all()
    return [_model(row) for row in rows]


def _latest(conn: Connection, workspace: str, task: str) -> int:
    found = conn.execute(
        select(func.max(ma.version)).where(ma.workspace == workspace, ma.task == task)
    ).scalar()
    return int(found or 0)


def _model(row: Any) -> StoredModel:
    return StoredModel(
        row.workspace, row.task, int(row.version), row.created_at, int(row.examples),
        row.base_model, row.base_version, dict(row.metrics or {}),
    )  # fmt: skip
