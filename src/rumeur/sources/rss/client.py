"""The feed client: one conditional GET per page of a feed (RSS 0.9x-2.0, RSS 1.0, Atom, JSON
Feed), its bytes decoded with the charset the server gives, read as far as they go.

A feed has no quota headers as a rule; a server that sends the IETF `RateLimit-*` ones is
honoured by the limiter, and `Retry-After` on a 429 or a 503 is waited out by the retry policy.
A 304 answers a conditional GET: nothing new, nothing parsed. Redirects are followed and logged;
a permanent one changes nothing in the settings (the user decides where the feed lives).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import feedparser
import httpx
import structlog

from rumeur.net.errors import RateLimited
from rumeur.net.http import Closing, Http
from rumeur.net.ratelimit import retry_after
from rumeur.sources.rss.errors import NotAFeed

log = structlog.get_logger(__name__)

ACCEPT = (
    "application/feed+json, application/atom+xml, application/rss+xml, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# What mapping an entry needs of its feed (who signs, its language, its date, its site).
FEED_KEYS = (
    "title", "link", "language", "updated", "updated_parsed", "published", "published_parsed",
    "home_page_url", "author", "authors",
)  # fmt: skip


@dataclass(slots=True)
class Page:
    """One page of a feed as read. `complete` is False when the document broke off or was
    malformed: its last entry may be cut, so it is left out, and the validators are not kept
    (the next poll reads the whole feed again)."""

    url: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    feed: dict[str, Any] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    next_url: str | None = None
    not_modified: bool = False
    complete: bool = True
    problem: str | None = None


class FeedHttp(Http):
    """`Http`, with a 503 that says `Retry-After` waited out like a 429 (servers under load and
    CDNs say it that way)."""

    def _check(self, response: httpx.Response, now: datetime, reset: datetime | None) -> None:
        if response.status_code == 503:
            until = retry_after(response.headers, now)
            if until is not None:
                raise RateLimited(self.source, until)
        super()._check(response, now, reset)


class FeedClient(Closing):
    def __init__(self, http: Http) -> None:
        self.http = http

    def close(self) -> None:
        self.http.close()

    def fetch(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Page:
        """The page at `url`; with validators, a conditional GET that may say not modified."""
        headers = {"Accept": ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        response = self.http.request("GET", url, headers=headers)
        self._log_redirects(response)
        if response.status_code == 304:
            return Page(url, etag=etag, last_modified=last_modified, not_modified=True)
        page = read_page(response.content, response.headers.get("content-type", ""), url)
        page.etag = response.headers.get("etag")
        page.last_modified = response.headers.get("last-modified")
        if page.next_url:
            page.next_url = str(response.url.join(page.next_url))
        if not page.feed and not page.complete:
            raise NotAFeed(self.http.source, f"{response.url.path} is not a feed ({page.problem})")
        return page

    def _log_redirects(self, response: httpx.Response) -> None:
        for hop in response.history:
            # Only the path: a private feed's URL may carry a token in its query.
            log.info(
                "feed redirected",
                source=self.http.source,
                status=hop.status_code,
                to=httpx.URL(hop.headers.get("location", "")).path,
            )


def read_page(body: bytes, content_type: str, url: str) -> Page:
    """A feed's bytes as entries, JSON Feed or XML (the charset from `content_type` when the
    document declares none)."""
    if _is_json(body, content_type):
        return _read_json_feed(body, url)
    return _read_xml_feed(body, content_type, url)


def _is_json(body: bytes, content_type: str) -> bool:
    kind = content_type.split(";")[0].strip().lower()
    return kind.endswith("json") or body.lstrip()[:1] == b"{"


def _read_json_feed(body: bytes, url: str) -> Page:
    try:
        doc = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return Page(url, complete=False, problem=f"JSON: {exc}")
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        return Page(url, complete=False, problem="JSON without items")
    feed = {k: doc[k] for k in FEED_KEYS if k in doc}
    feed["format"] = "jsonfeed"
    entries = [item for item in doc["items"] if isinstance(item, dict)]
    next_url = doc.get("next_url") if isinstance(doc.get("next_url"), str) else None
    return Page(url, entries=entries, feed=feed, next_url=next_url)


def _read_xml_feed(body: bytes, content_type: str, url: str) -> Page:
    # Blank lines before the XML declaration make it ill-formed; browsers shrug, so do we.
    parsed = feedparser.parse(
        body.lstrip(),
        response_headers={"content-type": content_type or "application/xml"},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    entries = list(parsed.entries)
    feed = {k: parsed.feed[k] for k in FEED_KEYS if k in parsed.feed}
    feed["format"] = parsed.version or "unknown"
    problem = _fatal(parsed)
    if problem and entries:
        entries = entries[:-1]  # the entry open when the document broke off may be cut
    if not parsed.version and not entries:
        return Page(url, complete=False, problem=problem or "no RSS, RDF or Atom element")
    next_url = _link(parsed.feed, "next")
    return Page(url, entries, feed, next_url=next_url, complete=not problem, problem=problem)


def _fatal(parsed: Any) -> str | None:
    """What made the document unreadable past some point; None when it was read to its end
    (a charset that had to be guessed is not fatal)."""
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, feedparser.CharacterEncodingOverride | feedparser.NonXMLContentType):
        return None
    return f"{type(exc).__name__}: {exc}"[:200]


def _link(feed: dict[str, Any], rel: str) -> str | None:
    """RFC 5005 paging: `<link rel="next">` (Atom) or `<atom:link rel="next">` (RSS)."""
    for link in feed.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == rel and link.get("href"):
            return str(link["href"])
    return None
