"""The composer's arithmetic (docs/inbox.md, "Answers"): how long a reply is the way its network
counts it, whether the network would take it, and a saved reply's variables filled in. Pure:
the page's live counter and the refusal on submit call the same functions, so they never differ.

- Mastodon: 500 characters, where a character is what a reader sees (an extended grapheme
  cluster, as Mastodon's own validator counts), every link counts as 23 whatever its length,
  and a mention of a remote account counts its user name only (`@marie@piaille.fr` as `@marie`).
- Bluesky: 300 graphemes, and at most 3,000 bytes of UTF-8 (the record's own limit). Links,
  mentions and tags count as written; their facets are the sender's (UTF-8 byte offsets).
- Reddit: 10,000 characters.

Graphemes are Unicode's extended grapheme clusters, from the `regex` module's `\\X`.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from rumeur.i18n import _
from rumeur.model import platform_name

LINK_LENGTH = 23  # what Mastodon counts for any link
LIMITS = {"mastodon": 500, "bluesky": 300, "reddit": 10_000}
BLUESKY_BYTES = 3000
DEFAULT_LIMIT = 500  # a network rumeur does not know: the strictest of the common ones
VARIABLES = ("customer", "case", "agent")

_LINK = regex.compile(r"https?://[^\s<>\"]+")
_TRAILING = ".,;:!?)]}'\""
_REMOTE_MENTION = regex.compile(r"(?<![\w@])(@[\w.-]+)@[\w-]+(?:\.[\w-]+)+")
_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> int:
    """How many extended grapheme clusters `text` holds (what a reader counts as characters:
    an emoji with its skin tone, a letter with its combining accents, a flag, each one)."""
    return len(_GRAPHEME.findall(text))


@dataclass(frozen=True, slots=True)
class Count:
    """A reply's length as its network counts it, against its limit."""

    used: int
    limit: int
    size: int | None = None  # Bluesky: the text's UTF-8 bytes (limit BLUESKY_BYTES)

    @property
    def left(self) -> int:
        return self.limit - self.used

    @property
    def fits(self) -> bool:
        return self.used <= self.limit and (self.size is None or self.size <= BLUESKY_BYTES)


def _mastodon_text(text: str) -> str:
    """The text as Mastodon counts it: each link as 23 characters, remote mentions without their
    domain."""

    def link(match: regex.Match[str]) -> str:
        url = match.group(0)
        kept = url.rstrip(_TRAILING)
        return "x" * LINK_LENGTH + url[len(kept) :]

    return _REMOTE_MENTION.sub(r"\1", _LINK.sub(link, text))


def sent_text(platform: str, text: str, customer: str | None = None) -> str:
    """The text as it will leave: on Mastodon, the customer named first when the reply does not
    name them (as the sender writes it, sources/mastodon/reply.py), so that it reaches them."""
    text = text.strip()
    name = (customer or "").lstrip("@")
    if platform != "mastodon" or not name or not text:
        return text
    if regex.search(rf"@{regex.escape(name)}\b", text, regex.IGNORECASE):
        return text
    return f"@{name} {text}"


def count(platform: str, text: str, customer: str | None = None) -> Count:
    """`text`'s length on `platform` as it will be sent to `customer`, against that network's
    limit."""
    text = sent_text(platform, text, customer)
    if platform == "mastodon":
        return Count(graphemes(_mastodon_text(text)), LIMITS["mastodon"])
    if platform == "bluesky":
        return Count(graphemes(text), LIMITS["bluesky"], len(text.encode("utf-8")))
    if platform == "reddit":
        return Count(len(text), LIMITS["reddit"])
    return Count(graphemes(text), DEFAULT_LIMIT)


def refusal(platform: str, text: str, customer: str | None = None) -> str | None:
    """Why the network would refuse `text` as a reply, in one line; None when it would take it."""
    if not text.strip():
        return _("The reply is empty.")
    found = count(platform, text, customer)
    if found.used > found.limit:
        return _("The reply is {used} characters long: {platform} takes at most {limit}.").format(
            used=found.used, platform=platform_name(platform), limit=found.limit
        )
    if found.size is not None and found.size > BLUESKY_BYTES:
        return _("The reply is {size} bytes long: Bluesky takes at most {limit}.").format(
            size=found.size, limit=BLUESKY_BYTES
        )
    return None


def fill(template: str, *, customer: str, case: int | str, agent: str) -> str:
    """A saved reply with its variables replaced: `{customer}` (the customer's handle, with its
    @), `{case}` (the conversation's number) and `{agent}` (the adviser's name). Any other text,
    braces included, stays as it is: the values are never read as a template themselves."""
    values = {"customer": "@" + customer.lstrip("@"), "case": str(case), "agent": agent}
    pieces = regex.split(r"(\{(?:customer|case|agent)\})", template)
    return "".join(values[p[1:-1]] if p[1:-1] in values and p[0] == "{" else p for p in pieces)
