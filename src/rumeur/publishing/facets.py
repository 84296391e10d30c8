"""Bluesky's rich-text facets (docs/publish.md, "Bluesky"): the links, mentions and hashtags of
a text, each with its UTF-8 BYTE offsets, as the `app.bsky.richtext.facet` lexicon wants them
(an `é` is two bytes, an emoji four: a character offset would land in the wrong place).

Found as Bluesky's own app finds them:

- a link starts with `http://` or `https://` after the start, a space or `(`, and ends before a
  space; a final `.,;:!?` is not part of it, nor a final `)` when the link opens none;
- a mention is `@` and a domain-like handle (`laposte.bsky.social`) after the start, a space or
  `(`; it gets a facet only when the resolver gives the handle's DID
  (`com.atproto.identity.resolveHandle`): an unknown handle stays plain text;
- a hashtag is `#` after the start or a space, then anything up to a space, without its final
  punctuation, not digits alone, and at most 64 characters.

Facets are given in the order of their start, and never overlap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import regex

FACET = "app.bsky.richtext.facet"
TAG_MAX = 64
Resolver = Callable[[str], str | None]  # a handle -> its DID, or None

_LINK = regex.compile(r"(?:^|(?<=[\s(]))https?://\S+")
_MENTION = regex.compile(
    r"(?:^|(?<=[\s(]))@([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)+)"
)
_TAG = regex.compile(r"(?:^|(?<=\s))[#＃]([^\s\u00ad\u2060\u200a-\u200d\u20e2]+)")
_TAG_END = regex.compile(r"\p{P}+$")


def links(text: str) -> list[tuple[int, int, str]]:
    """(start, end, uri) in characters."""
    found = []
    for match in _LINK.finditer(text):
        uri = match.group(0)
        uri = uri.rstrip(".,;:!?")
        if uri.endswith(")") and "(" not in uri:
            uri = uri[:-1].rstrip(".,;:!?")
        found.append((match.start(), match.start() + len(uri), uri))
    return found


def mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, handle) in characters; the span holds the `@`."""
    found = []
    for match in _MENTION.finditer(text):
        handle = match.group(1)
        if handle[-1] == "." or not regex.search(r"\.[a-zA-Z][a-zA-Z0-9-]*$", handle):
            continue
        found.append((match.start(), match.end(), handle.lower()))
    return found


def tags(text: str) -> list[tuple[int, int, str]]:
    """(start, end, tag) in characters; the span holds the `#`, the tag does not."""
    found = []
    for match in _TAG.finditer(text):
        tag = _TAG_END.sub("", match.group(1))
        if not tag or tag.isdigit() or len(tag) > TAG_MAX or tag.startswith("\ufe0f"):
            continue
        found.append((match.start(), match.start() + 1 + len(tag), tag))
    return found


def facets(text: str, resolve: Resolver | None = None) -> list[dict[str, Any]]:
    """The facets of `text`, byte offsets; a mention only where `resolve` gives its DID."""
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for start, end, uri in links(text):
        spans.append((start, end, {"$type": f"{FACET}#link", "uri": uri}))
    for start, end, handle in mentions(text):
        did = resolve(handle) if resolve is not None else None
        if did:
            spans.append((start, end, {"$type": f"{FACET}#mention", "did": did}))
    for start, end, tag in tags(text):
        spans.append((start, end, {"$type": f"{FACET}#tag", "tag": tag}))
    spans.sort(key=lambda s: (s[0], s[1]))
    found: list[dict[str, Any]] = []
    last_end = -1
    for start, end, feature in spans:
        if start < last_end:
            continue  # a tag inside a link's address is the link's
        found.append(_facet(text, start, end, feature))
        last_end = end
    return found


def _facet(text: str, start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    byte_start = len(text[:start].encode("utf-8"))
    byte_end = byte_start + len(text[start:end].encode("utf-8"))
    return {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}
