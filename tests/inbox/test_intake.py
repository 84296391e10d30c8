"""A message taken into the inbox is routed when it opens a conversation, and only then."""

from __future__ import annotations

from datetime import UTC, datetime

from rumeur.inbox.intake import message_document, take_in
from rumeur.inbox.routing import Router
from rumeur.settings.inbox import OwnedAccount, RoutingRule
from rumeur.store import Store
from rumeur.store.inbox import Message, conversation

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
ACCOUNT = OwnedAccount(platform="bluesky", handle="laposte.fr", department="service-client")
RULES = [
    RoutingRule(name="colis", query="colis", department="colis", tags=["colis"]),
    RoutingRule(name="vip", query="followers:>10000", priority="urgent"),
    RoutingRule(name="fache", query="sentiment:negative", priority="high"),
]


def post(n: int, text: str, **more: object) -> Message:
    values: dict = {
        "platform": "bluesky",
        "native_id": f"at://did:plc:marie/app.bsky.feed.post/{n}",
        "author": "marie.bsky.social",
        "text": text,
        "at": NOW,
    }
    return Message(**(values | more))  # type: ignore[arg-type]


def test_a_new_conversation_is_routed_on_its_first_message(store: Store) -> None:
    router = Router(RULES)
    first = post(1, "mon colis est perdu", sentiment="negative")
    got = take_in(store, "ws", router, ACCOUNT, first, NOW)
    row = conversation(store, got.conversation_id)  # type: ignore[arg-type]
    assert row is not None
    assert (row["department"], row["priority"], row["tags"], row["account"]) == (
        "colis", "high", ["colis"], "laposte.fr",
    )  # fmt: skip
    assert row["route"]["matched"] == ["colis", "fache"]

    # A follow-up that would route elsewhere joins the conversation, which keeps its route.
    follow = post(2, "et mon remboursement ?", reply_to=first.native_id)
    assert take_in(store, "ws", router, ACCOUNT, follow, NOW).conversation_id == row["id"]
    assert conversation(store, row["id"])["department"] == "colis"  # type: ignore[index]


def test_the_collectors_fields_reach_the_rules(store: Store) -> None:
    router = Router(RULES)
    message = post(1, "bonjour")
    got = take_in(
        store, "ws", router, ACCOUNT, message, NOW, message_document(message, followers=50_000)
    )
    row = conversation(store, got.conversation_id)  # type: ignore[arg-type]
    assert (row["department"], row["priority"]) == ("service-client", "urgent")  # type: ignore[index]
