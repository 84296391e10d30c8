"""What the Bluesky tests share: the recorded search cut into pages chained by cursor, posts made
from a recorded one, a workspace whose source points at the replay server, a fake clock."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from replay import ReplayServer, load_cassette
from rumeur.settings.sources import BlueskySettings

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
PROFILES = "/xrpc/app.bsky.actor.getProfiles"
PASSWORD = "app-PASSWORD-xk3j-9q2w"
ACCESS = "eyJ-ACCESS-token-111"
REFRESH = "eyJ-REFRESH-token-222"
WORKSPACE = """
[[workspaces]]
slug = "laposte"
name = "La Poste"

[workspaces.brand]
name = "La Poste"
handles = ["laposte"]

[[workspaces.sources]]
type = "bluesky"
name = "{name}"
service = "{service}"
search = ["redistricting"]
backfill_days = 100000
profiles = false
"""


def recorded_search() -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The 25 recorded posts of searchPosts?q=redistricting (newest first) and the response's
    RateLimit-* headers."""
    (interaction,) = load_cassette("bluesky/searchPosts.cassette.yml")
    headers = [(k, v) for k, v in interaction.headers if k.lower().startswith("ratelimit")]
    return json.loads(interaction.body)["posts"], headers


def made_posts(n: int, start: int = 0) -> list[dict[str, Any]]:
    """`n` distinct post views cut from a recorded one, newest first, a minute apart."""
    base = recorded_search()[0][0]
    when = datetime(2025, 5, 20, tzinfo=UTC)
    made = []
    for i in range(start + n - 1, start - 1, -1):
        view = copy.deepcopy(base)
        view["uri"] = f"at://{base['author']['did']}/app.bsky.feed.post/3made{i:06d}"
        view["record"]["text"] = f"Courrier en retard numéro {i}"
        stamp = when + timedelta(minutes=i)
        view["indexedAt"] = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        made.append(view)
    return made


def serve_search(
    server: ReplayServer,
    posts: list[dict[str, Any]],
    per_page: int,
    q: str = "redistricting",
    headers: list[tuple[str, str]] | None = None,
    extra: dict[str, str] | None = None,
    more: bool = False,
) -> int:
    """Serve `posts` as pages chained by an offset cursor, as the AppView does; the page count."""
    pages = [posts[i : i + per_page] for i in range(0, len(posts), per_page)] or [[]]
    for i, page in enumerate(pages):
        body: dict[str, Any] = {"posts": page}
        if i + 1 < len(pages) or more:  # more: the AppView would go on, past what is served
            body["cursor"] = str((i + 1) * per_page)
        spec = {"q": q, **(extra or {})}
        if i:
            spec["cursor"] = str(i * per_page)
        server.serve("GET", SEARCH, json=body, headers=headers, query=spec)
    return len(pages)


def settings(server: ReplayServer, **changes: Any) -> BlueskySettings:
    values: dict[str, Any] = {
        "type": "bluesky",
        "name": "laposte",
        "service": server.base_url,
        "pds": server.base_url,
        "search": ["redistricting"],
        "backfill_days": 100_000,
        "profiles": False,
    }
    return BlueskySettings(**(values | changes))


def write_workspace(tmp_path: Path, server: ReplayServer, name: str = "laposte") -> Path:
    path = tmp_path / "rumeur.toml"
    path.write_text(WORKSPACE.format(name=name, service=server.base_url), encoding="utf-8")
    return path
