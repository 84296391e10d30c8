"""Which model answers each task for a workspace: the shipped ones, lingua for the language,
the workspace's own transformer for sentiment, and for the complaint reason the workspace's own
reasons (nlp/workspace_reasons.py) or, for a workspace that takes them (the demo), the shipped
airline reasons. A workspace with neither gets no reason model: its posts never get one."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from rumeur.errors import ConfigError
from rumeur.i18n import _
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
    if task == "reason" and workspace.airline_reasons is None:
        return Guarded(_own_reasons(workspace))
    return Guarded(shipped(task))


def _own_reasons(workspace: Workspace) -> Classifier:
    if not workspace.reasons:
        raise ConfigError(
            _(
                "workspace {slug!r} defines no complaint reasons: name them under "
                "[[workspaces.reasons]] (docs/reasons.md)"
            ).format(slug=workspace.slug)
        )
    from rumeur.nlp.workspace_reasons import for_workspace

    return for_workspace(workspace)


def enrichers(
    settings: Settings, workspace: Workspace, tasks: Sequence[str] = TASKS
) -> list[Classifier]:
    """The models of the enrichment stage, in the order it must run them: language first (the
    others read it), sentiment before reason (asked of negative posts only). No reason model
    for a workspace without complaint reasons."""
    wanted = [t for t in TASKS if t in tasks and (t != "reason" or workspace.reason_names)]
    return [model_for(task, settings, workspace) for task in wanted]


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
