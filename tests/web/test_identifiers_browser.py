"""What a person reads, in a real headless Chromium, in English and French: the dashboard, the
mentions, a post, the alerts list and every room of the storm's alerts show no internal
identifier (an alert kind's code, a baseline's code, a post's stored key, a model feature).
The text checked is the page's rendered text (`innerText`: what is on screen, tooltips and
hidden markup left out). Under CI=true a missing Chromium fails the run; elsewhere it skips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from alerting_support import open_storm_alerts
from rumeur.store.schema import alerts, posts
from website import Site, in_language, open_page, serve_site, sign_in_page

pytestmark = pytest.mark.browser

# What the code names things by and people must never read (issue #16's list, and every alert
# kind's code).
INTERNAL = re.compile(
    r"viral_post|volume_spike|negative_surge|watch_word|influencer_post|hour-of-day"
    r"|post:[a-z]+:|__fr|NEG_|_user\b|rumeur-[a-z]+-linear"
)


@pytest.fixture(scope="module")
def live(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    yield from serve_site(demo_db, tmp_path_factory.mktemp("identifiers"), open_storm_alerts)


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    yield from open_page(browser, live[1])


def paths(site: Site) -> list[str]:
    """The pages to read: the listening pages, a negative post, the list and every room."""
    with site.store.engine.connect() as conn:
        post = conn.execute(
            select(posts.c.id).where(posts.c.sentiment == "negative").order_by(posts.c.id).limit(1)
        ).scalar_one()
        rooms = conn.execute(select(alerts.c.id).order_by(alerts.c.id)).scalars().all()
    assert rooms, "the storm opened no alert"
    listening = ["/w/united/dashboard", "/w/united/stream?q=brand%3AUnited", "/w/united/alerts"]
    return [*listening, f"/w/united/posts/{post}", *(f"/w/united/alerts/{i}" for i in rooms)]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_page_shows_an_internal_identifier(page, live, language: str) -> None:  # type: ignore[no-untyped-def]
    site, base = live
    sign_in_page(page, base, "cyril")
    in_language(page, language)
    seen = []
    try:
        for path in paths(site):
            answer = page.goto(base + path)
            assert answer is not None and answer.status == 200, path
            text = page.inner_text("body")
            found = INTERNAL.findall(text)
            assert not found, f"{path} ({language}) shows {sorted(set(found))}"
            seen.append(path)
    finally:
        in_language(page, "en")  # the account's saved choice back as the other tests expect it
    assert len(seen) >= 5
