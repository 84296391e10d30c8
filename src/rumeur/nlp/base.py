"""The stable interface every enrichment model implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from rumeur.model import EnrichmentResult

if TYPE_CHECKING:  # numpy and the models load only when a model is asked for
    import numpy as np

    from rumeur.nlp.explain import Explanation


class Enricher(Protocol):
    task: str  # language, sentiment, emotion, reason
    model: str
    version: str

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        """One label and score per text, in order. Never raises on odd text.

        `meta` is each text's language, for the models that read it; others ignore it.
        """
        ...


class Classifier(Enricher, Protocol):
    classes: Sequence[str]

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        """The classes, and one row of their probabilities per text."""
        ...

    def explain(self, text: str, top: int = 8, meta: str | None = None) -> Explanation | None:
        """Why the text got its label; None for a text with nothing to read."""
        ...
