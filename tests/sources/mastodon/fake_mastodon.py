"""A Mastodon timeline on the replay server: statuses made from a recorded one, served page by
page as Mastodon pages them (newest first; `max_id` for older pages, `min_id` for the page just
above an id), with the `Link` and `X-RateLimit-*` headers a real instance sends."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from replay.cassettes import load_cassette
from replay.server import ReplayServer

FIRST_ID = 117020600000000000
TOKEN = "s3cret-mastodon-token-do-not-log"


def recorded_status() -> dict[str, Any]:
    """A status as a real instance returned it (the public timeline of a test instance)."""
    for interaction in load_cassette("mastodon/timeline-public.cassette.yaml"):
        if interaction.path == "/api/v1/timelines/public" and interaction.status == 200:
            return interaction.json()[0]
    raise AssertionError("no recorded status")


def statuses(count: int, start: int = 0, tag: str = "rumeur") -> list[dict[str, Any]]:
    """`count` distinct statuses, oldest first, ids and times rising."""
    template = recorded_status()
    made = []
    for n in range(start, start + count):
        status = copy.deepcopy(template)
        sid = str(FIRST_ID + n * 65536)
        status["id"] = sid
        status["uri"] = f"https://mastodon.example/users/alice/statuses/{sid}"
        status["url"] = f"https://mastodon.example/@alice/{sid}"
        when = datetime(2026, 8, 1, 12, 0, tzinfo=UTC) + timedelta(minutes=n)
        status["created_at"] = when.isoformat().replace("+00:00", "Z")
        status["content"] = f"<p>Statut numéro {n} sur #{tag}</p>"
        status["tags"] = [{"name": tag, "url": f"https://mastodon.example/tags/{tag}"}]
        status["reblog"] = None
        made.append(status)
    return made


def ratelimit(remaining: int = 299, reset_in: float = 300) -> dict[str, str]:
    reset = datetime.now(UTC) + timedelta(seconds=reset_in)
    return {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
    }


def serve_timeline(
    server: ReplayServer,
    path: str,
    items: list[dict[str, Any]],
    page: int = 20,
    newest_headers: dict[str, str] | None = None,
) -> None:
    """Every page a client may ask for: the newest (with `newest_headers` over the usual
    ones), and the pages around each id."""
    ordered = sorted(items, key=lambda s: int(s["id"]), reverse=True)
    ids = [s["id"] for s in ordered]
    _page(server, path, ordered[:page], None, newest_headers)
    for sid in ids:
        older = [s for s in ordered if int(s["id"]) < int(sid)][:page]
        newer = [s for s in ordered if int(s["id"]) > int(sid)][-page:]
        _page(server, path, older, {"max_id": sid})
        _page(server, path, newer, {"min_id": sid})


def _page(
    server: ReplayServer,
    path: str,
    shown: list[dict[str, Any]],
    query: dict[str, str] | None,
    extra: dict[str, str] | None = None,
) -> None:
    headers = ratelimit()
    if shown:
        url = server.url(path)
        top, bottom = shown[0]["id"], shown[-1]["id"]
        headers["Link"] = f'<{url}?max_id={bottom}>; rel="next", <{url}?min_id={top}>; rel="prev"'
    server.serve("GET", path, json=shown, headers={**headers, **(extra or {})}, query=query)


def workspace_toml(tmp_path: Path, source: str) -> Path:
    """A workspace whose only source is `source` (a TOML table body)."""
    path = tmp_path / "rumeur.toml"
    path.write_text(
        f"""
# Two languages to tell apart: the collect subprocesses load fewer language models.
[nlp]
languages = ["fr", "en"]

[[workspaces]]
slug = "veille"
name = "Veille"
[workspaces.brand]
name = "Rumeur"
terms = ["statut"]

[[workspaces.sources]]
{source}
""",
        encoding="utf-8",
    )
    return path
