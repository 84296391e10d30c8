"""Language detection for short posts, in two steps.

1. The project's own linear model (`models/language.*`, hashed character and word n-grams,
   trained by `make models` on the eight languages of the tweet sets) reads every post in one
   sparse product: it shares its features with the sentiment and emotion models, so it costs
   almost nothing.
2. lingua (a well-kept library whose models ship in its wheel), restricted to the deployment's
   languages, decides every post the first step is not sure of, or whose language the first
   step does not know.

A text with fewer than `min_letters` letters, once links and mentions are gone, is "unknown".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.metadata import version
from typing import Any

import numpy as np
from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
from lingua import LanguageDetector as _Lingua

from rumeur import entities
from rumeur.errors import ConfigError
from rumeur.model import EnrichmentResult
from rumeur.nlp.explain import Explanation, explanation, reason
from rumeur.nlp.features import shared

UNKNOWN = "unknown"
WORD = re.compile(r"[^\W\d_]+")
MIN_CONFIDENCE = 0.5  # below this, lingua's best guess is not worth a label
FAST_CONFIDENCE = 0.8  # the linear model's answer is kept at or above this probability


class LanguageDetector:
    task = "language"

    def __init__(
        self, languages: Sequence[str], min_letters: int = 10, fast: Any | None = None
    ) -> None:
        self.languages = tuple(sorted(set(languages)))
        self.min_letters = min_letters
        self.fast = fast
        self._detector = _build(self.languages)
        lingua = f"lingua {version('lingua-language-detector')}"
        self.model = "lingua" if fast is None else f"{fast.model}+lingua"
        parts = [lingua, fast.version if fast is not None else "", ",".join(self.languages)]
        self.version = ":".join(p for p in parts if p)

    @property
    def classes(self) -> tuple[str, ...]:
        return self.languages

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        """Each language's probability; a row of NaN for a text too short to tell."""
        cleaned = shared(("stripped", texts), lambda: [entities.strip_entities(t) for t in texts])
        readable = [i for i, t in enumerate(cleaned) if _letters(t) >= self.min_letters]
        matrix = np.full((len(texts), len(self.languages)), np.nan)
        undecided = self._fast(texts, readable, matrix)
        column = {code: j for j, code in enumerate(self.languages)}
        found = self._detector.compute_language_confidence_values_in_parallel(
            [cleaned[i] for i in undecided]
        )
        for i, values in zip(undecided, found, strict=True):
            for value in values:
                matrix[i, column[value.language.iso_code_639_1.name.lower()]] = value.value
        return self.languages, matrix

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        _, matrix = self.predict_proba(texts)
        known = ~np.isnan(matrix).any(axis=1) if len(texts) else np.zeros(0, dtype=bool)
        filled = np.nan_to_num(matrix, nan=-1.0)
        best = filled.argmax(axis=1) if len(texts) else np.zeros(0, dtype=int)
        top = filled[np.arange(len(texts)), best]
        sure = known & (top >= MIN_CONFIDENCE)
        labels = np.where(sure, np.array(self.languages, dtype=object)[best], UNKNOWN)
        scores = np.where(sure, top, np.nan)
        return EnrichmentResult(self.task, self.model, self.version, labels, scores)

    def explain(self, text: str, top: int = 8, meta: str | None = None) -> Explanation | None:
        """The words that look most and least like the language found, each read alone."""
        result = self.predict([text])
        label = result.label(0)
        if label == UNKNOWN:
            return None
        words = list(dict.fromkeys(w for w in WORD.findall(entities.strip_entities(text))))
        target = _language(label)
        baseline = 1 / len(self.languages)
        weights = {
            w: self._detector.compute_language_confidence(w, target) - baseline
            for w in words
            if reason(w) is not None  # lingua is asked only about the words that can be shown
        }
        return explanation(label, result.score(0) or 0.0, weights, top)

    def _fast(self, texts: Sequence[str], readable: list[int], matrix: np.ndarray) -> list[int]:
        """Fill the rows the linear model is sure of; return the others, for lingua."""
        if self.fast is None or not readable:
            return readable
        # Every text, the very list: its features are those the other models read too.
        classes, proba = self.fast.predict_proba(texts)
        proba = proba[readable]
        column = {code: j for j, code in enumerate(self.languages)}
        known = [j for j, code in enumerate(classes) if code in column]
        best = proba.argmax(axis=1)
        sure = (proba.max(axis=1) >= FAST_CONFIDENCE) & np.isin(best, known)
        rows = np.asarray(readable)[sure]
        mine = proba[sure][:, known]
        matrix[rows] = 0.0
        # Renormalised over the deployment's languages only.
        matrix[np.ix_(rows, [column[classes[j]] for j in known])] = mine / mine.sum(
            axis=1, keepdims=True
        )
        return np.asarray(readable)[~sure].tolist()


def _letters(text: str) -> int:
    return sum(map(str.isalpha, text))


def _language(code: str) -> Language:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        raise ConfigError(f"nlp.languages: {code!r} is not a language lingua knows") from None


@cache
def _build(codes: tuple[str, ...]) -> _Lingua:
    # Cached because building loads models; the detector itself holds no per-batch state.
    languages = [_language(code) for code in codes]
    if len(languages) == 1:
        languages.append(Language.ENGLISH if languages[0] != Language.ENGLISH else Language.FRENCH)
    return LanguageDetectorBuilder.from_languages(*languages).build()
