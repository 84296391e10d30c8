"""The facets of one post, counted in `facet_rollups`: its hashtags, mentions, link hosts
(`site`), links, words and author, each distinct value once.

A link's site is its host (`site()`); a shortener's host (t.co, bit.ly...) is no site, and the
link still counts as a link. Computed only from columns the store keeps (text, title, hashtags,
mentions, links, author_id), so that the writer can take away exactly what a stored post
contributed.
Words keep their accents (a French reader wants `problème`, not `probleme`) and are lower-cased;
the search index folds them, the facet does not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from rumeur.entities import SHORTENERS
from rumeur.nlp.stopwords import STOPWORDS

MAX_VALUE = 255  # facet_rollups.value
MIN_WORD = 3
KINDS = ("tag", "mention", "site", "link", "word", "author")

_WORD = re.compile(r"[^\W_]+")  # letters and digits, as query/tokens.py cuts words
# What is not a word of the text: addresses, mentions and hashtags (counted as facets of their own).
_NOT_WORDS = re.compile(r"(?:https?://|www\.)\S+|[@#]\w[\w.-]*")

Facet = tuple[str, str]  # (kind, value)
_SAME_SITE = ("www.", "m.", "mobile.")  # prefixes of a host that name the same site


def facets(
    text: str | None,
    title: str | None,
    hashtags: Iterable[str] | None,
    mentions: Iterable[str] | None,
    links: Iterable[str] | None,
    author_id: int,
) -> frozenset[Facet]:
    return with_author(text_facets(text, title, hashtags, mentions, links), author_id)


def with_author(found: frozenset[Facet], author_id: int) -> frozenset[Facet]:
    """`text_facets` and the author's: a post's facets."""
    return found | {("author", str(author_id))}


def text_facets(
    text: str | None,
    title: str | None,
    hashtags: Iterable[str] | None,
    mentions: Iterable[str] | None,
    links: Iterable[str] | None,
) -> frozenset[Facet]:
    """The facets of a post that its own values give (all but its author's, which the store
    numbers): computable before the post is stored, by the process that reads a file."""
    out: set[Facet] = set()
    for tag in hashtags or ():
        if value := tag.lstrip("#").lower():
            out.add(("tag", value[:MAX_VALUE]))
    for name in mentions or ():
        if value := name.lstrip("@").lower():
            out.add(("mention", value[:MAX_VALUE]))
    for link in links or ():
        if not link:
            continue
        out.add(("link", link[:MAX_VALUE]))
        if host := site(link):
            out.add(("site", host[:MAX_VALUE]))
    for piece in (title, text):
        if piece:
            out.update(("word", w) for w in words(piece))
    return frozenset(out)


@lru_cache(maxsize=8192)  # links repeat a lot (the same article shared many times)
def site(link: str) -> str | None:
    """The site a link leads to: its host, without the `www.`, `m.` or `mobile.` in front (the
    same site for a phone); None for a shortener's host (t.co, bit.ly...), which names no site,
    and for what is no address."""
    try:
        host = urlsplit(link if "//" in link else f"//{link}").hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".")
    # Until none is left (www.m.lemonde.fr): the site of a site is itself. m.me is a site of
    # its own: only a prefix followed by a domain with a dot goes.
    while prefix := next((p for p in _SAME_SITE if host.startswith(p)), None):
        if "." not in host[len(prefix) :]:
            break
        host = host[len(prefix) :]
    return None if host in SHORTENERS or not host else host


def words(text: str) -> list[str]:
    """The countable words of a text, in order (repeats included)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)  # a decomposed accent would split a word
    return [
        w[:MAX_VALUE]
        for w in _WORD.findall(_NOT_WORDS.sub(" ", text).lower())
        if len(w) >= MIN_WORD and w not in STOPWORDS and not w.isdigit()
    ]
