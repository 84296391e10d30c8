"""Why a stored post has its labels: for each task, every answer kept for it (the source's, each
model's, with its version and score) and the current model's explanation of the text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rumeur.nlp.explain import Explanation
from rumeur.nlp.registry import TASKS, model_for

if TYPE_CHECKING:  # annotations only: nlp sits below config in the layers
    from rumeur.config import Settings, Workspace

SOURCE_VERSION = "source"


@dataclass(slots=True)
class Answer:
    model: str
    version: str
    label: str
    score: float | None
    from_source: bool  # given with the post (annotators, the network), not guessed


@dataclass(slots=True)
class TaskWhy:
    task: str
    label: str | None  # what the post shows now
    answers: list[Answer] = field(default_factory=list)
    explanation: Explanation | None = None
    explained_by: str = ""  # "model version" of the explanation

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
) -> list[TaskWhy]:
    """One `TaskWhy` per task that has a label or an answer. The text is read as the pipeline
    read it (title, then text; the language given to the other models)."""
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
        if label is not None:
            model = model_for(task, settings, workspace)
            meta = None if task == "language" else (post.get("language") or "unknown")
            why.explanation = model.explain(text, top, meta)
            why.explained_by = f"{getattr(model, 'model', task)} {getattr(model, 'version', '')}"
        found.append(why)
    return found
