"""Why a stored post has its labels: for each task, every answer kept for it (the source's, each
model's, with its version and score) and the current model's explanation of the text.

The fields keep the stored names (the REST API answers them); the methods say them for a reader,
in the current language: the model by its card's title, the source by who gave the label, the
reasons as words and phrases."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rumeur.i18n import _
from rumeur.nlp.base import Classifier
from rumeur.nlp.cards import title
from rumeur.nlp.explain import Explanation, said
from rumeur.nlp.registry import TASKS, model_for

if TYPE_CHECKING:  # annotations only: nlp sits below config in the layers
    from rumeur.config import Settings, Workspace

SOURCE_VERSION = "source"
# The `label_origin` of a file's labels (sources/files/mapping.py): its default, and the airline
# preset's, which says the labels are the data set's human annotations.
DEFAULT_ORIGIN, ANNOTATORS = "source", "annotators"


@dataclass(slots=True)
class Answer:
    model: str
    version: str
    label: str
    score: float | None
    from_source: bool  # given with the post (annotators, the network), not guessed

    def given_by(self) -> str:
        """Who gave this answer: the model by its title, or the file's `label_origin`."""
        if not self.from_source:
            return _("Model: {model}").format(model=title(self.model, self.version))
        if self.model == ANNOTATORS:
            return _("Given by the annotators of the data set")
        if self.model == DEFAULT_ORIGIN:
            return _("Given with the post by its source")
        return _("Given with the post by {origin}").format(origin=self.model)


@dataclass(slots=True)
class TaskWhy:
    task: str
    label: str | None  # what the post shows now
    answers: list[Answer] = field(default_factory=list)
    explanation: Explanation | None = None
    explainer: tuple[str, str] = ("", "")  # the model and version that explained
    explains: bool = True  # False: the current model cannot say why (a transformer)

    @property
    def explained_by(self) -> str:
        return " ".join(self.explainer).strip()

    def explainer_title(self) -> str:
        return title(*self.explainer)

    def reasons_for(self) -> list[tuple[str, float]]:
        """The reasons that raise the label, as a reader reads them, with their weights."""
        found = self.explanation
        return [] if found is None else [(said(f), w) for f, w in found.supporting]

    def reasons_against(self) -> list[tuple[str, float]]:
        found = self.explanation
        return [] if found is None else [(said(f), w) for f, w in found.opposing]

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "label": self.label,
            "answers": [
                {
                    "model": a.model,
                    "version": a.version,
                    "label": a.label,
                    "score": a.score,
                    "from_source": a.from_source,
                }
                for a in self.answers
            ],
            "explanation": None if self.explanation is None else self.explanation.as_dict(),
            "explained_by": self.explained_by,
        }


def explain_post(
    settings: Settings,
    workspace: Workspace,
    post: Mapping[str, Any],
    enrichments: Sequence[Mapping[str, Any]],
    top: int = 6,
    models: Mapping[str, Classifier] | None = None,
) -> list[TaskWhy]:
    """One `TaskWhy` per task that has a label or an answer. The text is read as the pipeline
    read it (title, then text; the language given to the other models). `models` are the
    workspace's own models by task (pipeline/adapters.own_models), which explain in place of
    the ones they adapt."""
    text = post["text"] if not post.get("title") else f"{post['title']}\n{post['text']}"
    found = []
    for task in TASKS:
        answers = [
            Answer(e["model"], e["version"], e["label"], e["score"], e["version"] == SOURCE_VERSION)
            for e in enrichments
            if e["task"] == task
        ]
        label = post.get(task)
        if label is None and not answers:
            continue
        why = TaskWhy(task, label, answers)
        # A workspace without complaint reasons has no reason model to ask (a file's label
        # still shows, unexplained).
        if label is not None and (task != "reason" or workspace.reason_names):
            model = (models or {}).get(task) or model_for(task, settings, workspace)
            meta = None if task == "language" else (post.get("language") or "unknown")
            why.explanation = model.explain(text, top, meta)
            why.explainer = (getattr(model, "model", task), getattr(model, "version", ""))
            why.explains = getattr(model, "explains", True)
        found.append(why)
    return found
