"""The charts as a person sees them, in a real headless Chromium, in English and French: every
chart of the dashboard and of the crisis room has a visible title and subtitle (an element with
text on screen, not the SVG's <title>), its text is drawn at a readable size, and the add-user
form starts on the least powerful role. Under CI=true a missing Chromium fails the run;
elsewhere it skips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alerting_support import an_alert
from rumeur.web.charts import FONT_SIZE
from website import Site, in_language, open_page, serve_site, sign_in_page

pytestmark = pytest.mark.browser
READABLE_PX = 11  # the smallest text, in CSS pixels, that a chart may show at 1280 px wide


@pytest.fixture(scope="module")
def live(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    yield from serve_site(demo_db, tmp_path_factory.mktemp("charts"), an_alert)


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    yield from open_page(browser, live[1])


def charts_are_titled(page: Any, expected: int) -> list[str]:
    """Every chart's figure shows a title and a subtitle on screen, and the chart's text is
    drawn at a readable size; the titles, in the page's order."""
    charts = page.locator("figure svg.chart")
    assert charts.count() == expected
    titles = []
    for i in range(expected):
        figure = charts.nth(i).locator("xpath=ancestor::figure[1]")
        title = figure.locator("figcaption .chart-title")
        subtitle = figure.locator("figcaption .chart-subtitle")
        assert title.is_visible() and subtitle.is_visible()
        assert title.inner_text().strip() and subtitle.inner_text().strip()
        box = title.bounding_box()
        assert box and box["height"] >= 12  # on screen, not a collapsed or hidden element
        drawn = charts.nth(i).bounding_box()
        natural = float(charts.nth(i).get_attribute("viewBox").split()[2])
        assert drawn and drawn["width"] / natural * FONT_SIZE >= READABLE_PX
        titles.append(title.inner_text().strip())
    return titles


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_chart_has_a_visible_title(page, live, language: str) -> None:  # type: ignore[no-untyped-def]
    site, base = live
    sign_in_page(page, base, "cyril")
    in_language(page, language)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(base + "/w/united/dashboard")
    titles = charts_are_titled(page, 5)
    volume = "Volume per brand" if language == "en" else "Volume par marque"
    assert titles[0] == volume
    period = page.inner_text("figure .chart-subtitle")
    assert re.search(r"2015", period)

    page.goto(f"{base}/w/united/alerts/{an_alert(site)}")
    titles = charts_are_titled(page, 3)
    hourly = "Posts per hour, by sentiment" if language == "en" else "Publications par heure"
    assert titles[0].startswith(hourly)
    in_language(page, "en")  # the account's saved choice back as the other tests expect it
    assert page.errors == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_add_user_form_starts_on_the_least_powerful_role(page, live, language: str) -> None:  # type: ignore[no-untyped-def]
    _site, base = live
    sign_in_page(page, base, "ada")
    in_language(page, language)
    page.goto(base + "/admin/users")
    role = page.locator("[data-testid=new-role]")
    assert role.input_value() == "department"
    options = role.locator("option").all_inner_texts()
    assert options[0] == role.locator("option:checked").inner_text()
    nav = page.locator("header.top nav").first.inner_text()
    dashboard = "Dashboard" if language == "en" else "Tableau de bord"
    assert dashboard in nav
    in_language(page, "en")
    assert page.errors == []
