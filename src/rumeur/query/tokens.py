"""How rumeur cuts text into words, for queries, the stream matcher and the archive index alike.

One function decides what a word is, so that a query means the same thing on the live stream and
in the store: the store indexes the very tokens `tokenize` returns (see `search_text`).

- A word is a run of letters and digits; everything else separates words. French elisions and
  apostrophes therefore split the way a reader expects: ``l'Assemblée`` is ``l`` + ``assemblée``,
  ``qu'EDF`` is ``qu`` + ``edf``. Hyphens split too (``pare-feu`` is two words).
- Words are compared folded: lower case, accents removed (``ÉLECTION`` is ``election``). The
  original form is kept for the exact-case operator ``{EDF}``.
- An emoji is a word of its own (``🔥``), so that analysts can listen for it.
- Hashtags and mentions are also read whole (``#LaPoste`` gives the tag ``laposte``), for the
  ``#tag`` and ``@name`` operators; their words stay in the text like any other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Letters and digits, and (as single-character tokens) pictographs: emoji live in the
# Symbol-other category above U+2100 and in the supplementary planes' symbol blocks.
TOKEN = re.compile(r"[^\W_]+|[\u2190-\u2bff\u3030\u303d\U0001f000-\U0001faff]")
HASHTAG = re.compile(r"(?<![\w#&])#(\w+)")
MENTION = re.compile(r"(?<![\w@.])@(\w(?:[\w.-]*\w)?)")
_ASCII_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True, slots=True)
class Tokens:
    """The words of one text: `norms` (folded, for matching) and `raws` (as written), in order;
    position i is the i-th word."""

    norms: tuple[str, ...]
    raws: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.norms)


@lru_cache(maxsize=65536)
def fold(word: str) -> tuple[str, ...]:
    """The folded form of one raw word: lower case, no accents. Usually one piece; a character
    whose compatibility form holds a separator (``½``) gives several."""
    if word.isascii():
        return (word.lower(),)
    if len(word) == 1 and not word.isalnum():
        return (f"emoji{ord(word):x}",)
    decomposed = unicodedata.normalize("NFKD", word.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    pieces = tuple(TOKEN.findall(plain))
    return pieces if pieces else (plain,)


def tokenize(text: str | None) -> Tokens:
    """The words of `text`, folded and as written."""
    if not text:
        return Tokens((), ())
    norms: list[str] = []
    raws: list[str] = []
    for raw in TOKEN.findall(unicodedata.normalize("NFC", text)):
        for piece in fold(raw):
            norms.append(piece)
            raws.append(raw)
    return Tokens(tuple(norms), tuple(raws))


def folded(text: str) -> list[str]:
    """Only the folded words of `text`: what a query term or a filter value compares."""
    return list(tokenize(text).norms)


def hashtags(text: str | None) -> set[str]:
    """The folded hashtags of `text`, without their ``#``."""
    return {fold_tag(t) for t in HASHTAG.findall(text or "")}


def mentions(text: str | None) -> set[str]:
    """The folded mentions of `text`, without their ``@``."""
    return {fold_tag(m) for m in MENTION.findall(text or "")}


@lru_cache(maxsize=65536)
def fold_tag(tag: str) -> str:
    """A hashtag or handle compared whole: lower case, no accents, underscores and dots kept."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFC", tag).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_text(tokens: Tokens) -> str:
    """What the archive index stores for a text: its folded words separated by spaces. Every
    folded word is made of letters and digits only, so the index's tokenizer splits exactly
    here and positions in the index are positions in `tokens`."""
    return " ".join(tokens.norms)
