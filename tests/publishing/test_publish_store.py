"""A message's time as written (offset, `Z`, or the workspace's zone with its daylight-saving
change), and the items' rows: moved only from the statuses expected, approved once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rumeur.publishing.spec import SpecError, read, read_time, written
from rumeur.store import Store
from rumeur.store.publishing import ItemStatus, NewItem, approve, create, item, transition

ZONE = "Europe/Paris"


def test_a_time_without_offset_is_the_workspaces_with_its_daylight_saving() -> None:
    summer, zone = read_time("2026-07-01T09:00", ZONE, "at")
    winter, _ = read_time("2026-12-24T09:00", ZONE, "at")
    assert zone == ZONE
    assert summer.astimezone(UTC) == datetime(2026, 7, 1, 7, tzinfo=UTC)
    assert winter.astimezone(UTC) == datetime(2026, 12, 24, 8, tzinfo=UTC)
    at, zone = read_time("2026-12-24T09:00:00Z", ZONE, "at")
    assert zone == "Z" and written(at, zone).isoformat() == "2026-12-24T09:00:00+00:00"
    at, zone = read_time("2026-12-24T09:00:00-05:30", ZONE, "at")
    assert written(at.astimezone(UTC), zone).isoformat() == "2026-12-24T09:00:00-05:30"
    with pytest.raises(SpecError, match="at: 'demain' is not a time"):
        read_time("demain", ZONE, "at")
    with pytest.raises(SpecError, match=r"m\.variants\.lyon: unknown key 'colour'"):
        read({"text": "x", "accounts": ["lyon"], "at": "2026-12-24T09:00",
              "variants": {"lyon": {"colour": "red"}}}, ZONE, "m")  # fmt: skip


def _one(store: Store, status: ItemStatus = "pending_approval") -> int:
    at = datetime(2030, 1, 1, 8, tzinfo=UTC)
    new = NewItem("lyon", "bluesky", "laposte-lyon.bsky.social", "Bonjour", at, ZONE, status)
    made = create(store, "laposte", text="Bonjour", items=[new], now=at)
    [(item_id, fresh)] = made.items
    assert fresh
    return item_id


def test_items_move_only_from_the_expected_statuses(store: Store) -> None:
    now = datetime(2029, 12, 31, tzinfo=UTC)
    item_id = _one(store)
    assert not transition(store, item_id, ("scheduled",), "sending", now)
    assert approve(store, item_id, "sam", now)
    assert not approve(store, item_id, "ada", now)  # of two approvers, one does
    found = item(store, item_id)
    assert found is not None and found.status == "scheduled" and found.approved_by == "sam"
    assert transition(store, item_id, ("scheduled",), "failed", now, error="refused\nsecond")
    found = item(store, item_id)
    assert found is not None and found.status == "failed" and found.error == "refused"
