"""The sender answers through each network's API, with its guard (docs/inbox.md, "Sending").

The recorded answers (tests/replay) show what goes out: the text, the reply target, the
visibility, the idempotency key or record key. The fake network (network.py) shows what a
network keeps: one post per reply, whatever was lost or retried on the way."""

from __future__ import annotations

import json
import os
import random
import socket
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from network import (
    COMMENT,
    CREATE_RECORD,
    PARENT_URI,
    SECRETS,
    STATUSES,
    TOKEN,
    Network,
    open_conversation,
    settings_toml,
)

from replay.cassettes import load_cassette
from replay.server import ReplayServer
from rumeur.config import parse_settings
from rumeur.i18n import using
from rumeur.inbox.sender import Repliers, Sender, claimer_alive
from rumeur.net.retry import RetryPolicy
from rumeur.sources.bluesky.reply import facets, tid
from rumeur.sources.context import SourceContext
from rumeur.store import Store
from rumeur.store.inbox import (
    claim_due,
    messages_of,
    outbox_in,
    outbox_row,
    queue_reply,
)

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def network() -> Iterator[Network]:
    with Network() as fake:
        yield fake


MADE: list[Sender] = []


@pytest.fixture(autouse=True)
def _close_senders() -> Iterator[None]:
    yield
    while MADE:
        MADE.pop().close()


def sender(store: Store, base_url: str, **more: Any) -> Sender:
    """A sender through `base_url`, closed at the end of the test."""
    ws = parse_settings(settings_toml(base_url), "rumeur.toml").workspace()
    quick = RetryPolicy(attempts=3, base=0.0, cap=0.0, sleep=lambda s: None, rng=random.Random(1))
    context = SourceContext(sleep=lambda s: None)  # the reads' retries do not wait
    made = Sender(store, Repliers([ws], context), retry=quick, **more)
    MADE.append(made)
    return made


def reply(store: Store, platform: str, n: int = 0, text: str = "Bonjour, nous regardons.",
          **more: Any) -> int:  # fmt: skip
    talk = open_conversation(store, platform, n, NOW, more.pop("kind", "mention"))
    return queue_reply(store, talk, text=text, now=NOW, **more)


def serve_session(server: ReplayServer) -> None:
    """The recorded session, with tokens where the recording blanked them."""
    [made] = load_cassette("bluesky/createSession.cassette.yml")
    tokens = {"accessJwt": "access-jwt", "refreshJwt": "refresh-jwt"}
    server.serve("POST", made.path, json=made.json() | tokens)


def form(request: Any) -> dict[str, str]:
    return {k: v[0] for k, v in request.form().items()}


# -- what goes out, on the recorded APIs ------------------------------------------------------


def test_a_mastodon_reply_goes_out_with_its_key_target_and_visibility(store: Store) -> None:
    row_id = reply(store, "mastodon")
    with ReplayServer() as server:
        server.serve_cassette("mastodon/status-reply.cassette.yaml")
        report = sender(store, server.base_url).once()
        [post] = server.requests_to("/api/v1/statuses", "POST")
    assert report.sent == 1 and report.failed == 0
    row = outbox_row(store, row_id)
    assert row is not None and row.state == "sent"
    assert form(post) == {
        "status": "@client0 Bonjour, nous regardons.",
        "in_reply_to_id": "117020500000",  # the customer's status, on the account's server
        "visibility": "public",
    }
    assert post.headers["idempotency-key"] == row.idempotency_key
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    # The recorded status is the reply: in the thread, by its URI, with its local id.
    assert (
        row.native_id
        == "http://localhost:3000/ap/users/117020566092212359/statuses/117020583245459824"
    )
    out = [m for m in messages_of(store, row.conversation_id) if m["direction"] == "out"]
    assert [(m["native_id"], m["local_id"]) for m in out] == [(row.native_id, "117020583245459824")]
    assert TOKEN not in json.dumps([asdict(r) for r in outbox_in(store, "sent")], default=str)


def test_a_direct_message_is_answered_in_private(store: Store) -> None:
    row_id = reply(store, "mastodon", kind="direct")
    with ReplayServer() as server:
        server.serve_cassette("mastodon/status-reply.cassette.yaml")
        sender(store, server.base_url).once()
        [post] = server.requests_to("/api/v1/statuses", "POST")
    assert form(post)["visibility"] == "direct"
    assert form(post)["status"].startswith("@client0 ")  # a direct status reaches whom it names
    assert outbox_row(store, row_id).state == "sent"  # type: ignore[union-attr]


def test_a_bluesky_reply_is_a_record_at_a_key_chosen_before_it_leaves(store: Store) -> None:
    text = "Réponse ici : https://www.laposte.fr/suivi #colis"
    row_id = reply(store, "bluesky", text=text)
    with ReplayServer() as server:
        serve_session(server)
        server.serve_cassette("bluesky/getPostThread.cassette.yml")
        server.serve_cassette("bluesky/createRecord-reply.cassette.yml")
        report = sender(store, server.base_url).once()
        [create] = server.requests_to("/xrpc/com.atproto.repo.createRecord", "POST")
    assert report.sent == 1
    row = outbox_row(store, row_id)
    assert row is not None and row.state == "sent"
    body = create.json()
    assert body["rkey"] == row.request["rkey"] and len(body["rkey"]) == 13
    assert body["repo"] == "did:plc:5c2r73erhng4bszmxlfdtscf"  # the session's DID
    record = body["record"]
    assert record == row.request["record"]  # what was stored before the try is what went
    assert record["text"] == text
    # The parent read from its thread; it answers nothing, so it is the root too.
    parent = {
        "uri": PARENT_URI,
        "cid": "bafyreifk6pyilxkm7vcingnkdbzueaftqg54i3al4zbh5p3jy3pryfkc3a",
    }
    assert record["reply"] == {"root": parent, "parent": parent}
    link, tag = record["facets"]
    raw = text.encode("utf-8")
    assert (
        raw[link["index"]["byteStart"] : link["index"]["byteEnd"]]
        == b"https://www.laposte.fr/suivi"
    )
    assert raw[tag["index"]["byteStart"] : tag["index"]["byteEnd"]] == b"#colis"
    assert row.native_id == "at://did:plc:5c2r73erhng4bszmxlfdtscf/app.bsky.feed.post/3lprdue7ggw26"


def test_a_reddit_reply_is_a_comment_on_the_parent(store: Store) -> None:
    row_id = reply(store, "reddit", text="Comment reply")
    with ReplayServer() as server:
        server.serve_cassette("reddit/comment-reply.2016.cassette.json")
        report = sender(store, server.base_url).once()
        [post] = server.requests_to("/api/comment/", "POST")
    assert report.sent == 1
    assert form(post) == {"api_type": "json", "thing_id": "t1_parent0", "text": "Comment reply"}
    assert outbox_row(store, row_id).native_id == "t1_d1680wu"  # type: ignore[union-attr]


def test_a_refused_reply_fails_in_one_line(store: Store) -> None:
    on_mastodon, on_bluesky = reply(store, "mastodon", 1, text=""), reply(store, "bluesky", 2)
    with ReplayServer() as server:
        server.serve_cassette("mastodon/error-422-empty-status.cassette.yaml")
        serve_session(server)
        server.serve_cassette("bluesky/getPostThread.cassette.yml")
        server.serve_cassette("bluesky/error-400-InvalidRequest.cassette.yml")
        report = sender(store, server.base_url).once()
    assert report.failed == 2
    refused = outbox_row(store, on_bluesky)
    assert refused is not None and refused.state == "failed"
    assert refused.error == (
        "bluesky:ciel: /xrpc/com.atproto.repo.createRecord answered 400: InvalidRequest: "
        "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes"
    )
    empty = outbox_row(store, on_mastodon)
    assert empty is not None and empty.state == "failed"
    assert empty.error.startswith("mastodon:piaille: /api/v1/statuses answered 422: ")  # type: ignore[union-attr]


# -- what the network keeps -------------------------------------------------------------------


def test_a_lost_answer_on_mastodon_ends_in_one_status_by_the_reused_key(
    store: Store, network: Network
) -> None:
    row_id = reply(store, "mastodon")
    network.plan(STATUSES, "drop")
    report = sender(store, network.base_url).once()
    assert report.unknown == 1 and report.sent == 1
    posts = network.requests_to(STATUSES)
    assert len(posts) == 2 and posts[0].fault == "close"
    keys = {p.headers["idempotency-key"] for p in posts}
    assert keys == {outbox_row(store, row_id).idempotency_key}  # type: ignore[union-attr]
    assert len(network.posts()) == 1
    assert outbox_row(store, row_id).native_id == network.posts()[0]["uri"]  # type: ignore[union-attr]


def test_a_lost_answer_on_bluesky_is_found_by_its_record_key(
    store: Store, network: Network
) -> None:
    row_id = reply(store, "bluesky")
    network.plan(CREATE_RECORD, "drop")
    report = sender(store, network.base_url).once()
    assert report.unknown == 1 and report.sent == 1
    assert len(network.requests_to(CREATE_RECORD)) == 1  # read back, not written again
    [read] = network.requests_to("GET /xrpc/com.atproto.repo.getRecord")
    row = outbox_row(store, row_id)
    assert row is not None and row.state == "sent"
    assert read.param("rkey") == row.request["rkey"]
    assert [p["uri"] for p in network.posts()] == [row.native_id]


def test_a_lost_answer_on_reddit_is_found_among_the_accounts_comments(
    store: Store, network: Network
) -> None:
    row_id = reply(store, "reddit")
    network.plan(COMMENT, "drop")
    report = sender(store, network.base_url).once()
    assert report.sent == 1
    assert len(network.requests_to(COMMENT)) == 1
    assert len(network.requests_to("GET /user/laposte/comments")) == 1
    assert [p["name"] for p in network.posts()] == [outbox_row(store, row_id).native_id]  # type: ignore[union-attr]


def test_a_reply_not_made_is_sent_again_after_the_read(store: Store, network: Network) -> None:
    row_id = reply(store, "bluesky")
    network.plan(CREATE_RECORD, 503)  # a 5xx: it may have been made, so it is read first
    report = sender(store, network.base_url).once()
    assert report.sent == 1
    creates = network.requests_to(CREATE_RECORD)
    assert len(creates) == 2 and creates[0].json()["rkey"] == creates[1].json()["rkey"]
    # Read (and not found) before the second try, at the same key.
    log = [(r.method, r.path.rsplit(".", 1)[-1]) for r in network.requests]
    assert log.index(("GET", "getRecord")) < max(
        i for i, x in enumerate(log) if x[1] == "createRecord"
    )
    reads = network.requests_to("GET /xrpc/com.atproto.repo.getRecord")
    assert {r.param("rkey") for r in reads} == {creates[0].json()["rkey"]}
    assert len(network.posts()) == 1
    assert outbox_row(store, row_id).state == "sent"  # type: ignore[union-attr]


def test_a_rate_limit_queues_the_reply_again_for_later(store: Store, network: Network) -> None:
    row_id = reply(store, "mastodon")
    network.plan(STATUSES, 429)
    clock = [NOW]
    send = sender(store, network.base_url, now=lambda: clock[0])
    first = send.once()
    assert first.retried == 1 and first.sent == 0
    row = outbox_row(store, row_id)
    assert row is not None and row.state == "queued" and row.next_at is not None
    clock[0] = row.next_at + timedelta(seconds=1)
    assert send.once().sent == 1
    assert len(network.posts()) == 1


def test_a_refused_token_stops_that_account_only(store: Store, network: Network) -> None:
    held = [reply(store, "mastodon", n) for n in (1, 2)]
    other = reply(store, "bluesky", 3)
    network.plan(STATUSES, 401)
    with using("fr"):
        report = sender(store, network.base_url).once()
    assert report.sent == 1 and report.failed == 0
    assert report.held == {("laposte", "mastodon", "laposte"): "jeton expiré : reconnectez piaille"}
    assert len(network.requests_to(STATUSES)) == 1  # the second reply was not tried
    for row_id in held:
        row = outbox_row(store, row_id)
        assert row is not None and row.state == "queued"
        assert row.error == "jeton expiré : reconnectez piaille"
    assert outbox_row(store, other).state == "sent"  # type: ignore[union-attr]
    # Reconnected (the next run), the replies go.
    assert sender(store, network.base_url).once().sent == 2
    assert all(outbox_row(store, i).error is None for i in held)  # type: ignore[union-attr]


def test_missing_credentials_hold_the_account_with_the_variable_to_set(
    store: Store, network: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RUMEUR_TEST_SEND_MASTODON_TOKEN")
    row_id = reply(store, "mastodon")
    report = sender(store, network.base_url).once()
    [line] = report.held.values()
    assert "RUMEUR_TEST_SEND_MASTODON_TOKEN" in line and "\n" not in line
    assert outbox_row(store, row_id).state == "queued"  # type: ignore[union-attr]
    assert network.requests == []


def test_a_dead_senders_rows_are_taken_over_at_once_and_read_first(
    store: Store, network: Network
) -> None:
    made, unprepared = reply(store, "bluesky", 1), reply(store, "bluesky", 2)
    dead = f"{socket.gethostname()}:{dead_pid()}:0badc0de"
    before = sender(store, network.base_url, sender=dead)
    rows = claim_due(store, dead, 2, NOW)
    assert [r.id for r in rows] == [made, unprepared]
    # The dead sender prepared the first row and the network made it; it died before
    # recording it, and before preparing the second.
    replier = before.repliers(rows[0])
    prepared = before._prepare(replier, rows[0])
    assert prepared is not None
    replier.send(prepared)
    assert len(network.posts()) == 1

    report = sender(store, network.base_url).once()
    assert report.taken_over == 2 and report.sent == 2
    assert len(network.posts()) == 2  # one record per reply
    assert len(network.requests_to(CREATE_RECORD)) == 2  # the made one was read, not written
    reads = network.requests_to("GET /xrpc/com.atproto.repo.getRecord")
    assert [r.param("rkey") for r in reads] == [prepared.request["rkey"]]
    assert {outbox_row(store, i).state for i in (made, unprepared)} == {"sent"}  # type: ignore[union-attr]


def test_a_live_claimer_elsewhere_keeps_its_rows_until_its_lease_ends(
    store: Store, network: Network
) -> None:
    row_id = reply(store, "mastodon")
    claim_due(store, "another-host.example:4242:cafe", 1, NOW)
    clock = [NOW + timedelta(minutes=5)]
    send = sender(store, network.base_url, now=lambda: clock[0])
    assert send.once().taken_over == 0
    assert outbox_row(store, row_id).state == "claimed"  # type: ignore[union-attr]
    clock[0] = NOW + timedelta(minutes=11)
    report = send.once()
    assert report.taken_over == 1 and report.sent == 1
    assert len(network.posts()) == 1


def test_a_pid_reused_on_this_host_does_not_keep_the_rows_past_the_lease(
    store: Store, network: Network
) -> None:
    # The claimer's pid now belongs to a live process (this one's parent): alive to a pid
    # check, yet no sender holds a claim for longer than the lease.
    row_id = reply(store, "mastodon")
    claim_due(store, f"{socket.gethostname()}:{os.getppid()}:cafe", 1, NOW)
    clock = [NOW + timedelta(minutes=5)]
    send = sender(store, network.base_url, now=lambda: clock[0])
    assert send.once().taken_over == 0
    clock[0] = NOW + timedelta(minutes=11)
    report = send.once()
    assert report.taken_over == 1 and report.sent == 1
    assert len(network.posts()) == 1
    assert outbox_row(store, row_id).state == "sent"  # type: ignore[union-attr]


def dead_pid() -> int:
    """A process id that no process has (one past the highest in use, checked)."""
    pid = max(int(p) for p in os.listdir("/proc") if p.isdigit()) + 1000
    while claimer_alive(f"{socket.gethostname()}:{pid}:x") is not False:
        pid += 1
    return pid


# -- the pieces -------------------------------------------------------------------------------


def test_a_record_key_is_a_sortable_tid() -> None:
    early, late = tid(1_700_000_000_000_000, 0), tid(1_700_000_000_000_001, 0)
    assert len(early) == 13 and early < late
    assert set(early) <= set("234567abcdefghijklmnopqrstuvwxyz")


def test_facets_count_utf8_bytes() -> None:
    text = "Désolé @marie.bsky.social, voyez https://laposte.fr/é #colis"
    found = facets(text, {"marie.bsky.social": "did:plc:marie"})
    raw = text.encode("utf-8")
    cut = [raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in found]
    assert cut == ["@marie.bsky.social", "https://laposte.fr/é", "#colis"]
    assert found[0]["features"] == [
        {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:marie"}
    ]


def test_a_claimer_on_this_host_is_alive_while_its_process_is() -> None:
    host = socket.gethostname()
    assert claimer_alive(f"{host}:{os.getpid()}:abcd") is True
    assert claimer_alive(f"{host}:{dead_pid()}:abcd") is False
    assert claimer_alive(f"elsewhere.example:{os.getpid()}:abcd") is None


class Broken:
    """A replier whose answer cannot be read: whether the reply left is not known."""

    platform = "mastodon"

    def prepare(self, row: Any) -> dict[str, Any]:
        return {}

    def send(self, row: Any) -> Any:
        raise ValueError("an answer this code did not expect")

    def find(self, row: Any) -> None:
        raise ValueError("still unreadable")

    def close(self) -> None:
        pass


def test_an_unexpected_error_leaves_the_reply_unknown_not_resent(store: Store) -> None:
    row_id = reply(store, "mastodon")
    with Sender(store, lambda row: Broken()) as send:
        report = send.once()
    assert report.unknown == 1 and report.sent == 0
    row = outbox_row(store, row_id)
    assert row is not None and row.state == "unknown"
    assert row.error == "ValueError: an answer this code did not expect"


def test_a_bluesky_direct_message_is_answered_in_the_chat(store: Store) -> None:
    row_id = reply(store, "bluesky", kind="direct", text="[example] sent with bskyr")
    with ReplayServer() as server:
        serve_session(server)
        server.serve_cassette("bluesky/chat-sendMessage.cassette.yml")
        assert sender(store, server.base_url).once().sent == 1
        [post] = server.requests_to("/xrpc/chat.bsky.convo.sendMessage", "POST")
    assert post.json() == {"convoId": "3kconvo0", "message": {"text": "[example] sent with bskyr"}}
    assert post.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    assert outbox_row(store, row_id).native_id == "3lprddijuyg26"  # type: ignore[union-attr]


def test_a_lost_chat_answer_is_found_in_the_conversation(store: Store, network: Network) -> None:
    row_id = reply(store, "bluesky", kind="direct")
    network.plan("POST /xrpc/chat.bsky.convo.sendMessage", "drop")
    report = sender(store, network.base_url).once()
    assert report.unknown == 1 and report.sent == 1
    assert len(network.requests_to("POST /xrpc/chat.bsky.convo.sendMessage")) == 1
    assert [m["id"] for m in network.posts()] == [outbox_row(store, row_id).native_id]  # type: ignore[union-attr]


def test_a_reddit_private_message_is_answered_in_private(store: Store, network: Network) -> None:
    row_id = reply(store, "reddit", kind="direct")
    network.plan(COMMENT, "drop")
    report = sender(store, network.base_url).once()
    assert report.sent == 1
    [post] = network.requests_to(COMMENT)
    assert form(post)["thing_id"] == "t4_message0"
    assert len(network.requests_to("GET /message/sent")) == 1  # read back, not written again
    assert [p["name"] for p in network.posts()] == [outbox_row(store, row_id).native_id]  # type: ignore[union-attr]
