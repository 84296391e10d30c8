"""Migration 0020: an item stored pending before the workflows (no step, no round) is at the
first step of its department's one-step approval once upgraded, and is approved as before."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from publishing_support import workspace

from rumeur.publishing import approvals
from rumeur.store import Store
from rumeur.store.migrate import HEAD, alembic_config, current_revision
from rumeur.store.publishing import NewItem, create, item

AT = datetime(2030, 1, 1, 8, tzinfo=UTC)


def test_an_item_pending_before_the_workflows_is_approved_once_upgraded(store: Store) -> None:
    new = NewItem("marseille", "mastodon", "laposte_marseille", "Bonjour", AT, "Europe/Paris",
                  "pending_approval")  # fmt: skip
    [(item_id, _)] = create(store, "laposte", text="Bonjour", items=[new], now=AT).items
    with store.transaction() as conn:
        command.downgrade(alembic_config(conn), "0019")
        command.upgrade(alembic_config(conn), "head")
    assert current_revision(store.engine) == HEAD
    found = item(store, item_id)
    assert found is not None and (found.status, found.step, found.round) == (
        "pending_approval", None, 1,
    )  # fmt: skip
    ws = workspace()
    assert approvals.list_approvals(store, ws, [found])[item_id] == {
        "workflow": "marseille", "step": 1, "steps": 1, "need": "any", "approved": [],
        "waiting": ["sam", "any admin"],
    }  # fmt: skip
    decided = approvals.decide(store, ws, item_id, "sam", "community_manager", AT)
    assert decided.line == f"item {item_id} approved: scheduled"
