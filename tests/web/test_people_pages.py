"""The relationship file through the app (TestClient), on SQLite and PostgreSQL: an author added
from the form, a hostile handle and note shown as text, a refused value answered with its one
line, the CSV safe for spreadsheets, the GDPR export and erasure (the posts stay), and the same
through the REST API with the command line's JSON."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import make_post
from rumeur.config import parse_settings
from rumeur.store import Store
from rumeur.store.schema import people_erasures, posts
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from website import PASSWORD, csrf_of, sign_in

SETTINGS = """
[[workspaces]]
slug = "laposte"
name = "La Poste"
[workspaces.brand]
name = "La Poste"
terms = ["laposte"]
"""
HOSTILE = '=HYPERLINK("http://evil.example")<script>alert(1)</script>'
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def site(store: Store) -> tuple[TestClient, Store, str]:
    settings = parse_settings(SETTINGS, "people-test.toml")
    ws = settings.workspace()
    store.write(
        ws.slug, [make_post("h1", "Bravo laposte", platform="mastodon", handle=HOSTILE, when=T0)]
    )
    camille = add_user(store, "camille", "community_manager", PASSWORD, None, ws)
    client = TestClient(create_app(settings, store), follow_redirects=False)
    sign_in(client, "camille")
    return client, store, tokens.issue(store, camille.id)


def test_a_hostile_author_is_filed_noted_exported_and_erased_as_text(site) -> None:  # type: ignore[no-untyped-def]
    client, store, _token = site
    listing = client.get("/w/laposte/people")
    added = client.post(
        "/w/laposte/people",
        data={"author": f"mastodon:{HOSTILE}", "csrf": csrf_of(listing.text)},
    )
    assert added.status_code == 303
    record = added.headers["location"]
    page = client.get(record)
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
    assert "Bravo laposte" in page.text  # their post, in the history

    csrf = csrf_of(page.text)
    noted = client.post(
        record + "/notes", data={"text": "<b>VIP</b>", "contact": "1", "csrf": csrf}
    )
    assert noted.status_code == 303
    refused = client.post(record, data={"email": "not-an-address", "csrf": csrf})
    # The workspace is French (its locale), so is the one line.
    assert refused.status_code == 400 and "--email : ce n" in refused.text
    page = client.get(record)
    assert "&lt;b&gt;VIP&lt;/b&gt;" in page.text and "<b>VIP</b>" not in page.text

    rows = list(csv.reader(io.StringIO(client.get("/w/laposte/people.csv").text)))
    assert rows[0][:3] == ["id", "platform", "handle"]
    assert rows[1][2] == "'" + HOSTILE  # a spreadsheet shows it, never runs it
    assert rows[1][7] != ""  # the note recorded a contact

    exported = client.get(record + "/export.json").json()
    assert exported["person"]["handle"] == HOSTILE
    assert {"created", "contact", "post"} <= {item["kind"] for item in exported["history"]}

    erased = client.post(record + "/erase", data={"csrf": csrf})
    assert erased.status_code == 303
    assert client.get(record).status_code == 400
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar() == 1
        assert conn.execute(select(people_erasures.c.by)).scalar() == "camille"


def test_the_api_speaks_the_command_lines_json(site) -> None:  # type: ignore[no-untyped-def]
    client, _store, token = site
    bearer = {"Authorization": f"Bearer {token}"}
    made = client.post(
        "/api/w/laposte/people", json={"name": "Jeanne", "status": "partner"}, headers=bearer
    )
    assert made.status_code == 201
    person = made.json()
    again = client.post("/api/w/laposte/people", json={"author": "x:nobody"}, headers=bearer)
    assert again.status_code == 201  # platform:handle names someone not in the listening yet
    bad = client.patch(
        f"/api/w/laposte/people/{person['id']}", json={"phone": "call me"}, headers=bearer
    )
    assert bad.status_code == 400 and bad.json()["error"].startswith("--phone")
    changed = client.patch(
        f"/api/w/laposte/people/{person['id']}",
        json={"phone": "+33 6 12 34 56 78", "consent": True, "how": "form"},
        headers=bearer,
    )
    assert (changed.json()["phone"], changed.json()["consent"]) == ("+33 6 12 34 56 78", True)
    listed = client.get("/api/w/laposte/people", headers=bearer).json()["people"]
    assert [(p["name"], p["status"], p["due"]) for p in listed] == [
        ("Jeanne", "partner", False), (None, "spotted", False),
    ]  # fmt: skip
    assert set(listed[0]) == {
        "id", "author", "platform", "handle", "name", "kind", "status", "owner",
        "last_contact", "due",
    }  # fmt: skip
    gone = client.delete(f"/api/w/laposte/people/{person['id']}", headers=bearer)
    assert gone.status_code == 204
    assert client.get(f"/api/w/laposte/people/{person['id']}", headers=bearer).status_code == 404
