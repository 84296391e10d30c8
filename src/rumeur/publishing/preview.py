"""Each account's variant as its network will show it (the composer's preview, docs/publish.md,
"The composer"): the text cut into plain runs and highlighted ones (links, mentions, hashtags),
and what the network counts against its limit.

- Bluesky: the facets the record will carry, read back from their UTF-8 byte offsets, so the
  preview highlights exactly what the post will link (an unresolved mention stays plain);
- Mastodon: links, mentions and hashtags as Mastodon finds them, a link shown as Mastodon shows
  it (without its scheme, cut after 30 characters with `…`), and counted as 23;
- Reddit: the title above the body, which Reddit shows as written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rumeur.publishing import facets as found_facets
from rumeur.publishing.rules import (
    BLUESKY_GRAPHEMES,
    MASTODON_CHARACTERS,
    REDDIT_BODY,
    Draft,
    graphemes,
    mastodon_length,
)

SHOWN_LINK = 30  # what Mastodon shows of a link's address, without its scheme


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    kind: str = ""  # "", "link", "mention" or "tag"
    href: str = ""


@dataclass(frozen=True, slots=True)
class Shown:
    runs: list[Run]
    used: int
    limit: int


def shown(draft: Draft, mastodon_limit: int | None = None) -> Shown:
    """`draft`'s text as its network shows it, with what the network counts."""
    if draft.platform == "bluesky":
        runs = bluesky_runs(draft.text, draft.extra.get("facets") or [])  # type: ignore[arg-type]
        return Shown(runs, graphemes(draft.text), BLUESKY_GRAPHEMES)
    if draft.platform == "mastodon":
        used = mastodon_length(draft.text) + mastodon_length(draft.spoiler or "")
        return Shown(mastodon_runs(draft.text), used, mastodon_limit or MASTODON_CHARACTERS)
    return Shown([Run(draft.text)], len(draft.text), REDDIT_BODY)


def bluesky_runs(text: str, facets: Sequence[dict[str, Any]]) -> list[Run]:
    """The text cut at its facets' byte offsets."""
    data, runs, at = text.encode("utf-8"), [], 0
    for facet in sorted(facets, key=lambda f: f["index"]["byteStart"]):
        start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
        if start < at or end > len(data):
            continue  # overlapping or out of the text: not ours to show
        feature = (facet.get("features") or [{}])[0]
        kind = str(feature.get("$type", "")).rsplit("#", 1)[-1]
        href = feature.get("uri") or feature.get("did") or feature.get("tag") or ""
        runs.append(Run(data[at:start].decode("utf-8", "replace")))
        runs.append(Run(data[start:end].decode("utf-8", "replace"), kind, str(href)))
        at = end
    runs.append(Run(data[at:].decode("utf-8", "replace")))
    return [r for r in runs if r.text]


def mastodon_runs(text: str) -> list[Run]:
    """The text with its links (shown shortened), mentions and hashtags marked."""
    marks = [(s, e, "link", u) for s, e, u in found_facets.links(text)]
    marks += [(s, e, "mention", h) for s, e, h in found_facets.mentions(text)]
    marks += [(s, e, "tag", t) for s, e, t in found_facets.tags(text)]
    runs, at = [], 0
    for start, end, kind, value in sorted(marks):
        if start < at:
            continue
        runs.append(Run(text[at:start]))
        piece = _short(text[start:end]) if kind == "link" else text[start:end]
        runs.append(Run(piece, kind, value))
        at = end
    runs.append(Run(text[at:]))
    return [r for r in runs if r.text]


def _short(url: str) -> str:
    bare = url.split("://", 1)[-1]
    return bare if len(bare) <= SHOWN_LINK else bare[:SHOWN_LINK] + "…"
