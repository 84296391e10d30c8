"""Mentions, hashtags and links found in a post's text, and the hosts that are no site."""

from __future__ import annotations

import re

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d]\w*)")
# A link runs to the first space, angle bracket or double quote; the quotation marks and the
# ellipsis of a text (“ ” « » …) never belong to an address either (X cuts a quoted link with a
# ”, a retweet with a …).
_LINK = re.compile(r"https?://[^\s<>\"“”«»…]+", re.IGNORECASE)
# What a sentence puts after a link: punctuation, closing quotes and brackets.
_TRAILING = frozenset(".,;:!?'’›)]}*")
_OPENING = {")": "(", "]": "[", "}": "{"}

# Link shorteners: their host says nothing of the site a link leads to, so it is no site (the
# dashboard's "Sites cited most" leaves them out); the link itself is kept.
SHORTENERS = frozenset({
    "t.co", "bit.ly", "bitly.com", "j.mp", "ow.ly", "ht.ly", "buff.ly", "tinyurl.com", "goo.gl",
    "dlvr.it", "lnkd.in", "is.gd", "v.gd", "trib.al", "ift.tt", "fb.me", "wp.me", "amzn.to",
    "tiny.cc", "shorturl.at", "rebrand.ly", "cutt.ly", "t.ly", "bl.ink", "bit.do", "po.st",
    "su.pr", "hubs.ly", "hubs.la", "spr.ly", "sco.lt", "snip.ly", "rb.gy", "shorte.st", "adf.ly",
    "mcaf.ee", "ln.is", "zpr.io", "s.id", "x.co", "qr.ae", "flip.it", "msft.it", "apple.co",
    "tinyurl.fr", "urlz.fr", "lc.cx",
})  # fmt: skip


def mentions(text: str) -> list[str]:
    return _unique(m.lower() for m in _MENTION.findall(_LINK.sub(" ", text)))


def hashtags(text: str) -> list[str]:
    return _unique(h.lower() for h in _HASHTAG.findall(_LINK.sub(" ", text)))


def links(text: str) -> list[str]:
    if "://" not in text:  # most posts: no regular expression to run
        return []
    found = (trim(m.group(0)) for m in _LINK.finditer(text) if not _cut(text, m.end()))
    return _unique(link for link in found if link.partition("://")[2])


def trim(link: str) -> str:
    """`link` without the punctuation a sentence puts after it. A closing bracket stays when the
    link opens it too, as Wikipedia's addresses do: …/wiki/Python_(programming_language)."""
    while link and link[-1] in _TRAILING:
        last = link[-1]
        if last in _OPENING and link.count(_OPENING[last]) >= link.count(last):
            break
        link = link[:-1]
    return link


def _cut(text: str, end: int) -> bool:
    """Is the link that ends at `end` cut short by an ellipsis (a truncated retweet's last
    link, "https://t.co/IAH0l…")? Such an address leads nowhere: it is no link of the post."""
    return text.startswith("…", end)


def strip_entities(text: str) -> str:
    """The text without links and mentions: what is left for a language detector to read."""
    return _MENTION.sub(" ", _LINK.sub(" ", text))


def _unique(items: object) -> list[str]:
    return list(dict.fromkeys(items))  # type: ignore[call-overload]
