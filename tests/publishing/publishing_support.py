"""A workspace with local accounts for the publishing tests: three accounts on two networks
(two Bluesky, one Mastodon), their variables, and the recorded payloads they are checked
against (../shared/fixtures)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import laposte_workspace as laposte
import yaml

from rumeur.config import Workspace, parse_settings

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures"

SETTINGS = laposte.settings(
    laposte.department("marseille", "sam", approval="all"),
    laposte.account("lyon", horaires="9 h – 18 h"),
    laposte.account("lille"),
    laposte.account("toulouse", horaires="8 h 30 – 19 h"),
    laposte.account("marseille", department="marseille"),
)


def workspace() -> Workspace:
    return parse_settings(SETTINGS, "publishing.toml").workspaces[0]


def cassette(path: str) -> list[dict[str, Any]]:
    """The recorded interactions of a VCR cassette (both of its spellings)."""
    data = yaml.safe_load((FIXTURES / path).read_text(encoding="utf-8"))
    return data.get("http_interactions") or data.get("interactions") or []


def body_of(interaction: dict[str, Any]) -> str:
    body = interaction["response"]["body"]
    return body["string"] if isinstance(body, dict) else str(body)


def recorded_did(handle: str) -> str:
    """The DID the recorded resolveHandle answered for `handle`."""
    for step in cassette("bluesky/createRecord-post.cassette.yml"):
        if f"resolveHandle?handle={handle}" in step["request"]["uri"]:
            return json.loads(body_of(step))["did"]
    raise LookupError(handle)


def recorded_blob() -> dict[str, Any]:
    """The blob the recorded uploadBlob answered."""
    for step in cassette("bluesky/createRecord-post.cassette.yml"):
        if step["request"]["uri"].endswith("uploadBlob"):
            return json.loads(body_of(step))["blob"]
    raise LookupError("uploadBlob")


def recorded_post_record() -> dict[str, Any]:
    """A recorded `app.bsky.feed.post` record with facets and images (getPostThread)."""
    for step in cassette("bluesky/getPostThread.cassette.yml"):
        found = _with_facets(json.loads(body_of(step)))
        if found is not None:
            return found
    raise LookupError("a record with facets")


def _with_facets(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        if value.get("$type") == "app.bsky.feed.post" and value.get("facets"):
            return value
        children = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        found = _with_facets(child)
        if found is not None:
            return found
    return None


def recorded_status_forms(path: str) -> list[dict[str, list[str]]]:
    """The forms the recorded `POST /api/v1/statuses` requests sent."""
    from urllib.parse import parse_qs

    return [
        parse_qs(step["request"]["body"], keep_blank_values=True)
        for step in cassette(path)
        if step["request"]["method"] == "POST"
        and step["request"]["uri"].endswith("/api/v1/statuses")
    ]
