"""Language detection with lingua (models shipped in its wheel), restricted to the languages a
deployment expects, which makes it both faster and more accurate on short posts."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib.metadata import version

import numpy as np
from lingua import IsoCode639_1, Language, LanguageDetectorBuilder
from lingua import LanguageDetector as _Lingua

from rumeur import entities
from rumeur.errors import ConfigError
from rumeur.model import EnrichmentResult

UNKNOWN = "unknown"
# Below this confidence the detector's best guess is not worth a label.
MIN_CONFIDENCE = 0.5


class LanguageDetector:
    task = "language"
    model = "lingua"

    def __init__(self, languages: Sequence[str], min_letters: int = 10) -> None:
        self.languages = tuple(sorted(set(languages)))
        self.min_letters = min_letters
        self.version = f"{version('lingua-language-detector')}:{','.join(self.languages)}"
        self._detector = _build(self.languages)

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        cleaned = [entities.strip_entities(t) for t in texts]
        readable = [i for i, t in enumerate(cleaned) if _letters(t) >= self.min_letters]
        labels = np.full(len(texts), UNKNOWN, dtype=object)
        scores = np.full(len(texts), np.nan)
        if readable:
            found = self._detector.compute_language_confidence_values_in_parallel(
                [cleaned[i] for i in readable]
            )
            for i, values in zip(readable, found, strict=True):
                if values and values[0].value >= MIN_CONFIDENCE:
                    labels[i] = values[0].language.iso_code_639_1.name.lower()
                    scores[i] = values[0].value
        return EnrichmentResult(self.task, self.model, self.version, labels, scores)


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


@cache
def _build(codes: tuple[str, ...]) -> _Lingua:
    # Cached because building loads models; the detector itself holds no per-batch state.
    languages = []
    for code in codes:
        try:
            languages.append(Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())))
        except (AttributeError, ValueError):
            raise ConfigError(f"nlp.languages: {code!r} is not a language lingua knows") from None
    if len(languages) == 1:
        languages.append(Language.ENGLISH if languages[0] != Language.ENGLISH else Language.FRENCH)
    return LanguageDetectorBuilder.from_languages(*languages).build()
