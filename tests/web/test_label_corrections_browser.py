"""In a real headless Chromium, as an analyst works (issue #17): she corrects a post's sentiment
on its page, the page shows the label in effect with the model's beside it, and the dashboard's
sentiment counts for that day move by one. Under CI=true a missing Chromium fails the run;
elsewhere it skips."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rumeur.store.schema import enrichments, posts
from website import Site, open_page, serve_site, sign_in_page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, str]]:
    yield from serve_site(demo_db, tmp_path_factory.mktemp("labels-browser"), lambda site: None)


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    yield from open_page(browser, live[1])


def positive_post(site: Site) -> tuple[int, str, str]:
    """A positive post of the demo: its id, its day in the workspace's zone, the model's label."""
    e = enrichments.c
    query = (
        select(posts.c.id, posts.c.created_at, e.label)
        .join(enrichments, e.post_id == posts.c.id)
        .where(posts.c.sentiment == "positive", e.task == "sentiment", e.version != "source")
        .order_by(posts.c.id)
        .limit(1)
    )
    with site.store.engine.connect() as conn:
        pid, at, model = conn.execute(query).one()
    return pid, at.astimezone(site.settings.workspace().zone).date().isoformat(), model


def sentiment_counts(page) -> Counter[str]:  # type: ignore[no-untyped-def]
    """The dashboard's sentiment chart summed per sentiment, read from its bars' tooltips
    ("2015-02-22 14:00 · negative: 12")."""
    counts: Counter[str] = Counter()
    for title in page.locator("svg#sentiment rect.chart-bar title").all_text_contents():
        bar, _sep, value = title.rpartition(": ")
        counts[bar.rpartition(" · ")[2]] += int(re.sub(r"\D", "", value))
    return counts


def test_an_analyst_corrects_a_sentiment_and_the_dashboard_follows(page, live) -> None:  # type: ignore[no-untyped-def]
    site, base = live
    pid, day, model = positive_post(site)
    sign_in_page(page, base, "ana")
    dashboard = f"{base}/w/united/dashboard?since={day}&until={day}"
    page.goto(dashboard)
    before = sentiment_counts(page)
    assert before["positive"] >= 1

    page.goto(f"{base}/w/united/posts/{pid}")
    assert page.inner_text("[data-testid=label-sentiment-value]") == "positive"
    assert page.inner_text("[data-testid=label-sentiment-model]") == ""
    page.select_option("[data-testid=correct-sentiment]", "negative")
    page.click("[data-testid=correct-sentiment-submit]")
    page.wait_for_url(re.compile(rf"/w/united/posts/{pid}#labels$"))
    assert page.inner_text("[data-testid=label-sentiment-value]") == "negative"
    said = page.inner_text("[data-testid=label-sentiment-model]")
    assert re.fullmatch(rf"Model: {model} · corrected by ana, \d{{1,2}} \w+", said), said

    page.goto(dashboard)
    after = sentiment_counts(page)
    assert after["negative"] == before["negative"] + 1
    assert after["positive"] == before["positive"] - 1
    assert page.errors == []
