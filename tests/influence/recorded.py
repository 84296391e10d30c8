"""Recorded posts and profiles with their real follower counts, as posts to store: the tweets
six accounts wrote that a v1.1 search found retweeted (x/search-tweets.v1.1.cassette.json:
BBCRajiniV and KassidyCook1 micro, Stranger_Things and Independent mega, Chelseaaa2710 and
YEPSportsdesk nano), and a Bluesky author's feed (bluesky/getAuthorFeed.json) with the count
of their profile (bluesky/getProfile.json)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from rumeur.config import Workspace, parse_settings
from rumeur.model import Post
from rumeur.sources.bluesky import types as bsky
from rumeur.sources.files.mapping import parse_mapping
from rumeur.sources.files.normalise import RowNormaliser

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures")

# The v1.1 payload's own fields, as an import of tweets as JSON lines would map them.
TWEETS_V1 = """\
name = "tweets-v1"
format = "jsonl"
platform = "x"
[columns]
native_id = "id_str"
text = "text"
created_at = "created_at"
author = "user.screen_name"
author_followers = "user.followers_count"
author_location = "user.location"
likes = "favorite_count"
reposts = "retweet_count"
"""

WORKSPACE = """\
[[workspaces]]
slug = "watch"
name = "Watch"
[workspaces.brand]
name = "Acme"
"""


def fixture(name: str) -> Any:
    path = FIXTURES / name
    if not path.is_file():
        pytest.skip(f"recorded fixture not present: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def workspace(extra: str = "") -> Workspace:
    return parse_settings(WORKSPACE + extra, "test.toml").workspaces[0]


def retweeted() -> list[dict[str, Any]]:
    """The original tweets of the cassette's retweets, one per account."""
    cassette = fixture("x/search-tweets.v1.1.cassette.json")
    found = {}
    for interaction in cassette["interactions"]:
        for status in json.loads(interaction["response"]["body"]["string"])["statuses"]:
            if "retweeted_status" in status:
                tweet = status["retweeted_status"]
                found[tweet["id_str"]] = tweet
    return list(found.values())


def x_posts(brand: str = "Acme") -> list[Post]:
    normalise = RowNormaliser(parse_mapping(TWEETS_V1, "tweets-v1.toml"))
    posts = [normalise(tweet) for tweet in retweeted()]
    for post in posts:
        post.brands = [brand]
    return posts


def feed_posts(brand: str = "Acme") -> tuple[list[Post], dict[str, Any]]:
    """The feed's posts (those of its author and those it reposted), its author's profile
    count given to the posts that are theirs, as a collector that read the profile would."""
    profile = fixture("bluesky/getProfile.json")
    posts = []
    for item in fixture("bluesky/getAuthorFeed.json")["feed"]:
        post = bsky.post_from_feed_item(item)
        if post.author.handle == profile["handle"]:
            post.author.followers = profile["followersCount"]
        post.brands = [brand]
        posts.append(post)
    return posts, profile
