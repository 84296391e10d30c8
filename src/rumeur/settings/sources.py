"""How a workspace declares the network sources it collects from (`[[workspaces.sources]]`).

Credentials are never written in the file nor given on the command line: each is read from an
environment variable (`*_env`) or a file (`*_file`, e.g. a mounted secret) when collection
starts. Every source has a base URL, which tests point at a local server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from rumeur.settings.secrets import read_secret

Name = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,62}$")]
EnvName = Annotated[str, Field(pattern=r"^[A-Z_][A-Z0-9_]*$")]
Url = Annotated[str, Field(pattern=r"^https?://\S+$")]

# A Bluesky post: its at:// URI or its address on bsky.app, by DID or by handle.
_ACTOR = r"(did:[a-z]+:[A-Za-z0-9._:%-]+|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
_RKEY = r"([A-Za-z0-9._:~-]{1,512})"
_POST_URI = re.compile(rf"at://{_ACTOR}/app\.bsky\.feed\.post/{_RKEY}")
_POST_URL = re.compile(rf"https://bsky\.app/profile/{_ACTOR}/post/{_RKEY}/?")


def bluesky_post(value: str) -> tuple[str, str]:
    """A thread's post, URI or bsky.app address, as (DID or handle, record key); ValueError if
    it is neither."""
    found = _POST_URI.fullmatch(value) or _POST_URL.fullmatch(value)
    if found is None or found.group(2) in (".", ".."):
        raise ValueError(
            "not a post: give at://<did>/app.bsky.feed.post/<rkey> or "
            "https://bsky.app/profile/<handle>/post/<rkey>"
        )
    return found.group(1), found.group(2)


def _post_ref(value: str) -> str:
    bluesky_post(value)
    return value


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name
    every: Annotated[int, Field(ge=10)] = 300  # seconds between polls with --follow


class RssSettings(_Source):
    # A feed changes a few times an hour at most: poll every few minutes (`every` >= 300), not
    # faster; a 304 costs little, but a site that sees a reader too often blocks it.
    type: Literal["rss"]
    url: Url
    username: str | None = None  # HTTP basic auth, for a private forum's or intranet's feed
    password_env: EnvName | None = None
    password_file: Path | None = None


class MastodonSettings(_Source):
    type: Literal["mastodon"]
    instance: Url
    tags: list[str] = Field(default_factory=list)
    search: list[str] = Field(default_factory=list)
    public: bool = False  # the instance's public (federated) timeline
    stream: bool = False  # with --follow, the streaming API instead of polling
    token_env: EnvName | None = None  # an OAuth token: notifications and conversations
    token_file: Path | None = None
    # Statuses read back per timeline on a first run, before only newer ones are read.
    backfill: Annotated[int, Field(ge=0)] = 200


class BlueskySettings(_Source):
    type: Literal["bluesky"]
    service: Url = "https://public.api.bsky.app"
    search: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    # Threads read again on every pass, for their new replies: post URIs or bsky.app addresses.
    threads: list[Annotated[str, AfterValidator(_post_ref)]] = Field(default_factory=list)
    # e.g. wss://jetstream2.us-east.bsky.network/subscribe: then the source streams, and keeps
    # the posts that match one of `search` (all of them if none is given).
    jetstream: Annotated[str, Field(pattern=r"^(wss?|https?)://\S+$")] | None = None
    handle: str | None = None  # an owned account: its notifications
    pds: Url = "https://bsky.social"  # where the owned account logs in
    password_env: EnvName | None = None  # an app password, never the account's own
    password_file: Path | None = None
    backfill_days: Annotated[int, Field(ge=0)] = 7  # how far back a first search reads
    profiles: bool = True  # ask authors' profiles, for their follower counts


class RedditSettings(_Source):
    type: Literal["reddit"]
    search: list[str] = Field(default_factory=list)
    subreddits: list[str] = Field(default_factory=list)
    api: Url = "https://oauth.reddit.com"
    auth: Url = "https://www.reddit.com"
    client_id_env: EnvName = "RUMEUR_REDDIT_CLIENT_ID"
    client_secret_env: EnvName = "RUMEUR_REDDIT_CLIENT_SECRET"
    username: str | None = None  # an owned account: its inbox
    password_env: EnvName | None = None
    password_file: Path | None = None
    user_agent: str = "rumeur:listening:v1 (self-hosted)"
    comments: bool = False  # each submission's comment tree, read once when first seen


SourceSettings = Annotated[
    RssSettings | MastodonSettings | BlueskySettings | RedditSettings,
    Field(discriminator="type"),
]


def secret(source: str, what: str, env: str | None, file: Path | None) -> str:
    """A credential from its environment variable or file, or ConfigError saying where to put
    it. The value itself never appears in a message."""
    give = f"give {what.replace(' ', '_')}_env in the source's settings"
    return read_secret(source, what, env, file, give=give)
