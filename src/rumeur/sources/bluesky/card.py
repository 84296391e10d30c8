"""Bluesky's link cards (docs/publish.md, "Link cards"): a post whose text links to a page, and
that has no images, shows that page as a card, `app.bsky.embed.external` with the page's
address, title and description, read from its OpenGraph tags (`og:title`, `og:description`),
else its `<title>` and `<meta name="description">`.

Bluesky's app reads the page itself when a person writes a post; a record written through the
API carries its card or shows none. The page is read once, when the post is prepared
(net/page.py: bounded in time, size and type); a page that cannot be read leaves the post
without a card, never unsent. `RUMEUR_LINK_CARDS=off` reads no page (a machine that must not
reach the web); `local` also reads pages on this machine and its private network, which `on`
(the default) refuses (the tests serve their pages on 127.0.0.1).
"""

from __future__ import annotations

import os
from html.parser import HTMLParser
from typing import Any

from rumeur.net.page import read_page

EMBED_EXTERNAL = "app.bsky.embed.external"
LINK = "app.bsky.richtext.facet#link"
TITLE_LENGTH, DESCRIPTION_LENGTH = 300, 1000


class _Meta(HTMLParser):
    """The page's OpenGraph and description tags, and its title, up to its body."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}
        self._in_title = False
        self._title: list[str] = []
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            key = (values.get("property") or values.get("name") or "").lower()
            if key in ("og:title", "og:description", "description", "twitter:title"):
                self.found.setdefault(key, values.get("content", ""))
        elif tag == "title":
            self._in_title = True
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self._title.append(data)

    @property
    def title(self) -> str:
        return "".join(self._title)


def first_link(record: dict[str, Any]) -> str | None:
    """The address of the record's first link facet."""
    for facet in record.get("facets") or []:
        for feature in facet.get("features") or []:
            if feature.get("$type") == LINK and isinstance(feature.get("uri"), str):
                return str(feature["uri"])
    return None


def card(url: str, html: str) -> dict[str, Any] | None:
    """The `app.bsky.embed.external` of the page at `url`, from its HTML; None without a
    title."""
    meta = _Meta()
    meta.feed(html)
    found = meta.found
    title = _clean(found.get("og:title") or found.get("twitter:title") or meta.title)
    if not title:
        return None
    description = _clean(found.get("og:description") or found.get("description") or "")
    return {"$type": EMBED_EXTERNAL, "external": {
        "uri": url, "title": title[:TITLE_LENGTH],
        "description": description[:DESCRIPTION_LENGTH],
    }}  # fmt: skip


def mode() -> str:
    """`RUMEUR_LINK_CARDS`: on (the default), off, or local."""
    value = os.environ.get("RUMEUR_LINK_CARDS", "on").strip().lower()
    return value if value in ("on", "off", "local") else "on"


def link_card(record: dict[str, Any]) -> dict[str, Any] | None:
    """The card of the record's first link, when its page can be read; else None."""
    url, how = first_link(record), mode()
    if url is None or how == "off":
        return None
    html = read_page(url, allow_private=how == "local")
    return card(url, html) if html else None


def _clean(text: str) -> str:
    return " ".join(text.split())
