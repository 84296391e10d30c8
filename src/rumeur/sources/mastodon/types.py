"""Mastodon statuses (REST and streaming) into `Post`s.

Pure functions, no I/O. A malformed item raises `RowError` naming the field.

Decisions:
- native_id is the status `uri`, its ActivityPub id: the same toot seen through two instances
  has two local `id`s but one `uri`, and a listening tool must count it once. The local `id`
  stays in `raw`; a streaming `delete` names that local id, so deletes are matched on the
  instance and `raw["id"]`.
- `in_reply_to_id` is local to the instance that served the status and the payload does not
  give the parent's uri, so `reply_to` is a reference that resolves on that instance:
  `<instance>/api/v1/statuses/<id>` (see `status_ref`). A quote (Mastodon 4.4+) carries the
  quoted status itself, so `quote_of` is its uri.
- A boost is the boosted status (so every boost of a toot is the same post); the outer status,
  with the booster's account, is `raw`.
- The text is the status HTML read as a page shows it: its character references are decoded
  once, by the parser (`&amp;amp;` is the "&amp;" its author typed), and a link's hidden parts
  (`<span class="invisible">`) are kept, so the address reads whole. The links are the `href`s
  of its `<a>` (not those of mentions and hashtags) and the preview card's `url`.
- `spoiler_text` (the content warning) is the title: like a subject line, it is read first.
- Handles are `user@host`: a local account's `acct` has no host, and `user` alone is ambiguous
  across the fediverse.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from rumeur.errors import RowError
from rumeur.model import Author, Media, Metrics, Post
from rumeur.sources.payload import count, count_or_none, need_dict, need_str, parse_time

PLATFORM = "mastodon"
# Notification types whose `status` was written by someone else, about or to us.
POST_NOTIFICATIONS = frozenset({"mention", "status", "quote", "update"})
STREAM_POSTS = frozenset({"update", "status.update"})
MEDIA_KINDS = {"image": "image", "gifv": "gif", "video": "video", "audio": "audio"}


def post_from_status(status: dict[str, Any], instance: str) -> Post:
    """A Status (timelines, tag timeline, search, context, notifications, streaming).

    `instance` is the base URL the status was fetched from (https://piaille.fr).
    """
    if not isinstance(status, dict):
        raise RowError("status", "not an object")
    shown = status.get("reblog") or status
    if not isinstance(shown, dict):
        raise RowError("reblog", "not an object")
    return _post(shown, _host(instance), _base(instance), raw=status)


def is_boost(status: dict[str, Any]) -> bool:
    return isinstance(status.get("reblog"), dict)


def post_from_notification(notification: dict[str, Any], instance: str) -> Post | None:
    """A mention, subscribed status, quote or edit notification; None for follows, favourites."""
    if notification.get("type") not in POST_NOTIFICATIONS or not notification.get("status"):
        return None
    return post_from_status(notification["status"], instance)


def post_from_conversation(conversation: dict[str, Any], instance: str) -> Post | None:
    """The last status of a direct conversation, if it has one."""
    last = conversation.get("last_status")
    return post_from_status(last, instance) if last else None


def post_from_stream(event: str, data: str, instance: str) -> Post | None:
    """A streaming `update` or `status.update` event (its data is a Status in JSON); None for
    the other events (`notification`, `conversation`, `delete`, heartbeats)."""
    if event not in STREAM_POSTS:
        return None
    try:
        status = json.loads(data)
    except json.JSONDecodeError as error:
        raise RowError("data", f"not JSON: {error.msg}") from None
    return post_from_status(status, instance)


def deleted_id(event: str, data: str) -> str | None:
    """The local status id of a streaming `delete` event (its data is the bare id)."""
    if event != "delete":
        return None
    value = data.strip().strip('"')
    if not value.isdigit():  # Mastodon ids are snowflakes in a string
        raise RowError("data", f"not a status id: {data[:40]!r}")
    return value


def status_ref(instance: str, local_id: str) -> str:
    """A reference to a status known only by its local id: the API URL that returns it."""
    return f"{_base(instance)}/api/v1/statuses/{local_id}"


def html_to_text(html: str) -> str:
    """Status HTML as plain text: paragraphs apart by a blank line, <br> as a line break."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.text()


def content_links(html: str) -> list[str]:
    """Links in status HTML, without the links of mentions and hashtags."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(parser.links))


# --- the post itself ---------------------------------------------------------------------------


def _post(status: dict[str, Any], host: str, base: str, raw: dict[str, Any]) -> Post:
    uri = need_str(status, "uri")
    content = status.get("content")
    if not isinstance(content, str):
        raise RowError("content", "missing or not a string")
    reply = status.get("in_reply_to_id")
    return Post(
        platform=PLATFORM,
        native_id=uri,
        text=html_to_text(content),
        created_at=parse_time(status.get("created_at"), "created_at"),
        author=author_from_account(need_dict(status, "account"), host),
        url=status.get("url") or uri,
        title=(status.get("spoiler_text") or "").strip() or None,
        language=_language(status.get("language")),
        metrics=_metrics(status),
        reply_to=status_ref(base, str(reply)) if reply else None,
        quote_of=_quoted(status.get("quote"), base),
        mentions=_mentions(status.get("mentions"), host),
        hashtags=_unique(str(t.get("name", "")).lower() for t in status.get("tags") or []),
        links=_unique([*content_links(content), *_card(status.get("card"))]),
        media=[_media(m) for m in status.get("media_attachments") or []],
        raw=raw,
    )


def author_from_account(account: dict[str, Any], host: str) -> Author:
    acct = need_str(account, "acct")
    return Author(
        handle=_qualified(acct, host),
        display_name=(account.get("display_name") or "").strip() or None,
        followers=count_or_none(account, "followers_count"),
        following=count_or_none(account, "following_count"),
        native_id=account.get("uri") or account.get("url"),
    )


def _quoted(quote: Any, base: str) -> str | None:
    """Mastodon 4.4+: `quote` is {state, quoted_status} (or {state, quoted_status_id} when
    shallow). A quote that was refused or revoked quotes nothing any more."""
    if not isinstance(quote, dict) or quote.get("state", "accepted") != "accepted":
        return None
    quoted = quote.get("quoted_status")
    if isinstance(quoted, dict) and quoted.get("uri"):
        return str(quoted["uri"])
    local = quote.get("quoted_status_id")
    return status_ref(base, str(local)) if local else None


def _mentions(mentions: Any, host: str) -> list[str]:
    accts = (m.get("acct") for m in mentions or [] if isinstance(m, dict))
    return _unique(_qualified(a, host) for a in accts if isinstance(a, str) and a)


def _card(card: Any) -> list[str]:
    url = card.get("url") if isinstance(card, dict) else None
    return [url] if isinstance(url, str) and url else []


def _media(attachment: dict[str, Any]) -> Media:
    url = attachment.get("url") or attachment.get("remote_url")
    if not isinstance(url, str) or not url:
        raise RowError("media_attachments.url", "an attachment without a URL")
    kind = MEDIA_KINDS.get(str(attachment.get("type")), "link")
    return Media(kind, url, attachment.get("description") or None)


def _metrics(status: dict[str, Any]) -> Metrics:
    return Metrics(
        likes=count(status, "favourites_count"),
        reposts=count(status, "reblogs_count"),
        replies=count(status, "replies_count"),
        quotes=count(status, "quotes_count"),
    )


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.split("-")[0].strip().lower()


def _qualified(acct: str, host: str) -> str:
    acct = acct.lstrip("@").lower()
    return acct if "@" in acct else f"{acct}@{host}"


def _host(instance: str) -> str:
    host = urlsplit(_base(instance)).netloc
    if not host:
        raise RowError("instance", f"not a URL: {instance[:60]!r}")
    return host.lower()


def _base(instance: str) -> str:
    instance = instance.strip().rstrip("/")
    return instance if "://" in instance else f"https://{instance}"


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


class _Text(HTMLParser):
    """Text and plain links of Mastodon's HTML subset (p, br, a, span, and a few more)."""

    BLOCKS = frozenset({"p", "blockquote", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a":
            self._link(dict(attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def _link(self, attrs: dict[str, str | None]) -> None:
        # Mentions and hashtags are links too; they come from the `mentions` and `tags` arrays.
        classes = (attrs.get("class") or "").split()
        if "mention" in classes or "hashtag" in classes or attrs.get("rel") == "tag":
            return
        href = attrs.get("href")
        if href and href.startswith(("http://", "https://")):
            self.links.append(href)

    def text(self) -> str:
        lines = "".join(self.parts).split("\n")
        text = "\n".join(line.rstrip() for line in lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip()
