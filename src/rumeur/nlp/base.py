"""The stable interface every enrichment model implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from rumeur.model import EnrichmentResult


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
