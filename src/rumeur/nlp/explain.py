"""Why a model gave its label: the words and phrases that weighed most for and against it.

A model weighs every feature of a text, the ones a reader would call a reason ("déçu", "lost
luggage", "not satisfied") and the others: punctuation, function words ("the", "de"), the
placeholders of links and mentions (`_url`, `_user`), the language token (`__fr`). `explanation`
is the one place that leaves the others out, so that no page, API answer or command shows them;
what it keeps carries its exact weight, as the model computed it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rumeur.i18n import _
from rumeur.nlp.features import NEG_PREFIX, NEGATIONS
from rumeur.nlp.stopwords import STOPWORDS

MIN_LETTERS = 3  # shorter words ("i", "a", "s" of "it's") say nothing alone, as in the facet
_PUNCTUATION = re.compile(r"[!?]+|[.,;:]+")
_NUMBER = re.compile(r"\d+")


@dataclass
class Explanation:
    label: str
    score: float
    supporting: list[tuple[str, float]]  # features that raise the label, largest first
    opposing: list[tuple[str, float]]  # features that lower it, most negative first

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": round(self.score, 4),
            "for": [[f, round(w, 4)] for f, w in self.supporting],
            "against": [[f, round(w, 4)] for f, w in self.opposing],
        }


def explanation(label: str, score: float, weights: Mapping[str, float], top: int) -> Explanation:
    """The `top` reasons for and against `label`, out of each feature's weight in the text.

    Features that are no reason (see `reason`) are left out before the ranking, so the top is
    made of reasons only; the weights are not touched.
    """
    ranked = sorted(
        ((f, w) for f, w in weights.items() if reason(f) is not None),
        key=lambda kv: kv[1],
        reverse=True,
    )
    supporting = [(f, w) for f, w in ranked[:top] if w > 0]
    opposing = [(f, w) for f, w in reversed(ranked[-top:]) if w < 0]
    return Explanation(label, score, supporting, opposing)


@dataclass(frozen=True, slots=True)
class Reason:
    words: str  # as a reader writes them: "lost luggage", "satisfied"
    negated: bool  # read inside a negation whose word is not part of the phrase
    cue: str = ""  # a lexicon cue's kind ("negative word"; see `rumeur.nlp.cues`), else ""


# A lexicon cue as `rumeur.nlp.cues` names it: "vraiment déçu (negative word)".
_CUE = re.compile(
    r"(?P<words>\S.*) \((?P<kind>positive word|negative word|negated|positive emoji"
    r"|negative emoji|question)\)"
)


def reason(feature: str) -> Reason | None:
    """What a feature says to a reader, or None when it says nothing.

        A feature is a word or emoji (``déçu``), a word in a negation's scope (``NEG_satisfied``),
        or two of them side by side (``lost luggage``, ``not NEG_happy``), or a lexicon cue
    (``déçu (negative word)``, ``satisfait (negated)``). A phrase needs one word
        that means something: a content word, a negation word or an emoji; a placeholder or a
        punctuation mark anywhere makes the feature no reason.
    """
    cue = _CUE.fullmatch(feature)
    if cue is not None:
        kind = cue["kind"]
        return Reason(cue["words"], kind == "negated", "" if kind == "negated" else kind)
    parts = feature.split(" ")
    if len(parts) > 2 or any(_noise(p) for p in parts):
        return None
    words = [p.removeprefix(NEG_PREFIX) for p in parts]
    if not any(_meaningful(w) for w in words):
        return None
    # "NEG_x" or "NEG_x NEG_y": the negation came before the phrase; "not NEG_x" says it itself.
    negated = parts[0].startswith(NEG_PREFIX) and not any(w in NEGATIONS for w in words)
    return Reason(" ".join(words), negated)


def said(feature: str) -> str:
    """A feature as the page shows it, in the reader's language: "not satisfied (negated)"."""
    found = reason(feature)
    if found is None:
        return feature  # never reached for an explanation's features: they were all kept
    if found.negated:
        return _("not {words} (negated)").format(words=found.words)
    if found.cue:
        return _cue_said(found.cue).format(words=found.words)
    return found.words


def _cue_said(kind: str) -> str:
    """The wording of a lexicon cue's kind, with `{words}` for its words."""
    return {
        "positive word": _("{words} (positive word)"),
        "negative word": _("{words} (negative word)"),
        "positive emoji": _("{words} (positive emoji)"),
        "negative emoji": _("{words} (negative emoji)"),
        "question": _("{words} (question)"),
    }[kind]


def _noise(part: str) -> bool:
    """A placeholder (`_url`, `_user`, `__fr`) or a punctuation mark: never read as a reason."""
    token = part.removeprefix(NEG_PREFIX)
    return not token or token.startswith("_") or _PUNCTUATION.fullmatch(token) is not None


def _meaningful(word: str) -> bool:
    """A word that says something alone: not a function word, not a number, not too short
    (negation words excepted: "no", "pas" and "jamais" are reasons); an emoji or emoticon."""
    if word in NEGATIONS:
        return True
    if _NUMBER.fullmatch(word):
        return False
    if unicodedata.category(word[0])[0] not in "LM":
        return True  # an emoji or an emoticon: "😡", ":(", ":p"
    return len(word) >= MIN_LETTERS and word.lower() not in STOPWORDS
