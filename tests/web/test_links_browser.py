"""In a real headless Chromium, as a community manager clicks: the dashboard's figures and the
crisis room's "Mentions of the period" open a stream whose count is the figure clicked, in
English and in French. Under CI=true a missing Chromium fails the run; elsewhere it skips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from alerting_support import an_alert
from rumeur.store.schema import alerts
from website import Site, open_page, serve_site, sign_in_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    yield from serve_site(demo_db, tmp_path_factory.mktemp("links-browser"), an_alert)


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    yield from open_page(browser, live[1])


def shown_count(page) -> int:  # type: ignore[no-untyped-def]
    """The stream's count, in either language ("2,083 mentions", "2 083 mentions")."""
    text = page.inner_text("[data-testid=count]")
    found = re.match(r"([\d\s,\u202f\u00a0]+) mentions?", text)
    assert found, text
    return int(re.sub(r"\D", "", found.group(1)))


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_dashboard_figure_opens_the_posts_it_counted(page, live, language: str) -> None:  # type: ignore[no-untyped-def]
    base = live[1]
    sign_in_page(page, base, "cyril")
    if language == "fr":
        page.context.add_cookies([{"name": "rumeur_lang", "value": "fr", "url": base}])
        page.goto(base + "/w/united/dashboard")
    rows = page.locator("[data-testid=share-of-voice] tbody tr")
    assert rows.count() >= 2
    for i in range(rows.count()):
        page.goto(base + "/w/united/dashboard")
        cell = page.locator("[data-testid=share-of-voice] tbody tr").nth(i).locator("td").nth(1)
        figure = number(cell.inner_text())
        cell.locator("a").click()
        page.wait_for_url(re.compile(r"/w/united/stream\?"))
        assert shown_count(page) == figure
        assert page.locator("[data-testid=window]").count() == 1
    assert page.errors == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_crisis_room_opens_the_posts_its_alert_counted(page, live, language: str) -> None:  # type: ignore[no-untyped-def]
    site, base = live
    alert_id = an_alert(site, subject="United")  # the storm's spike
    with site.store.engine.connect() as conn:
        observed = conn.execute(select(alerts.c.observed).where(alerts.c.id == alert_id)).scalar()
    sign_in_page(page, base, "cyril")
    if language == "fr":
        page.context.add_cookies([{"name": "rumeur_lang", "value": "fr", "url": base}])
    page.goto(f"{base}/w/united/alerts/{alert_id}")
    page.click("[data-testid=stream-link]")
    page.wait_for_url(re.compile(r"/w/united/stream\?.*brand=United"))
    assert shown_count(page) == int(observed)
    assert page.locator("[data-testid=brand]").input_value() == "United"
    assert page.errors == []
