"""The work on conversations, on SQLite and PostgreSQL: the list with its filters and counts,
one conversation with its messages and notes, assignment by hand, round-robin and least-busy
within a department, the statuses, and the response-time targets in business hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rumeur.config import Workspace, parse_settings
from rumeur.errors import StoreError
from rumeur.inbox.work import (
    assign_next,
    choose,
    may_reply,
    refresh_due,
    rotation,
    worklist,
)
from rumeur.store import Store
from rumeur.store.accounts import insert_user, update_user
from rumeur.store.conversations import (
    Filters,
    add_note,
    assign,
    count_conversations,
    list_conversations,
    open_load,
    thread,
)
from rumeur.store.inbox import Message, receive, set_status

PARIS = ZoneInfo("Europe/Paris")
# Friday 4 December 2026, 17:00 in Paris.
T0 = datetime(2026, 12, 4, 17, tzinfo=PARIS).astimezone(UTC)
WS = "laposte"
SETTINGS = """
[[workspaces]]
slug = "laposte"
name = "La Poste"
timezone = "Europe/Paris"
[workspaces.brand]
name = "La Poste"
[[workspaces.departments]]
slug = "service-client"
name = "Service client"
[[workspaces.departments]]
slug = "colis"
name = "Colis et courrier"
first_response = "2h"
next_response = "30m"
[workspaces.business_hours]
days = ["mon", "tue", "wed", "thu", "fri"]
start = "09:00"
end = "18:00"
holidays = ["2026-12-25"]
"""


@pytest.fixture
def ws() -> Workspace:
    return parse_settings(SETTINGS, "test.toml").workspace()


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def said(
    n: int,
    author: str,
    minutes: float,
    *,
    platform: str = "mastodon",
    direction: str = "in",
    reply_to: str | None = None,
    kind: str = "mention",
    sentiment: str | None = None,
    text: str | None = None,
) -> Message:
    return Message(
        platform=platform,
        native_id=f"{platform}-{n}",
        author=author,
        text=text or f"message {n}",
        at=at(minutes),
        direction=direction,  # type: ignore[arg-type]
        kind=kind,
        reply_to=reply_to,
        sentiment=sentiment,
    )


def opened(store: Store, message: Message, department: str = "colis", **route: object) -> int:
    got = receive(store, WS, "laposte", message, {"department": department, **route}, message.at)
    assert got.opened and got.conversation_id is not None
    return got.conversation_id


def user(store: Store, name: str, role: str = "care", department: str | None = None) -> int:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    row = {
        "name": name, "name_key": name.casefold(), "role": role, "department": department,
        "password_hash": "not-a-hash", "api_token_hash": None, "created_at": now,
        "updated_at": now, "disabled": False,
    }  # fmt: skip
    return insert_user(store, row)


def test_the_list_filters_and_counts(store: Store) -> None:
    marie = opened(store, said(1, "marie", 0, sentiment="negative"), priority="high")
    paul = opened(store, said(2, "paul", 5, sentiment="positive"), department="service-client")
    jean = opened(store, said(3, "jean", 10, platform="bluesky", kind="direct"))
    # Another workspace's conversation is never listed.
    receive(store, "other", "laposte", said(4, "zoe", 12), {"department": "colis"}, at(12))
    receive(store, WS, "laposte", said(5, "laposte", 20, direction="out", reply_to="mastodon-2"),
            None, at(20))  # fmt: skip

    everything = list_conversations(store, WS, now=at(30))
    assert [r["id"] for r in everything] == [paul, jean, marie]  # the latest activity first
    assert {r["customer"]: r["sentiment"] for r in everything} == {
        "marie": "negative", "paul": "positive", "jean": None,
    }  # fmt: skip
    assert {r["customer"]: r["status"] for r in everything} == {
        "marie": "new", "paul": "waiting", "jean": "new",
    }  # fmt: skip

    def ids(**given: object) -> list[int]:
        return [r["id"] for r in list_conversations(store, WS, Filters(**given), now=at(30))]  # type: ignore[arg-type]

    assert ids(department="colis") == [jean, marie]
    assert ids(status="waiting") == [paul]
    assert ids(platform="bluesky") == [jean]
    assert ids(priority="high") == [marie]
    assert ids(sentiment="negative") == [marie]
    assert ids(departments=["service-client"]) == [paul]
    assert ids(departments=[]) == []
    assert ids(department="colis", platform="mastodon") == [marie]
    assert [r["id"] for r in list_conversations(store, WS, now=at(30), limit=1, offset=1)] == [jean]

    counts = count_conversations(store, WS, now=at(30))
    assert counts.total == 3
    assert counts.by_status == {"new": 2, "waiting": 1}
    assert counts.by_department == {"colis": 2, "service-client": 1}
    assert counts.overdue == 0
    assert count_conversations(store, WS, Filters(department="colis"), now=at(30)).total == 2


def test_a_conversation_with_its_messages_and_notes(store: Store) -> None:
    talk = opened(store, said(1, "marie", 0, text="mon colis ?"))
    receive(store, WS, "laposte", said(2, "laposte", 3, direction="out", reply_to="mastodon-1"),
            None, at(3))  # fmt: skip
    before = thread(store, WS, talk)
    assert before is not None
    note = add_note(store, WS, talk, "alice", "  client fidèle, à rappeler  ", at(4))
    after = thread(store, WS, talk)
    assert after is not None
    assert [(m["direction"], m["author"], m["text"]) for m in after.messages] == [
        ("in", "marie", "mon colis ?"), ("out", "laposte", "message 2"),
    ]  # fmt: skip
    assert [(n.id, n.author, n.text, n.at) for n in after.notes] == [
        (note, "alice", "client fidèle, à rappeler", at(4))
    ]
    # A note changes neither the count of messages, nor the status, nor the times.
    for key in ("messages", "status", "last_at", "last_in_at", "last_out_at"):
        assert after.conversation[key] == before.conversation[key]
    assert after.conversation["messages"] == 2
    with pytest.raises(StoreError, match="needs some text"):
        add_note(store, WS, talk, "alice", "   ", at(5))
    with pytest.raises(StoreError, match="no conversation"):
        add_note(store, "other", talk, "alice", "x", at(5))
    assert thread(store, "other", talk) is None
    assert thread(store, WS, talk + 1000) is None


def test_statuses_assignment_by_hand_and_reopening(store: Store) -> None:
    talk = opened(store, said(1, "marie", 0))
    assert assign(store, WS, talk, "alice", at(1))
    row = thread(store, WS, talk).conversation  # type: ignore[union-attr]
    assert (row["assignee"], row["status"]) == ("alice", "assigned")
    assert not assign(store, "other", talk, "bob", at(1))
    assert not assign(store, WS, talk, "bob", at(1), only_if_unassigned=True)
    assert assign(store, WS, talk, None, at(2))
    assert thread(store, WS, talk).conversation["status"] == "new"  # type: ignore[union-attr]
    assign(store, WS, talk, "alice", at(2))
    # The brand's reply: waiting for the customer; reassigning does not change that.
    receive(store, WS, "laposte", said(2, "laposte", 3, direction="out", reply_to="mastodon-1"),
            None, at(3))  # fmt: skip
    assign(store, WS, talk, "bob", at(4))
    row = thread(store, WS, talk).conversation  # type: ignore[union-attr]
    assert (row["assignee"], row["status"]) == ("bob", "waiting")
    # The customer writes again: back in the list, assigned; resolved, then reopened.
    receive(store, WS, "laposte", said(3, "marie", 5, reply_to="mastodon-2"), None, at(5))
    assert thread(store, WS, talk).conversation["status"] == "assigned"  # type: ignore[union-attr]
    set_status(store, talk, "resolved", at(6))
    receive(store, WS, "laposte", said(4, "marie", 7, reply_to="mastodon-2"), None, at(7))
    row = thread(store, WS, talk).conversation  # type: ignore[union-attr]
    assert (row["status"], row["assignee"], row["messages"]) == ("reopened", "bob", 4)
    assert [
        r["id"] for r in list_conversations(store, WS, Filters(status="reopened"), now=at(8))
    ] == [talk]


def test_round_robin_and_least_busy_within_the_department(store: Store, ws: Workspace) -> None:
    for name in ("chloe", "alice", "Bob"):
        user(store, name, "care", "colis")
    user(store, "dave", "care", "service-client")
    erin = user(store, "erin", "care", "colis")
    update_user(store, erin, {"disabled": True})

    talks = [opened(store, said(n, f"client{n}", n)) for n in range(1, 6)]
    got = [assign_next(store, ws, talk, "round-robin", at(10)) for talk in talks[:4]]
    assert got == ["alice", "Bob", "chloe", "alice"]
    # Nobody's conversation is taken: an assigned one stays with its assignee.
    assert assign_next(store, ws, talks[0], "round-robin", at(11)) is None
    assert thread(store, WS, talks[0]).conversation["assignee"] == "alice"  # type: ignore[union-attr]

    # alice holds two, Bob and chloe one each; Bob's is resolved: Bob is the least busy.
    set_status(store, talks[1], "resolved", at(12))
    assert assign_next(store, ws, talks[4], "least-busy", at(13)) == "Bob"

    # A department without members, or a conversation without a department: nobody.
    alone = opened(store, said(9, "paul", 20), department="service-client")
    set_status(store, alone, "resolved", at(21))
    other = opened(store, said(10, "jean", 22), department="service-client")
    assert assign_next(store, ws, other, "least-busy", at(23)) == "dave"
    nowhere = opened(store, said(11, "luc", 24), department=None)  # type: ignore[arg-type]
    assert assign_next(store, ws, nowhere, "round-robin", at(25)) is None
    with pytest.raises(StoreError):
        assign_next(store, ws, 10_000, "round-robin", at(25))
    # A routing rule may write a name in another case: it counts all the same.
    shouted = opened(store, said(12, "eve", 26), assignee="ALICE")
    assert thread(store, WS, shouted).conversation["status"] == "assigned"  # type: ignore[union-attr]
    assert open_load(store, WS, ["alice", "Bob"]) == {"alice": 3, "Bob": 1}


def test_the_policies_and_who_may_reply() -> None:
    assert rotation(["a", "b", "c"], "b") == ["c", "a", "b"]
    assert rotation(["a", "b", "c"], "zed") == ["a", "b", "c"]
    assert choose("round-robin", [], None, {}) is None
    assert choose("round-robin", ["b", "a"], None, {}) == "a"
    assert choose("least-busy", ["a", "b", "c"], "a", {"a": 0, "b": 1, "c": 0}) == "c"
    assert choose("least-busy", ["a", "b", "c"], "c", {"a": 0, "b": 0, "c": 0}) == "a"
    assert may_reply("Alice", "care", "alice")
    assert may_reply("root", "admin", "alice")
    assert may_reply("root", "admin", None)
    assert not may_reply("bob", "care", "alice")
    assert not may_reply("bob", "community_manager", None)


def test_targets_run_in_business_hours_and_breaches_are_flagged(
    store: Store, ws: Workspace
) -> None:
    # Friday 17:00: the first response is due two business hours later, on Monday at 10:00.
    talk = opened(store, said(1, "marie", 0))
    quiet = opened(store, said(2, "paul", 0), department="service-client")  # no target there
    assert refresh_due(store, ws) == {talk: datetime(2026, 12, 7, 9, tzinfo=UTC)}
    assert refresh_due(store, ws) == {}  # already up to date: nothing written

    monday_10 = datetime(2026, 12, 7, 10, tzinfo=PARIS).astimezone(UTC)
    found, counts = worklist(store, ws, Filters(), monday_10 - timedelta(minutes=1))
    assert {r["id"]: r["overdue"] for r in found} == {talk: False, quiet: False}
    assert counts.overdue == 0
    found, counts = worklist(store, ws, Filters(), monday_10 + timedelta(minutes=1))
    assert {r["id"]: r["overdue"] for r in found} == {talk: True, quiet: False}
    assert counts.overdue == 1
    late = list_conversations(
        store, WS, Filters(overdue=True), now=monday_10 + timedelta(minutes=1)
    )
    assert [r["id"] for r in late] == [talk]

    # The brand answers at 10:05: no target runs while the customer is awaited.
    answer = monday_10 + timedelta(minutes=5)
    out = Message(
        "mastodon", "mastodon-3", "laposte", "bonjour", answer, "out", reply_to="mastodon-1"
    )
    receive(store, WS, "laposte", out, None, answer)
    found, counts = worklist(store, ws, Filters(), answer)
    assert [r["due_at"] for r in found if r["id"] == talk] == [None]
    assert counts.overdue == 0

    # The customer writes again at 17:50 and 17:55: the next response (30 min) is due from the
    # first of them, 10 minutes that day and 20 the next morning, Tuesday 09:20.
    for n, minutes in ((4, 50), (5, 55)):
        when = datetime(2026, 12, 7, 17, minutes, tzinfo=PARIS).astimezone(UTC)
        receive(store, WS, "laposte", Message("mastodon", f"mastodon-{n}", "marie", "et alors ?",
                                              when, reply_to="mastodon-3"), None, when)  # fmt: skip
    refresh_due(store, ws)
    row = thread(store, WS, talk).conversation  # type: ignore[union-attr]
    assert row["due_at"] == datetime(2026, 12, 8, 9, 20, tzinfo=PARIS)

    # Resolved: nothing is due any more.
    set_status(store, talk, "resolved", datetime(2026, 12, 8, 9, tzinfo=UTC))
    assert refresh_due(store, ws) == {talk: None}
    found, counts = worklist(store, ws, Filters(), datetime(2026, 12, 9, tzinfo=UTC))
    assert counts.overdue == 0
