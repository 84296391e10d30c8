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
from rumeur.nlp.linear import NONE

MAX_CHARS = 5_000  # a post longer than this is judged on its beginning


def readable(text: str) -> bool:
    """Whether a text has a word, a number or an emoji once links and mentions are gone."""
    return _has_content(entities.strip_entities(text))


def _has_content(rest: str) -> bool:
    return any(ch.isalnum() or unicodedata.category(ch) == "So" for ch in rest)


def readable_all(texts: Sequence[str]) -> list[bool]:
    stripped = shared(("stripped", texts), lambda: [entities.strip_entities(t) for t in texts])
    return [_has_content(rest) for rest in stripped]


def _cut(texts: Sequence[str]) -> list[str]:
    return shared(("cut", texts), lambda: [t[:MAX_CHARS] for t in texts])


class Guarded:
    """A model, asked only about texts it can read."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.task, self.model, self.version = inner.task, inner.model, inner.version
        self.classes = tuple(inner.classes)

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        flags = shared(("readable", texts), lambda: readable_all(texts))
        matrix = np.full((len(texts), len(self.classes)), np.nan)
        if any(flags):
            # The whole list, as it is where it can be: the features of the very same list are
            # shared with the batch's other models; rows with nothing to read are dropped after.
            whole = texts if all(len(t) <= MAX_CHARS for t in texts) else _cut(texts)
            _, found = self.inner.predict_proba(whole, meta)
            keep = np.array(flags, dtype=bool)
            matrix[keep] = found[keep]
        return self.classes, matrix

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        _, matrix = self.predict_proba(texts, meta)
        known = ~np.isnan(matrix).any(axis=1) if len(texts) else np.zeros(0, dtype=bool)
        best = np.where(known, np.nan_to_num(matrix, nan=-1.0).argmax(axis=1), 0)
        labels = np.where(known, np.array(self.classes, dtype=object)[best], "")
        scores = np.where(known, matrix[np.arange(len(texts)), best], np.nan)
        # A model that can say "none" (emotion) does so below its threshold here too: the
        # pipeline labels through this wrapper, not through the model's own predict.
        none_below = float(getattr(self.inner, "none_below", 0.0) or 0.0)
        if none_below:
            labels[known & (np.nan_to_num(scores, nan=1.0) < none_below)] = NONE
        return EnrichmentResult(self.task, self.model, self.version, labels, scores)

    @property
    def explains(self) -> bool:
        """Whether the model can say which words weighed (a transformer cannot)."""
        return callable(getattr(self.inner, "explain", None))

    def explain(self, text: str, top: int = 8, meta: str | None = None) -> Any:
        if not readable(text) or not self.explains:
            return None
        return self.inner.explain(text[:MAX_CHARS], top, meta)
