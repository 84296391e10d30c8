"""Bluesky payloads into `Post`s: post views, feed items, threads, notifications, Jetstream.

Pure functions, no I/O. A malformed item raises `RowError` naming the field.

Decisions:
- native_id is the post's at:// URI: it is what replies, quotes and deletes point at.
- created_at is the AppView's `indexedAt` (or Jetstream's `time_us`): both are set by the
  network, while `record.createdAt` is chosen by the client and may lie (backdated imports,
  wrong clocks). `createdAt` stays in `raw`.
- The text is the record's, as the author typed it: Bluesky stores plain text, with no HTML
  entities to decode. Its links are the link facets' addresses (the text shows them cut short),
  else the embedded card's, else those written in full in the text.
- A repost is the reposted post itself, so every copy deduplicates on its URI; the reposter
  stays in `raw` (the whole feed item, `reason` included).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rumeur import entities
from rumeur.errors import RowError
from rumeur.model import Author, Media, Metrics, Post
from rumeur.sources.payload import count, count_or_none, need_dict, need_str, parse_time

PLATFORM = "bluesky"
POST_COLLECTION = "app.bsky.feed.post"
WEB = "https://bsky.app"
CDN = "https://cdn.bsky.app/img/feed_fullsize/plain"
VIDEO = "https://video.bsky.app/watch"
# Notifications that carry a post written by someone else about us.
POST_REASONS = frozenset({"mention", "reply", "quote"})

_FACET = "app.bsky.richtext.facet#"


def post_from_view(view: dict[str, Any], *, raw: dict[str, Any] | None = None) -> Post:
    """A `postView` (searchPosts, getPosts, getQuotes, feed items, thread nodes) as a Post."""
    if not isinstance(view, dict):
        raise RowError("post", "not an object")
    uri = need_str(view, "uri")
    _, rkey = parse_post_uri(uri)
    record = _record(view)
    author = author_from_profile(need_dict(view, "author"))
    return _post(
        uri=uri,
        rkey=rkey,
        record=record,
        author=author,
        created_at=parse_time(view.get("indexedAt"), "indexedAt"),
        metrics=_metrics(view),
        view_embed=view.get("embed"),
        raw=raw if raw is not None else view,
    )


def post_from_feed_item(item: dict[str, Any]) -> Post:
    """A `feedViewPost` (getAuthorFeed, getTimeline): the post, reposted or not.

    The whole item is kept as raw so a repost's `reason.by` (who reposted, when) is not lost.
    """
    return post_from_view(need_dict(item, "post"), raw=item)


def is_repost(item: dict[str, Any]) -> bool:
    reason = item.get("reason") or {}
    return str(reason.get("$type", "")).endswith("#reasonRepost")


def context_posts(item: dict[str, Any]) -> list[Post]:
    """The reply's parent and root, when the feed item carries them as full post views."""
    reply = item.get("reply") or {}
    views = [reply.get("parent"), reply.get("root")]
    posts = [post_from_view(v) for v in views if _is_post_view(v)]
    return list({p.native_id: p for p in posts}.values())


def posts_from_thread(node: dict[str, Any]) -> Iterator[Post]:
    """Every readable post of a `threadViewPost`: its parents, itself, then its replies.

    Deleted (`notFoundPost`) and blocked (`blockedPost`) nodes are skipped.
    """
    for view in thread_views(node):
        yield post_from_view(view)


def thread_views(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The post views of a `threadViewPost`, each once, in the order of `posts_from_thread`."""
    seen: set[str] = set()
    for view in _thread_views(node):
        if view["uri"] not in seen:
            seen.add(view["uri"])
            yield view


def post_from_notification(notification: dict[str, Any]) -> Post | None:
    """A mention, reply or quote notification as a Post; None for likes, follows, reposts."""
    if notification.get("reason") not in POST_REASONS or "record" not in notification:
        return None
    uri = need_str(notification, "uri")
    _, rkey = parse_post_uri(uri)
    return _post(
        uri=uri,
        rkey=rkey,
        record=_record(notification),
        author=author_from_profile(need_dict(notification, "author")),
        created_at=parse_time(notification.get("indexedAt"), "indexedAt"),
        metrics=Metrics(),  # a notification carries no counts
        view_embed=None,
        raw=notification,
    )


def author_from_profile(profile: dict[str, Any]) -> Author:
    """A profileView(Basic/Detailed). Only detailed profiles have counts; others give None."""
    handle = profile.get("handle") or profile.get("did")
    if not isinstance(handle, str) or not handle:
        raise RowError("author.handle", "missing handle and did")
    return Author(
        handle=handle,
        display_name=(profile.get("displayName") or "").strip() or None,
        followers=count_or_none(profile, "followersCount"),
        following=count_or_none(profile, "followsCount"),
        native_id=profile.get("did"),
    )


# --- Jetstream ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Triage:
    """A Jetstream batch sorted: post creations to map, post URIs to delete, the rest skipped."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    skipped: int = 0


def event_action(event: dict[str, Any]) -> str:
    """What to do with one Jetstream event: "post", "delete" or "skip".

    Likes, follows, reposts, profile updates, post edits, identity and account events are
    skipped: they are not posts (edits are rare and Bluesky shows no edit history).
    """
    commit = event.get("commit") if event.get("kind") == "commit" else None
    if not isinstance(commit, dict) or commit.get("collection") != POST_COLLECTION:
        return "skip"
    return {"create": "post", "delete": "delete"}.get(str(commit.get("operation")), "skip")


def triage(events: Iterable[dict[str, Any]]) -> Triage:
    result = Triage()
    for event in events:
        action = event_action(event)
        if action == "post":
            result.posts.append(event)
        elif action == "delete":
            result.deletes.append(event_uri(event))
        else:
            result.skipped += 1
    return result


def event_uri(event: dict[str, Any]) -> str:
    did = need_str(event, "did")
    rkey = need_str(need_dict(event, "commit"), "rkey")
    return f"at://{did}/{POST_COLLECTION}/{rkey}"


def post_from_jetstream(event: dict[str, Any], handle: str | None = None) -> Post:
    """A Jetstream `commit`/`create` of an `app.bsky.feed.post` as a Post.

    The event names the author only by DID, so the handle is the DID unless the caller knows
    it; the time is `time_us`, which the relay sets (the record's createdAt is the client's).
    """
    if event_action(event) != "post":
        raise RowError("commit", "not the creation of an app.bsky.feed.post")
    commit = need_dict(event, "commit")
    did = need_str(event, "did")
    uri = event_uri(event)
    return _post(
        uri=uri,
        rkey=need_str(commit, "rkey"),
        record=_record(commit),
        author=Author(handle=handle or did, native_id=did),
        created_at=_time_us(event.get("time_us")),
        metrics=Metrics(),
        view_embed=None,
        raw=event,
    )


# --- the post itself ---------------------------------------------------------------------------


def _post(
    *,
    uri: str,
    rkey: str,
    record: dict[str, Any],
    author: Author,
    created_at: datetime,
    metrics: Metrics,
    view_embed: Any,
    raw: dict[str, Any],
) -> Post:
    text = record.get("text")
    if not isinstance(text, str):
        raise RowError("record.text", "missing or not a string")
    facets = record.get("facets") or []
    embed = record.get("embed")
    did = uri.removeprefix("at://").split("/", 1)[0]
    return Post(
        platform=PLATFORM,
        native_id=uri,
        text=text,
        created_at=created_at,
        author=author,
        url=f"{WEB}/profile/{author.handle}/post/{rkey}",
        language=language(record.get("langs")),
        metrics=metrics,
        reply_to=_reply_parent(record),
        quote_of=quoted_uri(embed) or quoted_uri(view_embed),
        mentions=_facet_mentions(text, facets) or entities.mentions(text),
        hashtags=_facet_tags(facets) or entities.hashtags(text),
        links=_unique((_facet_links(facets) + _external_links(embed)) or entities.links(text)),
        media=view_media(view_embed) if view_embed else record_media(embed, did),
        raw=raw,
    )


def parse_post_uri(uri: str) -> tuple[str, str]:
    """at://<did>/app.bsky.feed.post/<rkey> → (did, rkey)."""
    parts = uri.removeprefix("at://").split("/") if uri.startswith("at://") else []
    if len(parts) != 3 or parts[1] != POST_COLLECTION or not all(parts):
        raise RowError("uri", f"not a post URI: {uri[:80]!r}")
    return parts[0], parts[2]


def language(langs: Any) -> str | None:
    """The first declared language, its ISO 639-1 part: "fr-FR" → "fr"."""
    if not isinstance(langs, list) or not langs or not isinstance(langs[0], str):
        return None
    return langs[0].split("-")[0].strip().lower() or None


def quoted_uri(embed: Any) -> str | None:
    """The quoted post of a record or record-with-media embed, in a record or a view."""
    if not isinstance(embed, dict):
        return None
    kind = str(embed.get("$type", ""))
    inner = embed.get("record") or {}
    if kind.startswith("app.bsky.embed.recordWithMedia"):
        inner = inner.get("record") or {}
    elif not kind.startswith("app.bsky.embed.record"):
        return None
    uri = inner.get("uri")
    # A record embed may quote a list or a feed generator: only posts are quotes.
    return uri if isinstance(uri, str) and f"/{POST_COLLECTION}/" in uri else None


def view_media(embed: Any) -> list[Media]:
    """Media of an embed view: the AppView gives CDN URLs."""
    if not isinstance(embed, dict):
        return []
    kind = str(embed.get("$type", "")).removesuffix("#view")
    if kind == "app.bsky.embed.recordWithMedia":
        return view_media(embed.get("media"))
    if kind == "app.bsky.embed.images":
        images = embed.get("images") or []
        return [_image(i.get("fullsize"), i.get("alt")) for i in images if i.get("fullsize")]
    if kind == "app.bsky.embed.video" and embed.get("playlist"):
        return [Media("video", embed["playlist"], embed.get("alt") or None)]
    if kind == "app.bsky.embed.external":
        return _external_media(embed.get("external"))
    return []


def record_media(embed: Any, did: str) -> list[Media]:
    """Media of an embed as the record stores it (blob references, no URLs): the URLs are
    built the way the AppView builds them."""
    if not isinstance(embed, dict):
        return []
    kind = str(embed.get("$type", ""))
    if kind == "app.bsky.embed.recordWithMedia":
        return record_media(embed.get("media"), did)
    if kind == "app.bsky.embed.images":
        images = embed.get("images") or []
        return [_image(_blob_url(i.get("image"), did), i.get("alt")) for i in images]
    if kind == "app.bsky.embed.video":
        cid = _blob_cid(embed.get("video"))
        return [Media("video", f"{VIDEO}/{did}/{cid}/playlist.m3u8", embed.get("alt") or None)]
    if kind == "app.bsky.embed.external":
        return _external_media(embed.get("external"))
    return []


def _time_us(value: Any) -> datetime:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise RowError("time_us", f"not a time in microseconds: {value!r}")
    return datetime.fromtimestamp(value / 1_000_000, UTC)


def _reply_parent(record: dict[str, Any]) -> str | None:
    parent = (record.get("reply") or {}).get("parent") or {}
    uri = parent.get("uri")
    return uri if isinstance(uri, str) and uri else None


def _facet_features(facets: list[Any], kind: str) -> Iterator[tuple[dict[str, Any], dict]]:
    for facet in facets:
        if not isinstance(facet, dict):
            continue
        for feature in facet.get("features") or []:
            if isinstance(feature, dict) and feature.get("$type") == _FACET + kind:
                yield feature, facet.get("index") or {}


def _facet_mentions(text: str, facets: list[Any]) -> list[str]:
    """A mention facet names a DID; the handle as written is the text under the facet.

    Facet offsets count UTF-8 bytes, not characters.
    """
    data = text.encode("utf-8")
    found = []
    for feature, index in _facet_features(facets, "mention"):
        try:
            written = data[index["byteStart"] : index["byteEnd"]].decode("utf-8")
        except (KeyError, TypeError, UnicodeDecodeError):
            written = ""
        handle = written.strip().lstrip("@").lower()
        found.append(handle or str(feature.get("did", "")))
    return _unique(h for h in found if h)


def _facet_tags(facets: list[Any]) -> list[str]:
    tags = (str(f.get("tag", "")).lstrip("#").lower() for f, _ in _facet_features(facets, "tag"))
    return _unique(t for t in tags if t)


def _facet_links(facets: list[Any]) -> list[str]:
    """The whole addresses behind the links of the text, which shows them cut short
    ("github.com/christopherk..."). A client finds them in the text itself and sometimes keeps
    the quote that closes them ("…/bskyr/'"): they are trimmed as a link of a text is."""
    uris = (str(f["uri"]) for f, _ in _facet_features(facets, "link") if f.get("uri"))
    return _unique(u for u in map(entities.trim, uris) if u)


def _external_links(embed: Any) -> list[str]:
    if not isinstance(embed, dict):
        return []
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        return _external_links(embed.get("media"))
    uri = (embed.get("external") or {}).get("uri")
    return [uri] if embed.get("$type") == "app.bsky.embed.external" and uri else []


def _external_media(external: Any) -> list[Media]:
    uri = (external or {}).get("uri")
    return [Media("link", uri, (external.get("title") or None))] if uri else []


def _image(url: Any, alt: Any) -> Media:
    return Media("image", str(url), (alt or None) if isinstance(alt, str) else None)


def _blob_cid(blob: Any) -> str:
    link = ((blob or {}).get("ref") or {}).get("$link") if isinstance(blob, dict) else None
    if not isinstance(link, str) or not link:
        raise RowError("record.embed", "a media blob without a reference")
    return link


def _blob_url(blob: Any, did: str) -> str:
    return f"{CDN}/{did}/{_blob_cid(blob)}@jpeg"


def _metrics(view: dict[str, Any]) -> Metrics:
    counts = {m: count(view, f"{m}Count") for m in ("like", "repost", "reply", "quote")}
    return Metrics(
        likes=counts["like"],
        reposts=counts["repost"],
        replies=counts["reply"],
        quotes=counts["quote"],
    )


def _is_post_view(value: Any) -> bool:
    return isinstance(value, dict) and {"uri", "author", "record"} <= value.keys()


def _thread_views(node: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(node, dict) or not _is_post_view(node.get("post")):
        return  # notFoundPost, blockedPost
    parents = []
    parent = node.get("parent")
    while isinstance(parent, dict) and _is_post_view(parent.get("post")):
        parents.append(parent["post"])
        parent = parent.get("parent")
    yield from reversed(parents)
    yield node["post"]
    for reply in node.get("replies") or []:
        yield from _thread_replies(reply)


def _thread_replies(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict) and _is_post_view(node.get("post")):
        yield node["post"]
        for reply in node.get("replies") or []:
            yield from _thread_replies(reply)


def _record(obj: dict[str, Any]) -> dict[str, Any]:
    record = obj.get("record")
    if not isinstance(record, dict):
        raise RowError("record", "missing or not an object")
    return record


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
