"""An owned Reddit account read into the inbox through the replay server: its inbox's comment
replies, mentions and private messages threaded and routed, and a second run asking only for
what is newer than the cursor.

The payloads are the recorded ones (`reddit/inbox-comment-replies.2025.cassette.json`,
`inbox-mentions.2025.cassette.json`, their `/api/v1/access_token`): `/message/inbox` answers
with the same Listing as `/message/comments` and `/message/mentions`, so the two recorded
Listings' things are served together as the inbox. No private message was recorded: the `t4`
things are copies of a recorded comment reply with their kind, name, text and exchange changed
and the shape kept.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from inbox_site import COLIS_RULE, DEPARTMENTS, LAPOSTE, conversations_of
from replay.cassettes import load_cassette
from replay.server import ReplayServer
from rumeur.config import Workspace, parse_settings
from rumeur.inbox.collect import collect_inbox, cursor_key
from rumeur.store import Store
from rumeur.store.inbox import messages_of

PASSWORD = "reddit-PASSWORD-never-shown"
INBOX = "/message/inbox"
TOKEN = "/api/v1/access_token"
REPLIES = "reddit/inbox-comment-replies.2025.cassette.json"
MENTIONS = "reddit/inbox-mentions.2025.cassette.json"


def recorded(cassette: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The cassette's token answer and its Listing."""
    token, listing = load_cassette(cassette)
    return token.json(), listing.json()


def inbox(things: list[dict[str, Any]]) -> dict[str, Any]:
    listing = copy.deepcopy(recorded(MENTIONS)[1])
    ordered = sorted(things, key=lambda t: t["data"]["created_utc"], reverse=True)
    listing["data"].update(children=ordered, dist=len(ordered), after=None, before=None)
    return listing


def private_message(name: str, text: str, at: float, first: str | None = None) -> dict[str, Any]:
    made = copy.deepcopy(recorded(REPLIES)[1]["data"]["children"][0])
    made["kind"] = "t4"
    data = made["data"]
    data.update(
        name=name, id=name.removeprefix("t4_"), body=text, author="marie_dupont",
        subject="colis", type="unknown", was_comment=False, created_utc=at, created=at,
        first_message_name=first, parent_id=first, context="",
    )  # fmt: skip
    return made


def workspace(base_url: str) -> Workspace:
    text = (
        LAPOSTE
        + f"""
[[workspaces.sources]]
type = "reddit"
name = "reddit"
api = "{base_url}"
auth = "{base_url}"
username = "laposte_officiel"
password_env = "RUMEUR_TEST_INBOX_REDDIT_PASSWORD"

[[workspaces.owned_accounts]]
platform = "reddit"
handle = "laposte_officiel"
source = "reddit"
department = "service-client"
"""
        + DEPARTMENTS
        + COLIS_RULE
    )
    return parse_settings(text, "rumeur.toml").workspace()


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUMEUR_REDDIT_CLIENT_ID", "client-id")
    monkeypatch.setenv("RUMEUR_REDDIT_CLIENT_SECRET", "client-secret")
    monkeypatch.setenv("RUMEUR_TEST_INBOX_REDDIT_PASSWORD", PASSWORD)


def test_the_inbox_is_threaded_routed_and_read_again_from_its_cursor(store: Store) -> None:
    token, replies = recorded(REPLIES)
    mentions = recorded(MENTIONS)[1]
    dm = private_message("t4_2aaaaa", "Bonjour, mon colis n'est jamais arrivé.", 1750400000.0)
    things = [*replies["data"]["children"], *mentions["data"]["children"], dm]
    with ReplayServer() as server:
        server.serve("POST", TOKEN, json=token)
        server.serve("GET", INBOX, json=inbox(things))
        ws = workspace(server.base_url)
        [outcome] = collect_inbox(store, ws)
        log = server.requests
    assert outcome.error is None, outcome.error
    assert (outcome.messages, outcome.opened) == (64 + 16 + 1, 3)
    [login] = [r for r in log if r.path == TOKEN]
    assert login.form()["grant_type"] == ["password"]
    [read] = [r for r in log if r.path == INBOX]
    assert read.headers["authorization"] == "bearer <ACCESS_TOKEN>"
    assert (read.param("limit"), read.param("before"), read.param("raw_json")) == ("100", None, "1")

    talks = {c["customer"]: c for c in conversations_of(store)}
    # The bot's 64 replies: one conversation, the follow-ups joining the first.
    bot = talks["Lil_SpazBot"]
    assert (bot["messages"], bot["kind"], bot["department"]) == (64, "public", "service-client")
    first = messages_of(store, bot["id"])[0]
    assert (first["kind"], first["reply_to"]) == ("reply", "t1_myngt77")
    assert first["url"].startswith("https://www.reddit.com/r/Lil_SpazJoekp/comments/")
    mention = messages_of(store, talks["2Botter2Loop"]["id"])[0]
    assert mention["kind"] == "mention" and mention["native_id"].startswith("t1_")
    private = talks["marie_dupont"]
    assert (private["kind"], private["thread"], private["department"]) == (
        "private", "t4_2aaaaa", "colis",
    )  # fmt: skip
    key = cursor_key(ws, ws.owned_accounts[0])
    assert store.cursor(key) == {"newest": "t4_2aaaaa"}

    # Marie answers in the same exchange: only what is newer than the cursor is read.
    answer = private_message("t4_2bbbbb", "Toujours rien.", 1750403600.0, first="t4_2aaaaa")
    with ReplayServer() as server:
        server.serve("POST", TOKEN, json=token)
        server.serve("GET", INBOX, json=inbox([answer]), query={"before": "t4_2aaaaa"})
        server.serve("GET", INBOX, json=inbox([]), query={"before": "t4_2bbbbb"})
        [outcome] = collect_inbox(store, workspace(server.base_url))
        log = server.requests
    assert (outcome.messages, outcome.opened) == (1, 0)
    assert [r.param("before") for r in log if r.path == INBOX] == ["t4_2aaaaa"]
    assert [m["text"] for m in messages_of(store, private["id"])] == [
        "Bonjour, mon colis n'est jamais arrivé.",
        "Toujours rien.",
    ]
    assert store.cursor(key) == {"newest": "t4_2bbbbb"}


def test_a_refused_password_is_one_line_without_the_password(store: Store) -> None:
    with ReplayServer() as server:
        server.serve("POST", TOKEN, json={"error": "invalid_grant"})
        [outcome] = collect_inbox(store, workspace(server.base_url))
    line = outcome.line()
    assert line.startswith("reddit (@laposte_officiel): ") and "\n" not in line
    assert "invalid_grant" in line and "RUMEUR_TEST_INBOX_REDDIT_PASSWORD" in line
    assert PASSWORD not in line
