"""The stable interface every enrichment model implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from rumeur.model import EnrichmentResult


class Enricher(Protocol):
    task: str  # language, sentiment, emotion, reason
    model: str
    version: str

    def predict(self, texts: Sequence[str]) -> EnrichmentResult:
        """One label and score per text, in order. Never raises on odd text."""
        ...
