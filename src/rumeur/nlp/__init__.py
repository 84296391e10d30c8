"""Enrichment models: batch in (a list of texts), arrays out."""

from rumeur.nlp.base import Enricher
from rumeur.nlp.language import LanguageDetector

__all__ = ["Enricher", "LanguageDetector"]
