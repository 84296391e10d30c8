"""The publishing calendar in a real headless Chromium (docs/publish.md, "The calendar"): an
item approved through two steps (the second "all") is on its day of the week; dragged to
another day (Playwright's drag_to, the page's HTML5 drag and drop), it moves there at the same
time of day in the workspace's zone, and stays approved, as the REST API then says; then, by
the keyboard alone, its Move field takes it to another day and time. Under CI=true a missing
Chromium fails the run; elsewhere it skips."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from inbox_site import PASSWORD, signed_in
from publishing.publishing_support import SETTINGS
from rumeur.config import parse_settings
from rumeur.publishing import approvals
from rumeur.publishing.schedule import schedule
from rumeur.publishing.spec import read
from rumeur.store import Store
from rumeur.web import tokens
from rumeur.web.accounts import add_user

pytestmark = pytest.mark.browser
WORKFLOW = """
[[workspaces.workflows]]
name = "regions"
accounts = ["lyon"]

[[workspaces.workflows.steps]]
users = ["lea"]

[[workspaces.workflows.steps]]
users = ["marc", "sam"]
need = "all"
"""


def next_monday(today: date) -> date:
    return today + timedelta(days=7 - today.weekday())


@pytest.fixture
def live(tmp_path: Any) -> Iterator[tuple[Store, str, int, date, str]]:
    """The app served over a store holding one item of lyon's, next Monday at 10:00 in Paris,
    approved by lea (step 1), then marc and sam (step 2, all)."""
    from rumeur.web.app import create_app
    from rumeur.web.server import background

    store = Store.open(str(tmp_path / "calendar.db"))
    try:
        settings = parse_settings(SETTINGS + WORKFLOW, "calendar.toml")
        ws = settings.workspace()
        users = {name: add_user(store, name, "community_manager", PASSWORD, None, ws)
                 for name in ("cyril", "lea", "marc", "sam")}  # fmt: skip
        monday = next_monday(datetime.now(UTC).astimezone(ws.zone).date())
        at = datetime.combine(monday, time(10), tzinfo=ws.zone).isoformat()
        spec = read({"text": "À {ville}, on ouvre à 10 h", "accounts": ["lyon"], "at": at},
                    ws.timezone)  # fmt: skip
        now = datetime.now(UTC)
        [item] = schedule(store, ws, spec, now, author="cyril", role="community_manager").created
        assert item.status == "pending_approval"
        for name in ("lea", "marc", "sam"):
            approvals.decide(store, ws, item.id, name, "community_manager", now)
        token = tokens.issue(store, users["cyril"].id)
        with background(create_app(settings, store)) as base:
            yield store, base, item.id, monday, token
    finally:
        store.close()


def test_an_approved_item_dragged_to_another_day_keeps_its_time_and_approval(
    browser: Any, live: tuple[Store, str, int, date, str]
) -> None:
    _store, base, item_id, monday, token = live
    auth = {"Authorization": f"Bearer {token}"}
    [before] = httpx.get(f"{base}/api/w/laposte/publish", headers=auth).json()["items"]
    assert (before["status"], before["approved_by"]) == ("scheduled", "sam")
    wednesday = monday + timedelta(days=2)
    for page in signed_in(browser, base, "cyril"):
        page.goto(f"{base}/w/laposte/calendar?day={monday}")
        item = page.locator(f"[data-testid=item-{item_id}]")
        assert item.locator("[data-testid=status]").inner_text() == "scheduled"
        assert page.locator(f"[data-testid=day-{monday}] [data-testid=item-{item_id}]").count() == 1
        item.drag_to(page.locator(f"[data-testid=day-{wednesday}]"))
        dropped = f"[data-testid=day-{wednesday}] [data-testid=item-{item_id}][data-moved=true]"
        page.wait_for_selector(dropped)
        assert item.locator("[data-testid=time]").inner_text() == "10:00"
        assert page.errors == []
        [dropped_item] = httpx.get(f"{base}/api/w/laposte/publish", headers=auth).json()["items"]
        on_wednesday = datetime.fromisoformat(dropped_item["at"])
        assert on_wednesday.isoformat().startswith(f"{wednesday}T10:00:00")
        assert on_wednesday.utcoffset() == ZoneInfo("Europe/Paris").utcoffset(
            datetime.combine(wednesday, time(10))
        )
        assert (dropped_item["status"], dropped_item["approved_by"]) == ("scheduled", "sam")
        page.reload()
        moved = page.locator(f"[data-testid=day-{wednesday}] [data-testid=item-{item_id}]")
        assert moved.locator("[data-testid=time]").inner_text() == "10:00"
        # Without a mouse: the item's Move field, by the keyboard, to Thursday at 11:15.
        thursday = monday + timedelta(days=3)
        moved.locator("summary").focus()
        page.keyboard.press("Enter")
        moved.locator("[data-testid=move-at]").fill(f"{thursday}T11:15")
        moved.locator("[data-testid=move-at]").press("Enter")
        page.wait_for_selector(f"[data-testid=day-{thursday}] [data-testid=item-{item_id}]")
        there = page.locator(f"[data-testid=day-{thursday}] [data-testid=item-{item_id}]")
        assert there.locator("[data-testid=time]").inner_text() == "11:15"
    [now] = httpx.get(f"{base}/api/w/laposte/publish", headers=auth).json()["items"]
    local = datetime.fromisoformat(now["at"])
    thursday = monday + timedelta(days=3)
    assert (local.date(), local.strftime("%H:%M")) == (thursday, "11:15")
    paris = ZoneInfo("Europe/Paris")  # the workspace's zone: its offset on that day
    assert local.utcoffset() == paris.utcoffset(datetime.combine(thursday, time(11, 15)))
    assert (now["status"], now["approved_by"]) == ("scheduled", "sam")
