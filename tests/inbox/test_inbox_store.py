"""The inbox's rows: messages threaded into conversations (once each), and the outbox's
states, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inbox_site import status
from rumeur.errors import StoreError
from rumeur.store import Store
from rumeur.store.inbox import (
    Message,
    claim_due,
    conversation,
    mark_unknown,
    messages_of,
    outbox_in,
    outbox_of,
    outbox_row,
    queue_reply,
    receive,
    record_failed,
    record_sent,
    set_status,
    take_over,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
WS = "laposte"
ACCOUNT = "laposte"
ROUTE = {
    "department": "colis",
    "priority": "high",
    "tags": ["colis"],
    "assignee": None,
    "route": {"matched": ["colis"], "stopped_by": None, "set_by": {"department": "colis"}},
}


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def toot(n: int, author: str = "marie", minutes: int = 0, **more: object) -> Message:
    """A Mastodon status: its URI as native id, its id on the account's instance as local id."""
    return status(n, author, at(minutes), **more)


def opened(store: Store, message: Message | None = None) -> int:
    got = receive(store, WS, ACCOUNT, message or toot(1, text="mon colis?"), ROUTE, at(0))
    assert got.opened and got.added and got.conversation_id is not None
    return got.conversation_id


def test_a_reply_chain_is_one_conversation_and_a_message_read_twice_is_kept_once(
    store: Store,
) -> None:
    talk = opened(store)
    row = conversation(store, talk)
    assert row is not None
    assert (row["customer"], row["kind"], row["status"], row["messages"]) == (
        "marie", "public", "new", 1,
    )  # fmt: skip
    assert (row["department"], row["priority"], row["tags"]) == ("colis", "high", ["colis"])
    assert row["route"]["matched"] == ["colis"]

    # The brand's reply (sent from the network's own app) and the customer's answer to it.
    brand = toot(2, author="laposte", minutes=5, direction="out", reply_to="1")
    assert receive(store, WS, ACCOUNT, brand, ROUTE, at(5)).conversation_id == talk
    assert conversation(store, talk)["status"] == "waiting"  # type: ignore[index]
    answer = toot(3, minutes=9, reply_to="https://piaille.fr/users/laposte/statuses/2")
    got = receive(store, WS, ACCOUNT, answer, ROUTE, at(9))
    assert (got.conversation_id, got.opened, got.added) == (talk, False, True)

    # Read again (the next poll): nothing changes.
    again = receive(store, WS, ACCOUNT, toot(1, text="mon colis?"), ROUTE, at(12))
    assert (again.conversation_id, again.added, again.opened) == (talk, False, False)

    row = conversation(store, talk)
    assert row is not None
    assert row["messages"] == 3
    assert row["status"] == "new"  # the customer wrote again: no longer waiting for them
    assert (row["first_response_at"], row["last_in_at"], row["last_at"]) == (at(5), at(9), at(9))
    thread = messages_of(store, talk)
    assert [(m["direction"], m["local_id"]) for m in thread] == [
        ("in", "1"), ("out", "2"), ("in", "3"),
    ]  # fmt: skip


def test_another_customer_in_the_thread_opens_their_own(store: Store) -> None:
    talk = opened(store)
    other = toot(7, author="paul", minutes=3, reply_to="1")
    got = receive(store, WS, ACCOUNT, other, ROUTE, at(3))
    assert got.opened
    assert got.conversation_id != talk
    assert conversation(store, got.conversation_id)["customer"] == "paul"  # type: ignore[arg-type,index]


def test_a_follow_up_joins_until_resolved_then_opens_a_new_one(store: Store) -> None:
    talk = opened(store)
    follow_up = toot(2, minutes=30, text="toujours rien?")
    assert receive(store, WS, ACCOUNT, follow_up, ROUTE, at(30)).conversation_id == talk

    assert set_status(store, talk, "resolved", at(40))
    assert conversation(store, talk)["resolved_at"] == at(40)  # type: ignore[index]
    # A reply in the resolved thread reopens it...
    in_thread = toot(3, minutes=50, reply_to="2")
    assert receive(store, WS, ACCOUNT, in_thread, ROUTE, at(50)).conversation_id == talk
    row = conversation(store, talk)
    assert (row["status"], row["resolved_at"]) == ("reopened", None)  # type: ignore[index]

    # ... but a new mention after it was resolved is a new conversation.
    set_status(store, talk, "resolved", at(60))
    fresh = receive(store, WS, ACCOUNT, toot(4, minutes=70), ROUTE, at(70))
    assert fresh.opened and fresh.conversation_id != talk
    with pytest.raises(ValueError, match="not a conversation status"):
        set_status(store, talk, "done", at(80))


def test_direct_messages_thread_by_the_networks_conversation(store: Store) -> None:
    dm = toot(1, kind="direct", visibility="direct", thread="conv-9")
    talk = opened(store, dm)
    assert conversation(store, talk)["kind"] == "private"  # type: ignore[index]
    # A public mention by the same customer is another conversation...
    public = receive(store, WS, ACCOUNT, toot(2, minutes=1), ROUTE, at(1))
    assert public.opened
    # ... the next direct message of the same conversation joins, and is answered in private.
    nxt = toot(3, minutes=2, kind="direct", visibility="direct", thread="conv-9")
    assert receive(store, WS, ACCOUNT, nxt, ROUTE, at(2)).conversation_id == talk
    reply = outbox_row(store, queue_reply(store, talk, text="Bonjour", now=at(3)))
    assert reply is not None
    assert (reply.visibility, reply.reply_to) == ("direct", "3")


def test_a_brand_message_outside_any_conversation_is_not_kept(store: Store) -> None:
    post = toot(1, author="laposte", direction="out")
    got = receive(store, WS, ACCOUNT, post, ROUTE, at(0))
    assert (got.conversation_id, got.message_id, got.added) == (None, None, False)


def test_a_route_function_is_called_only_to_open(store: Store) -> None:
    calls = []

    def route() -> dict:
        calls.append(1)
        return {"department": "service-client", "assignee": "alice"}

    talk = receive(store, WS, ACCOUNT, toot(1), route, at(0)).conversation_id
    receive(store, WS, ACCOUNT, toot(2, minutes=1, reply_to="1"), route, at(1))
    assert calls == [1]
    row = conversation(store, talk)  # type: ignore[arg-type]
    assert (row["department"], row["priority"], row["assignee"], row["status"]) == (  # type: ignore[index]
        "service-client", "normal", "alice", "assigned",
    )  # fmt: skip


def test_a_reply_is_queued_with_the_conversations_change_and_sent_once(store: Store) -> None:
    talk = opened(store)
    receive(store, WS, ACCOUNT, toot(2, minutes=1, reply_to="1"), ROUTE, at(1))
    reply_id = queue_reply(store, talk, text="Nous regardons.", author="alice", now=at(2), key="k1")
    # The same key again (a form posted twice) queues nothing more.
    assert queue_reply(store, talk, text="Nous regardons.", now=at(3), key="k1") == reply_id
    row = outbox_row(store, reply_id)
    assert row is not None
    assert (row.state, row.reply_to, row.visibility, row.account, row.author) == (
        "queued", "2", "public", ACCOUNT, "alice",
    )  # fmt: skip
    assert (row.idempotency_key, row.attempts, row.platform) == ("k1", 0, "mastodon")
    assert conversation(store, talk)["status"] == "waiting"  # type: ignore[index]

    (claimed,) = claim_due(store, "sender-a", 10, at(4))
    assert (claimed.id, claimed.state, claimed.claimed_by, claimed.attempts) == (
        reply_id, "claimed", "sender-a", 1,
    )  # fmt: skip
    assert claim_due(store, "sender-b", 10, at(4)) == []

    uri = "https://piaille.fr/users/laposte/statuses/99"
    assert record_sent(store, reply_id, uri, at(5), local_id="99", url=uri)
    assert not record_sent(store, reply_id, uri, at(6))  # recorded once
    row = outbox_row(store, reply_id)
    assert (row.state, row.native_id, row.sent_at) == ("sent", uri, at(5))  # type: ignore[union-attr]
    # The reply is in the thread; read back by the collector, it is not added twice.
    seen = toot(99, author="laposte", minutes=5, direction="out", reply_to="2")
    assert not receive(store, WS, ACCOUNT, seen, ROUTE, at(7)).added
    outs = [m for m in messages_of(store, talk) if m["direction"] == "out"]
    assert [(m["native_id"], m["outbox_id"], m["local_id"]) for m in outs] == [
        (uri, reply_id, "99"),
    ]
    talk_row = conversation(store, talk)
    assert (talk_row["first_response_at"], talk_row["messages"]) == (at(5), 3)  # type: ignore[index]
    assert outbox_of(store, talk) == [outbox_row(store, reply_id)]


def test_the_collector_reading_the_reply_first_keeps_one_message(store: Store) -> None:
    talk = opened(store)
    reply_id = queue_reply(store, talk, text="Réponse", now=at(1))
    claim_due(store, "s", 1, at(1))
    seen = toot(50, author="laposte", minutes=2, direction="out", reply_to="1")
    assert receive(store, WS, ACCOUNT, seen, ROUTE, at(2)).added
    assert record_sent(store, reply_id, seen.native_id, at(3))
    outs = [m for m in messages_of(store, talk) if m["direction"] == "out"]
    assert [(m["native_id"], m["outbox_id"]) for m in outs] == [(seen.native_id, reply_id)]


def test_failures_retry_later_fail_for_good_or_wait_for_reconciliation(store: Store) -> None:
    talks = [opened(store, toot(i, author=f"client{i}")) for i in range(3)]
    ids = [queue_reply(store, t, text="ok", now=at(1)) for t in talks]
    assert [r.id for r in claim_due(store, "s", 10, at(2))] == ids

    assert record_failed(store, ids[0], "503 Service Unavailable\nmore", at(3), permanent=False,
                         retry_at=at(10))  # fmt: skip
    assert record_failed(store, ids[1], "422 text too long", at(3), permanent=True)
    assert mark_unknown(store, ids[2], "the connection dropped after the request", at(3))
    assert not mark_unknown(store, ids[2], "twice", at(3))
    assert not record_failed(store, ids[1], "again", at(3), permanent=True)

    states = {i: outbox_row(store, i) for i in ids}
    assert [(states[i].state, states[i].error) for i in ids] == [  # type: ignore[union-attr]
        ("queued", "503 Service Unavailable"),
        ("failed", "422 text too long"),
        ("unknown", "the connection dropped after the request"),
    ]
    assert claim_due(store, "s", 10, at(5)) == []  # the retry is not due yet
    (retry,) = claim_due(store, "s", 10, at(10))
    assert (retry.id, retry.attempts) == (ids[0], 2)
    assert [r.id for r in outbox_in(store, "unknown", WS)] == [ids[2]]
    # Reconciled: the network has it after all.
    assert record_sent(store, ids[2], "https://piaille.fr/users/laposte/statuses/7", at(11))


def test_a_conversations_replies_go_out_in_order(store: Store) -> None:
    talk = opened(store)
    first = queue_reply(store, talk, text="un", now=at(1))
    second = queue_reply(store, talk, text="deux", now=at(2))
    (claimed,) = claim_due(store, "s", 10, at(3))
    assert claimed.id == first
    assert claim_due(store, "s", 10, at(3)) == []  # the second waits for the first
    record_sent(store, first, "https://piaille.fr/users/laposte/statuses/1001", at(4))
    assert [r.id for r in claim_due(store, "s", 10, at(5))] == [second]


def test_an_excluded_account_keeps_its_replies_queued(store: Store) -> None:
    talk = opened(store)
    sky = Message(platform="bluesky", native_id="at://did:plc:x/app.bsky.feed.post/1",
                  author="marie.bsky.social", text="colis", at=at(0))  # fmt: skip
    other = receive(store, WS, "laposte.fr", sky, ROUTE, at(0)).conversation_id
    masto = queue_reply(store, talk, text="a", now=at(1))
    bsky = queue_reply(store, other, text="b", now=at(1))  # type: ignore[arg-type]
    claimed = claim_due(store, "s", 10, at(2), exclude=[("mastodon", ACCOUNT)])
    assert [r.id for r in claimed] == [bsky]
    assert outbox_row(store, masto).state == "queued"  # type: ignore[union-attr]


def test_a_dead_senders_claims_are_taken_over(store: Store) -> None:
    talks = [opened(store, toot(i, author=f"client{i}")) for i in range(2)]
    ids = [queue_reply(store, t, text="ok", now=at(1)) for t in talks]
    claim_due(store, "dead", 10, at(2))
    assert take_over(store, "nobody", "new", at(3)) == []
    taken = take_over(store, "dead", "new", at(3))
    assert [(r.id, r.state, r.claimed_by, r.claimed_at) for r in taken] == [
        (i, "claimed", "new", at(3)) for i in ids
    ]


def test_queueing_for_a_missing_conversation_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="no conversation 404"):
        queue_reply(store, 404, text="x", now=at(0))
