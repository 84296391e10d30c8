"""The publishing calendar, its REST route, its iCalendar feed and the results page, through
the app (TestClient) over the demo store with owned accounts (docs/publish.md, "The calendar",
"The iCalendar feed", "Results")."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ical_check import events as unfold_ical
from rumeur.config import Settings, parse_settings
from rumeur.store import publishing as rows
from rumeur.store.publishing import NewItem
from rumeur.web import tokens
from rumeur.web.app import create_app
from website import Site, csrf_of, sign_in

MORE = """
[[workspaces.owned_accounts]]
name = "bagages"
platform = "bluesky"
handle = "united-bags.bsky.social"
department = "baggage"
variables = { ville = "Chicago" }

[[workspaces.owned_accounts]]
name = "national"
platform = "mastodon"
handle = "united"

[[workspaces.workflows]]
name = "national"
accounts = ["national"]

[[workspaces.workflows.steps]]
users = ["ada"]
"""
HOSTILE = '=HYPERLINK("x"), <b>bold</b>; a line\nand another'


@pytest.fixture(scope="module")
def settings() -> Settings:
    text = resources.files("rumeur").joinpath("demo.toml").read_text("utf-8") + MORE
    return parse_settings(text, "<demo + owned accounts>")


@pytest.fixture(scope="module")
def planned(site: Site) -> Iterator[dict[str, Any]]:
    """Items of the two accounts in the coming days: one scheduled, one published (its post
    read back by the collectors, with counts), one failed with its reason."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    soon, past = now + timedelta(days=2), now - timedelta(days=2)
    uri = "at://did:plc:bags/app.bsky.feed.post/3calendar"

    def one(account: str, platform: str, handle: str, at: datetime, text: str) -> int:
        item = NewItem(account=account, platform=platform, handle=handle, text=text, at=at,
                       timezone="America/Chicago")  # fmt: skip
        made = rows.create(site.store, "united", text=text, items=[item], now=past,
                           author="cyril", content_type="local")  # fmt: skip
        return made.items[0][0]

    ids = {
        "scheduled": one("bagages", "bluesky", "united-bags.bsky.social", soon, HOSTILE),
        "published": one("bagages", "bluesky", "united-bags.bsky.social", past, "Vos bagages"),
        "failed": one("national", "mastodon", "united", past + timedelta(hours=1), "Bonjour"),
        "pending": one("national", "mastodon", "united", soon, "Bientôt"),
    }
    rows.transition(site.store, ids["pending"], ("scheduled",), "pending_approval", past, step=1)
    link = "https://bsky.app/profile/united-bags/post/3c"
    rows.transition(site.store, ids["published"], ("scheduled",), "published", past,
                    native_id=uri, native_url=link)  # fmt: skip
    rows.transition(site.store, ids["failed"], ("scheduled",), "failed", past,
                    error="422: Text character limit exceeded")  # fmt: skip
    from factories import make_post

    read_back = make_post(uri, "Vos bagages", platform="bluesky", handle="united-bags.bsky.social",
                          when=past, likes=5, reposts=2)  # fmt: skip
    site.store.write("united", [read_back])
    yield {"ids": ids, "soon": soon, "past": past}


def client(site: Site, settings: Settings, name: str, language: str = "en") -> TestClient:
    web = TestClient(create_app(settings, site.store), follow_redirects=False)
    web.headers["Accept-Language"] = language
    sign_in(web, name)
    return web


def test_the_week_shows_each_item_on_its_day_with_its_status(
    site: Site, settings: Settings, planned: dict[str, Any]
) -> None:
    web = client(site, settings, "cyril")
    item = rows.item(site.store, planned["ids"]["scheduled"])  # wherever another test moved it
    day = item.at.astimezone(settings.workspace().zone).date()  # type: ignore[union-attr]
    page = web.get(f"/w/united/calendar?day={day}")
    assert page.status_code == 200
    html = page.text
    cell = html[html.index(f'data-testid="day-{day}"') :]
    cell = cell[: cell.index("</section>")]
    assert f'data-testid="item-{planned["ids"]["scheduled"]}"' in cell
    assert "&lt;b&gt;bold&lt;/b&gt;" in cell and "<b>bold" not in cell
    assert 'draggable="true"' in cell
    soon = planned["soon"].astimezone(settings.workspace().zone).date()
    waiting = web.get(f"/w/united/calendar?day={soon}").text
    item = waiting[waiting.index(f'data-testid="item-{planned["ids"]["pending"]}"') :]
    assert "step 1 of 1: waiting for ada" in item[: item.index("</article>")]
    assert 'data-testid="nav-calendar"' in html and 'aria-current="page">Calendar' in html
    past = planned["past"].astimezone(settings.workspace().zone).date()
    earlier = web.get(f"/w/united/calendar?view=month&day={past}").text
    assert "422: Text character limit exceeded" in earlier
    assert 'href="https://bsky.app/profile/united-bags/post/3c"' in earlier
    only = web.get(f"/w/united/calendar?view=month&day={past}&network=mastodon").text
    assert f'data-testid="item-{planned["ids"]["published"]}"' not in only
    assert f'data-testid="item-{planned["ids"]["failed"]}"' in only
    assert web.get("/w/united/calendar?department=nowhere").status_code == 400
    french = client(site, settings, "cyril", "fr")
    french.post("/language", data={"csrf": csrf_of(french.get("/account").text), "language": "fr",
                                   "back": "/account"})  # fmt: skip
    assert "Calendrier" in french.get(f"/w/united/calendar?day={day}").text


def test_the_api_moves_an_item_and_refuses_what_was_sent(
    site: Site, settings: Settings, planned: dict[str, Any]
) -> None:
    api = TestClient(create_app(settings, site.store))
    token = tokens.issue(site.store, site.users["cyril"].id)
    auth = {"Authorization": f"Bearer {token}"}
    item_id = planned["ids"]["scheduled"]
    to = (planned["soon"] + timedelta(days=1)).astimezone(settings.workspace().zone)
    local = to.replace(hour=9, minute=30).strftime("%Y-%m-%dT%H:%M")
    moved = api.patch(f"/api/w/united/publish/items/{item_id}/at", json={"at": local},
                      headers=auth)  # fmt: skip
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["local"].startswith(local) and body["item"]["status"] == "scheduled"
    assert body["warnings"] == []
    route = f"/api/w/united/publish/items/{item_id}/at"
    next_day = (to + timedelta(days=1)).date().isoformat()
    by_day = api.post(route, json={"day": next_day}, headers=auth)
    assert by_day.json()["local"][11:16] == "09:30"
    sent = api.patch(f"/api/w/united/publish/items/{planned['ids']['published']}/at",
                     json={"at": local}, headers=auth)  # fmt: skip
    assert sent.status_code == 409 and "published" in sent.json()["error"]
    assert api.patch(f"/api/w/united/publish/items/{item_id}/at", json={"at": "soon"},
                     headers=auth).status_code == 400  # fmt: skip
    assert api.patch(route, json={"at": local}).status_code == 401
    week = api.get(f"/api/w/united/calendar?day={next_day}", headers=auth).json()
    assert week["view"] == "week" and week["timezone"] == "America/Chicago"
    [there] = [d for d in week["days"] if d["day"] == next_day]
    [found] = [i for i in there["items"] if i["id"] == item_id]
    assert found["local"][11:16] == "09:30" and found["over"] == []
    assert {q["quota"] for q in week["quotas"]} >= {"bluesky_hour", "bluesky_day"}
    refused = api.get("/api/w/united/calendar?view=year", headers=auth)
    assert refused.status_code == 400


def test_the_page_form_moves_an_item_and_comes_back(
    site: Site, settings: Settings, planned: dict[str, Any]
) -> None:
    web = client(site, settings, "cyril")
    csrf = csrf_of(web.get("/w/united/calendar").text)
    item_id = planned["ids"]["scheduled"]
    to = (planned["soon"] + timedelta(days=4)).astimezone(settings.workspace().zone)
    at = to.replace(hour=8, minute=0).strftime("%Y-%m-%dT%H:%M")
    back = "/w/united/calendar?view=month"
    answer = web.post(f"/w/united/calendar/items/{item_id}/at",
                      data={"csrf": csrf, "at": at, "back": back})  # fmt: skip
    assert (answer.status_code, answer.headers["location"]) == (303, back)
    assert rows.item(site.store, item_id).at.astimezone(to.tzinfo).strftime("%Y-%m-%dT%H:%M") == at  # type: ignore[union-attr]
    forged = web.post(f"/w/united/calendar/items/{item_id}/at", data={"csrf": "x", "at": at})
    assert forged.status_code == 403


def test_a_team_feed_is_opened_by_its_token_only_and_parses(
    site: Site, settings: Settings, planned: dict[str, Any], log: io.StringIO
) -> None:
    web = client(site, settings, "cyril")
    csrf = csrf_of(web.get("/w/united/calendar").text)
    made = web.post("/w/united/calendar/feeds", data={"csrf": csrf, "team": "baggage"})
    assert made.status_code == 200
    address = re.search(r'data-testid="new-feed">.*?value="([^"]+)"', made.text, re.S)
    assert address is not None
    url = address.group(1).replace("&amp;", "&")
    token = re.search(r"token=(rcal_[\w-]+)", url).group(1)  # type: ignore[union-attr]
    reader = TestClient(create_app(settings, site.store))  # a calendar app: no session
    path = url[url.index("/w/") :]
    feed = reader.get(path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    lines = feed.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines), [line for line in lines if len(line) > 75]
    events = unfold_ical(feed.text)
    uids = {e["UID"] for e in events}
    ids = planned["ids"]
    assert uids == {
        f"item-{ids['scheduled']}@united.rumeur",
        f"item-{ids['published']}@united.rumeur",
    }
    hostile = next(e for e in events if e["UID"] == f"item-{ids['scheduled']}@united.rumeur")
    assert hostile["SUMMARY"].endswith(" ".join(HOSTILE.split()))
    assert hostile["DTSTART"].endswith("Z")
    # The Mastodon account is in no department: not in Baggage's feed.
    assert reader.get(path.replace("team=baggage", "team=")).status_code == 404
    assert reader.get(path.replace(token, token[:-2] + "xx")).status_code == 404
    # A new address replaces the old one.
    web.post("/w/united/calendar/feeds", data={"csrf": csrf, "team": "baggage"})
    assert reader.get(path).status_code == 404
    assert token not in log.getvalue()


def test_results_link_each_post_and_sum_its_engagement(
    site: Site, settings: Settings, planned: dict[str, Any]
) -> None:
    web = client(site, settings, "cyril")
    page = web.get("/w/united/publish/results?days=30")
    assert page.status_code == 200
    row = page.text[page.text.index(f'data-testid="result-{planned["ids"]["published"]}"') :]
    row = row[: row.index("</tr>")]
    assert 'href="https://bsky.app/profile/united-bags/post/3c"' in row
    assert '<td data-testid="engagement">7 ' in row and "local" in row
    assert f'data-testid="result-{planned["ids"]["failed"]}"' not in page.text
    export = web.get("/w/united/publish/results.csv?days=30")
    assert export.headers["content-type"].startswith("text/csv")
    [line] = list(csv.DictReader(io.StringIO(export.text)))
    assert (line["account"], line["scope"], line["type"], line["engagement"]) == (
        "bagages", "local", "local", "7")  # fmt: skip
    assert analyst_refused(site, settings)


def analyst_refused(site: Site, settings: Settings) -> bool:
    return client(site, settings, "ana").get("/w/united/publish/results").status_code == 403
