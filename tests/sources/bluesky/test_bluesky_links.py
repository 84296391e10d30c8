"""Bluesky's links are the addresses of its link facets, whole and trimmed, and its text is kept
as the author typed it (Bluesky stores plain text: there is nothing to decode)."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from rumeur.sources.bluesky import types as bsky

REPO = Path(__file__).resolve().parents[3]
FIXTURES = (
    Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures") / "bluesky"
)

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="recorded fixtures not present")


def body(name: str) -> dict[str, Any]:
    """The JSON body of an R vcr cassette's first interaction."""
    cassette = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    return json.loads(cassette["http_interactions"][0]["response"]["body"]["string"])


def by_uri(views: list[dict[str, Any]], rkey: str) -> dict[str, Any]:
    return next(v for v in views if v["uri"].endswith(rkey))


def feed_post(rkey: str) -> dict[str, Any]:
    feed = body("getAuthorFeed.cassette.yml")["feed"]
    return by_uri([item["post"] for item in feed], rkey)


def test_a_link_the_text_cuts_short_is_stored_whole() -> None:
    view = feed_post("3lc5da4a45c2c")
    post = bsky.post_from_view(view)
    assert post.text.endswith("(github.com/christopherk...)")  # what the reader sees
    assert post.links == ["https://github.com/christopherkenny/bskyr/issues/11"]


def test_a_facet_that_kept_the_closing_quote_is_trimmed() -> None:
    # The author's client made a facet of "christophertkenny.com/bskyr/'" (the quote of
    # `bs_post('…')` taken into the address).
    view = feed_post("3lc5d6zspys2c")
    uris = [f["uri"] for x in view["record"]["facets"] for f in x["features"] if "uri" in f]
    assert "https://christophertkenny.com/bskyr/'" in uris
    assert bsky.post_from_view(view).links == [
        "https://christophertkenny.com/bskyr/",
        "https://bsky.app/profile/bskyr.bsky.social/post/3lc5c5qv72r2w",
    ]


def test_the_search_result_s_youtube_link_comes_from_its_facet() -> None:
    view = by_uri(body("searchPosts.cassette.yml")["posts"], "3lpitwqgtn22a")
    post = bsky.post_from_view(view)
    assert "youtu.be/CSdW5ZnI_K4?..." in post.text
    assert post.links == ["https://youtu.be/CSdW5ZnI_K4?si=XaQ5UWJl_AdPvIl7"]


def test_the_text_is_not_decoded() -> None:
    # Bluesky's text is plain: "&amp;" in a record is what its author typed, and stays.
    view = copy.deepcopy(feed_post("3lc5da4a45c2c"))
    view["record"]["text"] = "Q&amp;A tonight & tomorrow"
    view["record"]["facets"] = []
    assert bsky.post_from_view(view).text == "Q&amp;A tonight & tomorrow"
