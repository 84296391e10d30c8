"""An owned Bluesky account read into the inbox through the replay server: its notifications
(mentions, quotes, replies) with the parents of a reply read from getPostThread, and its direct
messages from the chat API on the PDS (with the `atproto-proxy` header), threaded, routed,
nothing doubled on a second run, and a refused password one line without the password.

The payloads are the recorded ones (`bluesky/createSession.cassette.yml`,
`listNotifications.cassette.yml`, `chat-listConvos.cassette.yml`,
`chat-getMessages.cassette.yml`, `getPostThread.cassette.yml`): the account is the recording's,
bskyr.bsky.social. The recording holds no reply to the account: the reply notification and the
thread above it are copies of a recorded mention and of the recorded thread's post, with their
uri, author, text and `reply` changed and the shape kept.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from inbox_site import conversations_of
from replay.cassettes import load_cassette
from replay.server import ReplayServer
from rumeur.config import Workspace, parse_settings
from rumeur.inbox.collect import collect_inbox, cursor_key
from rumeur.store import Store
from rumeur.store.inbox import messages_of

PASSWORD = "app-pass-never-SHOWN-9q2w"
ENV = "RUMEUR_TEST_INBOX_BLUESKY_PASSWORD"
ACCESS = "eyJ-inbox-ACCESS-token"
BRAND = "bskyr.bsky.social"
BRAND_DID = "did:plc:5c2r73erhng4bszmxlfdtscf"
LOGIN = "/xrpc/com.atproto.server.createSession"
NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
THREAD = "/xrpc/app.bsky.feed.getPostThread"
CONVOS = "/xrpc/chat.bsky.convo.listConvos"
MESSAGES = "/xrpc/chat.bsky.convo.getMessages"


def recorded(cassette: str) -> Any:
    return load_cassette(cassette)[0].json()


def session() -> dict[str, Any]:
    return {**recorded("bluesky/createSession.cassette.yml"), "accessJwt": ACCESS}


def notifications() -> list[dict[str, Any]]:
    return recorded("bluesky/listNotifications.cassette.yml")["notifications"]


def view(rkey: str, handle: str, did: str, text: str, at: str, parent: str | None = None) -> Any:
    """A post view made from the recorded thread's post."""
    made = copy.deepcopy(recorded("bluesky/getPostThread.cassette.yml")["thread"]["post"])
    made["uri"] = f"at://{did}/app.bsky.feed.post/{rkey}"
    made["author"] = {**made["author"], "did": did, "handle": handle}
    made["record"] = {"$type": "app.bsky.feed.post", "createdAt": at, "text": text}
    if parent:
        made["record"]["reply"] = {"parent": {"uri": parent, "cid": "x"}, "root": {"uri": parent}}
    made["indexedAt"] = at
    return made


def reply_notification(of: dict[str, Any]) -> dict[str, Any]:
    """A recorded mention turned into the notification of `of`, a reply."""
    made = copy.deepcopy(next(n for n in notifications() if n["reason"] == "mention"))
    made.update(
        uri=of["uri"], reason="reply", record=of["record"], author=of["author"], isRead=False
    )
    made["indexedAt"] = of["indexedAt"]
    return made


def workspace(base_url: str) -> Workspace:
    text = f"""
[[workspaces]]
slug = "veille"
name = "Veille"
[workspaces.brand]
name = "bskyr"

[[workspaces.sources]]
type = "bluesky"
name = "ciel"
service = "{base_url}"
pds = "{base_url}"
handle = "{BRAND}"
password_env = "{ENV}"

[[workspaces.owned_accounts]]
platform = "bluesky"
handle = "{BRAND}"
source = "ciel"
department = "accueil"

[[workspaces.departments]]
slug = "accueil"
name = "Accueil"

[[workspaces.departments]]
slug = "stats"
name = "Statistiques"

[[workspaces.routing]]
name = "stats"
query = 'statistics OR stats OR rstats OR data'
department = "stats"
"""
    return parse_settings(text, "rumeur.toml").workspace()


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV, PASSWORD)


def serve_chat(server: ReplayServer) -> None:
    server.serve("GET", CONVOS, json=recorded("bluesky/chat-listConvos.cassette.yml"))
    server.serve("GET", MESSAGES, json=recorded("bluesky/chat-getMessages.cassette.yml"))


def test_notifications_and_direct_messages_fill_the_inbox_once(store: Store) -> None:
    customer = ("marie.bsky.social", "did:plc:marie")
    root = view(
        "3root", *customer, "Bonjour, une question sur vos stats", "2025-05-20T10:00:00.000Z"
    )
    brand = (BRAND, BRAND_DID)
    answer = view("3answer", *brand, "Bonjour Marie !", "2025-05-20T10:05:00.000Z", root["uri"])
    again = view(
        "3again", *customer, "Merci, et ensuite ?", "2025-05-20T10:09:00.000Z", answer["uri"]
    )
    node = "app.bsky.feed.defs#threadViewPost"
    above = {"$type": node, "post": answer, "parent": {"$type": node, "post": root}}
    thread = {"thread": {"$type": node, "post": again, "parent": above}}
    page = {"notifications": [reply_notification(again), *notifications()]}
    with ReplayServer() as server:
        server.serve("POST", LOGIN, json=session())
        server.serve("GET", NOTIFICATIONS, json=page)
        # Recorded mentions that reply in other threads get the recorded thread (no parent).
        server.serve("GET", THREAD, json=recorded("bluesky/getPostThread.cassette.yml"))
        server.serve("GET", THREAD, json=thread, query={"uri": again["uri"]})
        serve_chat(server)
        ws = workspace(server.base_url)
        [outcome] = collect_inbox(store, ws)
        log = server.requests

    assert outcome.error is None, outcome.error
    # 11 mentions and 7 quotes recorded, the reply and the two posts above it; 4 chat messages.
    assert outcome.messages == 11 + 7 + 3 + 4
    [login] = [r for r in log if r.path == LOGIN]
    assert login.json() == {"identifier": BRAND, "password": PASSWORD}
    reads = [r for r in log if r.path != LOGIN]
    assert all(r.headers["authorization"] == f"Bearer {ACCESS}" for r in reads)
    # The chat API through the PDS, with the proxy header; the posts without it.
    chat = [r for r in reads if r.path in (CONVOS, MESSAGES)]
    assert [r.path for r in chat] == [CONVOS, MESSAGES]
    assert all(r.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat" for r in chat)
    assert chat[1].param("convoId") == "3ku7w6h4vog2d"
    assert all("atproto-proxy" not in r.headers for r in reads if r not in chat)
    replying = [n["uri"] for n in page["notifications"] if n["record"].get("reply")]
    assert [r.param("uri") for r in log if r.path == THREAD] == sorted(
        replying,
        key=lambda uri: next(n["indexedAt"] for n in page["notifications"] if n["uri"] == uri),
    )
    assert again["uri"] in replying

    talks = conversations_of(store)
    by_customer = {c["customer"]: c for c in talks}
    marie = by_customer["marie.bsky.social"]
    assert [(m["direction"], m["text"]) for m in messages_of(store, marie["id"])] == [
        ("in", "Bonjour, une question sur vos stats"),
        ("out", "Bonjour Marie !"),
        ("in", "Merci, et ensuite ?"),
    ]
    assert (marie["department"], marie["route"]["matched"]) == ("stats", ["stats"])
    # The direct messages: one private conversation, the brand's two answers in it.
    private = [c for c in talks if c["kind"] == "private"]
    assert len(private) == 1 and private[0]["thread"] == "3ku7w6h4vog2d"
    assert private[0]["customer"] == "chriskenny.bsky.social"
    thread_rows = messages_of(store, private[0]["id"])
    assert [(m["direction"], m["text"]) for m in thread_rows] == [
        ("in", "Test test test"),
        ("in", "Can you hear me?"),
        ("out", "Hello"),
        ("out", "Hello"),
    ]
    cursor = store.cursor(cursor_key(ws, ws.owned_accounts[0]))
    assert cursor == {
        "seen": "2025-05-20T10:09:00.000Z",
        "convos": {"3ku7w6h4vog2d": "2222223e3prru"},
    }

    # A second run: the same answers; nothing is new, no thread or message is read again.
    with ReplayServer() as server:
        server.serve("POST", LOGIN, json=session())
        server.serve("GET", NOTIFICATIONS, json=page)
        serve_chat(server)
        [outcome] = collect_inbox(store, workspace(server.base_url))
        log = server.requests
    assert outcome.error is None and (outcome.messages, outcome.opened) == (0, 0)
    assert [r.path for r in log] == [LOGIN, NOTIFICATIONS, CONVOS]
    assert len(conversations_of(store)) == len(talks)


def test_a_refused_password_is_one_line_without_the_password(store: Store) -> None:
    with ReplayServer() as server:
        refused = {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        server.serve("POST", LOGIN, status=401, json=refused)
        [outcome] = collect_inbox(store, workspace(server.base_url))
    assert outcome.error is not None
    line = outcome.line()
    assert line.startswith(f"ciel (@{BRAND}): ") and "\n" not in line
    assert "401" in line and ENV in line and PASSWORD not in line
