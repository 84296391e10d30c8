"""The in-process runner: read a source batch by batch from its stored cursor, run the stages,
store each batch with the cursor that follows it in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.model import EnrichmentResult, Post, Rejected
from rumeur.nlp.base import Enricher
from rumeur.pipeline.stages import (
    attribute_brands,
    deduplicate,
    documents,
    enrich,
    match_queries,
    normalise,
)
from rumeur.query.document import Document
from rumeur.sources.base import Batch, Progress, Source
from rumeur.store import CursorUpdate, Store, WriteResult

log = structlog.get_logger(__name__)

# Posts written by one run after which the store's statistics are refreshed (Store.analyze):
# a bulk load leaves the planner with plans for an empty table.
ANALYZE_AFTER = 1000


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
    """Run `source` into `store` for `workspace` from where it last stopped.

    Batch N+1 is read and prepared while batch N is written by a writer thread: the database
    works without Python's lock (SQLite's steps, PostgreSQL's round trips), so the two overlap.
    Writes stay one at a time and in order, and a failure in reading a later batch waits for
    the batch before it to be stored, as a run one batch at a time would have."""
    key = cursor_key(workspace, source)
    cursor = store.cursor(key)
    report = RunReport(source=source.name, resumed=bool(cursor))
    started = time.perf_counter()
    pending: _Pending | None = None
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="rumeur-writer") as writer:
        try:
            for batch in source.batches(cursor, batch_size):
                prepared = _prepare(workspace, source, batch, enrichers, key)
                if pending is not None:
                    done, pending = pending, None
                    _report(done, report, started, on_step)
                pending = _Pending(batch, prepared, writer.submit(_write, store, prepared))
            if pending is not None:
                done, pending = pending, None
                _report(done, report, started, on_step)
        except RumeurError as exc:
            error = _first_error(exc, pending, report, started, on_step)
            store.record_error(key, workspace.slug, str(error), datetime.now(UTC))
            if error is exc:
                raise
            raise error from None
    if report.written.inserted + report.written.updated >= ANALYZE_AFTER:
        store.analyze()
    report.seconds = time.perf_counter() - started
    return report


@dataclass(slots=True)
class _Pending:
    batch: Batch
    prepared: _Prepared
    future: Future[WriteResult]


def _first_error(
    exc: RumeurError,
    pending: _Pending | None,
    report: RunReport,
    started: float,
    on_step: Callable[[Step], None] | None,
) -> RumeurError:
    """Reading or preparing a batch failed while the one before was being written: that one
    is counted first, as a run one batch at a time would have, and its own error wins."""
    if pending is None:
        return exc
    try:
        _report(pending, report, started, on_step)
    except RumeurError as earlier:
        return earlier
    return exc


def _report(
    pending: _Pending,
    report: RunReport,
    started: float,
    on_step: Callable[[Step], None] | None,
) -> None:
    """Wait for a batch's write (raising its error) and count it."""
    written = pending.future.result()
    batch, rejects = pending.batch, pending.prepared.rejects
    log.debug("batch stored", posts=len(pending.prepared.posts), rejected=len(rejects))
    report.read += len(batch.items) + len(batch.rejects)
    report.written.add(written)
    report.rejects += rejects
    report.batches += 1
    report.seconds = time.perf_counter() - started
    if on_step is not None:
        on_step(Step(report, batch.progress, rejects))


def cursor_key(workspace: Workspace, source: Source) -> str:
    """Each workspace reads a source for itself: its cursor is its own."""
    return f"{workspace.slug}:{source.name}"


@dataclass(slots=True)
class _Prepared:
    """A batch ready for the store: its posts, their models' answers and documents."""

    workspace: str
    posts: list[Post]
    results: list[EnrichmentResult]
    rejects: list[Rejected]
    update: CursorUpdate
    documents: list[Document]


def _prepare(
    workspace: Workspace,
    source: Source,
    batch: Batch,
    enrichers: Sequence[Enricher],
    key: str,
) -> _Prepared:
    normalised = normalise(batch.items, source.normalise, getattr(source, "column", None))
    posts = attribute_brands(deduplicate(normalised.posts), workspace)
    results = enrich(posts, enrichers)
    docs = documents(posts, results)
    match_queries(posts, docs, workspace)
    rejects = sorted([*batch.rejects, *normalised.rejects], key=lambda r: r.line or 0)
    update = CursorUpdate(key, batch.cursor)
    return _Prepared(workspace.slug, posts, results, rejects, update, docs)


def _write(store: Store, prepared: _Prepared) -> WriteResult:
    p = prepared
    return store.write(p.workspace, p.posts, p.results, p.rejects, p.update, documents=p.documents)
