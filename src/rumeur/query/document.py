"""What a query looks at in a post: its words by stream, its tags, and its filterable fields.

Built once per post (the stream matcher evaluates every candidate query against the same
`Document`), from a `Post` of the pipeline, a JSON line of `rumeur match`, or a stored row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from rumeur.metrics import ENGAGEMENT, engagement, engagement_of
from rumeur.model import Post
from rumeur.query.fields import brand_key
from rumeur.query.tokens import Tokens, fold_tag, hashtags, mentions, tokenize

# scheme://host/..., the host made of letters, digits, dots and hyphens only (no user, no port).
_HOST = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.-]+)(?:[/?#]|$)")


@dataclass(slots=True)
class Document:
    title: Tokens
    text: Tokens
    place: Tokens
    hashtags: frozenset[str] = frozenset()
    mentions: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()  # every host of the post's URL and links, and its parents
    urls: tuple[str, ...] = ()  # lower case
    brands: frozenset[str] = frozenset()  # the brands the post was attributed to, `brand_key`ed
    fields: dict[str, Any] = field(default_factory=dict)
    _positions: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def stream(self, name: str) -> Tokens:
        return {"title": self.title, "text": self.text, "place": self.place}[name]

    def positions(self, name: str) -> dict[str, list[int]]:
        """Folded word -> its positions in the stream, built on first use."""
        found = self._positions.get(name)
        if found is None:
            found = {}
            for i, norm in enumerate(self.stream(name).norms):
                found.setdefault(norm, []).append(i)
            self._positions[name] = found
        return found

    def vocabulary(self) -> set[str]:
        """Every folded word of every stream: what the stream matcher's index looks up."""
        return set(self.title.norms) | set(self.text.norms) | set(self.place.norms)


def document(
    *,
    text: str | None,
    title: str | None = None,
    location: str | None = None,
    url: str | None = None,
    links: Iterable[str] = (),
    brands: Iterable[str] = (),
    **fields: Any,
) -> Document:
    """A document from plain values. `fields` holds the filterable ones by rumeur's names:
    `lang`, `platform`, `author`, `followers`, `engagement`, `verified`, `sentiment`,
    `emotion`, `reason`, `type`. `brands` are the names of the brands the post was attributed
    to (the workspace's, which the pipeline gives the post before the queries are matched)."""
    both = f"{title or ''}\n{text or ''}"
    urls = tuple(u.lower() for u in (url, *links) if u)
    return Document(
        title=tokenize(title),
        text=tokenize(text),
        place=tokenize(location),
        hashtags=frozenset(hashtags(both)),
        mentions=frozenset(mentions(both)),
        sites=frozenset(s for u in urls for s in host_suffixes(u)),
        urls=urls,
        brands=frozenset(brand_key(b) for b in brands if b),
        fields=_clean(fields),
    )


def from_post(post: Post, labels: Mapping[str, str] | None = None) -> Document:
    """The document of `post`; `labels` (task -> label) when they are not on the post yet."""
    m = post.metrics
    labels = labels if labels is not None else {x.task: x.label for x in post.labels}
    return document(
        text=post.text,
        title=post.title,
        location=post.location or post.author.location,
        url=post.url,
        links=post.links,
        brands=post.brands,
        lang=labels.get("language", post.language),
        platform=post.platform,
        author=post.author.handle,
        followers=post.author.followers,
        verified=post.author.verified,
        engagement=engagement(m.likes, m.reposts, m.replies, m.quotes),
        sentiment=labels.get("sentiment"),
        emotion=labels.get("emotion"),
        reason=labels.get("reason"),
        type=post_type(post.text, post.reply_to, post.quote_of),
    )


def from_mapping(row: Mapping[str, Any]) -> Document:
    """A document from a JSON line of `rumeur match` or a stored row. Brandwatch's field names
    are read too (`language`, `authorFollowers`...)."""
    get = row.get
    author = get("author")
    if isinstance(author, Mapping):
        author = author.get("handle")
    total = get("engagement")
    if total is None and any(k in row for k in ENGAGEMENT):
        total = engagement_of(row)
    kind = get("type") or post_type(get("text"), get("reply_to"), get("quote_of"))
    return document(
        text=get("text"),
        title=get("title"),
        location=get("location") or get("author_location"),
        url=get("url"),
        links=get("links") or (),
        brands=_names(get("brands")),
        lang=get("lang") or get("language"),
        platform=get("platform"),
        author=author,
        followers=get("followers", get("authorFollowers")),
        verified=get("verified", get("authorVerified")),
        engagement=total,
        sentiment=get("sentiment"),
        emotion=get("emotion"),
        reason=get("reason"),
        type=kind,
    )


def _names(brands: Any) -> list[str]:
    """`brands` of a JSON line: a list of names, or one name."""
    if isinstance(brands, str):
        return [brands]
    return [str(b) for b in brands or ()]


def post_type(text: str | None, reply_to: str | None, quote_of: str | None) -> str:
    """original, reply, quote or repost (a text that starts with "RT @", as old retweets do)."""
    if reply_to:
        return "reply"
    if quote_of:
        return "quote"
    if (text or "").startswith("RT @"):
        return "repost"
    return "original"


def host_suffixes(url: str) -> tuple[str, ...]:
    """``https://news.bbc.co.uk/x`` -> news.bbc.co.uk, bbc.co.uk, co.uk: what ``site:`` compares,
    so that a site matches its subdomains."""
    found = _HOST.match(url)
    if found is not None:  # the common case, without urlsplit's cost (every post has links)
        return _suffixes(found.group(1).lower())
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    except ValueError:
        return ()
    return _suffixes(host)


@lru_cache(maxsize=16384)
def _suffixes(host: str) -> tuple[str, ...]:
    labels = host.strip(".").split(".")
    if len(labels) == 1:
        return tuple(labels)
    return tuple(".".join(labels[i:]) for i in range(len(labels) - 1))


def _clean(fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None or value == "":
            continue
        if key in {"lang", "platform", "sentiment", "emotion", "reason", "type"}:
            value = str(value).lower()
        elif key == "author":
            value = fold_tag(str(value).lstrip("@"))
        elif key in {"followers", "engagement"}:
            value = _count(key, value)
        elif key == "verified":
            value = value if isinstance(value, bool) else str(value).lower() in {"true", "1"}
        out[key] = value
    return out


def _count(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{key!r} must be a whole number, not {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{key!r} must be a whole number, not {value!r}") from None
