"""The influence pages through the app (TestClient) on recorded posts with real follower counts
(tests/influence/recorded.py): the list with tiers, engagement rates and each score's parts, the
engagement rate by tier, the CSV, an author's page with the posts behind each part, "not enough
posts" below the minimum, and the refusals of a filter."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from influence.recorded import WORKSPACE, x_posts
from rumeur.config import parse_settings
from rumeur.influence import ranking
from rumeur.store import Store
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from website import PASSWORD, sign_in

# In English (the workspace's locale), every recorded account ranked (one post is enough).
ENGLISH = WORKSPACE.replace('name = "Watch"\n', 'name = "Watch"\nlocale = "en"\n')
SETTINGS = ENGLISH + "[workspaces.influence]\nmin_posts = 1\n"


@pytest.fixture
def site(store: Store) -> tuple[TestClient, Store]:
    settings = parse_settings(SETTINGS, "influence-test.toml")
    store.write("watch", x_posts())
    add_user(store, "ana", "analyst", PASSWORD, None, settings.workspace())
    client = TestClient(create_app(settings, store), follow_redirects=False)
    sign_in(client, "ana")
    return client, store


def test_the_list_shows_tiers_rates_and_each_score_explained(site) -> None:  # type: ignore[no-untyped-def]
    client, store = site
    page = client.get("/w/watch/influence")
    assert page.status_code == 200
    ws = parse_settings(SETTINGS, "influence-test.toml").workspace()
    best = ranking.ranked(store, ws, brand="Acme")
    shown = page.text.split('data-testid="influencer" data-author="')[1:]
    assert [row.split('"')[0] for row in shown] == [i.key for i in best]
    bbc = next(row for row in shown if row.startswith("x:BBCRajiniV"))
    assert "micro" in bbc and "23,047" in bbc  # the tier and the recorded follower count
    assert 'data-part="engagement"' in bbc and "Engagement rate" in bbc
    assert 'data-testid="followers-unknown"' not in page.text
    assert 'data-testid="engagement-by-tier"' in page.text

    rows = list(csv.DictReader(io.StringIO(client.get("/w/watch/influence.csv").text)))
    assert [(r["author"], r["tier"], r["followers"]) for r in rows][:1] == [
        (best[0].author, best[0].tier, str(best[0].followers))
    ]
    assert all("engagement=" in r["explanation"] for r in rows)  # the parts with their points

    mega = client.get("/w/watch/influence?tier=mega")
    keys = {row.split('"')[0] for row in mega.text.split('data-author="')[1:]}
    assert keys == {"x:Stranger_Things", "x:Independent"}
    refused = client.get("/w/watch/influence?tier=huge")
    assert refused.status_code == 400 and "tier: one of nano, micro" in refused.text


def test_an_author_page_shows_the_parts_the_posts_behind_them_or_too_few_posts(site) -> None:  # type: ignore[no-untyped-def]
    client, store = site
    ws = parse_settings(SETTINGS, "influence-test.toml").workspace()
    found = ranking.influencer(store, ws, "x:BBCRajiniV", brand="Acme")
    assert found is not None and found.score is not None
    page = client.get(f"/w/watch/influence/authors/{found.id}?brand=Acme")
    assert f'data-testid="author-score">{found.score:.1f}<' in page.text
    for part in found.explanation:
        assert f'<tr data-part="{part.name}">' in page.text
        for post_id in part.posts:
            assert f'href="/w/watch/posts/{post_id}"' in page.text
    assert 'data-testid="add-to-file"' in page.text

    strict = parse_settings(ENGLISH + "[workspaces.influence]\nmin_posts = 50\n", "t.toml")
    client = TestClient(create_app(strict, store), follow_redirects=False)
    sign_in(client, "ana")
    page = client.get(f"/w/watch/influence/authors/{found.id}")
    assert 'data-testid="author-score">not enough posts<' in page.text
    assert "needed." in page.text
