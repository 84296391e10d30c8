"""The replay server: recorded bytes out, faults on demand, every request logged, nothing leaked."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from replay import Event, ReplayServer, load_cassette

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
STATUSES = "/api/v1/accounts/117020565966271181/statuses"

# Each network's own rate-limit headers, as their servers send them on a 429.
RATE_LIMITS = {
    "bluesky": {
        "RateLimit-Limit": "3000",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "1747676784",  # epoch seconds
        "RateLimit-Policy": "3000;w=300",
    },
    "mastodon": {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "2026-08-01T15:00:00.916474Z",  # an ISO 8601 time
    },
    "reddit": {
        "x-ratelimit-used": "600",
        "x-ratelimit-remaining": "0.0",  # a float
        "x-ratelimit-reset": "246",  # seconds from now
    },
}


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


@pytest.fixture
def client(server: ReplayServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, timeout=5) as http:
        yield http


def test_cassette_is_served_byte_for_byte(server: ReplayServer, client: httpx.Client) -> None:
    [recorded] = server.serve_cassette("bluesky/searchPosts.cassette.yml")

    response = client.get(SEARCH, params={"q": "redistricting"}, headers={"User-Agent": "rumeur"})

    assert response.status_code == 200
    assert response.content == recorded.body
    assert response.headers["ratelimit-remaining"] == "2983"
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert "content-encoding" not in response.headers
    assert response.headers["content-length"] == str(len(recorded.body))
    [sent] = server.requests
    assert (sent.method, sent.path, sent.query) == ("GET", SEARCH, {"q": ["redistricting"]})
    assert sent.param("q") == "redistricting"
    assert sent.headers["user-agent"] == "rumeur"
    assert sent.status == 200


def test_repeated_route_is_served_in_recorded_order(
    server: ReplayServer, client: httpx.Client
) -> None:
    recorded = server.serve_cassette("mastodon/pagination-link-header.cassette.yaml")
    expected = [i.json()["id"] for i in recorded if i.method == "POST"]

    served = [client.post("/api/v1/statuses", data={"status": "x"}).json()["id"] for _ in range(11)]

    assert len(expected) == 10
    assert served == [*expected, expected[-1]]  # the last reply repeats once all are used
    assert server.requests[0].form() == {"status": ["x"]}


def test_queued_replies_then_last_repeats(server: ReplayServer, client: httpx.Client) -> None:
    server.serve("GET", "/feed", json={"page": 1})
    server.serve("GET", "/feed", json={"page": 2})

    pages = [client.get("/feed").json()["page"] for _ in range(3)]

    assert pages == [1, 2, 2]


def test_query_picks_the_recorded_page_and_links_come_back_here(
    server: ReplayServer, client: httpx.Client
) -> None:
    server.serve_cassette("mastodon/pagination-next-previous.cassette.yaml")

    first = client.get(STATUSES, params={"limit": 5})
    following = client.get(first.links["next"]["url"])
    back = client.get(following.links["prev"]["url"])

    assert (
        first.links["next"]["url"]
        == f"{server.base_url}{STATUSES}?limit=5&max_id=117020580489281910"
    )
    assert next(s["id"] for s in following.json()) == "117020580481736214"
    assert back.json() == first.json()
    assert [r.param("max_id") for r in server.requests] == [None, "117020580489281910", None]


def test_query_spec_is_matched_most_specific_first(
    server: ReplayServer, client: httpx.Client
) -> None:
    server.serve("GET", "/r/askreddit/comments/", json={"page": "first"}, query={"limit": "100"})
    server.serve(
        "GET",
        "/r/askreddit/comments/",
        json={"page": "older"},
        query={"limit": "100", "before": "t1_hjlzwfl"},
    )

    newest = client.get("/r/askreddit/comments/", params={"limit": 100, "raw_json": 1})
    older = client.get("/r/askreddit/comments/", params={"limit": 100, "before": "t1_hjlzwfl"})

    assert (newest.json()["page"], older.json()["page"]) == ("first", "older")


@pytest.mark.parametrize("network", sorted(RATE_LIMITS))
def test_429_with_the_network_headers_then_recovery(
    server: ReplayServer, client: httpx.Client, network: str
) -> None:
    server.serve("GET", "/api", json={"ok": True})
    server.fail_next("GET /api", 429, headers=RATE_LIMITS[network])

    limited = client.get("/api")
    recovered = client.get("/api")

    assert limited.status_code == 429
    for name, value in RATE_LIMITS[network].items():
        assert limited.headers[name] == value
    assert recovered.status_code == 200
    assert recovered.json() == {"ok": True}
    assert [(r.status, r.fault) for r in server.requests] == [(429, "status 429"), (200, None)]


def test_5xx_twice_does_not_use_up_the_reply(server: ReplayServer, client: httpx.Client) -> None:
    server.serve("GET", "/one", json=1)
    server.serve("GET", "/one", json=2)
    server.fail_next("/one", 503, body=b"upstream failure", headers={"Retry-After": "1"}, times=2)

    statuses = [client.get("/one") for _ in range(4)]

    assert [r.status_code for r in statuses] == [503, 503, 200, 200]
    assert statuses[0].text == "upstream failure"
    assert statuses[0].headers["retry-after"] == "1"
    assert [r.json() for r in statuses[2:]] == [1, 2]


def test_delay_makes_the_client_time_out_then_the_reply_is_still_there(
    server: ReplayServer,
) -> None:
    server.serve("GET", "/slow", json={"page": 1})
    server.serve("GET", "/slow", json={"page": 2})
    server.fail_next("/slow", delay=5.0)

    started = time.monotonic()
    with httpx.Client(base_url=server.base_url, timeout=0.2) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            impatient.get("/slow")
        time.sleep(0.1)  # let the server see the hang-up
        assert impatient.get("/slow").json() == {"page": 1}

    assert time.monotonic() - started < 2.0
    assert [(r.status, r.fault) for r in server.requests] == [(None, "delay"), (200, None)]


def test_short_delay_still_delivers(server: ReplayServer, client: httpx.Client) -> None:
    server.serve("GET", "/slow", json={"page": 1})
    server.serve("GET", "/slow", json={"page": 2})
    server.fail_next("/slow", delay=0.05)

    assert [client.get("/slow").json()["page"] for _ in range(2)] == [1, 2]


def test_connection_reset_and_close(server: ReplayServer, client: httpx.Client) -> None:
    server.serve("GET", "/x", json={"ok": True})
    server.fail_next("/x", disconnect="reset")
    server.fail_next("/x", disconnect="close")

    with pytest.raises(httpx.ReadError):
        client.get("/x")
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/x")
    assert client.get("/x").json() == {"ok": True}


def test_malformed_body_then_the_whole_one(server: ReplayServer, client: httpx.Client) -> None:
    [recorded] = server.serve_cassette("bluesky/searchPosts.cassette.yml")
    server.fail_next(SEARCH, malformed=True)
    server.fail_next(SEARCH, malformed=b'{"posts": [{"uri": ')

    halves = [client.get(SEARCH, params={"q": "redistricting"}) for _ in range(2)]
    whole = client.get(SEARCH, params={"q": "redistricting"})

    assert halves[0].status_code == 200
    assert halves[0].content == recorded.body[: len(recorded.body) // 2]
    assert halves[1].content == b'{"posts": [{"uri": '
    for half in halves:
        with pytest.raises(json.JSONDecodeError):
            half.json()
    assert whole.content == recorded.body


def test_conditional_get_answers_304(server: ReplayServer, client: httpx.Client) -> None:
    modified = "Sat, 04 Jul 2026 14:39:14 GMT"
    feed = "rss/reporterre.fr.rss2.xml"
    for _ in range(4):  # the feed as four polls find it, unchanged
        server.serve_body("/rss", feed, "application/rss+xml", etag='"v1"', last_modified=modified)
    server.serve_body("/rss", "rss/bbc-news.rss2.xml", etag='"v2"')  # then changed

    first = client.get("/rss")
    same_tag = client.get("/rss", headers={"If-None-Match": 'W/"v1"'})
    same_date = client.get("/rss", headers={"If-Modified-Since": modified})
    older_date = client.get("/rss", headers={"If-Modified-Since": "Fri, 03 Jul 2026 00:00:00 GMT"})
    changed = client.get("/rss", headers={"If-None-Match": '"v1"'})
    unchanged = client.get("/rss", headers={"If-None-Match": '"v2"'})

    assert first.status_code == 200
    assert first.headers["etag"] == '"v1"'
    assert first.headers["last-modified"] == modified
    assert first.headers["content-type"] == "application/rss+xml"
    assert first.content.startswith(b"<?xml")
    assert (same_tag.status_code, same_tag.content) == (304, b"")
    assert same_date.status_code == 304
    assert older_date.status_code == 200
    assert older_date.content == first.content
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"v2"'
    assert changed.headers["content-type"] == "application/xml"
    assert unchanged.status_code == 304


def _read_sse(response: httpx.Response, until: int) -> list[str]:
    lines: list[str] = []
    for line in response.iter_lines():
        lines.append(line)
        if len(lines) >= until:
            break
    return lines


def test_server_sent_events_with_heartbeats(server: ReplayServer, client: httpx.Client) -> None:
    update = json.dumps({"id": "117024236332527350", "content": "<p>hoot</p>"})
    server.serve_events(
        "/api/v1/streaming/hashtag",
        [("update", update), Event("117024236332527350", event="delete")],
        heartbeat=0.02,
    )

    with client.stream("GET", "/api/v1/streaming/hashtag", params={"tag": "hoot"}) as response:
        lines = _read_sse(response, until=9)
        content_type = response.headers["content-type"]

    assert content_type == "text/event-stream"
    assert lines[:7] == [
        ":)",
        "event: update",
        f"data: {update}",
        "",
        "event: delete",
        "data: 117024236332527350",
        "",
    ]
    assert lines[7:] == [":thump", ":thump"]
    assert server.requests[0].query == {"tag": ["hoot"]}


def test_server_sent_events_dropped_after_k(server: ReplayServer, client: httpx.Client) -> None:
    events = [("update", json.dumps({"id": str(n)})) for n in range(5)]
    server.serve_events("/api/v1/streaming/public", events, drop_after=2)
    server.serve_events("/api/v1/streaming/public", events[2:], keep_open=False)

    received: list[str] = []
    # The chunked body never ends: the client reads the connection's end as an error.
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("GET", "/api/v1/streaming/public") as response,
    ):
        received.extend(line for line in response.iter_lines() if line.startswith("data:"))
    with client.stream("GET", "/api/v1/streaming/public") as response:
        received.extend(line for line in response.iter_lines() if line.startswith("data:"))

    assert [json.loads(line.removeprefix("data: "))["id"] for line in received] == [
        "0",
        "1",
        "2",
        "3",
        "4",
    ]


def test_unknown_route_is_a_404_that_names_the_known_ones(
    server: ReplayServer, client: httpx.Client
) -> None:
    server.serve("GET", "/known", body="x")

    response = client.get("/unknown", params={"a": "1"})

    assert response.status_code == 404
    assert response.json()["known"] == ["GET /known"]
    assert [r.path for r in server.unmatched] == ["/unknown"]


def test_cassette_interactions_can_be_served_after_loading() -> None:
    interactions = load_cassette("reddit/subreddit-new.2020.cassette.json")
    with ReplayServer() as replay, httpx.Client(base_url=replay.base_url) as http:
        replay.serve_cassette(interactions)
        token = http.post("/api/v1/access_token", data={"grant_type": "refresh_token"})
        listing = http.get("/r/askreddit/new", params={"limit": 100, "raw_json": 1})

    assert token.json()["token_type"] == "bearer"
    assert listing.headers["x-ratelimit-remaining"] == "590.0"
    assert listing.content == interactions[1].body


def test_wait_for_requests_from_another_thread(server: ReplayServer) -> None:
    server.serve("GET", "/later", json={})
    thread = threading.Thread(target=_get_quietly, args=(server.url("/later"),))
    thread.start()

    [arrived] = server.wait_for_requests(1, timeout=5)
    thread.join()

    assert arrived.path == "/later"
    with pytest.raises(TimeoutError):
        server.wait_for_requests(2, timeout=0.05)


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_stop_is_prompt_and_leaves_nothing_behind() -> None:
    threads_before = set(threading.enumerate())
    fds_before = _open_fds()
    started = time.monotonic()

    with ReplayServer() as replay:
        replay.serve("GET", "/x", json={})
        replay.serve_events("/stream", [("update", "{}")], heartbeat=10.0)
        replay.fail_next("/slow", delay=30.0)
        replay.serve("GET", "/slow", json={})
        base = replay.base_url
        idle = httpx.Client(base_url=base)
        idle.get("/x")  # a keep-alive connection left open
        listening = httpx.Client(base_url=base)
        streaming = listening.stream("GET", "/stream")
        next(streaming.__enter__().iter_lines())
        stalled = threading.Thread(target=_get_quietly, args=(base + "/slow",))
        stalled.start()
        time.sleep(0.1)

    elapsed = time.monotonic() - started
    streaming.__exit__(None, None, None)
    listening.close()
    idle.close()
    stalled.join(timeout=5)

    assert elapsed < 2.0
    assert not stalled.is_alive()
    assert set(threading.enumerate()) == threads_before
    assert _open_fds() == fds_before
    with pytest.raises(httpx.ConnectError), httpx.Client() as late:
        late.get(base + "/x")


def _get_quietly(url: str) -> None:
    try:
        with httpx.Client(timeout=10) as http:
            http.get(url)
    except httpx.HTTPError:
        pass
