"""Enrichment models: batch in (a list of texts), arrays out."""

from typing import Any

from rumeur.nlp.base import Enricher

__all__ = ["Enricher", "LanguageDetector"]


def __getattr__(name: str) -> Any:
    # The detector loads numpy, scipy and lingua: only a command that detects pays for them.
    if name == "LanguageDetector":
        from rumeur.nlp.language import LanguageDetector

        return LanguageDetector
    raise AttributeError(name)
