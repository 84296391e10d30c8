"""The Jetstream replay: every event once in time_us order, cursor resume, filters, drops."""

from __future__ import annotations

import json
import threading
import time

import pytest
from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK
from websockets.sync.client import connect

from replay import FIXTURES, ReplayWebsocket

JETSTREAM = "bluesky/jetstream-v1.152-events.jsonl"


def _receive_all(url: str) -> list[dict]:
    """Every message until the server closes or cuts the connection."""
    received: list[dict] = []
    with connect(url, close_timeout=1, ping_interval=None) as ws:
        try:
            while True:
                received.append(json.loads(ws.recv(timeout=5)))
        except (ConnectionClosedOK, ConnectionClosedError):
            pass
    return received


def _receive(url: str, count: int) -> list[dict]:
    with connect(url, close_timeout=1, ping_interval=None) as ws:
        return [json.loads(ws.recv(timeout=5)) for _ in range(count)]


def test_replays_every_event_in_time_order() -> None:
    lines = (FIXTURES / JETSTREAM).read_text(encoding="utf-8").splitlines()

    with ReplayWebsocket(JETSTREAM, close_at_end=True) as jetstream:
        events = _receive_all(jetstream.url + "?wantedCollections=")
        [seen] = jetstream.connections

    times = [e["time_us"] for e in events]
    assert len(events) == len(lines) == 152
    assert times == sorted(times)
    assert {json.dumps(e, sort_keys=True) for e in events} == {
        json.dumps(json.loads(line), sort_keys=True) for line in lines
    }
    assert (seen.path, seen.sent, seen.dropped) == ("/subscribe", 152, False)


def test_drop_after_then_resume_from_the_cursor() -> None:
    with ReplayWebsocket(JETSTREAM, drop_after=40, close_at_end=True) as jetstream:
        first = _receive_all(jetstream.url)
        cursor = first[-1]["time_us"]
        rest = _receive_all(f"{jetstream.url}?cursor={cursor}")
        connections = jetstream.connections

    assert len(first) == 40
    # Jetstream's cursor is inclusive: the last event processed comes again.
    assert rest[0] == first[-1]
    assert len(first) + len(rest) - 1 == 152
    assert [(c.sent, c.dropped, c.param("cursor")) for c in connections] == [
        (40, True, None),
        (113, False, str(cursor)),
    ]


def test_drop_is_abrupt_with_no_close_frame() -> None:
    with ReplayWebsocket(JETSTREAM, drop_after=3) as jetstream:
        with connect(jetstream.url, close_timeout=1, ping_interval=None) as ws:
            for _ in range(3):
                ws.recv(timeout=5)
            with pytest.raises(ConnectionClosedError) as closed:
                ws.recv(timeout=5)
        # Only the first connection is dropped (drop_times=1): the next gets everything.
        assert len(_receive(jetstream.url, 152)) == 152

    assert closed.value.rcvd is None  # no close frame: what a crash or a network cut looks like


def test_wanted_collections_keep_identity_and_account_events() -> None:
    with ReplayWebsocket(JETSTREAM, close_at_end=True) as jetstream:
        posts = _receive_all(jetstream.url + "?wantedCollections=app.bsky.feed.post")
        graph = _receive_all(
            jetstream.url
            + "?wantedCollections=app.bsky.graph.*&wantedCollections=app.bsky.feed.repost"
        )
        connections = jetstream.connections

    assert sorted({e["kind"] for e in posts}) == ["account", "commit", "identity"]
    assert {e["commit"]["collection"] for e in posts if e["kind"] == "commit"} == {
        "app.bsky.feed.post"
    }
    assert len(posts) == 18 + 2
    collections = {e["commit"]["collection"] for e in graph if e["kind"] == "commit"}
    assert collections == {"app.bsky.graph.follow", "app.bsky.graph.block", "app.bsky.feed.repost"}
    assert len(graph) == 9 + 1 + 15 + 2
    assert connections[1].query["wantedCollections"] == ["app.bsky.graph.*", "app.bsky.feed.repost"]


def test_cursor_past_the_end_sends_nothing_and_stays_open() -> None:
    with ReplayWebsocket(JETSTREAM) as jetstream:
        with connect(
            f"{jetstream.url}?cursor=9999999999999999", close_timeout=1, ping_interval=None
        ) as ws:
            with pytest.raises(TimeoutError):
                ws.recv(timeout=0.1)
            ws.send('{"type":"options_update"}')
            time.sleep(0.05)
        [seen] = jetstream.connections

    assert seen.sent == 0
    assert seen.received == ['{"type":"options_update"}']


def test_rate_paces_the_messages() -> None:
    events = [{"did": "did:plc:x", "time_us": n, "kind": "identity"} for n in range(1, 6)]

    with ReplayWebsocket(events, rate=100, close_at_end=True) as jetstream:
        started = time.monotonic()
        received = _receive_all(jetstream.url)
        elapsed = time.monotonic() - started

    assert [e["time_us"] for e in received] == [1, 2, 3, 4, 5]
    assert elapsed >= 0.04


def test_stop_closes_live_clients_and_leaves_no_thread() -> None:
    threads_before = set(threading.enumerate())

    jetstream = ReplayWebsocket(JETSTREAM).start()
    with connect(jetstream.url, close_timeout=1, ping_interval=None) as ws:
        assert len([ws.recv(timeout=5) for _ in range(152)]) == 152
        started = time.monotonic()
        jetstream.stop()
        with pytest.raises(ConnectionClosedOK) as closed:
            ws.recv(timeout=5)

    assert time.monotonic() - started < 2.0
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001  # going away
    assert set(threading.enumerate()) == threads_before
