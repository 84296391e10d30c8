"""Reddit things (Listing children) into `Post`s, and a walker over a comment tree.

Pure functions, no I/O. Bodies are assumed fetched with `raw_json=1`: the JSON's strings are
then the markdown as written, without the extra `&amp;` Reddit adds otherwise. The markdown's own
character references (`&amp;`, the `&#x200B;` of the new editor's blank lines) are decoded once,
as Reddit shows them (sources/text.py). A malformed thing raises `RowError` naming the field.

Decisions:
- native_id is the fullname (`t3_xxx` for a submission, `t1_xxx` for a comment): it is what
  `parent_id`, `link_id` and `/api/info` speak.
- A submission's text is its title, then its selftext: on Reddit the title is the message (a
  link post has nothing else), and queries must see it. `title` keeps it alone too.
- A comment whose body was deleted or removed is no post (there is nothing left to read); the
  walker skips it but still walks its replies. A submission whose selftext was removed keeps
  its title. A deleted account's handle is "[deleted]".
- likes is the score (Reddit fuzzes up and down votes; the score is what it shows); reposts
  are crossposts; a crosspost's `quote_of` is the submission it crossposts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rumeur import entities
from rumeur.errors import RowError
from rumeur.model import Author, Media, Metrics, Post
from rumeur.sources.payload import need_str
from rumeur.sources.text import unescape

PLATFORM = "reddit"
WEB = "https://www.reddit.com"
GONE = frozenset({"[deleted]", "[removed]"})
_USER = re.compile(r"(?<![\w/])/?u/([A-Za-z0-9_-]{3,20})\b")


@dataclass(slots=True)
class MoreStub:
    """A `more` stub: comments Reddit did not send, to fetch later with /api/morechildren.

    `children` are bare ids (no `t1_`); empty with `count` 0 means "continue this thread":
    fetch the comments under `parent_id` instead.
    """

    parent_id: str
    children: list[str]
    count: int


def post_from_thing(thing: dict[str, Any]) -> Post:
    """A `t3` (submission) or `t1` (comment) thing, as found in a Listing's children."""
    kind, data = _kind_and_data(thing)
    raw = {"kind": kind, "data": {k: v for k, v in data.items() if k != "replies"}}
    if kind == "t3":
        return post_from_submission(data, raw=raw)
    if kind == "t1":
        return post_from_comment(data, raw=raw)
    raise RowError("kind", f"not a submission or a comment: {kind!r}")


def post_from_submission(data: dict[str, Any], *, raw: dict[str, Any] | None = None) -> Post:
    title = unescape(need_str(data, "title")).strip()
    selftext = data.get("selftext") or ""
    body = "" if selftext.strip() in GONE else unescape(selftext).strip()
    text = f"{title}\n\n{body}" if body else title
    url = data.get("url") or ""
    external = [] if data.get("is_self") or not url.startswith("http") else [url]
    crossposted = data.get("crosspost_parent")
    return Post(
        platform=PLATFORM,
        native_id=_fullname(data, "t3"),
        text=text,
        created_at=_created(data),
        author=_author(data),
        url=_permalink(data),
        title=title,
        metrics=Metrics(
            likes=_count(data, "score", signed=True),
            reposts=_count(data, "num_crossposts"),
            replies=_count(data, "num_comments"),
        ),
        quote_of=crossposted if isinstance(crossposted, str) else None,
        mentions=_mentions(text),
        hashtags=entities.hashtags(text),
        links=_unique([*external, *entities.links(body)]),
        media=submission_media(data),
        raw=raw if raw is not None else data,
    )


def post_from_comment(data: dict[str, Any], *, raw: dict[str, Any] | None = None) -> Post:
    body = data.get("body")
    if not isinstance(body, str) or not body.strip():
        raise RowError("body", "missing or empty")
    if body.strip() in GONE:
        raise RowError("body", f"the comment was {body.strip()[1:-1]}")
    body = unescape(body).strip()
    parent = data.get("parent_id")
    return Post(
        platform=PLATFORM,
        native_id=_fullname(data, "t1"),
        text=body,
        created_at=_created(data),
        author=_author(data),
        url=_permalink(data),
        metrics=Metrics(likes=_count(data, "score", signed=True)),
        reply_to=parent if isinstance(parent, str) and parent else None,
        mentions=_mentions(body),
        hashtags=entities.hashtags(body),
        links=entities.links(body),
        raw=raw if raw is not None else data,
    )


def is_gone(thing: dict[str, Any]) -> bool:
    """A comment deleted by its author or removed by a moderator."""
    data = thing.get("data") or {}
    return thing.get("kind") == "t1" and str(data.get("body", "")).strip() in GONE


def more_stub(thing: dict[str, Any]) -> MoreStub:
    kind, data = _kind_and_data(thing)
    if kind != "more":
        raise RowError("kind", f"not a more stub: {kind!r}")
    children = data.get("children")
    if not isinstance(children, list) or not all(isinstance(c, str) for c in children):
        raise RowError("children", "not a list of ids")
    return MoreStub(need_str(data, "parent_id"), list(children), _count(data, "count"))


def walk_listing(listing: dict[str, Any]) -> Iterator[Post | MoreStub]:
    """Every post of a Listing, depth first through comments' `replies`, and its more stubs."""
    if not isinstance(listing, dict) or listing.get("kind") != "Listing":
        raise RowError("kind", "not a Listing")
    for thing in (listing.get("data") or {}).get("children") or []:
        yield from _walk_thing(thing)


def walk_comments(response: list[Any]) -> Iterator[Post | MoreStub]:
    """A `/comments/:id` response, [submission listing, comment listing]: the submission, then
    its comments in thread order, with the more stubs where Reddit cut the tree."""
    if not isinstance(response, list) or len(response) != 2:
        raise RowError("response", "not a [submission, comments] pair of listings")
    for listing in response:
        yield from walk_listing(listing)


def submission_media(data: dict[str, Any]) -> list[Media]:
    """An image link, a Reddit-hosted video, or a gallery's images."""
    if data.get("is_video"):
        video = ((data.get("secure_media") or data.get("media") or {}).get("reddit_video")) or {}
        url = video.get("fallback_url")
        return [Media("video", url)] if url else []
    if data.get("is_gallery"):
        return _gallery(data)
    if data.get("post_hint") == "image" and data.get("url"):
        return [Media("image", data["url"])]
    return []


def _walk_thing(thing: dict[str, Any]) -> Iterator[Post | MoreStub]:
    kind = thing.get("kind") if isinstance(thing, dict) else None
    if kind == "more":
        yield more_stub(thing)
        return
    if not is_gone(thing):
        yield post_from_thing(thing)
    replies = (thing.get("data") or {}).get("replies")
    if isinstance(replies, dict):  # "" when there are none
        yield from walk_listing(replies)


def _gallery(data: dict[str, Any]) -> list[Media]:
    metadata = data.get("media_metadata") or {}
    order = [i.get("media_id") for i in (data.get("gallery_data") or {}).get("items") or []]
    media = []
    for media_id in order or list(metadata):
        source = (metadata.get(media_id) or {}).get("s") or {}
        url = source.get("u") or source.get("gif")
        if url:
            media.append(Media("image", url))
    return media


def _author(data: dict[str, Any]) -> Author:
    name = data.get("author")
    if not isinstance(name, str) or not name:
        raise RowError("author", "missing")
    gone = name in GONE
    return Author(handle=name, native_id=None if gone else data.get("author_fullname"))


def _permalink(data: dict[str, Any]) -> str | None:
    # Inbox items have a `context` link (with ?context=3) instead of a permalink.
    path = data.get("permalink") or str(data.get("context") or "").split("?")[0]
    return f"{WEB}{path}" if path.startswith("/") else None


def _created(data: dict[str, Any]) -> datetime:
    value = data.get("created_utc")
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise RowError("created_utc", f"not a time: {value!r}")
    return datetime.fromtimestamp(value, UTC)


def _fullname(data: dict[str, Any], prefix: str) -> str:
    name = data.get("name")
    if isinstance(name, str) and name.startswith(f"{prefix}_"):
        return name
    return f"{prefix}_{need_str(data, 'id')}"


def _mentions(text: str) -> list[str]:
    """u/name and /u/name, as Reddit links them; @name as elsewhere."""
    return _unique([*(m.lower() for m in _USER.findall(text)), *entities.mentions(text)])


def _count(data: dict[str, Any], key: str, *, signed: bool = False) -> int:
    value = data.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or (value < 0 and not signed):
        raise RowError(key, f"not a count: {value!r}")
    return max(value, 0)  # a negative score is no like


def _kind_and_data(thing: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(thing, dict) or not isinstance(thing.get("data"), dict):
        raise RowError("data", "not a thing")
    return str(thing.get("kind")), thing["data"]


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))
