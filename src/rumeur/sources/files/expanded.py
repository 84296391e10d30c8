"""The addresses behind the t.co links of an X payload, for a JSON-lines file of tweets.

X shortens every link of a tweet to https://t.co/...; the payload says where each one leads,
in `entities.urls` (API v1.1 and v2) and `entities.media` (v1.1): `url` is the t.co address as
it stands in the text, `expanded_url` the one the author posted, and `unwound_url` (v2, when X
followed the redirects) where it finally lands. A long tweet's entities are in
`extended_tweet` (v1.1) or `note_tweet` (v2). A CSV row, or JSON without entities, carries
none of this: its links stay as written.

A tweet that v1.1 cut short ends with "… https://t.co/…", a link to the tweet itself
(twitter.com/i/web/status/<id>): it is no link the author cited, and is left out.
"""

from __future__ import annotations

import re
from typing import Any

# Where a tweet keeps its entities: the tweet itself, then its long form.
_HOLDERS = ((), ("extended_tweet",), ("note_tweet",))
_KINDS = ("urls", "media")
_READ_MORE = re.compile(r"https?://(?:www\.)?(?:twitter|x)\.com/i/web/status/\d+/?$")


def expand(links: list[str], row: dict[str, Any]) -> list[str]:
    """`links` (found in the text) with each t.co address the row explains replaced by its
    expanded one, then the expanded addresses the text lacks (a truncated tweet cuts its last
    links off), each once."""
    if not isinstance(row.get("entities"), dict):  # a CSV row, and most JSON: nothing to do
        return links
    targets = expansions(row)
    if not targets:
        return links
    found = [targets.get(_key(link), link) for link in links]
    kept = (link for link in [*found, *targets.values()] if not _READ_MORE.match(link))
    return list(dict.fromkeys(kept))


def expansions(tweet: dict[str, Any]) -> dict[str, str]:
    """The t.co address (without its scheme: a text may write http:// where the entity says
    https://) -> the address it stands for, for every link entity of the tweet."""
    out: dict[str, str] = {}
    for path in _HOLDERS:
        holder: Any = tweet
        for key in path:
            holder = holder.get(key) if isinstance(holder, dict) else None
        entities = holder.get("entities") if isinstance(holder, dict) else None
        if isinstance(entities, dict):
            for kind in _KINDS:
                _read(entities.get(kind), out)
    return out


def _read(items: Any, out: dict[str, str]) -> None:
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        short, target = item.get("url"), item.get("unwound_url") or item.get("expanded_url")
        if isinstance(short, str) and isinstance(target, str) and target.startswith("http"):
            out.setdefault(_key(short), target)


def _key(link: str) -> str:
    return link.partition("://")[2] or link
