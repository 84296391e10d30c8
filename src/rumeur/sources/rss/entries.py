"""Feed entries (RSS, RDF, Atom as feedparser reads them; JSON Feed items) into `Post`s.

Pure functions, no I/O. A malformed entry raises `RowError` naming the field.

Stands in for `rss/types.py` until it lands. Decisions:
- native_id is the entry's id (`guid`, Atom `id`, JSON Feed `id`), else its link: ids are
  meant to be stable where links get tracking parameters.
- created_at is when the entry was published, else updated, else when the feed was read: a
  dateless entry was new when first seen.
- The author is the entry's, else the feed's title (a news site signs as itself).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from dateutil import parser as dateparser
from dateutil.parser import isoparse

from rumeur import entities
from rumeur.errors import RowError
from rumeur.model import Author, Media, Post

PLATFORM = "rss"
MEDIA_KINDS = ("image", "video", "audio")


def entry_key(entry: dict[str, Any]) -> str:
    """What identifies an entry across polls: its id, its link, or a digest of its text."""
    for name in ("id", "link", "url"):
        value = entry.get(name)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    parts = [str(entry.get(k) or "") for k in ("title", "summary", "content_text")]
    return "sha1:" + hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def post_from_entry(payload: dict[str, Any], host: str) -> Post:
    """`payload` is `{"entry", "feed", "fetched_at"}` as the source yields it."""
    entry, feed = payload.get("entry"), payload.get("feed") or {}
    if not isinstance(entry, dict):
        raise RowError("entry", "not an object")
    if feed.get("format") == "jsonfeed":
        return _from_json_item(entry, feed, payload, host)
    return _from_xml_entry(entry, feed, payload, host)


def _from_xml_entry(
    entry: dict[str, Any], feed: dict[str, Any], payload: dict[str, Any], host: str
) -> Post:
    native_id = _native_id(entry, ("id", "link"))
    html = _content(entry)
    text, hrefs = html_text(html)
    title = _clean(entry.get("title"))
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    return Post(
        platform=PLATFORM,
        native_id=native_id,
        text=text or title or "",
        created_at=_time(when, payload.get("fetched_at"), "published"),
        author=_author(entry.get("author"), feed.get("title"), host),
        url=_str(entry.get("link")),
        title=title,
        language=_language(_lang_of(entry) or feed.get("language")),
        hashtags=entities.hashtags(text),
        links=_unique([*hrefs, *entities.links(text)]),
        media=_xml_media(entry),
        raw=payload,
    )


def _from_json_item(
    item: dict[str, Any], feed: dict[str, Any], payload: dict[str, Any], host: str
) -> Post:
    native_id = _native_id(item, ("id", "url"))
    if item.get("content_html"):
        text, hrefs = html_text(str(item["content_html"]))
    else:
        text, hrefs = str(item.get("content_text") or item.get("summary") or ""), []
    title = _clean(item.get("title"))
    authors = item.get("authors") or feed.get("authors") or [item.get("author") or {}]
    name = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
    when = item.get("date_published") or item.get("date_modified")
    return Post(
        platform=PLATFORM,
        native_id=native_id,
        text=text.strip() or title or "",
        created_at=_time(when, payload.get("fetched_at"), "date_published"),
        author=_author(name, feed.get("title"), host),
        url=_str(item.get("url")) or _str(item.get("external_url")),
        title=title,
        language=_language(item.get("language") or feed.get("language")),
        hashtags=entities.hashtags(text),
        links=_unique([*hrefs, *entities.links(text)]),
        media=_json_media(item),
        raw=payload,
    )


def _native_id(entry: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = entry.get(name)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    raise RowError(names[0], "the entry has no id nor link")


def _content(entry: dict[str, Any]) -> str:
    """The fullest text: `content:encoded` / Atom content, else the summary."""
    for part in entry.get("content") or []:
        if isinstance(part, dict) and part.get("value"):
            return str(part["value"])
    return str(entry.get("summary") or "")


def _lang_of(entry: dict[str, Any]) -> str | None:
    for name in ("content", "summary_detail", "title_detail"):
        detail = entry.get(name)
        detail = detail[0] if isinstance(detail, list) and detail else detail
        if isinstance(detail, dict) and detail.get("language"):
            return str(detail["language"])
    return None


def _time(value: Any, fallback: Any, name: str) -> datetime:
    for candidate in (value, fallback):
        if isinstance(candidate, str) and candidate:
            parsed = _parse_time(candidate)
            if parsed is None:
                raise RowError(name, f"bad time {candidate[:40]!r}")
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise RowError(name, "missing time")


def _parse_time(value: str) -> datetime | None:
    """ISO 8601 as JSON Feed says; RFC 822 as many JSON feeds write anyway."""
    try:
        return isoparse(value)
    except (ValueError, OverflowError):
        pass
    try:
        return dateparser.parse(value)
    except (ValueError, OverflowError):
        return None


def _author(name: Any, feed_title: Any, host: str) -> Author:
    shown = _clean(name) or _clean(feed_title)
    return Author(handle=shown or host, display_name=shown)


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().replace("_", "-").split("-")[0].lower() or None


def _xml_media(entry: dict[str, Any]) -> list[Media]:
    found = []
    for enclosure in entry.get("enclosures") or []:
        found.append(_media(enclosure.get("href"), enclosure.get("type")))
    for content in entry.get("media_content") or []:
        found.append(_media(content.get("url"), content.get("medium") or content.get("type")))
    for thumb in entry.get("media_thumbnail") or []:
        found.append(_media(thumb.get("url"), "image"))
    return _unique_media(found)


def _json_media(item: dict[str, Any]) -> list[Media]:
    found = [_media(item.get("image"), "image"), _media(item.get("banner_image"), "image")]
    for attachment in item.get("attachments") or []:
        if isinstance(attachment, dict):
            found.append(_media(attachment.get("url"), attachment.get("mime_type")))
    return _unique_media(found)


def _media(url: Any, kind: Any) -> Media | None:
    if not isinstance(url, str) or not url:
        return None
    kind = str(kind or "").split("/")[0].lower()
    return Media(kind if kind in MEDIA_KINDS else "link", url)


def _unique_media(found: list[Media | None]) -> list[Media]:
    return list({m.url: m for m in found if m is not None}.values())


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text, _ = html_text(value)
    return " ".join(text.split()) or None


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def html_text(html: str) -> tuple[str, list[str]]:
    """The text of an HTML fragment (entities decoded, blocks on their own lines) and its
    links."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line), parser.links


class _Text(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "tr"})
    SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in self.SKIP:
            self.skipping += 1
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)
