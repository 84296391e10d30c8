"""The in-process runner: read a source batch by batch from its stored cursor, run the stages,
store each batch with the cursor that follows it in one transaction."""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog

from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.model import EnrichmentResult, Post, Rejected
from rumeur.nlp.base import Enricher
from rumeur.pipeline.adapters import workspace_models
from rumeur.pipeline.ahead import Read, read_ahead, read_batches, worth_reading_ahead
from rumeur.pipeline.stages import (
    Normalised,
    attribute_brands,
    deduplicate,
    documents,
    enrich,
    match_queries,
)
from rumeur.query.document import Document
from rumeur.sources.base import Progress, Source
from rumeur.store import CursorUpdate, Store, WriteResult
from rumeur.store.facets import Facet, text_facets
from rumeur.store.terms import Indexed, index_document

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
    *,
    ahead: bool = False,
) -> RunReport:
    """Run `source` into `store` for `workspace` from where it last stopped. `ahead`: read
    and normalise a large file's batches in a second process meanwhile (pipeline/ahead.py)."""
    key = cursor_key(workspace, source)
    cursor = store.cursor(key)
    report = RunReport(source=source.name, resumed=bool(cursor))
    started = time.perf_counter()
    try:
        if ahead and worth_reading_ahead(source):
            # Without models, a batch's whole CPU part can be done there too.
            then = None if enrichers else functools.partial(_ready_without_models, workspace)
            reads = read_ahead(source, cursor, batch_size, then)
        else:
            reads = read_batches(source, cursor, batch_size)
        # Closed as soon as the run stops, a failed batch included: a reading process leaves
        # then, not when the traceback is let go.
        with contextlib.closing(reads):
            for read in reads:
                stored = _store_batch(store, workspace, source, read, enrichers, key)
                report.read += read.items
                report.written.add(stored.written)
                report.rejects += stored.rejects
                report.batches += 1
                report.seconds = time.perf_counter() - started
                if on_step is not None:
                    on_step(Step(report, read.progress, stored.rejects))
    except RumeurError as exc:
        store.record_error(key, workspace.slug, str(exc), datetime.now(UTC))
        raise
    report.seconds = time.perf_counter() - started
    return report


def cursor_key(workspace: Workspace, source: Source) -> str:
    """Each workspace reads a source for itself: its cursor is its own."""
    return f"{workspace.slug}:{source.name}"


@dataclass(slots=True)
class _Stored:
    written: WriteResult
    rejects: list[Rejected]


def _store_batch(
    store: Store,
    workspace: Workspace,
    source: Source,
    read: Read,
    enrichers: Sequence[Enricher],
    key: str,
) -> _Stored:
    normalised = read.normalised
    rejects = sorted([*read.rejects, *normalised.rejects], key=lambda r: r.line or 0)
    update = CursorUpdate(key, read.cursor)
    if isinstance(read.ready, Prepared):  # prepared by the reading process
        written = store_prepared(store, workspace, read.ready, rejects, update)
    else:
        written = enrich_and_store(store, workspace, normalised.posts, enrichers, rejects, update)
    log.debug(
        "batch stored", source=source.name, posts=len(normalised.posts), rejected=len(rejects)
    )
    return _Stored(written, rejects)


def enrich_and_store(
    store: Store,
    workspace: Workspace,
    posts: Sequence[Post],
    enrichers: Sequence[Enricher],
    rejects: Sequence[Rejected] = (),
    cursor: CursorUpdate | None = None,
) -> WriteResult:
    """The stages after normalisation, for one batch: deduplicate, attribute brands, enrich,
    match the queries, store (with the rejected rows and the cursor, in one transaction). The
    in-process runner and the workers' `enrich` task (worker/tasks.py) both call it."""
    ready = prepare(store, workspace, posts, enrichers)
    return store_prepared(store, workspace, ready, rejects, cursor)


@dataclass(slots=True)
class Prepared:
    """A batch ready to store: its posts, the models' answers and the query documents (or,
    from another process, the index entries made of them: smaller to send)."""

    posts: list[Post]
    results: list[EnrichmentResult]
    documents: list[Document] | None
    indexed: list[Indexed] | None = None
    found: list[frozenset[Facet]] | None = None  # the posts' `facets.text_facets`


def prepare(
    store: Store, workspace: Workspace, posts: Sequence[Post], enrichers: Sequence[Enricher]
) -> Prepared:
    """Deduplicate, attribute brands, enrich, match the queries: the CPU's part of a batch."""
    kept = attribute_brands(deduplicate(posts), workspace)
    # The workspace's own models, asked for each batch: one learnt meanwhile is used at once.
    results = enrich(kept, workspace_models(store, workspace, enrichers))
    docs = documents(kept, results)
    match_queries(kept, docs, workspace)
    return Prepared(kept, results, docs)


def _ready_without_models(workspace: Workspace, normalised: Normalised) -> Prepared:
    """`prepare` for a run without models, in the reading process (pipeline/ahead.py): no
    store is read; the documents travel as their index entries."""
    ready = prepare(None, workspace, normalised.posts, ())  # type: ignore[arg-type]
    indexed = [index_document(doc) for doc in ready.documents or ()]
    found = [text_facets(p.text, p.title, p.hashtags, p.mentions, p.links) for p in ready.posts]
    return Prepared(ready.posts, ready.results, None, indexed, found)


def store_prepared(
    store: Store,
    workspace: Workspace,
    ready: Prepared,
    rejects: Sequence[Rejected] = (),
    cursor: CursorUpdate | None = None,
) -> WriteResult:
    """The store's part: one transaction."""
    return store.write(
        workspace.slug,
        ready.posts,
        ready.results,
        rejects,
        cursor,
        documents=ready.documents,
        indexed=ready.indexed,
        found=ready.found,
    )
