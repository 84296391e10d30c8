"""The lexicon's cues as features of the linear models: a few named columns per text.

The words of the polarity lexicon (`lexicon.py`) are read in the tokens the featuriser already
made, with one pass and dict lookups: a polar word or emoji adds its strength to its column,
times 1.5 or 2 after an intensifier ("vraiment déçu"), times 0.5 after a diminisher; inside a
negation's scope (`ne … pas`, `pas du tout`, `aucun`, `not`, `never`, `n't`: the next three
tokens, to the next punctuation) it goes to a column of its own ("pas satisfait"); before a
contrast word (`mais`, `pourtant`, `but`) it counts half, so the clause after the contrast
weighs more. Question cues ("quels sont", "est-ce que", "how do i", "?") have a column too:
neutral requests look like questions. Each hit is named as a reader reads it
("déçu (negative word)"), and carries its share of its column, so an explanation can give every
hit its exact weight.

Lexicon terms are tokenised as texts are (`n't` becomes `not`, `n'` becomes `ne`, elisions
split: `j'suis` is `j suis`), so a term and a text meet in the same form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from rumeur.nlp.lexicon import ANY_LANG, LANGS, letters, lexicon_path, read_lexicon, strip_accents

# The columns, in order; each name is also how a hit of the column is said ("{words} (…)").
COLUMNS = (
    "positive word",
    "negative word",
    "negated positive",
    "negated negative",
    "positive emoji",
    "negative emoji",
    "question",
)
POS, NEG, NEG_POS, NEG_NEG, EMO_POS, EMO_NEG, QUESTION = range(len(COLUMNS))
SCOPE = 3  # tokens a negation reaches, as the word features' NEG_ marks
LOOSE_LETTERS = 4  # shorter terms are not matched without their accents (où/ou)
# French words that negate only inside a negation already open ("ne … plus", "ne … personne"):
# alone they mean "more" and "somebody".
_ONLY_IN_SCOPE = frozenset({"plus", "personne"})
_CLAUSE_END = frozenset(".;!?")
_PUNCTUATION = frozenset(".,;:!?")
# Languages the lexicon has no words for: only the emoji and emoticons are read there.
_OTHER = frozenset({"ar", "de", "hi", "it", "pt", "es"})


@dataclass(frozen=True, slots=True)
class Cue:
    category: str
    polarity: int
    strength: int


@dataclass(frozen=True, slots=True)
class Hit:
    column: int
    name: str  # as a reader reads it: "vraiment déçu (negative word)"
    value: float


class CueTable:
    """The lexicon of one language (or of both) keyed by its terms' tokens."""

    def __init__(self, terms: dict[str, Cue]) -> None:
        self.terms = terms
        # The first token of each multi-word term, and its longest length: most tokens start
        # no phrase and cost one set lookup.
        self.longest: dict[str, int] = {}
        for key in terms:
            words = key.split(" ")
            if len(words) > 1:
                self.longest[words[0]] = max(self.longest.get(words[0], 1), len(words))

    def find(self, tokens: Sequence[str], start: int) -> tuple[int, Cue | None]:
        """The longest term at `start`: (its length in tokens, its cue), or (1, None)."""
        token = tokens[start]
        longest = self.longest.get(token)
        if longest is not None:
            for end in range(min(len(tokens), start + longest), start + 1, -1):
                cue = self.terms.get(" ".join(tokens[start:end]))
                if cue is not None:
                    return end - start, cue
        return 1, self.terms.get(token)

    def hits(self, tokens: Sequence[str]) -> list[Hit]:
        """Every cue of one text, with its column and value (see the module's docstring)."""
        found: list[Hit] = []
        state = _State()
        i = 0
        while i < len(tokens):
            size, cue = self.find(tokens, i)
            words = " ".join(tokens[i : i + size])
            i += size
            if cue is not None:
                state.read(cue, words, found)
            else:
                state.step()
            if words[0] in _PUNCTUATION:
                state.left = state.boost_left = 0
                if words[0] in _CLAUSE_END:
                    state.clause = len(found)
        return found


@dataclass(slots=True)
class _State:
    """Where a text's reading stands: the negation's and the intensifier's reach left, the
    intensifier's factor and words, where the current clause's hits begin."""

    left: int = 0
    boost_left: int = 0
    boost: float = 1.0
    modifier: str = ""
    clause: int = 0

    def step(self) -> None:
        self.left, self.boost_left = max(self.left - 1, 0), max(self.boost_left - 1, 0)

    def read(self, cue: Cue, words: str, found: list[Hit]) -> None:
        kind = cue.category
        if kind == "negator" and (words not in _ONLY_IN_SCOPE or self.left):
            self.left = SCOPE
            return
        if kind in ("intensifier", "diminisher"):
            self.boost = 1.0 + 0.5 * cue.strength if kind == "intensifier" else 0.5
            self.boost_left, self.modifier = 2, words
            return
        if kind == "contrast":
            # The clause after "mais" says what the writer means: what came before counts half.
            before = found[self.clause :]
            found[self.clause :] = [Hit(h.column, h.name, h.value * 0.5) for h in before]
        elif kind == "question":
            found.append(Hit(QUESTION, f"{words} (question)", 1.0))
        elif cue.polarity:
            # An emoji stands apart from the words around it: no intensifier reaches it.
            boosted = self.boost_left > 0 and cue.category != "emoticon"
            value = abs(cue.polarity) * (self.boost if boosted else 1.0)
            shown = f"{self.modifier} {words}" if boosted else words
            found.append(_polar(cue, shown, value, negated=self.left > 0))
            self.boost_left = 0
        self.step()


def _polar(cue: Cue, words: str, value: float, negated: bool) -> Hit:
    positive = cue.polarity > 0
    if cue.category == "emoticon":
        column = EMO_POS if positive else EMO_NEG
        return Hit(column, f"{words} ({COLUMNS[column]})", value)
    if negated:
        return Hit(NEG_POS if positive else NEG_NEG, f"{words} (negated)", value)
    column = POS if positive else NEG
    return Hit(column, f"{words} ({COLUMNS[column]})", value)


def table_for(lang: str | None) -> CueTable:
    """French or English, both where the language is not known, the emoji alone for the
    languages the lexicon has no words for."""
    if lang in LANGS:
        return _table(lang)
    return _table(ANY_LANG if lang in _OTHER else "both")


@cache
def _table(which: str) -> CueTable:
    from rumeur.nlp.features import tokenise_batch  # features reads this module

    wanted = {"both": (*LANGS, ANY_LANG), ANY_LANG: (ANY_LANG,)}.get(which, (which, ANY_LANG))
    entries = [e for e in read_lexicon(lexicon_path()) if e.lang in wanted]
    keys = tokenise_batch([e.term for e in entries])
    terms: dict[str, Cue] = {}
    loose: dict[str, Cue] = {}
    for entry, tokens in zip(entries, keys, strict=True):
        if not tokens:
            continue
        key, cue = " ".join(tokens), Cue(entry.category, entry.polarity, entry.strength)
        # The first entry of a term wins (the file lists a lemma before its inflections).
        terms.setdefault(key, cue)
        if letters(key) >= LOOSE_LETTERS:
            loose.setdefault(strip_accents(key), cue)
    # A word written without its accents ("decu") finds the accented entry, unless it is a
    # word of its own.
    return CueTable(loose | terms)


def cue_rows(
    tokens: Sequence[Sequence[str]], langs: Sequence[str | None]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, columns, values) of the cue block for a batch of tokenised texts."""
    rows, cols, values = [], [], []
    for row, (words, lang) in enumerate(zip(tokens, langs, strict=True)):
        totals: dict[int, float] = {}
        for hit in table_for(lang).hits(words):
            totals[hit.column] = totals.get(hit.column, 0.0) + hit.value
        for column, total in totals.items():
            rows.append(row)
            cols.append(column)
            values.append(total)
    return (
        np.asarray(rows, dtype=np.int64),
        np.asarray(cols, dtype=np.int64),
        np.log1p(np.asarray(values, dtype=np.float32)),
    )


def named_hits(tokens: Sequence[str], lang: str | None) -> list[Hit]:
    """The hits of one text, as `cue_rows` counts them (for explanations)."""
    return table_for(lang).hits(tokens)
