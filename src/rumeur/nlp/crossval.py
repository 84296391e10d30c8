"""Choosing a recipe honestly: k-fold cross-validation over the train splits.

Every recipe of a task is fitted on four fifths of the train split and measured on the fifth
it did not see, five times over (stratified by group and label, seeded), the fits side by side
(`jobs()`). Figures are kept per group (a language of xlmt, the airline tweets, the
customer-care set by language): the mean over the folds and their spread (standard
deviation). The choice takes the best mean choice score, then the simplest recipe (the first
listed) whose mean is within that recipe's spread of it: a difference smaller than the folds'
own noise is no reason to ship a larger model. Val is not read here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from joblib import Parallel, delayed
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

FOLDS = 5


@dataclass
class CVResult:
    name: str
    folds: list[dict[str, dict[str, Any]]]  # per fold: group -> figures
    scores: list[float]  # per fold: the task's choice score
    seconds: float  # fitting time of one fold, mean
    oof: np.ndarray = field(repr=False)  # out-of-fold probabilities, one row per train text
    note: str = ""
    held: list[np.ndarray] = field(default_factory=list, repr=False)  # each fold's rows

    @property
    def score(self) -> float:
        return float(np.mean(self.scores))

    @property
    def spread(self) -> float:
        return float(np.std(self.scores))

    def summary(self) -> dict[str, Any]:
        """Mean and spread per group and figure, as the model card keeps them."""
        groups = self.folds[0].keys()
        out: dict[str, Any] = {}
        for g in groups:
            figs = [f[g] for f in self.folds]
            out[g] = {
                "n": int(sum(f["n"] for f in figs)),
                "macro_f1": _mean_sd([f["macro_f1"] for f in figs]),
                "accuracy": _mean_sd([f["accuracy"] for f in figs]),
                "f1_per_class": {
                    c: _mean_sd([f["f1_per_class"][c] for f in figs])
                    for c in figs[0]["f1_per_class"]
                },
            }
        return {
            "name": self.name,
            "score": _mean_sd(self.scores),
            "seconds": round(self.seconds, 1),
            "groups": out,
            "note": self.note,
        }


def _mean_sd(values: Sequence[float]) -> list[float]:
    return [round(float(np.mean(values)), 4), round(float(np.std(values)), 4)]


def figures(
    classes: Sequence[str], truth: np.ndarray, pred: np.ndarray, groups: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Macro-F1, accuracy and per-class F1 for each group of texts."""
    out = {}
    names = np.asarray(groups, dtype=object)
    for g in dict.fromkeys(groups):
        rows = names == g
        per_class = f1_score(
            truth[rows], pred[rows], labels=list(classes), average=None, zero_division=0
        )
        out[g] = {
            "n": int(rows.sum()),
            "macro_f1": float(
                f1_score(
                    truth[rows], pred[rows], labels=list(classes), average="macro", zero_division=0
                )
            ),
            "accuracy": float(accuracy_score(truth[rows], pred[rows])),
            "f1_per_class": {c: float(v) for c, v in zip(classes, per_class, strict=True)},
        }
    return out


def folds(strata: Sequence[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    splitter = StratifiedKFold(FOLDS, shuffle=True, random_state=20260601)
    return list(splitter.split(np.zeros(len(strata)), list(strata)))


def jobs() -> int:
    """Fits run side by side: two by default (the machine that trains has two cores);
    `RUMEUR_TRAIN_JOBS` says otherwise."""
    return max(1, int(os.environ.get("RUMEUR_TRAIN_JOBS", "2")))


def run(calls: Sequence[Callable[[], Any]]) -> list[Any]:
    """Every call, `jobs()` at a time, in order."""
    return Parallel(n_jobs=jobs())(delayed(call)() for call in calls)


def assemble(
    name: str,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    done: Sequence[tuple[np.ndarray, float]],
    classes: Sequence[str],
    labels: np.ndarray,
    groups: Sequence[str],
    choose: Callable[[dict[str, dict[str, Any]]], float],
) -> CVResult:
    """One recipe's folds, from each fold's held-out probabilities (and fitting seconds)."""
    oof = np.zeros((len(labels), len(classes)))
    for (_fit, held), (proba, _seconds) in zip(splits, done, strict=True):
        oof[held] = proba
    empty = CVResult(name, [], [], 0.0, oof, held=[h for _, h in splits])
    found = rescored(empty, name, oof, classes, labels, groups, choose)
    found.seconds = float(np.mean([s for _, s in done]))
    return found


def rescored(
    result: CVResult,
    name: str,
    oof: np.ndarray,
    classes: Sequence[str],
    labels: np.ndarray,
    groups: Sequence[str],
    choose: Callable[[dict[str, dict[str, Any]]], float],
) -> CVResult:
    """The same folds scored again from other out-of-fold scores (`oof`, one row per text)."""
    names = np.asarray(classes, dtype=object)
    per_fold, scores = [], []
    for held in result.held:
        pred = names[oof[held].argmax(axis=1)]
        figs = figures(classes, labels[held], pred, [groups[i] for i in held])
        per_fold.append(figs)
        scores.append(choose(figs))
    return CVResult(name, per_fold, scores, result.seconds, oof, held=result.held)


def choose(results: Sequence[CVResult], shippable: Callable[[CVResult], bool]) -> CVResult:
    """The simplest shippable recipe (first listed) within the best one's spread of it."""
    allowed = [r for r in results if shippable(r)]
    best = max(allowed, key=lambda r: r.score)
    return next(r for r in allowed if r.score >= best.score - best.spread)
