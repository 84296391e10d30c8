"""A workspace's own models in the store (store/adapters.py): each save is the next version of
its workspace and task, the bytes come back exactly, and each workspace counts for itself."""

from __future__ import annotations

from datetime import UTC, datetime

from rumeur.store import Store
from rumeur.store.adapters import StoredModel, history, newest, save, weights


def model(workspace: str, task: str, examples: int) -> StoredModel:
    metrics = {"folds": 5, "accuracy_after": 0.8, "labels": {"négatif": examples}}
    made = datetime(2026, 1, 1, tzinfo=UTC)
    return StoredModel(workspace, task, 0, made, examples, "rumeur-x", "1.0.0", metrics)


def test_versions_count_per_workspace_and_task_and_bytes_come_back_exactly(store: Store) -> None:
    blobs = [bytes(range(256)) * 40, b"\x00second\xff", b"{}"]
    assert save(store, model("games", "sentiment", 40), blobs[0]) == 1
    assert save(store, model("games", "sentiment", 55), blobs[1]) == 2
    assert save(store, model("games", "reason", 3), blobs[2]) == 1
    assert newest(store, "games") == {"sentiment": 2, "reason": 1}
    assert newest(store, "other") == {}
    assert save(store, model("other", "sentiment", 7), b"x") == 1
    found, blob = weights(store, "games", "sentiment", 1)
    assert blob == blobs[0] and found.examples == 40 and found.version == 1
    assert weights(store, "games", "sentiment", 2)[1] == blobs[1]
    listed = history(store, "games", "sentiment")
    assert [m.version for m in listed] == [2, 1]
    assert listed[0].metrics == {"folds": 5, "accuracy_after": 0.8, "labels": {"négatif": 55}}
    assert listed[0].created_at.tzinfo is not None
    assert {(m.task, m.version) for m in history(store, "games")} == {
        ("sentiment", 2), ("sentiment", 1), ("reason", 1),
    }  # fmt: skip
