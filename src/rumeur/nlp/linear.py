"""The shipped linear models at run time: numpy and scipy only, no scikit-learn.

A model is a weight matrix over the hashed features of `rumeur.nlp.features` (float16 on disk),
a bias per class and a link: ``softmax`` (multinomial logistic regression) or ``ovr`` (one
sigmoid per class, normalised). Scores are probabilities. A model may also carry one part per
language (weights and bias of a model trained on that language alone): a text whose language
has a part gets the weighted mean of the two models' logits, which is still one linear model
per language, so explanations stay exact. `explain` re-derives the n-grams of
one text and reads their weights, so every label can say which words pushed for and against it,
the lexicon's cues among them ("déçu (negative word)").
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from rumeur.model import EnrichmentResult
from rumeur.nlp.explain import Explanation, explanation
from rumeur.nlp.features import Featuriser

MODELS = Path(__file__).parent / "models"
NONE = "none"  # the label of a post the model reads no clear class in (emotion)
CHUNK = 2048  # texts featurised at once: bounds memory, keeps numpy's buffers warm


class LinearModel:
    task = ""
    model = ""
    version = ""

    def __init__(
        self,
        classes: Sequence[str],
        weights: np.ndarray,
        bias: np.ndarray,
        featuriser: Featuriser,
        link: str = "softmax",
        use_meta: bool = False,
    ) -> None:
        self.classes = tuple(classes)
        self.weights = np.asarray(weights, dtype=np.float32)
        self.bias = np.asarray(bias, dtype=np.float32)
        self.featuriser = featuriser
        self.link = link
        self.use_meta = use_meta
        self.card: dict[str, Any] = {}
        # language code -> (weights, bias) of its own model, mixed in with weight `mix`
        self.parts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.mix = 0.5
        # Under this probability the label is `none` (emotion: not the likeliest of four when
        # none is clear); the probabilities themselves are untouched. 0: always a class.
        self.none_below = 0.0

    def add_part(self, code: str, weights: np.ndarray, bias: np.ndarray) -> None:
        self.parts[code] = (np.asarray(weights, np.float32), np.asarray(bias, np.float32))

    # --- prediction ------------------------------------------------------------------------

    def features(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> sp.csr_matrix:
        return self.featuriser.transform(texts, meta if self.use_meta else None)

    def proba_from_features(
        self, x: sp.csr_matrix, meta: Sequence[str] | None = None
    ) -> np.ndarray:
        z = self.logits(x, meta)
        if self.link == "ovr":
            p = 1.0 / (1.0 + np.exp(-z))
            return p / p.sum(axis=1, keepdims=True)
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def logits(self, x: sp.csr_matrix, meta: Sequence[str] | None = None) -> np.ndarray:
        z = np.asarray(x @ self.weights) + self.bias
        if not self.parts or meta is None:
            return z
        codes = np.asarray(meta, dtype=object)
        for code, (weights, bias) in self.parts.items():
            rows = np.flatnonzero(codes == code)
            if len(rows):
                own = np.asarray(x[rows] @ weights) + bias
                z[rows] = (1.0 - self.mix) * z[rows] + self.mix * own
        return z

    def predict_proba(
        self, texts: Sequence[str], meta: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], np.ndarray]:
        if len(texts) <= CHUNK:  # the list itself, so that shared features can be found
            parts = [self.proba_from_features(self.features(texts, meta), meta)]
        else:
            parts = [
                self.proba_from_features(
                    self.features(texts[i : i + CHUNK], _part(meta, i)), _part(meta, i)
                )
                for i in range(0, len(texts), CHUNK)
            ]
        matrix = np.vstack(parts) if parts else np.zeros((0, len(self.classes)))
        return self.classes, matrix

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        return self.result(self.predict_proba(texts, meta)[1])

    def result(self, proba: np.ndarray) -> EnrichmentResult:
        best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=int)
        labels = np.array(self.classes, dtype=object)[best]
        scores = proba[np.arange(len(proba)), best]
        if self.none_below:
            labels[scores < self.none_below] = NONE
        return EnrichmentResult(self.task, self.model, self.version, labels, scores)

    # --- explanation -----------------------------------------------------------------------

    def explain(self, text: str, top: int = 8, meta: str | None = None) -> Explanation:
        """The features that weighed most for and against the predicted label.

        A feature's weight is its value in the text times its weight for the label, less the
        mean of its weights over all labels (softmax) — what it adds to the label's odds. With a
        part for the text's language, the two models' weights are mixed as their logits are.
        Character n-grams are summed per word they were cut from, under that word.
        """
        x = self.features([text], None if meta is None else [meta])
        proba = self.proba_from_features(x, None if meta is None else [meta])[0]
        k = int(proba.argmax())
        column = self._column(self.weights, k)
        if meta in self.parts:
            own = self._column(self.parts[meta][0], k)
            column = (1.0 - self.mix) * column + self.mix * own
        meta = meta if self.use_meta else None
        values = dict(zip(x.indices.tolist(), x.data.tolist(), strict=True))
        if proba[k] < self.none_below:
            return explanation(NONE, float(proba[k]), {}, top)  # no class to argue for
        contrib = _per_feature(self.featuriser.units(text, meta), values, column)
        # The lexicon's cues, each with its share of its column (read with the text's language
        # as `features` reads it).
        for name, col, value in self.featuriser.cue_units(text, meta):
            contrib[name] = contrib.get(name, 0.0) + value * float(column[col])
        return explanation(self.classes[k], float(proba[k]), contrib, top)

    def _column(self, weights: np.ndarray, k: int) -> np.ndarray:
        if self.link == "softmax":
            return weights[:, k] - weights.mean(axis=1)
        return weights[:, k]

    # --- files -----------------------------------------------------------------------------

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"weights": self.weights.astype(np.float16), "bias": self.bias}
        if self.featuriser.idf is not None:
            out["idf"] = self.featuriser.idf.astype(np.float16)
        for code, (weights, bias) in self.parts.items():
            # A language's model has weights only where its texts have features: kept sparse.
            cols = np.flatnonzero(np.abs(weights).max(axis=1) > 0).astype(np.int32)
            out[f"part_{code}_columns"] = cols
            out[f"part_{code}_weights"] = weights[cols].astype(np.float16)
            out[f"part_{code}_bias"] = bias
        return out

    def save(self, folder: Path, name: str, card: dict[str, Any]) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.npz"
        np.savez_compressed(path, **self.arrays())
        settings = {"featuriser": self.featuriser.settings(), "link": self.link}
        if self.parts:
            settings |= {"parts": sorted(self.parts), "mix": self.mix}
        if self.none_below:
            settings |= {"none_below": self.none_below}
        card = card | settings | {"classes": list(self.classes), "use_meta": self.use_meta}
        card["weights_sha256"] = sha256(path)
        (folder / f"{name}.json").write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
        return path

    @classmethod
    def load(cls, name: str, folder: Path = MODELS) -> LinearModel:
        card = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        with np.load(folder / f"{name}.npz") as arrays:
            idf = arrays["idf"].astype(np.float32) if "idf" in arrays else None
            feat = Featuriser(**card["featuriser"], idf=idf)
            model = cls(card["classes"], arrays["weights"], arrays["bias"], feat, card["link"])
            for code in card.get("parts", []):
                weights = np.zeros_like(model.weights)
                weights[arrays[f"part_{code}_columns"]] = arrays[f"part_{code}_weights"]
                model.add_part(code, weights, arrays[f"part_{code}_bias"])
            model.mix = card.get("mix", model.mix)
            model.none_below = float(card.get("none_below", 0.0))
        model.use_meta = card["use_meta"]
        model.task, model.model, model.version = card["task"], card["name"], card["version"]
        model.card = card
        return model


def predict_all(
    models: Sequence[LinearModel], texts: Sequence[str], meta: Sequence[str] | None = None
) -> list[EnrichmentResult]:
    """Several models over one batch; models with the same featuriser share its features.

    `meta` is each text's language code, read by the models trained with a language token.
    """
    probas: list[list[np.ndarray]] = [[] for _ in models]
    for i in range(0, len(texts), CHUNK):
        chunk, cache = texts[i : i + CHUNK], {}
        for j, model in enumerate(models):
            key = _feature_key(model)
            if key not in cache:
                cache[key] = model.features(chunk, _part(meta, i))
            probas[j].append(model.proba_from_features(cache[key], _part(meta, i)))
    return [
        m.result(np.vstack(p) if p else np.zeros((0, len(m.classes))))
        for m, p in zip(models, probas, strict=True)
    ]


def _feature_key(model: LinearModel) -> tuple[Any, ...]:
    idf = model.featuriser.idf
    return (
        json.dumps(model.featuriser.settings()),
        model.use_meta,
        None if idf is None else id(idf),
    )


def _per_feature(
    units: list[tuple[str, str, int]], values: dict[int, float], column: np.ndarray
) -> dict[str, float]:
    shares: dict[int, int] = defaultdict(int)
    for _, _, col in units:
        shares[col] += 1
    out: dict[str, float] = defaultdict(float)
    for _, group, col in units:
        out[group] += values.get(col, 0.0) * float(column[col]) / shares[col]
    return dict(out)


def _part(meta: Sequence[str] | None, start: int) -> Sequence[str] | None:
    return None if meta is None else meta[start : start + CHUNK]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
