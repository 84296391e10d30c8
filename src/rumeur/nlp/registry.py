"""Which model answers each task for a workspace: the shipped ones, lingua for the language,
or the workspace's own transformer for sentiment."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from rumeur.errors import ConfigError
from rumeur.nlp.base import Classifier

if TYPE_CHECKING:  # annotations only: nlp sits below config in the layers
    from rumeur.config import Settings, Workspace

TASKS = ("language", "sentiment", "emotion", "reason")


def model_for(task: str, settings: Settings, workspace: Workspace) -> Classifier:
    """The classifier of `task` (predict, predict_proba, explain)."""
    if task not in TASKS:
        raise ConfigError(f"--task {task}: expected one of {', '.join(TASKS)}")
    if task == "language":
        from rumeur.nlp.language import LanguageDetector

        fast = shipped("language")
        return LanguageDetector(settings.nlp.languages, settings.nlp.min_letters, fast=fast)
    from rumeur.nlp.guard import Guarded

    if task == "sentiment" and workspace.nlp.sentiment_model:
        from rumeur.nlp.transformer import TransformerClassifier

        labels = workspace.nlp.sentiment_labels or None
        return Guarded(TransformerClassifier(workspace.nlp.sentiment_model, labels=labels))
    return Guarded(shipped(task))


def enrichers(
    settings: Settings, workspace: Workspace, tasks: Sequence[str] = TASKS
) -> list[Classifier]:
    """The models of the enrichment stage, in the order it must run them: language first (the
    others read it), sentiment before reason (asked of negative posts only)."""
    return [model_for(task, settings, workspace) for task in TASKS if task in tasks]


@cache
def shipped(task: str) -> Any:
    # Loaded once per process: the weights are read-only.
    from rumeur.nlp.linear import MODELS, LinearModel

    try:
        return LinearModel.load(task)
    except FileNotFoundError:
        raise ConfigError(
            f"{MODELS}: the shipped {task} model is missing: `make models` trains it"
        ) from None
