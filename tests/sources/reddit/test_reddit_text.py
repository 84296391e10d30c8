"""Reddit's markdown read as Reddit shows it: its references decoded once (the JSON, fetched with
`raw_json=1`, adds none), and its links cut where the markdown closes them."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from rumeur.sources.reddit import types as reddit

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures") / "reddit"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="recorded fixtures not present")


def things(name: str, index: int) -> dict[str, dict[str, Any]]:
    """Every thing of a Betamax cassette's `index`-th answer, by fullname."""
    cassette = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    found: dict[str, dict[str, Any]] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            data = value.get("data")
            if value.get("kind") in ("t1", "t3") and isinstance(data, dict):
                found[str(data.get("name"))] = value
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(json.loads(cassette["interactions"][index]["response"]["body"]["string"]))
    return found


def test_markdown_links_stop_at_their_closing_bracket() -> None:
    glasses = reddit.post_from_thing(things("user-overview.2026.cassette.json", 1)["t1_go1ixbd"])
    assert "[this glass](https://i.redd.it/fss85dsnlhi61.jpg)," in glasses.text
    assert glasses.links == [
        "https://i.redd.it/fss85dsnlhi61.jpg",
        "https://i.redd.it/p35wswrhohi61.jpg",
    ]
    rule = things("subreddit-comments-stream.before-cursor.2021.cassette.json", 1)["t1_hjlzvh6"]
    assert reddit.post_from_thing(rule).links == [
        "https://www.reddit.com/r/AskReddit/wiki/index#wiki_-rule_6-"
    ]


def test_a_query_string_s_ampersands_are_no_references() -> None:
    # Fetched with raw_json=1: "&t=241" is the address as written, and stays so.
    europe = reddit.post_from_thing(things("search-r-all.2016.cassette.json", 1)["t3_3gpbiu"])
    assert "https://www.youtube.com/watch?v=0N0rplcH32g&t=241" in europe.links
    assert "watch?v=0N0rplcH32g&t=241" in europe.text


def test_the_markdown_s_references_are_decoded_once() -> None:
    comment = copy.deepcopy(things("user-overview.2026.cassette.json", 1)["t1_go1ixbd"])
    comment["data"]["body"] = "Q&amp;A: write &amp;amp; to show &amp; &lt;3"
    assert reddit.post_from_thing(comment).text == "Q&A: write &amp; to show & <3"
    submission = copy.deepcopy(things("search-r-all.2016.cassette.json", 1)["t3_3gpbiu"])
    submission["data"]["title"] = "Tom &amp; Jerry"
    submission["data"]["selftext"] = "&#x200B;\n\nR&amp;D"
    post = reddit.post_from_thing(submission)
    assert post.title == "Tom & Jerry"
    assert post.text == "Tom & Jerry\n\n\u200b\n\nR&D"
