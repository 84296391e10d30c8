"""Campaigns (issue 19): the report's figures checked against a recount of the posts the test
made, national and local side by side, against the same length of time before."""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clirun import rumeur
from factories import make_post
from rumeur.config import load_settings
from rumeur.influence import campaigns as camp
from rumeur.influence.relationships import PeopleError
from rumeur.model import Author, Metrics, Post
from rumeur.query.parser import QueryError
from rumeur.store import Store
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app

WS = "united"  # the built-in workspace, which the command line uses without --config
START, END = datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 15, tzinfo=UTC)
BEFORE = START - (END - START)
# (platform, handle) -> (typed location, followers)
AUTHORS = {
    ("x", "lea"): ("Angers (49)", 12_000),  # a city: local
    ("x", "marc"): ("Lille 🇫🇷", 8_000),  # a city: local
    ("x", "laposte"): ("France", 500_000),  # the brand's account: no city, national
    ("x", "nina"): ("Springfield", 3_000),  # an ambiguous place: no city, national
    ("x", "zoe"): ("Paris", 300),  # not in the campaign: national
    ("mastodon", "lea"): ("Angers", None),  # another lea, not in the campaign, no count
}
PEOPLE = ["x:lea", "x:marc", "x:laposte", "@nina"]  # @nina: the one author with that handle
LOCAL = {("x", "lea"), ("x", "marc")}
SENTIMENTS = ("positive", "neutral", "negative", None)


@dataclass(frozen=True)
class Made:
    author: tuple[str, str]
    when: datetime
    tagged: bool  # has the campaign's hashtag
    counts: tuple[int, int, int, int]  # likes, reposts, replies, quotes
    views: int | None
    sentiment: str | None

    @property
    def interactions(self) -> int:
        return sum(self.counts)


def _made() -> list[Made]:
    """A deterministic spread of posts: each author, inside, before and outside the period, on
    its edges, tagged or not, with every sentiment."""
    moments = [
        START, START + timedelta(days=3, hours=5), END - timedelta(seconds=1), END,
        BEFORE, BEFORE + timedelta(days=2), START - timedelta(seconds=1),
        BEFORE - timedelta(seconds=1), END + timedelta(days=2),
    ]  # fmt: skip
    found = []
    for i, author in enumerate(AUTHORS):
        for j, when in enumerate(moments):
            k = i * len(moments) + j
            counts = (k % 7, k % 3, k % 5, k % 2)
            views = None if k % 4 == 0 else 100 * k
            found.append(Made(author, when, k % 5 != 0, counts, views, SENTIMENTS[k % 4]))
    return found


MADE = _made()


def _post(n: int, made: Made) -> Post:
    platform, handle = made.author
    location, followers = AUTHORS[made.author]
    text = "Mes colis de Noël #Colissimo" if made.tagged else "colissimo sans dièse, Noël"
    post = make_post(
        f"{platform}-{n}", text, platform=platform, handle=handle, when=made.when,
        brands=["United"], sentiment=made.sentiment,
    )  # fmt: skip
    likes, reposts, replies, quotes = made.counts
    return replace(
        post,
        author=Author(handle, followers=followers, location=location),
        metrics=Metrics(likes, reposts, replies, quotes, views=made.views),
    )


def _fill(store: Store) -> None:
    store.write(WS, [_post(n, m) for n, m in enumerate(MADE)])
    store.write("elsewhere", [_post(1000 + n, m) for n, m in enumerate(MADE)])  # not counted


def _recount(since: datetime, until: datetime, keep=lambda a: True) -> dict:
    chosen = [m for m in MADE if m.tagged and since <= m.when < until and keep(m.author)]
    sentiment = {s: 0 for s in ("positive", "neutral", "negative", "unknown")}
    for m in chosen:
        sentiment[m.sentiment or "unknown"] += 1
    return {
        "posts": len(chosen),
        "reach": sum(AUTHORS[m.author][1] or 0 for m in chosen),
        "interactions": sum(m.interactions for m in chosen),
        "views": sum(m.views or 0 for m in chosen),
        "sentiment": sentiment,
    }


def _campaign(store: Store) -> camp.Campaign:
    return camp.create_campaign(store, WS, "Noël", START, END, "#colissimo", PEOPLE, by="ada")


def test_the_report_adds_up_to_a_recount_of_the_posts(store: Store) -> None:
    _fill(store)
    made = _campaign(store)
    assert made.people == (("x", "laposte"), ("x", "lea"), ("x", "marc"), ("x", "nina"))
    report = camp.campaign_report(store, WS, made.id).to_json()
    assert report["previous"] == {"from": BEFORE.isoformat(), "to": START.isoformat()}
    for side, keep in (
        ("total", lambda a: True),
        ("local", lambda a: a in LOCAL),
        ("national", lambda a: a not in LOCAL),
    ):
        assert report[side]["now"] == _recount(START, END, keep), side
        assert report[side]["before"] == _recount(BEFORE, START, keep), side
    # National and local add up to the total.
    for when in ("now", "before"):
        for figure in ("posts", "reach", "interactions", "views"):
            parts = report["national"][when][figure] + report["local"][when][figure]
            assert parts == report["total"][when][figure]
    total = report["total"]["now"]["interactions"]
    assert total > 0
    for person in report["people"]:
        author = (person["platform"], person["handle"])
        mine = _recount(START, END, lambda a, author=author: a == author)
        earlier = _recount(BEFORE, START, lambda a, author=author: a == author)
        assert person["posts"] == mine["posts"]
        assert person["interactions"] == mine["interactions"]
        assert person["reach"] == mine["reach"]
        assert person["share"] == pytest.approx(mine["interactions"] / total)
        assert (person["posts_before"], person["interactions_before"]) == (
            earlier["posts"],
            earlier["interactions"],
        )
        assert person["local"] == (author in LOCAL)
    places = {p["author"]: p["place"] for p in report["people"]}
    assert places["x:lea"] == {"city": "Angers", "region": "Pays de la Loire", "country": "FR"}
    assert places["x:nina"]["city"] is None  # Springfield: several cities, none chosen
    interactions = [p["interactions"] for p in report["people"]]
    assert interactions == sorted(interactions, reverse=True)


def test_a_person_added_later_counts_in_the_report(store: Store) -> None:
    _fill(store)
    made = _campaign(store)
    before = camp.campaign_report(store, WS, made.id)
    again = camp.add_person(store, WS, made.id, ["x:zoe", "x:lea"])  # lea is already in it
    assert again.people == (*made.people, ("x", "zoe"))
    after = camp.campaign_report(store, WS, made.id)
    assert after.total == before.total  # the same posts: only who is local changed
    assert (
        after.local.now.posts
        == before.local.now.posts + _recount(START, END, lambda a: a == ("x", "zoe"))["posts"]
    )
    assert [c.id for c in camp.campaigns(store, WS)] == [made.id]
    with pytest.raises(camp.NoSuchCampaign):
        camp.add_person(store, "elsewhere", made.id, "x:zoe")  # another workspace's


def test_values_are_checked_once_with_one_line(store: Store) -> None:
    _fill(store)
    _campaign(store)
    with pytest.raises(camp.CampaignError, match="already a campaign of this name"):
        camp.create_campaign(store, WS, " Noël ", START, END, "#colissimo")
    with pytest.raises(camp.CampaignError, match="end after it starts"):
        camp.create_campaign(store, WS, "Inversée", END, START, "#colissimo")
    with pytest.raises(camp.CampaignError, match="at most 200 characters"):
        camp.create_campaign(store, WS, "n" * 201, START, END, "#colissimo")
    with pytest.raises(camp.CampaignError, match="needs a query"):
        camp.create_campaign(store, WS, "Vide", START, END, "   ")
    with pytest.raises(QueryError):
        camp.create_campaign(store, WS, "Cassée", START, END, '"colissimo')
    with pytest.raises(PeopleError, match="no such author"):
        camp.create_campaign(store, WS, "Inconnue", START, END, "#colissimo", ["personne"])
    with pytest.raises(PeopleError, match="several authors"):
        camp.create_campaign(store, WS, "Ambiguë", START, END, "#colissimo", ["lea"])
    with pytest.raises(camp.CampaignError, match="expected a date"):
        camp.read_period("demain", "2026-12-24", load_settings().workspace().zone)
    assert [c.name for c in camp.campaigns(store, WS)] == ["Noël"]  # nothing else was made


def test_the_csv_holds_the_report(store: Store) -> None:
    _fill(store)
    report = camp.campaign_report(store, WS, _campaign(store).id)
    lines = list(csv.DictReader(io.StringIO(camp.report_csv(report))))
    total = next(r for r in lines if r["row"] == "total" and r["period"] == "now")
    assert int(total["posts"]) == report.total.now.posts
    assert int(total["reach"]) == report.total.now.reach
    assert int(total["negative"]) == report.total.now.sentiment["negative"]
    people = [r for r in lines if r["row"] == "person" and r["period"] == "now"]
    assert [r["author"] for r in people] == [p.author for p in report.people]
    assert sum(int(r["interactions"]) for r in people) == sum(p.interactions for p in report.people)


def test_the_commands_add_list_and_report(
    capsys: pytest.CaptureFixture[str], store_url: str
) -> None:
    store = Store.open(store_url)
    try:
        _fill(store)
    finally:
        store.close()
    db = ("--db", store_url)
    ran = rumeur(
        capsys, "campaigns", "add", "Noël", "--from", "2026-12-01", "--to", "2026-12-14",
        "--query", "#colissimo", "--people", ",".join(PEOPLE), *db,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert "4 people" in ran.out
    listed = [
        json.loads(line)
        for line in rumeur(capsys, "campaigns", "list", "--json", *db).out.splitlines()
    ]
    assert [c["name"] for c in listed] == ["Noël"]
    # The days are the workspace's (America/Chicago), the last one included.
    assert listed[0]["from"] == "2026-12-01T06:00:00+00:00"
    assert listed[0]["to"] == "2026-12-15T06:00:00+00:00"
    ran = rumeur(capsys, "campaigns", "report", "Noël", "--json", *db)
    assert ran.code == 0, ran.err
    report = json.loads(ran.out)
    assert report["total"]["now"]["posts"] == sum(p["posts"] for p in report["people"]) + sum(
        1 for m in MADE if m.tagged and m.author in {("x", "zoe"), ("mastodon", "lea")}
        and listed[0]["from"] <= m.when.isoformat() < listed[0]["to"]
    )  # fmt: skip
    ran = rumeur(capsys, "campaigns", "report", "Noël", *db)
    # The days as typed, the last one included, and the fortnight before.
    assert "From Dec 1, 2026 to Dec 14, 2026, against Nov 17, 2026 to Nov 30, 2026." in ran.out
    ran = rumeur(capsys, "campaigns", "report", str(listed[0]["id"]), "--csv", *db)
    assert ran.out.startswith("row,author,place,period,posts,reach,interactions")
    ran = rumeur(capsys, "campaigns", "report", "Nope", *db)
    assert (ran.code, ran.err.strip()) == (1, "rumeur: error: Nope: no such campaign")


@pytest.fixture(scope="module")
def api(_sqlite_migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("campaigns") / "campaigns.db"
    shutil.copyfile(_sqlite_migrated, path)
    store = Store.open(str(path))
    try:
        _fill(store)
        cyril = add_user(store, "cyril", "community_manager", "a long enough password")
        client = TestClient(create_app(load_settings(), store))
        client.headers["Authorization"] = f"Bearer {tokens.issue(store, cyril.id)}"
        yield client
    finally:
        store.close()


def test_the_api_makes_reports_and_adds_people(api: TestClient) -> None:
    body = {"name": "Noël", "from": "2026-12-01", "to": "2026-12-14", "query": "#colissimo",
            "people": ["x:lea"]}  # fmt: skip
    made = api.post(f"/api/w/{WS}/campaigns", json=body)
    assert made.status_code == 201, made.text
    campaign = made.json()
    assert (campaign["name"], campaign["people"], campaign["created_by"]) == (
        "Noël",
        ["x:lea"],
        "cyril",
    )
    again = api.post(f"/api/w/{WS}/campaigns", json=body)
    assert again.status_code == 400
    assert again.json() == {"error": "Noël: there is already a campaign of this name"}
    assert api.get(f"/api/w/{WS}/campaigns").json()["campaigns"] == [campaign]
    url = f"/api/w/{WS}/campaigns/{campaign['id']}"
    added = api.post(f"{url}/people", json={"people": ["x:marc", "@nina"]})
    assert added.json()["people"] == ["x:lea", "x:marc", "x:nina"]
    report = api.get(url).json()
    assert {p["author"] for p in report["people"]} == {"x:lea", "x:marc", "x:nina"}
    assert report["local"]["now"]["posts"] == sum(
        p["posts"] for p in report["people"] if p["local"]
    )
    assert api.get(f"/api/w/{WS}/campaigns/999999").status_code == 404
    unknown = api.post(f"{url}/people", json={"people": ["nobody"]})  # no such handle
    assert unknown.status_code == 400
    bad = api.post(f"/api/w/{WS}/campaigns", json={**body, "name": "B", "query": "(a"})
    assert bad.status_code == 400
    extra = api.post(f"/api/w/{WS}/campaigns", json={**body, "name": "C", "admin": True})
    assert extra.status_code == 400
