"""What the composer asks the networks before it schedules (publishing/lookups.py), from a
local server: a Mastodon instance's own limit (`/api/v2/instance`) and a Bluesky handle's DID
(`com.atproto.identity.resolveHandle`, the recorded answer), each asked once; a server that
does not know leaves the defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from replay import ReplayServer
from rumeur.config import parse_settings
from rumeur.publishing.lookups import INSTANCE, Lookups
from rumeur.publishing.schedule import schedule
from rumeur.publishing.spec import read
from rumeur.store import Store

RESOLVE = "/xrpc/com.atproto.identity.resolveHandle"
RECORDED_DID = "did:plc:z72i7hdynmk6r22z27h6tvur"  # bluesky/resolveHandle.json


def _settings(base: str) -> str:
    return f"""
[[workspaces]]
slug = "laposte"
name = "La Poste"
[workspaces.brand]
name = "La Poste"
[[workspaces.sources]]
type = "mastodon"
name = "piaille"
instance = "{base}"
[[workspaces.sources]]
type = "bluesky"
name = "bsky"
service = "{base}"
[[workspaces.owned_accounts]]
name = "lyon"
platform = "mastodon"
handle = "laposte_lyon"
source = "piaille"
[[workspaces.owned_accounts]]
name = "lille"
platform = "mastodon"
handle = "laposte_lille"
source = "piaille"
[[workspaces.owned_accounts]]
name = "nice"
platform = "bluesky"
handle = "laposte-nice.bsky.social"
source = "bsky"
"""


def test_the_instance_limit_and_the_dids_are_asked_once(tmp_path: Path) -> None:
    with ReplayServer() as server:
        server.serve(
            "GET", INSTANCE, json={"configuration": {"statuses": {"max_characters": 1000}}}
        )
        server.serve_body(RESOLVE, "bluesky/resolveHandle.json")
        unknown = {"error": "InvalidRequest", "message": "Unable to resolve handle"}
        server.serve("GET", RESOLVE, status=400, json=unknown)
        ws = parse_settings(_settings(server.base_url), "t.toml").workspaces[0]
        lookups = Lookups(ws.sources, ws.owned_accounts)
        text = "x" * 800 + " @bsky.app @inconnu.bsky.social @bsky.app"
        spec = read({"text": text, "accounts": ["lyon", "lille", "nice"],
                     "variants": {"nice": {"text": "@bsky.app @inconnu.bsky.social"}},
                     "at": "2030-01-01T09:00:00Z"}, ws.timezone)  # fmt: skip
        store = Store.open(str(tmp_path / "l.db"))
        outcome = schedule(store, ws, spec, datetime(2029, 1, 1, tzinfo=UTC),
                           resolve=lookups.resolve, limit=lookups.limit)  # fmt: skip
        store.close()
        assert len(server.requests_to(INSTANCE)) == 1  # one instance, two accounts: asked once
        assert len(server.requests_to(RESOLVE)) == 2  # each handle once
    assert outcome.refused == []  # 800 characters: within this instance's 1,000
    nice = next(i for i in outcome.created if i.account == "nice")
    [mention] = nice.extra["facets"]  # the unknown handle stays plain text
    assert mention["features"] == [{"$type": "app.bsky.richtext.facet#mention",
                                    "did": RECORDED_DID}]  # fmt: skip
    assert mention["index"] == {"byteStart": 0, "byteEnd": 9}


def test_a_server_that_does_not_answer_leaves_the_defaults(tmp_path: Path) -> None:
    with ReplayServer() as server:
        base = server.base_url
    ws = parse_settings(_settings(base), "t.toml").workspaces[0]  # the server is gone
    lookups = Lookups(ws.sources, ws.owned_accounts)
    assert lookups.limit(ws.owned_accounts[0]) is None
    assert lookups.resolve("bsky.app") is None
