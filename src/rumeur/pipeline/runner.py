"""The in-process runner: read a source batch by batch from its stored cursor, run the stages,
store each batch with the cursor that follows it in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import structlog

from rumeur.config import Workspace
from rumeur.model import Rejected
from rumeur.nlp.base import Enricher
from rumeur.pipeline.stages import attribute_brands, deduplicate, enrich, normalise
from rumeur.sources.base import Progress, Source
from rumeur.store import CursorUpdate, Store, WriteResult

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class RunReport:
    source: str
    read: int = 0
    written: WriteResult = field(default_factory=WriteResult)
    rejects: list[Rejected] = field(default_factory=list)
    batches: int = 0
    seconds: float = 0.0
    resumed: bool = False

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class Step:
    """What the runner tells its caller after each stored batch (for a progress bar)."""

    report: RunReport
    progress: Progress | None
    new_rejects: list[Rejected]


def run(
    source: Source,
    store: Store,
    workspace: Workspace,
    enrichers: Sequence[Enricher] = (),
    batch_size: int = 1000,
    on_step: Callable[[Step], None] | None = None,
) -> RunReport:
    cursor = store.cursor(source.name)
    report = RunReport(source=source.name, resumed=bool(cursor))
    started = time.perf_counter()
    for batch in source.batches(cursor, batch_size):
        normalised = normalise(batch.items, source.normalise)
        posts = attribute_brands(deduplicate(normalised.posts), workspace)
        results = enrich(posts, enrichers)
        rejects = sorted([*batch.rejects, *normalised.rejects], key=lambda r: r.line or 0)
        written = store.write(
            workspace.slug, posts, results, rejects, CursorUpdate(source.name, batch.cursor)
        )
        report.read += len(batch.items) + len(batch.rejects)
        report.written.add(written)
        report.rejects += rejects
        report.batches += 1
        report.seconds = time.perf_counter() - started
        log.debug("batch stored", source=source.name, posts=len(posts), rejected=len(rejects))
        if on_step is not None:
            on_step(Step(report, batch.progress, rejects))
    report.seconds = time.perf_counter() - started
    return report
