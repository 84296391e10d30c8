"""A holding statement published from the crisis room in two clicks (docs/alerts.md,
"Publishing a holding statement"), through the app (TestClient): "Publish…" shows each owned
account's variant checked, the one its network refuses with the reason; "Publish now" schedules
the others pre-approved (the approvals log names the statement), once however often the form is
sent; the `publish` permission, the form's CSRF token, English and French, a statement's text
kept as text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from rumeur.config import parse_settings
from rumeur.store.schema import alerts, publish_approvals, publish_items
from rumeur.web.app import create_app
from website import Site, csrf_of, sign_in

AT = datetime(2015, 2, 22, 18, tzinfo=UTC)
HOSTILE = "<script>window.__pwned = 1</script> Nous revenons vers vous."
# The demo workspace (its X account, where rumeur does not publish), with three owned accounts
# (a Reddit one without the subreddit it needs), a workflow holding back the Mastodon account's
# items, and a statement a stranger could write.
MORE = f"""
[[workspaces.owned_accounts]]
name = "national-mastodon"
platform = "mastodon"
handle = "united"

[[workspaces.owned_accounts]]
name = "national-bluesky"
platform = "bluesky"
handle = "united.bsky.social"

[[workspaces.owned_accounts]]
name = "forum"
platform = "reddit"
handle = "united"

[[workspaces.workflows]]
name = "national"
accounts = ["national-mastodon"]

[[workspaces.workflows.steps]]
users = ["ada"]

[[workspaces.statements]]
slug = "hostile"
title = "Hostile"
text_fr = "{HOSTILE}"
text_en = "{HOSTILE}"
"""


@pytest.fixture(scope="module")
def room(site: Site) -> Iterator[tuple[Any, int]]:
    """The app over the demo store with the settings above, and one open alert's id."""
    text = resources.files("rumeur").joinpath("demo.toml").read_text("utf-8") + MORE
    settings = parse_settings(text, "<demo + owned accounts>")
    with site.store.transaction() as conn:
        alert_id = conn.execute(
            insert(alerts).values(
                workspace="united", kind="volume_spike", subject="United", status="open",
                started_at=AT, updated_at=AT, observed=100.0, expected=5.0, score=20.0,
                explanation={"terms": ["delays"], "posts": [], "authors": []}, revision=1,
            ).returning(alerts.c.id)
        ).scalar_one()  # fmt: skip
    yield settings, alert_id
    with site.store.transaction() as conn:
        conn.execute(alerts.delete().where(alerts.c.id == alert_id))


def client(site: Site, settings: Any, name: str, language: str = "en") -> TestClient:
    web = TestClient(create_app(settings, site.store), follow_redirects=False)
    web.headers["Accept-Language"] = language
    sign_in(web, name)
    return web


def url(alert_id: int, statement: str = "delays") -> str:
    return f"/w/united/alerts/{alert_id}/statements/{statement}/publish"


def form_of(page: str) -> dict[str, str]:
    import re

    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    assert {"csrf", "language", "at"} <= set(fields), page[:500]
    return fields


def items_of(site: Site, template: str) -> list[dict[str, Any]]:
    from rumeur.store.schema import publish_messages

    m, i = publish_messages.c, publish_items.c
    with site.store.engine.connect() as conn:
        rows = conn.execute(
            select(publish_items).join(publish_messages, m.id == i.message_id)
            .where(m.template == template).order_by(i.id)
        ).all()  # fmt: skip
    return [dict(r._mapping) for r in rows]


def test_two_clicks_publish_pre_approved_and_once(site: Site, room: tuple[Any, int]) -> None:
    settings, alert_id = room
    cyril = client(site, settings, "cyril")
    assert 'data-testid="publish-delays-fr"' in cyril.get(f"/w/united/alerts/{alert_id}").text
    preview = cyril.get(url(alert_id) + "?language=fr")
    assert preview.status_code == 200
    assert preview.text.count('data-testid="variant"') == 4  # the demo's X account too
    assert "Refused: Reddit needs a subreddit" in preview.text
    assert "Refused: rumeur cannot publish on X" in preview.text
    assert preview.text.count('data-testid="ok"') == 2
    assert items_of(site, "statement:delays") == []  # the preview stores nothing
    form = form_of(preview.text)
    done = cyril.post(url(alert_id), data=form)
    assert done.status_code == 200 and 'data-testid="published-line"' in done.text
    assert "Reddit needs a subreddit" in done.text
    made = items_of(site, "statement:delays")
    assert sorted(r["account"] for r in made) == ["national-bluesky", "national-mastodon"]
    for row in made:  # the Mastodon account's workflow skipped: approved by the statement
        assert row["status"] == "scheduled" and row["approved_by"] == "statement:delays"
        assert row["author"] == "cyril" and row["text"].startswith("Nous sommes désolés")
        assert abs(row["at"] - datetime.now(UTC)) < timedelta(minutes=2)
    a = publish_approvals.c
    with site.store.engine.connect() as conn:
        log = conn.execute(
            select(a.approver, a.decision).where(a.item_id.in_([r["id"] for r in made]))
        ).all()
    assert sorted(log) == [("statement:delays", "approved")] * 2
    room_log = cyril.get(f"/w/united/alerts/{alert_id}").text
    line = "published the statement “Delays and cancellations” (FR) on national-mastodon"
    assert line in room_log
    again = cyril.post(url(alert_id), data=form)  # the double submit
    assert again.status_code == 200 and 'data-testid="published-again"' in again.text
    assert [r["id"] for r in items_of(site, "statement:delays")] == [r["id"] for r in made]
    assert cyril.get(f"/w/united/alerts/{alert_id}").text.count("published the statement") == 1


def test_permission_token_and_stale_form(site: Site, room: tuple[Any, int]) -> None:
    settings, alert_id = room
    ana = client(site, settings, "ana")  # an analyst responds in a room, does not publish
    assert 'data-testid="publish-' not in ana.get(f"/w/united/alerts/{alert_id}").text
    assert ana.get(url(alert_id)).status_code == 403
    cyril = client(site, settings, "cyril")
    form = form_of(cyril.get(url(alert_id) + "?language=en").text)
    theirs = form | {"csrf": csrf_of(ana.get("/account").text)}
    assert ana.post(url(alert_id), data=theirs).status_code == 403
    assert cyril.post(url(alert_id), data=form | {"csrf": "forged"}).status_code == 403
    old = (datetime.now(UTC) - timedelta(minutes=30)).replace(second=0, microsecond=0)
    stale = cyril.post(url(alert_id), data=form | {"at": old.isoformat()})
    assert stale.status_code == 400 and "more than 10 minutes old" in stale.text
    assert cyril.post(url(alert_id), data=form | {"at": "demain"}).status_code == 400
    assert cyril.get(url(alert_id, "nope")).status_code == 404
    assert cyril.get(url(alert_id) + "?language=de").status_code == 404
    assert items_of(site, "statement:delays") == [] or all(
        r["text"].startswith("Nous") for r in items_of(site, "statement:delays")
    )  # nothing in English was made by the refused forms


def test_french_and_a_hostile_statement_stays_text(site: Site, room: tuple[Any, int]) -> None:
    settings, alert_id = room
    cyril = client(site, settings, "cyril", "fr")
    assert "Publier… (FR)" in cyril.get(f"/w/united/alerts/{alert_id}").text
    preview = cyril.get(url(alert_id, "hostile") + "?language=fr")
    assert "<script>window" not in preview.text and "&lt;script&gt;" in preview.text
    assert "Refusé :" in preview.text and "Publier maintenant" in preview.text
    done = cyril.post(url(alert_id, "hostile"), data=form_of(preview.text))
    assert "Programmé maintenant" in done.text and "<script>window" not in done.text
    assert [r["text"] for r in items_of(site, "statement:hostile")] == [HOSTILE, HOSTILE]
