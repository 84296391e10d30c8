"""Correcting a post's labels through the REST API and the post page (issue #17): the label in
effect changes with the dashboard's counts, the model's stays beside it, who corrected and when
is said, bad values are refused in one line, and only the roles that may label do."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import make_post
from rumeur.store.schema import posts
from rumeur.web import tokens
from rumeur.web.app import create_app
from rumeur.web.auth import LANG_COOKIE
from website import Site, csrf_of


def a_post(site: Site, sentiment: str, skip: int = 0) -> tuple[int, str]:
    """A post of the demo with that sentiment: (id, its day in the workspace's time zone)."""
    zone = site.settings.workspace().zone
    query = select(posts.c.id, posts.c.created_at).where(posts.c.sentiment == sentiment)
    with site.store.engine.connect() as conn:
        pid, at = conn.execute(query.order_by(posts.c.id).offset(skip).limit(1)).one()
    return pid, at.astimezone(zone).date().isoformat()


def api(site: Site, name: str) -> tuple[TestClient, dict[str, str]]:
    token = tokens.issue(site.store, site.users[name].id)
    return TestClient(create_app(site.settings, site.store)), {"Authorization": f"Bearer {token}"}


def sentiments(client: TestClient, auth: dict[str, str], day: str) -> dict[str, int]:
    url = f"/api/w/united/dashboard?since={day}&until={day}"
    figures = client.get(url, headers=auth).json()
    return {s: sum(v) for s, v in figures["sentiment"].items()}


def test_the_api_corrects_a_sentiment_and_the_counts_follow(site: Site) -> None:
    pid, day = a_post(site, "positive")
    client, auth = api(site, "ana")
    before = sentiments(client, auth, day)
    answer = client.post(
        f"/api/w/united/posts/{pid}/labels", json={"sentiment": "negative"}, headers=auth
    )
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    assert shown["sentiment"] == "negative"
    assert shown["model_sentiment"] in ("positive", "neutral", "negative")  # the model's own
    assert shown["corrected_by"] == "ana" and shown["corrected_at"]
    assert shown["corrections"]["sentiment"]["value"] == "negative"
    after = sentiments(client, auth, day)
    assert after["negative"] == before["negative"] + 1
    assert after["positive"] == before["positive"] - 1
    again = client.get(f"/api/w/united/posts/{pid}", headers=auth).json()
    assert again["sentiment"] == "negative" and again["corrected_by"] == "ana"


def test_a_bad_value_is_refused_in_one_line_and_changes_nothing(site: Site) -> None:
    pid, _day = a_post(site, "neutral")
    client, auth = api(site, "cyril")
    url = f"/api/w/united/posts/{pid}/labels"
    answer = client.post(url, json={"sentiment": "<b>happy</b>"}, headers=auth)
    assert answer.status_code == 400
    assert answer.json() == {
        "error": 'sentiment: "<b>happy</b>" is not one of negative, neutral, positive'
    }
    answer = client.post(url, json={"reason": "Lost Luggage", "mood": "x"}, headers=auth)
    assert answer.status_code == 400  # an unknown field: the whole request is refused
    shown = client.get(f"/api/w/united/posts/{pid}", headers=auth).json()
    assert shown["sentiment"] == "neutral" and shown["corrections"] == {}
    answer = client.post("/api/w/united/posts/999999/labels", json={"emotion": "joy"}, headers=auth)
    assert answer.status_code == 404


@pytest.mark.parametrize("name", ["carla", "bea"])
def test_care_advisers_and_departments_may_not_correct(site: Site, name: str) -> None:
    pid, _day = a_post(site, "neutral", skip=1)
    client, auth = api(site, name)
    answer = client.post(f"/api/w/united/posts/{pid}/labels", json={"emotion": "joy"}, headers=auth)
    assert answer.status_code == 403
    page = site.client(name).get(f"/w/united/posts/{pid}")
    if page.status_code == 200:  # a department sees its own reasons' posts only
        assert 'name="field"' not in page.text  # no correction form


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_post_page_corrects_and_shows_both_labels(site: Site, language: str) -> None:
    pid, _day = a_post(site, "negative", skip=3 if language == "en" else 4)
    client = site.client("ana")
    client.cookies.set(LANG_COOKIE, language)
    page = client.get(f"/w/united/posts/{pid}")
    assert 'data-testid="correct-sentiment"' in page.text
    data = {"csrf": csrf_of(page.text), "field": "emotion", "value": "none"}
    answer = client.post(f"/w/united/posts/{pid}/labels", data=data)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/w/united/posts/{pid}#labels"
    shown = client.get(f"/w/united/posts/{pid}").text
    said = {"en": ("no emotion", "Model: ", " · corrected by ana, "),
            "fr": ("aucune émotion", "Modèle : ", " · corrigé par ana, le ")}  # fmt: skip
    for words in said[language]:
        assert words in shown
    # The reasons below argue for the model's answer: the page says whose label is in effect.
    why = {"en": "ana corrected this label on ", "fr": "ana a corrigé cette étiquette le "}
    assert 'data-testid="why-emotion-corrected"' in shown and why[language] in shown
    data["value"] = "fury"
    refused = client.post(f"/w/united/posts/{pid}/labels", data=data)
    assert refused.status_code == 400
    data["csrf"] = "forged"
    assert client.post(f"/w/united/posts/{pid}/labels", data=data).status_code == 403


def test_a_post_of_another_workspace_cannot_be_corrected_by_its_id(site: Site) -> None:
    """The id of a post stored for another workspace only: the API and the page answer as for
    no post at all, and the post keeps its label."""
    site.store.write("elsewhere", [make_post("elsewhere-1", "Pas à vous", sentiment="positive")])
    query = select(posts.c.id, posts.c.sentiment).where(posts.c.native_id == "elsewhere-1")
    with site.store.engine.connect() as conn:
        pid, before = conn.execute(query).one()
    client, auth = api(site, "ana")
    answer = client.post(
        f"/api/w/united/posts/{pid}/labels", json={"sentiment": "negative"}, headers=auth
    )
    assert answer.status_code == 404
    assert client.get(f"/api/w/united/posts/{pid}", headers=auth).status_code == 404
    page = site.client("ana")
    stream = page.get("/w/united/stream")
    data = {"csrf": csrf_of(stream.text), "field": "sentiment", "value": "negative"}
    assert page.post(f"/w/united/posts/{pid}/labels", data=data).status_code == 404
    with site.store.engine.connect() as conn:
        assert conn.execute(query).one() == (pid, before)
