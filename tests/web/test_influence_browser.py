"""In a real headless Chromium, on the demo's airline data (issue #19, must-show 2): the influence
page lists the most engaged authors of each airline with their score explained and says the
set has no follower counts; a community manager opens the first of United's, adds them to the
relationship file and to a campaign, and finds them in both. Under CI=true a missing Chromium
fails the run; elsewhere it skips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rumeur.influence import campaigns, ranking
from website import Site, open_page, serve_site, sign_in_page

pytestmark = pytest.mark.browser
CAMPAIGN = "Spring fares"


def _prepare(site: Site) -> None:
    ws = site.settings.workspace()
    campaigns.create_campaign(
        site.store, ws.slug, CAMPAIGN, datetime(2015, 2, 16, tzinfo=UTC),
        datetime(2015, 2, 25, tzinfo=UTC), "united OR #unitedairlines", by="ada",
    )  # fmt: skip


@pytest.fixture(scope="module")
def live(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    yield from serve_site(demo_db, tmp_path_factory.mktemp("influence-browser"), _prepare)


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    for opened in open_page(browser, live[1]):
        # The list ranks every author of the window once per airline: seconds on a loaded machine.
        opened.set_default_navigation_timeout(60_000)
        yield opened


def test_the_most_engaged_authors_per_airline_go_into_the_file_and_a_campaign(page, live) -> None:  # type: ignore[no-untyped-def]
    site, base = live
    ws = site.settings.workspace()
    sign_in_page(page, base, "cyril")
    page.click("[data-testid=nav-influence]")
    page.wait_for_url(re.compile(r"/w/united/influence$"))

    tables = page.locator("[data-testid=influencers]")
    assert [t.get_attribute("data-brand") for t in tables.all()] == [b.name for b in ws.brands]
    for table in tables.all():
        rows = table.locator("[data-testid=influencer]")
        assert rows.count() >= 1
        for row in rows.all():  # every author listed with the parts of their score
            parts = row.locator("[data-testid=explanation] li")
            assert {p.get_attribute("data-part") for p in parts.all()} >= {
                "engagement", "relevance", "sentiment",
            }  # fmt: skip
    assert "Followers unknown" in page.inner_text("[data-testid=followers-unknown]")

    best = ranking.ranked(site.store, ws, brand="United", limit=1)[0]
    first = page.locator("[data-testid=influencers][data-brand=United] [data-testid=influencer]")
    assert first.first.get_attribute("data-author") == f"x:{best.author}"
    first.first.locator("[data-testid=author-link]").click()
    page.wait_for_url(re.compile(rf"/w/united/influence/authors/{best.id}\?brand=United$"))
    assert page.inner_text("[data-testid=author-score]") == f"{best.score:.1f}"
    assert page.locator("[data-testid=score-parts] tr[data-part]").count() == len(best.explanation)

    page.click("[data-testid=add-to-file]")
    page.wait_for_url(re.compile(r"/w/united/people/\d+$"))
    assert page.inner_text("[data-testid=person-status]") == "spotted"

    page.goto(f"{base}/w/united/influence/authors/{best.id}")
    assert "owner cyril" in page.inner_text("[data-testid=in-file]")
    page.select_option("[data-testid=campaign-choice]", label=CAMPAIGN)
    page.click("[data-testid=add-to-campaign]")
    page.wait_for_url(re.compile(r"/w/united/campaigns/\d+$"))
    people = page.locator("[data-testid=campaign-person]")
    assert [p.get_attribute("data-author") for p in people.all()] == [f"x:{best.author}"]

    page.goto(f"{base}/w/united/people")
    listed = page.locator("[data-testid=person]")
    assert [p.get_attribute("data-who") for p in listed.all()] == [f"x:{best.author}"]
    page.goto(f"{base}/w/united/influence/authors/{best.id}")
    assert CAMPAIGN in page.inner_text("[data-testid=in-campaigns]")
    assert page.errors == []
