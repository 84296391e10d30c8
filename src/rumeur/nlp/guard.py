"""Texts with nothing to read (empty, only links and mentions) get a defined answer, "no
label", without asking a model to guess; very long texts are cut before a model reads them."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np

from rumeur import entities
from rumeur.model import EnrichmentResult
from rumeur.nlp.features import shared

MAX_CHARS = 5_000  # a post longer than this is judged on its beginning


def readable(text: str) -> bool:
    """Whether a text has a word, a number or an emoji once links and mentions are gone."""
    rest = entities.strip_entities(text)
    return any(ch.isalnum() or unicodedata.category(ch) == "So" for ch in rest)


class Guarded:
    """A model, asked only about texts it can read."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.task, self.model, self.version = inner.task, inner.model, inner.version
        self.classes = tuple(inner.classes)

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        flags = shared(("readable", texts), lambda: [readable(t) for t in texts])
        keep = [i for i, ok in enumerate(flags) if ok]
        matrix = np.full((len(texts), len(self.classes)), np.nan)
        if len(keep) == len(texts) and all(len(t) <= MAX_CHARS for t in texts):
            # Every text as it is: the very same list, so that shared features are reused.
            _, found = self.inner.predict_proba(texts, meta)
            matrix[:] = found
        elif keep:
            sub_meta = None if meta is None else [meta[i] for i in keep]
            _, found = self.inner.predict_proba([texts[i][:MAX_CHARS] for i in keep], sub_meta)
            matrix[keep] = found
        return self.classes, matrix

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        _, matrix = self.predict_proba(texts, meta)
        known = ~np.isnan(matrix).any(axis=1) if len(texts) else np.zeros(0, dtype=bool)
        best = np.where(known, np.nan_to_num(matrix, nan=-1.0).argmax(axis=1), 0)
        labels = np.where(known, np.array(self.classes, dtype=object)[best], "")
        scores = np.where(known, matrix[np.arange(len(texts)), best], np.nan)
        return EnrichmentResult(self.task, self.model, self.version, labels, scores)

    def explain(self, text: str, top: int = 8, meta: str | None = None) -> Any:
        if not readable(text):
            return None
        return self.inner.explain(text[:MAX_CHARS], top, meta)
