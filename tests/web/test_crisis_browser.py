"""The crisis room in a real headless Chromium: the detectors open the storm's alerts over the
demo store, then a community manager opens the room from the top bar, reads why it fired and
its timeline, gives a task, copies a holding statement, acknowledges the alert and downloads
the report. Under CI=true a missing Chromium fails the run; elsewhere it skips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from alerting_support import an_alert
from website import Site, open_page, serve_site, sign_in_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    yield from serve_site(demo_db, tmp_path_factory.mktemp("crisis"), an_alert)


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    yield from open_page(browser, live[1], clipboard=True)


sign_in = sign_in_page


def test_run_a_crisis_from_the_room(page, live) -> None:  # type: ignore[no-untyped-def]
    site, base = live
    alert_id = an_alert(site)
    sign_in(page, base, "cyril")
    assert int(page.inner_text("[data-testid=open-alerts]")) >= 1
    page.click("[data-testid=nav-alerts]")
    page.wait_for_url(re.compile(r"/w/united/alerts$"))
    row = page.locator(f"[data-testid=alert][data-id='{alert_id}']")
    assert "Volume spike · United" in row.inner_text()
    row.locator("[data-testid=room-link]").click()
    page.wait_for_url(re.compile(rf"/alerts/{alert_id}$"))

    assert "Why it fired" in page.inner_text("[data-testid=explanation]")
    assert page.locator("[data-testid=timeline] svg[role=img]").count() == 1
    assert page.locator("[data-testid=timeline] svg rect").count() > 10
    assert page.locator("[data-testid=carrier]").count() >= 1
    assert page.locator("[data-testid=spread] svg").count() == 2

    page.select_option("[data-testid=assign-to]", "ana")
    page.fill("[data-testid=assign-task]", "Call the airport desk")
    page.click("[data-testid=assign]")
    page.wait_for_url(re.compile(rf"/alerts/{alert_id}$"))
    assert "ana: Call the airport desk" in page.inner_text("[data-testid=assignments]")
    assert "assigned to ana: Call the airport desk" in page.inner_text("[data-testid=log]")

    button = page.locator("[data-testid=copy-delays-en]")
    button.click()
    page.wait_for_selector("[data-testid=copy-delays-en][data-logged=true]")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("We are sorry for today's delays.")

    page.click("[data-testid=ack]")
    page.wait_for_url(re.compile(rf"/alerts/{alert_id}$"))
    assert page.inner_text("[data-testid=room-title] [data-testid=status]") == "acknowledged"
    log = page.inner_text("[data-testid=log]")
    assert "copied the statement “Delays and cancellations” (EN)" in log and "acknowledged" in log

    with page.expect_download() as info:
        page.click("[data-testid=report]")
    report = Path(info.value.path()).read_text("utf-8")
    assert "Crisis report" in report and "Call the airport desk" in report
    assert page.errors == []  # no script refused by the Content-Security-Policy, no error


INTERNAL = ("viral_post", "volume_spike", "negative_surge", "hour-of-day", "post:x:")


def test_the_list_and_the_room_read_in_french(page, live) -> None:  # type: ignore[no-untyped-def]
    site, base = live
    alert_id = an_alert(site, "US Airways", "negative_surge")
    sign_in(page, base, "ana")
    page.click("[data-testid=lang-fr]")
    page.wait_for_selector("html[lang=fr]")
    page.goto(f"{base}/w/united/alerts")
    row = page.locator(f"[data-testid=alert][data-id='{alert_id}']")
    assert row.locator("[data-testid=room-link]").inner_text() == "Poussée négative · US Airways"
    told = row.locator("[data-testid=sentence]").inner_text()
    assert told.startswith("Les publications sur US Airways sont négatives à ")
    row.locator("[data-testid=room-link]").click()
    page.wait_for_url(re.compile(rf"/alerts/{alert_id}$"))
    assert page.inner_text("[data-testid=room-title]").startswith("Cellule de crise : Poussée")
    assert page.inner_text("[data-testid=explanation] [data-testid=sentence]") == told
    assert "Éléments de langage" in page.inner_text("[data-testid=statements]")
    shown = page.inner_text("body")
    assert not [code for code in INTERNAL if code in shown]
    assert page.errors == []
