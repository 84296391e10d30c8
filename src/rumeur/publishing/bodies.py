"""What each network is sent for a scheduled item (docs/publish.md, "What is sent"): the
preview shows it, the tests check it against the recorded shapes, and the posters
(`sources/<network>/post.py`) send the same fields: the text as stored, Bluesky's facets from
the item's `extra`, Mastodon's visibility, content warning and media ids, Reddit's subreddit
and title.

Media are uploaded before the post (Bluesky's `uploadBlob`, Mastodon's `/api/v2/media`): the
caller gives what the upload answered (`blobs`, `media_ids`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import Any

from rumeur.sources.post import poll_form
from rumeur.store.publishing import Item

POST = "app.bsky.feed.post"
EMBED_IMAGES = "app.bsky.embed.images"


def created_at(item: Item) -> str:
    """The record's `createdAt`: the scheduled time, UTC, milliseconds, `Z`."""
    at = item.at.astimezone(UTC).isoformat(timespec="milliseconds")
    return at.replace("+00:00", "Z")


def bluesky_record(
    item: Item, blobs: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """The `app.bsky.feed.post` record `createRecord` writes; `blobs`: each media path's blob
    as `uploadBlob` answered it (every image of the item must have one)."""
    record: dict[str, Any] = {"$type": POST, "text": item.text, "createdAt": created_at(item)}
    if item.extra.get("facets"):
        record["facets"] = item.extra["facets"]
    if item.media:
        blobs = blobs or {}
        missing = [m["path"] for m in item.media if m["path"] not in blobs]
        if missing:
            raise ValueError(f"no uploaded blob for {missing[0]}")
        images = [{"alt": m.get("alt", ""), "image": dict(blobs[m["path"]])} for m in item.media]
        record["embed"] = {"$type": EMBED_IMAGES, "images": images}
    return record


def mastodon_status(item: Item, media_ids: Sequence[str] = ()) -> dict[str, Any]:
    """The form `POST /api/v1/statuses` is sent (with the item's idempotency key as the
    `Idempotency-Key` header); `media_ids`: what `/api/v2/media` answered, in the media's
    order."""
    if len(media_ids) != len(item.media):
        raise ValueError(f"{len(item.media)} media but {len(media_ids)} ids")
    form: dict[str, Any] = {"status": item.text, "visibility": item.visibility or "public"}
    if item.spoiler:
        form["spoiler_text"] = item.spoiler
    if media_ids:
        form["media_ids[]"] = list(media_ids)
    return form | poll_form(item.extra.get("poll"))


def reddit_submission(item: Item) -> dict[str, Any]:
    """The form of `POST /api/submit`: a text post, or a link post when the item has a url."""
    form: dict[str, Any] = {"sr": item.extra.get("subreddit"), "title": item.title or ""}
    if item.extra.get("url"):
        return form | {"kind": "link", "url": item.extra["url"]}
    return form | {"kind": "self", "text": item.text}


def headers(item: Item) -> dict[str, str]:
    """The headers of the post's request: Mastodon's idempotency key, fixed at creation."""
    return {"Idempotency-Key": item.idempotency_key} if item.platform == "mastodon" else {}
