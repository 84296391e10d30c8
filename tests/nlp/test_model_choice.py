"""How a recipe is chosen (cross-validation, the simplest within the spread), what the docs say
about it (written from the cards), and emotion's `none`."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest

from rumeur.nlp import crossval
from rumeur.nlp.features import Featuriser
from rumeur.nlp.linear import MODELS, NONE, LinearModel
from rumeur.nlp.train_report import render


def result(name: str, scores: list[float]) -> crossval.CVResult:
    return crossval.CVResult(name, [{}] * len(scores), scores, 1.0, np.zeros((1, 1)))


def test_the_simplest_recipe_within_the_best_ones_spread_is_chosen() -> None:
    simple, bigger = result("simple", [0.70, 0.72, 0.68]), result("bigger", [0.72, 0.73, 0.69])
    assert crossval.choose([simple, bigger], lambda r: True) is simple
    clearly = result("clearly better", [0.80, 0.81, 0.79])
    assert crossval.choose([simple, bigger, clearly], lambda r: True) is clearly
    assert crossval.choose([simple, clearly], lambda r: r.name == "simple") is simple


def test_cross_validation_reads_every_text_once_out_of_fold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUMEUR_TRAIN_JOBS", "1")  # no worker processes for an oracle
    labels = np.array(["a", "b"] * 50, dtype=object)
    groups = ["x"] * 60 + ["y"] * 40

    def fit_predict(fit: np.ndarray, held: np.ndarray) -> tuple[np.ndarray, float]:
        assert not set(fit) & set(held)
        # An oracle on the held rows: it must score 1 everywhere.
        return np.eye(2)[(labels[held] == "b").astype(int)], 0.0

    strata = [f"{g}|{y}" for g, y in zip(groups, labels, strict=True)]
    splits = crossval.folds(strata)
    done = crossval.run([partial(fit_predict, fit, held) for fit, held in splits])
    found = crossval.assemble(
        "oracle", splits, done, ("a", "b"), labels, groups, lambda f: f["x"]["accuracy"]
    )
    assert found.scores == [1.0] * crossval.FOLDS and found.spread == 0.0
    summary = found.summary()
    assert summary["groups"]["x"]["n"] == 60 and summary["groups"]["y"]["n"] == 40
    assert summary["groups"]["y"]["macro_f1"] == [1.0, 0.0]
    # Stratified by group and label: each fold holds a fifth of each.
    held = found.held
    assert all(len(h) == 20 and (np.asarray(groups)[h] == "y").sum() == 8 for h in held)
    assert sorted(np.concatenate(held).tolist()) == list(range(100))
    np.testing.assert_array_equal(found.oof.argmax(axis=1), (labels == "b").astype(int))


def small_model() -> LinearModel:
    feat = Featuriser(word_bits=6, char_bits=6, char_min=99)
    weights = np.zeros((feat.n_features, 2), dtype=np.float32)
    weights[feat._word_col("furious"), 0] = 4.0
    return LinearModel(("anger", "joy"), weights, np.zeros(2), feat, link="softmax")


def test_under_the_threshold_the_label_is_none(tmp_path: Path) -> None:
    model = small_model()
    model.none_below = 0.8
    found = model.predict(["so furious", "a tuesday"])
    assert list(found.labels) == ["anger", NONE]
    assert model.explain("a tuesday").label == NONE
    assert not model.explain("a tuesday").supporting
    model.task, model.model, model.version = "emotion", "test-emotion", "1"
    model.save(tmp_path, "emotion", {"task": "emotion", "name": "test-emotion", "version": "1"})
    again = LinearModel.load("emotion", tmp_path)
    assert again.none_below == pytest.approx(0.8)
    assert list(again.predict(["so furious", "a tuesday"]).labels) == ["anger", NONE]


def test_the_models_page_is_written_from_the_cards() -> None:
    page = (Path(__file__).parents[2] / "docs" / "models.md").read_text(encoding="utf-8")
    assert page == render(MODELS)
