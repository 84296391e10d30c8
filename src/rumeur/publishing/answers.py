"""The answers to a published item, gathered from its replies and counted (docs/publish.md,
"Answers"): `rumeur publish answers ID` and the item's page.

The inbox keeps each reply with its parent's id (store/publish_answers.py); an item's ids are
its native id and, on Mastodon, the status's id on the account's server (what a reply's
`in_reply_to_id` names: the last part of the status's URI and address).

- A poll or a "battle" (its message has answers, `poll.options`): a reply that names exactly
  one answer (as words, whatever the case and accents; or the answer's letter alone, `A`, `B`)
  is a vote for it; one that names none or several is counted apart, as `unclear`. On Mastodon
  the poll's own votes stay on the network: these are the replies.
- An open question: the replies grouped by what they say once mentions, links, case, accents
  and punctuation are set aside, each group shown as its first wording, the largest first.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rumeur.store.publish_answers import Reply, replies_to
from rumeur.store.publishing import Item
from rumeur.store.store import Store

LETTERS = "ABCD"
_NOISE = re.compile(r"(?:https?://\S+|@[\w.@-]+)")
_PUNCT = re.compile(r"[^\w]+")
SHOWN = 50  # groups of an open question's answers shown (the rest counted in `others`)


@dataclass(frozen=True, slots=True)
class Answers:
    """What the replies say: each answer with its count, largest first (a poll's in the
    order of its answers), the replies that name no answer or several (`unclear`), and the
    open question's answers beyond the first SHOWN groups (`others`)."""

    kind: str  # "choice" (a poll or a battle) or "open"
    replies: int
    counts: list[tuple[str, int]] = field(default_factory=list)
    unclear: int = 0
    others: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "replies": self.replies, "unclear": self.unclear,
                "others": self.others,
                "answers": [{"answer": a, "count": c} for a, c in self.counts]}  # fmt: skip


def fold(text: str) -> str:
    """`text` without mentions, links, case, accents and punctuation: what an answer says."""
    text = _NOISE.sub(" ", text)
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_PUNCT.sub(" ", text).split())


def parents(item: Item) -> set[str]:
    """The ids a reply to `item` names as its parent."""
    found = {item.native_id} if item.native_id else set()
    if item.platform == "mastodon":
        for address in (item.native_id, item.native_url):
            last = (address or "").rstrip("/").rsplit("/", 1)[-1]
            if last.isdigit():
                found.add(last)
    return found


def count(options: Sequence[str], replies: Sequence[Reply]) -> Answers:
    """The replies counted as votes for `options`, or grouped when there are none."""
    if options:
        return _votes(options, replies)
    return _groups(replies)


def _votes(options: Sequence[str], replies: Sequence[Reply]) -> Answers:
    folded = [fold(o) for o in options]
    votes, unclear = Counter[int](), 0
    for reply in replies:
        said = fold(reply.text)
        named = {i for i, o in enumerate(folded) if o and re.search(rf"\b{re.escape(o)}\b", said)}
        if said in (letter.casefold() for letter in LETTERS[: len(options)]):
            named.add(LETTERS.index(said.upper()))
        if len(named) == 1:
            votes[named.pop()] += 1
        else:
            unclear += 1
    counts = [(o, votes[i]) for i, o in enumerate(options)]
    return Answers("choice", len(replies), counts, unclear)


def _groups(replies: Sequence[Reply]) -> Answers:
    groups: Counter[str] = Counter()
    wording: dict[str, str] = {}
    unclear = 0
    for reply in replies:
        key = fold(reply.text)
        if not key:
            unclear += 1
            continue
        groups[key] += 1
        wording.setdefault(key, " ".join(_NOISE.sub(" ", reply.text).split()))
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
    shown = [(wording[k], n) for k, n in ranked[:SHOWN]]
    others = sum(n for _k, n in ranked[SHOWN:])
    return Answers("open", len(replies), shown, unclear, others)


def options_of(message: dict[str, Any] | None) -> list[str]:
    """A message's answers (its poll's options), as it was written."""
    master = ((message or {}).get("variants") or {}).get("master") or {}
    poll = master.get("poll") or {}
    return [str(o) for o in poll.get("options") or []]


def answers(store: Store, item: Item, message: dict[str, Any] | None) -> Answers:
    """The item's replies, counted as its message asks: votes for its answers, or grouped."""
    found = replies_to(store, item.workspace, item.platform, parents(item))
    return count(options_of(message), found)
