"""`rumeur reenrich`: run newer models over the posts already stored, resumable.

The cursor (the last post id done) is kept under a key naming every model and version, so that
an interrupted run goes on where it stopped, and a run with a newer version starts over.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rumeur.config import Settings, Workspace
from rumeur.model import EnrichmentResult
from rumeur.nlp.base import Enricher
from rumeur.nlp.registry import enrichers as task_models
from rumeur.pipeline.adapters import workspace_models
from rumeur.pipeline.stages import enrich
from rumeur.store import CursorUpdate, Store

READ_BY_OTHERS = ("language", "sentiment")  # the tasks whose label another model reads


@dataclass(slots=True)
class ReenrichReport:
    posts: int = 0
    changed: int = 0
    resumed: bool = False


class NoReason:
    """The complaint reason of a workspace without reasons: no answer for any post. Its empty
    answer takes away a reason stored before (an older rumeur gave every workspace the airline
    reasons), as a fresh import stores none; a reason from the source, or an analyst's
    correction, stays (store/relabel.py)."""

    task = "reason"
    model = "none"
    version = "1"

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        return EnrichmentResult(
            self.task, self.model, self.version, [""] * len(texts), [None] * len(texts)
        )


def reenrich_models(
    settings: Settings, workspace: Workspace, tasks: Sequence[str]
) -> list[Enricher]:
    """The models `rumeur reenrich` runs for `tasks`: the enrichment stage's, and for a
    workspace without a reason model, `NoReason` in its place."""
    models: list[Enricher] = list(task_models(settings, workspace, tasks))
    if "reason" in tasks and not workspace.reason_names:
        models.append(NoReason())
    return models


def reenrich_key(workspace: Workspace, enrichers: Sequence[Enricher]) -> str:
    models = "+".join(f"{e.task}={e.model}@{e.version}" for e in enrichers)
    return f"{workspace.slug}:reenrich:{models}"


def reenrich(
    store: Store,
    workspace: Workspace,
    enrichers: Sequence[Enricher],
    batch_size: int = 1000,
    on_step: Callable[[ReenrichReport], None] | None = None,
) -> ReenrichReport:
    # The workspace's own models are part of the key: a new version starts the run over.
    enrichers = workspace_models(store, workspace, enrichers)
    key = reenrich_key(workspace, enrichers)
    cursor = store.cursor(key)
    report = ReenrichReport(resumed=bool(cursor))
    after = int((cursor or {}).get("last_id", 0))
    # What the models run read, when it is not run again: the stored language, and the stored
    # sentiment that the reason is asked on (without it, `--task reason` took every reason away).
    kept = [t for t in READ_BY_OTHERS if t not in {e.task for e in enrichers}]
    while batch := store.posts_after(workspace.slug, after, batch_size, kept):
        ids = [pid for pid, _ in batch]
        results = enrich([post for _, post in batch], enrichers)
        after = ids[-1]
        report.changed += store.relabel(
            workspace.slug, ids, results, CursorUpdate(key, {"last_id": after})
        )
        report.posts += len(ids)
        if on_step is not None:
            on_step(report)
    return report
