"""An owned Mastodon account read into the inbox through the replay server: its mentions and
direct conversations threaded, ancestors fetched so that the brand's earlier reply appears in
place, routed by the rules, nothing doubled on a second run, resumed from the cursor, and a
refused token one line that names the account and holds no token.

The payloads are the recorded ones (`mastodon/notifications-mentions.cassette.yaml`,
`conversations.cassette.yaml`, `status-context.cassette.yaml`). A recording of a customer who
answers the brand's reply does not exist: those statuses are copies of the recorded mention,
with their ids, author, text and `in_reply_to_id` changed and the shape kept.
"""

from __future__ import annotations

import copy
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clirun import rumeur
from fake_time import FakeTime
from inbox_site import COLIS_RULE, DEPARTMENTS, LAPOSTE, conversations_of
from replay.cassettes import load_cassette
from replay.server import ReplayServer
from rumeur.config import Workspace, parse_settings
from rumeur.inbox.collect import collect_inbox, cursor_key
from rumeur.sources.context import SourceContext
from rumeur.store import Store
from rumeur.store.inbox import messages_of

TOKEN = "s3cret-inbox-token-never-shown"
ENV = "RUMEUR_TEST_INBOX_MASTODON_TOKEN"
NOTIFICATIONS = "/api/v1/notifications"
CONVERSATIONS = "/api/v1/conversations"
ROOT_ID = 117020577157693549  # the recorded mention's status id
BRAND = "mastodonpy_test"  # the account the recorded mention names: the owned account here
CUSTOMER = "admin"
ELSEWHERE = "mastodon.example"


def recorded(path: str, cassette: str) -> Any:
    for interaction in load_cassette(cassette):
        if interaction.path.rstrip("/") == path and interaction.status == 200:
            return interaction.json()
    raise AssertionError(f"no {path} in {cassette}")


def mention() -> dict[str, Any]:
    """The recorded mention notification (id 21): admin writes to @mastodonpy_test."""
    return recorded(NOTIFICATIONS, "mastodon/notifications-mentions.cassette.yaml")[0]


def status(
    n: int, author: str, text: str, reply_to: int | None = None, minutes: int = 0
) -> dict[str, Any]:
    """A copy of the recorded mention's status: id ROOT_ID + n, by `author`."""
    made = copy.deepcopy(mention()["status"])
    sid = str(ROOT_ID + n)
    made["id"] = sid
    made["uri"] = f"http://localhost:3000/ap/users/{author}/statuses/{sid}"
    made["url"] = f"http://localhost:3000/@{author}/{sid}"
    when = datetime(2026, 8, 1, 13, 51, 42, tzinfo=UTC) + timedelta(minutes=minutes)
    made["created_at"] = when.isoformat().replace("+00:00", "Z")
    made["content"] = f"<p>{text}</p>"
    made["in_reply_to_id"] = str(ROOT_ID + reply_to) if reply_to is not None else None
    # Customers from another instance, so that their handle does not change with the replay
    # server's port; the brand is local to the instance it is read from.
    made["account"]["username"] = author
    made["account"]["acct"] = author if author == BRAND else f"{author}@{ELSEWHERE}"
    return made


def notification(nid: int, of: dict[str, Any]) -> dict[str, Any]:
    made = copy.deepcopy(mention())
    made["id"] = str(nid)
    made["status"] = of
    made["created_at"] = of["created_at"]
    made["account"] = of["account"]
    return made


def serve_feed(
    server: ReplayServer, path: str, items: list[dict[str, Any]], refuse: str | None = None
) -> None:
    """A feed as Mastodon pages it: the newest page, and the page just above each id (two at
    most). `refuse`: the page above that id answers 401, as an expired token does."""
    ordered = sorted(items, key=lambda i: int(i["id"]), reverse=True)
    _page(server, path, ordered, None)
    for item in ordered:
        if item["id"] == refuse:
            refused = {"error": "The access token is invalid"}
            server.serve("GET", path, status=401, json=refused, query={"min_id": refuse})
            continue
        newer = [i for i in ordered if int(i["id"]) > int(item["id"])][-2:]
        _page(server, path, newer, {"min_id": item["id"]})


def _page(
    server: ReplayServer, path: str, shown: list[dict[str, Any]], query: dict[str, str] | None
) -> None:
    headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}
    if shown:
        url = server.url(path)
        top, bottom = shown[0]["id"], shown[-1]["id"]
        headers["Link"] = f'<{url}?max_id={bottom}>; rel="next", <{url}?min_id={top}>; rel="prev"'
    server.serve("GET", path, json=shown, headers=headers, query=query)


def serve_context(server: ReplayServer, of: int, ancestors: list[dict[str, Any]]) -> None:
    body = recorded(
        "/api/v1/statuses/117020585487094447/context", "mastodon/status-context.cassette.yaml"
    )
    server.serve(
        "GET",
        f"/api/v1/statuses/{ROOT_ID + of}/context",
        json={**body, "ancestors": ancestors},
    )


def workspace(base_url: str) -> Workspace:
    return parse_settings(toml(base_url), "rumeur.toml").workspace()


def toml(base_url: str) -> str:
    return (
        """
[nlp]
languages = ["fr", "en"]
"""
        + LAPOSTE
        + f"""
[[workspaces.sources]]
type = "mastodon"
name = "piaille"
instance = "{base_url}"
token_env = "{ENV}"
backfill = 0

[[workspaces.owned_accounts]]
platform = "mastodon"
handle = "{BRAND}"
source = "piaille"
department = "service-client"
"""
        + DEPARTMENTS
        + COLIS_RULE
        + """
[[workspaces.routing]]
name = "urgent"
query = 'sentiment:negative AND (remboursement OR plainte OR inadmissible)'
priority = "high"
"""
    )


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, TOKEN)


def test_a_follow_up_brings_its_ancestors_and_the_brands_reply_takes_its_place(
    store: Store,
) -> None:
    root = status(0, CUSTOMER, "Bonjour, une question sur mon abonnement", minutes=0)
    reply = status(1, BRAND, "Bonjour, nous regardons cela", reply_to=0, minutes=5)
    follow = status(2, CUSTOMER, "Merci, j'attends votre retour", reply_to=1, minutes=9)
    other = status(3, "claire", "Ma livraison de colis est en retard", minutes=11)
    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, [notification(30, follow), notification(31, other)])
        serve_feed(server, CONVERSATIONS, [])
        serve_context(server, 2, [root, reply])
        ws = workspace(server.base_url)
        [outcome] = collect_inbox(store, ws, context=SourceContext(store=store))
        log = server.requests

    assert outcome.error is None, outcome.error
    assert (outcome.messages, outcome.opened) == (4, 2)
    assert outcome.line() == "piaille (@mastodonpy_test): 4 messages, 2 new conversations"
    # The follow-up's parent was unknown: its context was read once; the other mention replies
    # to nothing and needs none.
    contexts = [r.path for r in log if r.path.endswith("/context")]
    assert contexts == [f"/api/v1/statuses/{ROOT_ID + 2}/context"]
    assert all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in log)

    talks = {c["customer"]: c for c in conversations_of(store)}
    assert set(talks) == {f"{CUSTOMER}@{ELSEWHERE}", f"claire@{ELSEWHERE}"}
    mine = talks[f"{CUSTOMER}@{ELSEWHERE}"]
    thread = messages_of(store, mine["id"])
    assert [(m["direction"], m["local_id"]) for m in thread] == [
        ("in", str(ROOT_ID)),
        ("out", str(ROOT_ID + 1)),
        ("in", str(ROOT_ID + 2)),
    ]
    assert thread[1]["author"] == f"{BRAND}@{server_host(ws)}"
    assert thread[2]["reply_to"] == str(ROOT_ID + 1)
    # Routed on its first message: no rule matches it, so the account's department.
    assert (mine["department"], mine["priority"], mine["kind"]) == (
        "service-client", "normal", "public",
    )  # fmt: skip
    assert mine["route"]["set_by"]["department"] == "(account)"
    # The customer wrote last: the conversation waits for the team, the brand's reply counted.
    assert mine["status"] == "new"
    assert mine["first_response_at"] is not None
    parcel = talks[f"claire@{ELSEWHERE}"]
    assert (parcel["department"], parcel["route"]["matched"]) == ("colis", ["colis"])


def server_host(ws: Workspace) -> str:
    return ws.sources[0].instance.split("://")[1].rstrip("/").lower()  # type: ignore[union-attr]


def test_direct_conversations_are_private_threads_and_a_second_run_doubles_nothing(
    store: Store,
) -> None:
    page = recorded(CONVERSATIONS, "mastodon/conversations.cassette.yaml")
    first = [notification(30, status(0, CUSTOMER, "Bonjour", minutes=0))]
    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, first)
        server.serve("GET", CONVERSATIONS, json=page)
        # The recorded DM of conversation 12 replies to a status: its recorded (empty) context.
        serve_context(server, 117020588388552703 - ROOT_ID, [])
        ws = workspace(server.base_url)
        [outcome] = collect_inbox(store, ws)
    assert outcome.error is None, outcome.error
    assert (outcome.messages, outcome.opened) == (3, 2)
    # Both recorded conversations are mastodonpy_test_2's: a customer's direct messages
    # that arrive while their private conversation is open join it (store/inbox.py, rule 3),
    # which keeps the first conversation's id.
    [private] = [c for c in conversations_of(store) if c["kind"] == "private"]
    assert private["thread"] == "12"
    dms = messages_of(store, private["id"])
    assert [m["local_id"] for m in dms] == ["117020588388552703", "117020593780198542"]
    for dm in dms:
        assert (dm["kind"], dm["visibility"], dm["direction"]) == ("direct", "direct", "in")
        assert dm["author"].startswith("mastodonpy_test_2@")
    key = cursor_key(ws, ws.owned_accounts[0])
    assert store.cursor(key) == {"feeds": {"conversations": "117020593780198542", "mentions": "30"}}

    # Read again, with one new mention: only what is new is asked for and taken in.
    more = [*first, notification(31, status(5, CUSTOMER, "Vous êtes là ?", minutes=20))]
    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, more)
        server.serve("GET", CONVERSATIONS, json=[])
        ws = workspace(server.base_url)
        [outcome] = collect_inbox(store, ws)
        log = server.requests
    assert (outcome.messages, outcome.opened) == (1, 0)
    asked = [(r.path, r.param("min_id")) for r in log]
    assert asked == [
        (CONVERSATIONS, "117020593780198542"),
        (NOTIFICATIONS, "30"),
        (NOTIFICATIONS, "31"),  # nothing above the new one: the read ends
    ]
    # The follow-up joined the customer's open conversation; nothing doubled.
    talks = conversations_of(store)
    assert len(talks) == 2
    public = next(c for c in talks if c["kind"] == "public")
    assert [m["text"] for m in messages_of(store, public["id"])] == ["Bonjour", "Vous êtes là ?"]


def test_a_crash_resumes_from_the_last_page_taken_in(store: Store) -> None:
    items = [notification(30 + n, status(n, CUSTOMER, f"message {n}", minutes=n)) for n in range(5)]
    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, items[:1])
        serve_feed(server, CONVERSATIONS, [])
        [outcome] = collect_inbox(store, workspace(server.base_url))
    assert outcome.messages == 1

    # Pages of two above the cursor: the first is taken in, the second's request is refused.
    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, items, refuse="32")
        serve_feed(server, CONVERSATIONS, [])
        ws = workspace(server.base_url)
        [outcome] = collect_inbox(store, ws)
    assert outcome.error is not None and outcome.messages == 2
    assert store.cursor(cursor_key(ws, ws.owned_accounts[0]))["feeds"]["mentions"] == "32"  # type: ignore[index]

    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, items)
        serve_feed(server, CONVERSATIONS, [])
        [outcome] = collect_inbox(store, workspace(server.base_url))
        log = server.requests
    assert outcome.error is None and outcome.messages == 2
    assert [r.param("min_id") for r in log if r.path == NOTIFICATIONS] == ["32", "34"]
    [talk] = conversations_of(store)
    assert [m["text"] for m in messages_of(store, talk["id"])] == [f"message {n}" for n in range(5)]


def test_a_refused_token_is_one_line_naming_the_account_without_the_token(
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    tmp_path: Any,
    db_url: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    with ReplayServer() as server:
        for path in (NOTIFICATIONS, CONVERSATIONS, "/api/v1/timelines/tag/x"):
            server.serve("GET", path, status=401, json={"error": "The access token is invalid"})
        config = tmp_path / "rumeur.toml"
        config.write_text(toml(server.base_url), encoding="utf-8")
        ran = rumeur(capsys, "collect", "--config", str(config), "--db", db_url, "--no-enrich")
    assert ran.code == 1
    lines = [line for line in ran.err.splitlines() if "(@mastodonpy_test)" in line]
    assert len(lines) == 1, ran.err
    assert lines[0].startswith("piaille (@mastodonpy_test): ")
    assert "401" in lines[0] and ENV in lines[0]
    assert TOKEN not in ran.out + ran.err + caplog.text


def test_collect_fills_the_inbox_and_routes_with_the_shipped_models(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, db_url: str
) -> None:
    angry = status(0, CUSTOMER, "Colis perdu, c'est inadmissible ! Je veux un remboursement.")
    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, [notification(30, angry)])
        serve_feed(server, CONVERSATIONS, [])
        config = tmp_path / "rumeur.toml"
        config.write_text(toml(server.base_url), encoding="utf-8")
        ran = rumeur(capsys, "collect", "--config", str(config), "--db", db_url)
    assert ran.code == 0, ran.err
    assert "piaille (@mastodonpy_test): 1 messages, 1 new conversations" in ran.err
    store = Store.open(db_url)
    try:
        [talk] = conversations_of(store)
        [message] = messages_of(store, talk["id"])
    finally:
        store.close()
    assert message["sentiment"] == "negative"
    assert (talk["department"], talk["priority"]) == ("colis", "high")
    assert talk["route"]["matched"] == ["colis", "urgent"]


def test_a_429_on_the_context_waits_for_the_reset_then_goes_on(store: Store) -> None:
    clock = FakeTime()
    root = status(0, CUSTOMER, "Bonjour", minutes=0)
    follow = status(1, CUSTOMER, "Vous êtes là ?", reply_to=0, minutes=3)
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=40)
    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, [notification(30, follow)])
        serve_feed(server, CONVERSATIONS, [])
        serve_context(server, 1, [root])
        limited = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset.isoformat()}
        context_path = f"GET /api/v1/statuses/{ROOT_ID + 1}/context"
        server.fail_next(context_path, 429, headers=limited, json={"error": "Too many requests"})
        context = SourceContext(store=store, sleep=clock.sleep, on_wait=clock.on_wait)
        [outcome] = collect_inbox(store, workspace(server.base_url), context=context)
        answered = [r.status for r in server.requests if r.path.endswith("/context")]
    assert outcome.error is None and (outcome.messages, outcome.opened) == (2, 1)
    assert answered == [429, 200]
    why, until = clock.waits[0]
    assert "rate limited" in why and reset <= until <= reset + timedelta(seconds=1.01)


def test_following_reads_the_accounts_in_a_thread_that_stops_at_once(store: Store) -> None:
    from rumeur.commands.collecting import _InboxReader, _Lines
    from rumeur.commands.consoles import make_console

    with ReplayServer() as server:
        serve_feed(server, NOTIFICATIONS, [notification(30, status(0, CUSTOMER, "Bonjour"))])
        serve_feed(server, CONVERSATIONS, [])
        ws = workspace(server.base_url)
        lines = _Lines()
        reader = _InboxReader(
            store, ws, [], {"piaille"}, make_console(stderr=True), lines, lambda _: None
        )
        reader.start()
        server.wait_for_requests(2, timeout=60)  # the conversations, the mentions
        started = datetime.now(UTC)
        reader.stop()  # the thread waits a minute between two reads: stopping wakes it
        assert reader._thread is not None and not reader._thread.is_alive()
    assert datetime.now(UTC) - started < timedelta(seconds=30)
    assert "piaille (@mastodonpy_test): 1 messages, 1 new conversations" in lines.text()
    assert reader.failed == []
