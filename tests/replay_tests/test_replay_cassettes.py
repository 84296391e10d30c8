"""The three cassette formats of shared/fixtures load into one Interaction shape, bodies decoded."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

from replay import FIXTURES, body_file, load_cassette


def test_r_vcr_cassette_bluesky_search() -> None:
    [search] = load_cassette("bluesky/searchPosts.cassette.yml")

    assert search.method == "GET"
    assert search.scheme == "https"
    assert search.host == "bsky.social"
    assert search.path == "/xrpc/app.bsky.feed.searchPosts"
    assert search.query_params == {"q": ["redistricting"]}
    assert search.status == 200
    assert search.header("ratelimit-policy") == "3000;w=300"
    assert search.header("RateLimit-Reset") == "1747676784"
    # Recorded with Content-Encoding: gzip next to a decoded body: the header is dropped.
    assert search.header("content-encoding") is None
    assert search.header("transfer-encoding") is None
    first = search.json()["posts"][0]
    assert first["uri"] == "at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m"
    assert first["author"]["handle"] == "socpaperbot.bsky.social"


def test_vcrpy_cassette_mastodon_tag_timeline() -> None:
    interactions = load_cassette("mastodon/timeline-tag.cassette.yaml")

    assert [(i.method, i.path) for i in interactions] == [
        ("POST", "/api/v1/statuses"),
        ("GET", "/api/v2/instance/"),
        ("GET", "/api/v1/timelines/tag/hoot"),
        ("DELETE", "/api/v1/statuses/117020593741189701"),
    ]
    post, _, timeline, _ = interactions
    assert post.origin == "http://localhost:3000"
    assert post.request_body == b"status=%23hoot+%28hashtag+toot%29"
    assert ("Authorization", "Bearer __MASTODON_PY_TEST_ACCESS_TOKEN_3") in post.request_headers
    assert (post.status, post.reason) == (200, "OK")
    assert post.json()["id"] == "117020593741189701"
    assert post.header("x-ratelimit-reset") == "2026-08-01T15:00:00.916474Z"
    assert post.header("content-length") is None  # the replay server writes its own
    assert timeline.header("link") == (
        '<http://localhost:3000/api/v1/timelines/tag/hoot?max_id=117020593741189701>; rel="next", '
        '<http://localhost:3000/api/v1/timelines/tag/hoot?min_id=117020593741189701>; rel="prev"'
    )
    assert timeline.json()[0]["tags"] == [
        {"name": "hoot", "url": "http://localhost:3000/tags/hoot"}
    ]


def test_betamax_cassette_reddit_subreddit_new() -> None:
    token, listing = load_cassette("reddit/subreddit-new.2020.cassette.json")

    assert (token.method, token.url) == ("POST", "https://www.reddit.com/api/v1/access_token")
    # asyncpraw recorded the form as [name, value] pairs.
    assert token.request_body == b"grant_type=refresh_token&refresh_token=%3CREFRESH_TOKEN%3E"
    assert token.json()["expires_in"] == 3600
    assert listing.host == "oauth.reddit.com"
    assert listing.path == "/r/askreddit/new"
    assert listing.query_params == {"limit": ["100"], "raw_json": ["1"]}
    assert listing.header("x-ratelimit-remaining") == "590.0"
    assert listing.header("x-ratelimit-reset") == "246"
    assert listing.header("x-ratelimit-used") == "10"
    data = listing.json()["data"]
    assert data["dist"] == 100
    assert len(data["children"]) == 100
    assert data["children"][0]["kind"] == "t3"


def test_vcrpy_binary_gzip_body_is_decompressed() -> None:
    raw = (FIXTURES / "x/search-all.v2.cassette.yaml").read_text(encoding="utf-8")
    assert "!!binary" in raw

    [search] = load_cassette("x/search-all.v2.cassette.yaml")

    assert search.body.startswith(b'{"data":[')
    assert search.header("content-encoding") is None
    assert search.json()["data"][0]["id"] == "1578520094778740736"


def test_betamax_base64_body_and_declared_encoding(tmp_path: Path) -> None:
    latin1 = "Événements à Besançon".encode("latin-1")
    cassette = {
        "interactions": [
            {
                "request": {"method": "get", "uri": "https://example.org/a?x=1", "headers": {}},
                "response": {
                    "status": {"code": 200, "message": "OK"},
                    "headers": {"Content-Encoding": ["gzip"], "Content-Type": ["text/plain"]},
                    "body": {"base64_string": base64.b64encode(gzip.compress(latin1)).decode()},
                },
            },
            {
                "request": {"method": "GET", "uri": "https://example.org/b", "headers": {}},
                "response": {
                    "status": {"code": 404, "message": "Not Found"},
                    "headers": {"Content-Type": "text/plain; charset=ISO-8859-1"},
                    "body": {"encoding": "ISO-8859-1", "string": "Événements"},
                },
            },
        ],
        "recorded_with": "betamax/0.8.1",
    }
    path = tmp_path / "made.cassette.json"
    path.write_text(json.dumps(cassette), encoding="utf-8")

    first, second = load_cassette(path)

    assert first.method == "GET"
    assert first.body == latin1
    assert first.headers == [("Content-Type", "text/plain")]
    assert (second.status, second.reason) == (404, "Not Found")
    assert second.body == "Événements".encode("latin-1")


def test_body_file_is_byte_for_byte() -> None:
    data = body_file("rss/golem-de.iso-8859-1.rss2.xml")

    assert data == (FIXTURES / "rss/golem-de.iso-8859-1.rss2.xml").read_bytes()
    assert b'encoding="ISO-8859-1"' in data or b"encoding='ISO-8859-1'" in data
