"""Bluesky threads (`threads`) through the replay server: every post of a thread stored with its
reply links, read again on each pass for new replies, bsky.app addresses resolved, a thread that
is gone reported once without stopping the others, malformed references refused at load."""

from __future__ import annotations

import copy
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from bluesky_replay import settings, write_workspace
from sqlalchemy import select

from fake_time import FakeTime
from replay import FIXTURES, ReplayServer, load_cassette
from rumeur.config import parse_settings
from rumeur.errors import ConfigError
from rumeur.pipeline.runner import RunReport, run
from rumeur.settings.sources import BlueskySettings
from rumeur.sources.bluesky.source import build
from rumeur.store import Store
from rumeur.store.schema import posts, rejected

THREAD = "/xrpc/app.bsky.feed.getPostThread"
RESOLVE = "/xrpc/com.atproto.identity.resolveHandle"
KEY = "laposte:bluesky:laposte"


def recorded(name: str) -> dict[str, Any]:
    """The `thread` of a recorded getPostThread answer."""
    if name.endswith(".yml"):
        return load_cassette(f"bluesky/{name}")[0].json()["thread"]
    return json.loads((FIXTURES / "bluesky" / name).read_text(encoding="utf-8"))["thread"]


def collect(tmp_path: Path, server: ReplayServer, threads: list[str], **changes: Any) -> RunReport:
    """One pass over `threads` into the store at tmp_path/x.db."""
    ws = parse_settings(write_workspace(tmp_path, server).read_text(), "test").workspace()
    source = build(settings(server, search=[], threads=threads, **changes), FakeTime().context())
    store = Store.open(str(tmp_path / "x.db"))
    try:
        return run(source, store, ws, batch_size=20)
    finally:
        store.close()


def stored(tmp_path: Path) -> tuple[dict[str, str | None], Any]:
    """Stored posts (native_id -> reply_to) and the source's cursor."""
    store = Store.open(str(tmp_path / "x.db"))
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(posts.c.native_id, posts.c.reply_to)).all()
        return dict(rows), store.cursor(KEY)
    finally:
        store.close()


def test_every_post_of_a_thread_is_stored_with_its_reply_link(tmp_path: Path) -> None:
    thread = recorded("getPostThread.large.json")
    uri = thread["post"]["uri"]
    with ReplayServer() as server:
        server.serve("GET", THREAD, json={"thread": thread}, query={"uri": uri})
        report = collect(tmp_path, server, [uri])
    found, cursor = stored(tmp_path)
    # The parents up to a blocked one, the post itself, and every reply below it.
    assert report.written.inserted == len(found) == 58 and report.read == 58
    parents, node = [], thread.get("parent")
    while node and "post" in node:
        parents.append(node["post"]["uri"])
        node = node.get("parent")
    assert node["$type"].endswith("#blockedPost")
    assert set(parents) | {uri} <= set(found)
    assert found[uri] == parents[0]
    assert all(found[child] == parent for child, parent in pairwise(parents))
    for reply in thread["replies"]:
        assert found[reply["post"]["uri"]] == uri
    (asked,) = server.requests_to(THREAD)
    assert asked.query == {"uri": [uri], "depth": ["10"], "parentHeight": ["10"]}
    assert set(cursor["threads"][uri]) == {"uri", "read"} and cursor["threads"][uri]["uri"] == uri


def with_reply(thread: dict[str, Any], likes: int) -> dict[str, Any]:
    """The recorded thread with one reply more, and `likes` on its post."""
    later = copy.deepcopy(thread)
    later["post"]["likeCount"] = likes
    reply = copy.deepcopy(thread["post"])
    reply["uri"] = thread["post"]["uri"][:-4] + "zzzz"
    reply["indexedAt"] = "2025-05-21T08:00:00.000Z"
    root = {"uri": thread["post"]["uri"], "cid": thread["post"]["cid"]}
    reply["record"] = {**reply["record"], "text": "Et la suite ?", "reply": {"root": root,
        "parent": root}}  # fmt: skip
    later["replies"] = [*thread.get("replies", []), {"post": reply, "replies": []}]
    return later


def test_each_pass_reads_the_thread_again_and_stores_only_its_new_replies(
    tmp_path: Path,
) -> None:
    thread = recorded("getPostThread.embed-images.json")
    uri = thread["post"]["uri"]
    later = with_reply(thread, likes=thread["post"]["likeCount"] + 5)
    with ReplayServer() as server:
        server.serve("GET", THREAD, json={"thread": thread})
        server.serve("GET", THREAD, json={"thread": later})
        first = collect(tmp_path, server, [uri])
        _, cursor = stored(tmp_path)
        second = collect(tmp_path, server, [uri])
    assert first.written.inserted == 1 and not thread.get("replies")
    assert second.read == 2 and second.written.inserted == 1 and second.written.updated == 1
    found, after = stored(tmp_path)
    assert found == {uri: None, later["replies"][-1]["post"]["uri"]: uri}
    assert after["threads"][uri]["read"] >= cursor["threads"][uri]["read"]
    assert len(server.requests_to(THREAD)) == 2


def test_a_bsky_app_address_is_resolved_once_to_the_post_uri(tmp_path: Path) -> None:
    thread = recorded("getPostThread.cassette.yml")
    uri, handle = thread["post"]["uri"], thread["post"]["author"]["handle"]
    did, rkey = uri.removeprefix("at://").split("/")[0], uri.rsplit("/", 1)[1]
    url = f"https://bsky.app/profile/{handle}/post/{rkey}"
    by_did = f"https://bsky.app/profile/{did}/post/{rkey}"
    with ReplayServer() as server:
        server.serve("GET", RESOLVE, json={"did": did}, query={"handle": handle})
        server.serve("GET", THREAD, json={"thread": thread}, query={"uri": uri})
        first = collect(tmp_path, server, [url, by_did])
        second = collect(tmp_path, server, [url, by_did])
    assert first.written.inserted == 1 and second.written.inserted == 0
    assert [r.param("uri") for r in server.requests_to(THREAD)] == [uri] * 4
    (resolved,) = server.requests_to(RESOLVE)  # the DID is kept in the cursor
    assert resolved.param("handle") == handle
    _, cursor = stored(tmp_path)
    assert cursor["threads"][url]["uri"] == cursor["threads"][by_did]["uri"] == uri


def test_a_thread_that_is_gone_is_rejected_once_and_the_others_are_read(tmp_path: Path) -> None:
    thread = recorded("getPostThread.embed-images.json")
    uri = thread["post"]["uri"]
    missing = uri[:-4] + "gone"
    blocked = uri[:-4] + "bloc"
    blocked_node = {"$type": "app.bsky.feed.defs#blockedPost", "uri": blocked, "blocked": True,
        "author": {"did": "did:plc:x"}}  # fmt: skip
    not_found = {"error": "NotFound", "message": f"Post not found: {missing}"}
    with ReplayServer() as server:
        server.serve("GET", THREAD, status=400, json=not_found, query={"uri": missing})
        server.serve("GET", THREAD, json={"thread": blocked_node}, query={"uri": blocked})
        server.serve("GET", THREAD, json={"thread": thread}, query={"uri": uri})
        first = collect(tmp_path, server, [missing, blocked, uri])
        second = collect(tmp_path, server, [missing, blocked, uri])
    assert first.written.inserted == 1
    assert [(r.field, r.raw) for r in first.rejects] == [("thread", missing), ("thread", blocked)]
    assert "NotFound" in first.rejects[0].reason and "blocked" in first.rejects[1].reason
    assert second.rejects == [] and len(server.requests_to(THREAD)) == 6  # asked again, quietly
    found, cursor = stored(tmp_path)
    assert set(found) == {uri}
    assert (
        set(cursor["threads"][missing]) == {"gone", "uri"}
        and "read" not in cursor["threads"][blocked]
    )
    store = Store.open(str(tmp_path / "x.db"))
    try:
        with store.engine.connect() as conn:
            assert len(conn.execute(select(rejected)).all()) == 2
    finally:
        store.close()


@pytest.mark.parametrize(
    "ref",
    [
        "https://bsky.app/profile/laposte.fr/post/",
        "https://bsky.app/profile/laposte/post/3k7qmjev5lr2s",
        "at://did:plc:abc/app.bsky.feed.like/3k7qmjev5lr2s",
        "https://x.com/laposte/status/1",
        "3k7qmjev5lr2s",
    ],
)
def test_a_malformed_thread_is_refused_when_the_file_loads(ref: str) -> None:
    text = f"""
[[workspaces]]
slug = "laposte"
name = "La Poste"
[workspaces.brand]
name = "La Poste"
[[workspaces.sources]]
type = "bluesky"
name = "laposte"
threads = ["at://did:plc:abc/app.bsky.feed.post/3k7qmjev5lr2s", "{ref}"]
"""
    with pytest.raises(ConfigError) as refused:
        parse_settings(text, "rumeur.toml")
    message = str(refused.value)
    assert "\n" not in message and "threads[1]" in message and "not a post" in message


def test_post_uris_and_addresses_by_handle_or_did_are_accepted() -> None:
    refs = [
        "at://did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/app.bsky.feed.post/3k7qmjev5lr2s",
        "at://laposte.fr/app.bsky.feed.post/3k7qmjev5lr2s",
        "https://bsky.app/profile/laposte.bsky.social/post/3k7qmjev5lr2s",
        "https://bsky.app/profile/did:plc:ic6zqvuw5ulmfpjiwnhsr2ns/post/3k7qmjev5lr2s/",
    ]
    assert BlueskySettings(type="bluesky", name="laposte", threads=refs).threads == refs
