"""Mentions, hashtags and links found in a post's text."""

from __future__ import annotations

import re

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")
_HASHTAG = re.compile(r"(?<![\w#&])#(\w*[^\W\d]\w*)")
_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def mentions(text: str) -> list[str]:
    return _unique(m.lower() for m in _MENTION.findall(_LINK.sub(" ", text)))


def hashtags(text: str) -> list[str]:
    return _unique(h.lower() for h in _HASHTAG.findall(_LINK.sub(" ", text)))


def links(text: str) -> list[str]:
    return _unique(link.rstrip(".,;:!?)") for link in _LINK.findall(text))


def strip_entities(text: str) -> str:
    """The text without links and mentions: what is left for a language detector to read."""
    return _MENTION.sub(" ", _LINK.sub(" ", text))


def _unique(items: object) -> list[str]:
    return list(dict.fromkeys(items))  # type: ignore[call-overload]
