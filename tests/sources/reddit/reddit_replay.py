"""What the Reddit tests share: recorded things cut into pages, served by the replay server the
way Reddit pages a Listing (newest first, `after` to go older, `before` to go newer)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from replay import ReplayServer, load_cassette
from rumeur.settings.sources import RedditSettings

CLIENT_ID = "the-client-id"
CLIENT_SECRET = "s3cret-CLIENT-value"
TOKEN = "tok-ACCESS-4f9a8b"
PASSWORD = "hunter2-PASSWORD"
QUOTA = {"x-ratelimit-used": "10", "x-ratelimit-remaining": "590.0", "x-ratelimit-reset": "246"}


def recorded(cassette: str, index: int = -1) -> Any:
    """The JSON body of one recorded interaction (by default the last, after the token)."""
    return load_cassette(f"reddit/{cassette}")[index].json()


def submissions() -> list[dict[str, Any]]:
    """The 100 submissions of r/askreddit/new, as recorded (newest first)."""
    return recorded("subreddit-new.2020.cassette.json")["data"]["children"]


def listing(children: list[dict[str, Any]], after: str | None = None) -> dict[str, Any]:
    data = {"after": after, "before": None, "dist": len(children), "children": children}
    return {"kind": "Listing", "data": data}


def name(thing: dict[str, Any]) -> str:
    return thing["data"]["name"]


def newer(thing: dict[str, Any], n: int) -> dict[str, Any]:
    """A copy of a recorded submission as if posted `n` minutes after the newest recorded one."""
    made = copy.deepcopy(thing)
    base = submissions()[0]["data"]
    made["data"].update(
        id=f"zz{n:04d}",
        name=f"t3_zz{n:04d}",
        title=f"Nouveau message {n}",
        created_utc=base["created_utc"] + 60 * n,
        permalink=f"/r/AskReddit/comments/zz{n:04d}/nouveau/",
        num_comments=0,
    )
    return made


def serve_token(server: ReplayServer, expires_in: int = 3600) -> None:
    body = {"access_token": TOKEN, "token_type": "bearer", "expires_in": expires_in, "scope": "*"}
    server.serve("POST", "/api/v1/access_token", json=body)


def serve_pages(
    server: ReplayServer,
    path: str,
    things: list[dict[str, Any]],
    per_page: int,
    query: dict[str, str] | None = None,
) -> int:
    """Serve `things` (newest first) as pages of `per_page`, chained by `after`; the count."""
    pages = [things[i : i + per_page] for i in range(0, len(things), per_page)] or [[]]
    for i, page in enumerate(pages):
        after = name(page[-1]) if i + 1 < len(pages) else None
        spec = dict(query or {})
        if i:
            spec["after"] = name(pages[i - 1][-1])
        server.serve("GET", path, json=listing(page, after), headers=QUOTA, query=spec or None)
    return len(pages)


def settings(server: ReplayServer, **changes: Any) -> RedditSettings:
    fields: dict[str, Any] = {
        "type": "reddit",
        "name": "brand",
        "api": server.base_url,
        "auth": server.base_url,
        "subreddits": ["askreddit"],
        "user_agent": "rumeur-tests:v1 (by /u/rumeur)",
    }
    return RedditSettings(**{**fields, **changes})


def workspace_toml(tmp_path: Path, server: ReplayServer, **source: Any) -> Path:
    """A workspace file whose one source is Reddit, pointed at the replay server."""
    fields = {
        "type": "reddit",
        "name": "brand",
        "api": server.base_url,
        "auth": server.base_url,
        "subreddits": ["askreddit"],
        "user_agent": "rumeur-tests:v1 (by /u/rumeur)",
        **source,
    }
    lines = [f"{k} = {json.dumps(v)}" for k, v in fields.items()]
    text = "\n".join(
        [
            "[nlp]",  # two languages load faster than the default eight: a quicker start
            'languages = ["en", "fr"]',
            "[[workspaces]]",
            'slug = "acme"',
            'name = "Acme"',
            "[workspaces.brand]",
            'name = "Acme"',
            "[[workspaces.sources]]",
            *lines,
            "",
        ]
    )
    path = tmp_path / "rumeur.toml"
    path.write_text(text, encoding="utf-8")
    return path
