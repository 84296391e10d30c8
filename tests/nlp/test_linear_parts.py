"""A linear model with one part per language: saved sparse, loaded whole, mixed by logits."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rumeur.nlp.features import Featuriser
from rumeur.nlp.linear import LinearModel


def _model() -> LinearModel:
    feat = Featuriser(word_bits=10, char_bits=10)
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(feat.n_features, 3)).astype(np.float32)
    model = LinearModel(("negative", "neutral", "positive"), weights, np.zeros(3), feat)
    own = np.zeros_like(weights)
    own[:100] = rng.normal(size=(100, 3))  # a language's model: weights where its texts are
    model.add_part("fr", own, np.array([0.5, 0.0, -0.5]))
    model.mix = 0.3
    return model


def test_a_part_is_mixed_by_logits_for_its_language_only(tmp_path: Path) -> None:
    model = _model()
    model.save(tmp_path, "sentiment", {"task": "sentiment", "name": "t", "version": "0"})
    loaded = LinearModel.load("sentiment", tmp_path)
    assert set(loaded.parts) == {"fr"} and loaded.mix == 0.3
    np.testing.assert_allclose(loaded.parts["fr"][0], model.parts["fr"][0], atol=1e-2)

    texts = ["service nul", "merci beaucoup", "great crew"]
    x = loaded.features(texts)
    shared = np.asarray(x @ loaded.weights) + loaded.bias
    own = np.asarray(x @ loaded.parts["fr"][0]) + loaded.parts["fr"][1]
    z = loaded.logits(x, ["fr", "unknown", "en"])
    np.testing.assert_allclose(z[0], 0.7 * shared[0] + 0.3 * own[0], rtol=1e-5)
    np.testing.assert_allclose(z[1:], shared[1:], rtol=1e-5)
    np.testing.assert_allclose(loaded.logits(x), shared, rtol=1e-5)


def test_the_explanation_reads_the_mixed_weights() -> None:
    model = _model()
    text = "service nul"
    why = model.explain(text, top=50, meta="fr")
    x = model.features([text])
    z = model.logits(x, ["fr"])[0]
    k = model.classes.index(why.label)
    # The contributions add up to the label's logit less the mean logit, bias aside.
    bias = 0.7 * model.bias + 0.3 * model.parts["fr"][1]
    total = sum(w for _, w in why.supporting) + sum(w for _, w in why.opposing)
    assert np.isclose(total, (z[k] - bias[k]) - (z - bias).mean(), atol=1e-4)
