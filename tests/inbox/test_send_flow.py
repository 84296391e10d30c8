"""From a recorded mention to the reply the API receives: the collector reads the mention into
a routed conversation, an adviser's reply is queued, and the sender answers it through the
replayed API, whose request log shows the text, the reply target, the visibility and the key."""

from __future__ import annotations

import random

import pytest
from network import SECRETS, settings_toml

from replay.cassettes import load_cassette
from replay.server import ReplayServer
from rumeur.config import parse_settings
from rumeur.inbox.collect import collect_inbox
from rumeur.inbox.sender import Repliers, Sender
from rumeur.net.retry import RetryPolicy
from rumeur.sources.context import SourceContext
from rumeur.store import Store
from rumeur.store.inbox import conversation, messages_of, outbox_row, queue_reply

NOTIFICATIONS = "/api/v1/notifications"
MENTION_ID = "117020577157693549"  # the recorded mention's status
RULE = """
[[workspaces.routing]]
name = "tests"
query = 'test OR toot'
priority = "high"
"""


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def test_a_recorded_mention_is_routed_answered_and_threaded(store: Store) -> None:
    [mentions] = [
        i.json()
        for i in load_cassette("mastodon/notifications-mentions.cassette.yaml")
        if i.method == "GET" and i.path == NOTIFICATIONS
    ]
    with ReplayServer() as server:
        server.serve("GET", NOTIFICATIONS, json=mentions)
        server.serve("GET", "/api/v1/conversations", json=[])
        server.serve_cassette("mastodon/status-reply.cassette.yaml")
        ws = parse_settings(settings_toml(server.base_url) + RULE, "rumeur.toml").workspace()
        context = SourceContext(store=store, sleep=lambda s: None)
        collect_inbox(store, ws, sources=["piaille"], context=context)
        [talk] = [t for t in _conversations(store) if t["platform"] == "mastodon"]
        assert talk["priority"] == "high"  # routed by the rule, on the mention's text
        row_id = queue_reply(
            store, talk["id"], text="Bonjour, nous regardons.", now=talk["opened_at"]
        )
        quick = RetryPolicy(attempts=3, base=0.0, cap=0.0, rng=random.Random(1))
        with Sender(store, Repliers([ws], context), retry=quick) as sender:
            assert sender.once().sent == 1
        [post] = server.requests_to("/api/v1/statuses", "POST")

    row = outbox_row(store, row_id)
    assert row is not None and row.state == "sent"
    sent = {k: v[0] for k, v in post.form().items()}
    assert sent["in_reply_to_id"] == MENTION_ID
    assert sent["visibility"] == "public"
    assert sent["status"].endswith("Bonjour, nous regardons.")
    assert sent["status"].startswith(f"@{talk['customer']} ")
    assert post.headers["idempotency-key"] == row.idempotency_key
    thread = messages_of(store, talk["id"])
    assert [m["direction"] for m in thread] == ["in", "out"]
    assert (conversation(store, talk["id"]) or {})["status"] == "waiting"


def _conversations(store: Store) -> list[dict]:
    found = []
    talk_id = 1
    while (talk := conversation(store, talk_id)) is not None:
        found.append(talk)
        talk_id += 1
    return found
