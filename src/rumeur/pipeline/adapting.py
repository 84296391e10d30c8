"""`rumeur models adapt`'s work, in the library where the web app can call it too: learn a
workspace's own models from its team's corrections and store each as a new version.

- sentiment and emotion: an adapter over the shipped model (nlp/adapt.py), when the workspace
  uses the shipped model (not its own transformer);
- reason: the workspace's complaint-reason model (nlp/workspace_reasons.py), from its reasons'
  examples and the corrections, when the workspace names its reasons.

Each outcome says what it learnt from, the version stored, and the accuracy on the corrections
by cross-validation of the model in use before and of the new one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from rumeur.config import Settings, Workspace
from rumeur.i18n import _
from rumeur.store import Store
from rumeur.store.adapters import StoredModel, save
from rumeur.store.corrections import NONE, corrections_for

TASKS = ("sentiment", "emotion", "reason")


@dataclass(slots=True)
class Outcome:
    """What `models adapt` did for one task. `version` is None when nothing was learnt, and
    `why` then says why, in the reader's language."""

    task: str
    labels: dict[str, int] = field(default_factory=dict)  # corrections learnt from, per label
    left_out: int = 0  # corrections whose label the model cannot give
    version: int | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    why: str = ""

    @property
    def examples(self) -> int:
        return sum(self.labels.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "version": self.version,
            "examples": self.examples,
            "labels": self.labels,
            "left_out": self.left_out,
            "metrics": self.metrics,
            "why": self.why or None,
        }


def adapt_workspace(store: Store, settings: Settings, ws: Workspace) -> list[Outcome]:
    """Learn and store the workspace's models of every task it has corrections of."""
    return [
        _reasons(store, ws) if task == "reason" else _adapter(store, settings, ws, task)
        for task in TASKS
    ]


def _adapter(store: Store, settings: Settings, ws: Workspace, task: str) -> Outcome:
    from rumeur.nlp.adapt import Examples, learn
    from rumeur.nlp.registry import shipped

    found = corrections_for(store, ws.slug, task)
    outcome = Outcome(task)
    if task == "sentiment" and ws.nlp.sentiment_model:
        outcome.why = _("the workspace's sentiment is its own transformer's: not adapted")
        return outcome
    base = shipped(task)
    kept = [c for c in found if c.value in base.classes and c.text.strip()]
    outcome.left_out = len(found) - len(kept)
    if not kept:
        outcome.why = _("no corrections to learn from")
        return outcome
    examples = Examples([c.text for c in kept], [c.value for c in kept])
    examples.meta = _languages(settings, ws, examples.texts)
    learnt = learn(base, examples)
    outcome.labels = dict(sorted(Counter(examples.labels).items()))
    outcome.metrics = {"strength": learnt.strength, "labels": outcome.labels}
    if learnt.scores is not None:
        outcome.metrics |= learnt.scores.as_dict()
    stored = StoredModel(
        ws.slug, task, 0, datetime.now(UTC), len(kept), base.model, base.version, outcome.metrics
    )
    outcome.version = save(store, stored, learnt.adapter.to_bytes())
    return outcome


def _languages(settings: Settings, ws: Workspace, texts: list[str]) -> list[str]:
    """Each text's language, as the pipeline finds it: the shipped models read it."""
    from rumeur.nlp.registry import model_for

    found = model_for("language", settings, ws).predict(texts).labels
    return [str(code) or "unknown" for code in found]


def _reasons(store: Store, ws: Workspace) -> Outcome:
    from rumeur.nlp.workspace_reasons import FORMAT, MODEL, NO_REASON, train_reason_model
    from rumeur.store.reason_examples import reason_examples

    outcome = Outcome("reason")
    if ws.airline_reasons is not None:
        outcome.why = _("the workspace takes the shipped airline reasons, which are not adapted")
        return outcome
    if not ws.reasons:
        outcome.why = _("the workspace names no complaint reasons")
        return outcome
    found = corrections_for(store, ws.slug, "reason")
    known = set(ws.reason_names) | {NO_REASON}
    corrected = [(c.text, NO_REASON if c.value == NONE else c.value) for c in found if c.text]
    corrected = [(text, reason) for text, reason in corrected if reason in known]
    outcome.left_out = len(found) - len(corrected)
    if not corrected:
        outcome.why = _("no corrections to learn from")
        return outcome
    # The queries' matches in the store, then the corrections (store/reason_examples.py).
    pairs = [(t, r) for t, r in reason_examples(store, ws) if r in known]
    matched = [p for p in pairs if p not in set(corrected)]
    outcome.labels = dict(sorted(Counter(r or NONE for _t, r in corrected).items()))
    outcome.metrics = {"labels": outcome.labels, "query_matches": len(matched)}
    outcome.metrics |= _reason_scores(ws, corrected, matched)
    model = train_reason_model(ws.reasons, pairs)
    stored = StoredModel(
        ws.slug, "reason", 0, datetime.now(UTC), len(corrected), MODEL, str(FORMAT),
        outcome.metrics,
    )  # fmt: skip
    outcome.version = save(store, stored, model.to_bytes())
    return outcome


def _reason_scores(
    ws: Workspace, pairs: list[tuple[str, str]], matched: list[tuple[str, str]]
) -> dict[str, Any]:
    """Accuracy on the corrections of the model of the settings alone (it never saw them),
    and by cross-validation of the model learnt with them and the queries' matches; {} when
    too few of each reason to fold."""
    from rumeur.nlp.adapt import FOLDS, Scores, folds_of
    from rumeur.nlp.workspace_reasons import for_workspace, train_reason_model

    counts = Counter(r for _t, r in pairs)
    if len(pairs) < FOLDS or min(counts.values()) < FOLDS:
        return {}
    texts, truth = np.array([t for t, _r in pairs], dtype=object), [r for _t, r in pairs]
    rules = {r.name: m for r in ws.reasons if (m := r.matcher()) is not None}
    before, after = [], []
    for fold in folds_of(truth, FOLDS):
        held = [truth[i] for i in fold]
        own = for_workspace(ws).predict(list(texts[fold])).labels
        before.append(float(np.mean([a == b for a, b in zip(own, held, strict=True)])))
        rest = matched + [pairs[i] for i in np.setdiff1d(np.arange(len(pairs)), fold)]
        model = train_reason_model(ws.reasons, rest).with_rules(rules)
        said = model.predict(list(texts[fold])).labels
        after.append(float(np.mean([a == b for a, b in zip(said, held, strict=True)])))
    return Scores.of(before, after).as_dict()
