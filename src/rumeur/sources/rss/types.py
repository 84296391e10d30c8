"""RSS 0.9x/1.0/2.0, Atom and JSON Feed entries into `Post`s.

Pure functions, no I/O: the caller fetched the bytes. feedparser reads the XML formats (their
encodings, their dates, their broken documents); JSON Feed 1.x, which it does not read, is read
here with `json`.

Decisions:
- The charset comes from the HTTP Content-Type when there is one (a feed in ISO-8859-1 without
  an XML declaration cannot say so itself), then from the document, then a guess: feedparser
  applies that order when given the header.
- A malformed or truncated feed (feedparser's "bozo") keeps the entries read before the break,
  and the break is reported as one problem with the field "feed".
- native_id is the entry's id (guid), else its link, else a hash of title and date.
- created_at is the entry's published date, else its updated date, else the feed's own date,
  else `fetched_at` when the caller passes it; an entry with none of these is rejected
  (`RowError("published", ...)`) rather than dated at random. Dates feedparser cannot read
  (French, Italian, German or Spanish day and month names) are read here. All in UTC.
- text is the entry's content, else its summary, as plain text (tags dropped, entities
  unescaped); a title-only entry has its title as text.
- author: the entry's author; else the feed's title, with the site's host as handle.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import feedparser

from rumeur import entities
from rumeur.errors import RowError
from rumeur.model import Author, Media, Post, Rejected

PLATFORM = "rss"
JSON_TYPES = ("application/feed+json", "application/json")
MEDIA_KINDS = ("image", "video", "audio")
HARMLESS = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


def parse_feed(
    body: bytes,
    content_type: str | None = None,
    *,
    source: str = "",
    fetched_at: datetime | None = None,
) -> tuple[list[Post], list[Rejected]]:
    """The posts of a feed, and what could not be read (entries, or the feed's own break).

    `source` (the feed's URL) names the problems; `fetched_at` dates entries that have no date.
    """
    if _is_json_feed(body, content_type):
        return parse_json_feed(body, source=source, fetched_at=fetched_at)
    headers = {"content-type": content_type} if content_type else {}
    if source:
        headers["content-location"] = source  # relative links resolve against the feed's URL
    parsed = feedparser.parse(body, response_headers=headers)
    problems = _bozo(parsed, source)
    feed = parsed.feed
    fallback = _feed_date(feed) or fetched_at
    posts, rejected = _collect(parsed.entries, lambda e: post_from_entry(e, feed, fallback), source)
    return posts, problems + rejected


def post_from_entry(
    entry: dict[str, Any], feed: dict[str, Any], fallback: datetime | None = None
) -> Post:
    """One feedparser entry; `feed` is feedparser's feed-level dict (title, link, language)."""
    title = _detail_text(entry.get("title_detail")) or _plain(entry.get("title", ""))
    text = _entry_text(entry) or title
    if not text:
        raise RowError("summary", "the entry has no content, summary or title")
    url = entry.get("link") or None
    created = _entry_date(entry) or fallback
    if created is None:
        raise RowError("published", "no date in the entry or the feed")
    return Post(
        platform=PLATFORM,
        native_id=_native_id(entry.get("id"), url, title, created),
        text=text,
        created_at=created,
        author=_author(entry.get("author"), feed.get("title"), feed.get("link") or url),
        url=url,
        title=title or None,
        language=_language(_entry_language(entry) or feed.get("language")),
        mentions=entities.mentions(text),
        hashtags=entities.hashtags(text),
        links=_links(_entry_html(entry), text, url),
        media=_entry_media(entry),
        raw={k: v for k, v in entry.items() if not k.endswith("_parsed")},  # JSON-safe
    )


def parse_json_feed(
    body: bytes, *, source: str = "", fetched_at: datetime | None = None
) -> tuple[list[Post], list[Rejected]]:
    """A JSON Feed 1.0 or 1.1 document."""
    try:
        feed = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return [], [
            Rejected(
                source, None, "feed", f"not JSON: {error}", body[:200].decode(errors="replace")
            )
        ]
    if not isinstance(feed, dict) or not isinstance(feed.get("items"), list):
        return [], [Rejected(source, None, "feed", "not a JSON Feed: no items", "")]
    posts, problems = _collect(
        feed["items"], lambda item: post_from_json_item(item, feed, fetched_at), source
    )
    return posts, problems


def post_from_json_item(
    item: dict[str, Any], feed: dict[str, Any], fallback: datetime | None = None
) -> Post:
    if not isinstance(item, dict):
        raise RowError("item", "not an object")
    title = _plain(item.get("title") or "")
    html = item.get("content_html") or ""
    text = html_to_text(html) or _plain(item.get("content_text") or "")
    text = text or _plain(item.get("summary") or "") or title
    if not text:
        raise RowError("content_html", "the item has no content, summary or title")
    created = _iso(item.get("date_published"), "date_published")
    created = created or _iso(item.get("date_modified"), "date_modified") or fallback
    if created is None:
        raise RowError("date_published", "no date in the item")
    url = item.get("url") or None
    name = _json_author(item) or _json_author(feed)
    return Post(
        platform=PLATFORM,
        native_id=_native_id(item.get("id"), url, title, created),
        text=text,
        created_at=created,
        author=_author(name, feed.get("title"), feed.get("home_page_url") or url),
        url=url,
        title=title or None,
        language=_language(item.get("language") or feed.get("language")),
        mentions=entities.mentions(text),
        hashtags=entities.hashtags(text),
        links=_links(html, text, url, extra=[item.get("external_url")]),
        media=_json_media(item),
        raw=item,
    )


def html_to_text(html: str) -> str:
    """HTML as plain text: tags dropped, entities unescaped, blocks and <br> as line breaks."""
    parser = _Html()
    parser.feed(html)
    parser.close()
    return parser.text()


def parse_date(value: str) -> datetime | None:
    """A date feedparser could not read: RFC 822 with French, Italian, German or Spanish day
    and month names ("mer, 16 nov 2022 00:38:15 +0100")."""
    words = re.sub(r"^\s*[^\W\d_]+\.?,\s*", "", value.strip())  # the day name
    english = re.sub(r"[^\W\d_]+\.?", _english_month, words)
    try:
        parsed = parsedate_to_datetime(english)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)


# --- entries -----------------------------------------------------------------------------------


def _collect(
    entries: list[Any], to_post: Callable[[Any], Post], source: str
) -> tuple[list[Post], list[Rejected]]:
    posts, problems = [], []
    for index, entry in enumerate(entries):
        try:
            posts.append(to_post(entry))
        except RowError as error:
            raw = json.dumps(_json_safe(entry), ensure_ascii=False, default=str)[:2000]
            problems.append(Rejected(source, index, error.field, error.reason, raw))
    return posts, problems


def _bozo(parsed: Any, source: str) -> list[Rejected]:
    error = parsed.get("bozo_exception")
    # A charset guessed rather than declared, or a missing or odd Content-Type, is no break:
    # the document was read whole.
    if not parsed.get("bozo") or isinstance(error, HARMLESS):
        return []
    reason = f"malformed feed, read as far as it goes ({len(parsed.entries)} entries): {error}"
    return [Rejected(source, None, "feed", reason, "")]


def _entry_text(entry: dict[str, Any]) -> str:
    contents = entry.get("content") or []
    for detail in [*contents, entry.get("summary_detail")]:
        text = _detail_text(detail)
        if text:
            return text
    return _plain(entry.get("summary", ""))


def _entry_html(entry: dict[str, Any]) -> str:
    details = [*(entry.get("content") or []), entry.get("summary_detail") or {}]
    return " ".join(d.get("value", "") for d in details if "html" in str(d.get("type", "")))


def _detail_text(detail: Any) -> str:
    if not isinstance(detail, dict) or not detail.get("value"):
        return ""
    value = str(detail["value"])
    return html_to_text(value) if "html" in str(detail.get("type", "")) else _plain(value)


def _entry_language(entry: dict[str, Any]) -> str | None:
    # xml:lang on the content or the summary; feedparser puts the feed's on each detail too
    for detail in [
        *(entry.get("content") or []),
        entry.get("summary_detail"),
        entry.get("title_detail"),
    ]:
        if isinstance(detail, dict) and detail.get("language"):
            return str(detail["language"])
    return None


def _entry_date(entry: dict[str, Any]) -> datetime | None:
    for key in ("published", "updated", "created"):
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return _from_struct(parsed)
        if entry.get(key):
            found = parse_date(str(entry[key]))
            if found:
                return found
    return None


def _feed_date(feed: dict[str, Any]) -> datetime | None:
    return _entry_date(feed)


def _from_struct(value: time.struct_time) -> datetime:
    # feedparser's parsed dates are struct_time in UTC
    return datetime.fromtimestamp(calendar.timegm(value), UTC)


def _entry_media(entry: dict[str, Any]) -> list[Media]:
    media = [
        Media(_kind(e.get("type")), e["href"])
        for e in entry.get("enclosures") or []
        if e.get("href")
    ]
    for content in entry.get("media_content") or []:
        if content.get("url"):
            kind = content.get("medium") or _kind(content.get("type"))
            media.append(Media(kind if kind in MEDIA_KINDS else "link", content["url"]))
    media += [Media("image", t["url"]) for t in entry.get("media_thumbnail") or [] if t.get("url")]
    return list({m.url: m for m in media}.values())


def _json_media(item: dict[str, Any]) -> list[Media]:
    media = [Media("image", item["image"])] if item.get("image") else []
    for attachment in item.get("attachments") or []:
        if isinstance(attachment, dict) and attachment.get("url"):
            media.append(Media(_kind(attachment.get("mime_type")), attachment["url"]))
    return media


def _kind(mime: Any) -> str:
    family = str(mime or "").split("/")[0]
    return family if family in MEDIA_KINDS else "link"


def _links(html: str, text: str, own: str | None, extra: list[Any] | None = None) -> list[str]:
    parser = _Html()
    parser.feed(html)
    parser.close()
    found = [*parser.links, *entities.links(text), *(e for e in extra or [] if e)]
    return [link for link in _unique(found) if link != own]


def _author(name: Any, feed_title: Any, site: str | None) -> Author:
    name = _plain(str(name or ""))
    host = urlsplit(site or "").netloc.lower().removeprefix("www.")
    title = _plain(str(feed_title or ""))
    handle = name or host or title or "unknown"
    return Author(handle=handle, display_name=name or title or None)


def _native_id(entry_id: Any, url: str | None, title: str, created: datetime) -> str:
    if isinstance(entry_id, str | int) and str(entry_id).strip():
        return str(entry_id).strip()
    if url:
        return url
    return hashlib.sha1(f"{title}\n{created.isoformat()}".encode()).hexdigest()


def _language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().split("-")[0].split("_")[0].lower() or None


def _iso(value: Any, name: str) -> datetime | None:
    """JSON Feed dates are RFC 3339; some feeds write RFC 822, which is read too."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        found = parse_date(str(value))
        if found is None:
            raise RowError(name, f"bad date {str(value)[:40]!r} (RFC 3339 expected)") from None
        return found
    return parsed.replace(tzinfo=parsed.tzinfo or UTC).astimezone(UTC)


def _json_author(obj: dict[str, Any]) -> str | None:
    """JSON Feed 1.1 `authors` supersedes 1.0 `author`."""
    people = [*(obj.get("authors") or []), obj.get("author")]
    names = (p.get("name") for p in people if isinstance(p, dict))
    return next((n for n in names if isinstance(n, str) and n.strip()), None)


def _is_json_feed(body: bytes, content_type: str | None) -> bool:
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime in JSON_TYPES or (not mime and body.lstrip()[:1] == b"{")


def _plain(value: str) -> str:
    return html_to_text(value) if "&" in value or "<" in value else value.strip()


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items() if not str(k).endswith("_parsed")}
    return value


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


_MONTHS = {
    "jan": "Jan", "gen": "Jan", "ene": "Jan",
    "fev": "Feb", "feb": "Feb",
    "mar": "Mar", "mrz": "Mar",
    "avr": "Apr", "apr": "Apr", "abr": "Apr",
    "mai": "May", "may": "May", "mag": "May",
    "juin": "Jun", "jun": "Jun", "giu": "Jun",
    "juil": "Jul", "jul": "Jul", "lug": "Jul",
    "aou": "Aug", "aug": "Aug", "ago": "Aug",
    "sep": "Sep", "set": "Sep",
    "oct": "Oct", "okt": "Oct", "ott": "Oct",
    "nov": "Nov",
    "dec": "Dec", "dez": "Dec", "dic": "Dec",
}  # fmt: skip


def _english_month(match: re.Match[str]) -> str:
    word = unicodedata.normalize("NFKD", match.group(0).lower().rstrip("."))
    word = "".join(c for c in word if not unicodedata.combining(c))
    if word in ("gmt", "ut", "utc", "z", "cet", "cest", "est", "edt", "pst", "pdt"):
        return match.group(0)
    return _MONTHS.get(word[:4]) or _MONTHS.get(word[:3]) or match.group(0)


class _Html(HTMLParser):
    """Text and links of an entry's HTML; scripts and styles are no text."""

    BLOCKS = frozenset(
        {"p", "div", "li", "ul", "ol", "blockquote", "pre", "tr", "table", "figure", "section"}
        | {"h1", "h2", "h3", "h4", "h5", "h6", "article", "header", "footer"}
    )
    HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")
        elif tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(self.hidden - 1, 0)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).split("\n")]
        text = "\n".join(lines)
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        return text.strip()
