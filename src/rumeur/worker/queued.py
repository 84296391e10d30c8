"""`rumeur import FILE --queue` and `rumeur replay FILE --queue`: the file read and normalised
here, its batches sent to the `enrich` queue and stored by the workers, in parallel.

The stored cursor still lets a killed import resume: the batches are settled in the order they
were sent, and only when a batch and every batch before it are stored is the cursor moved past
it (with that batch's rejected rows, in one transaction, `Store.write` of no post). A killed
import therefore starts again at its first unsettled batch; the batches after it that workers
stored meanwhile are stored again, which the writer absorbs (docs/workers.md).

`QueuedRunner.run` has the signature of `pipeline.runner.run`, so that `pipeline.replay` takes
it as its runner; `drain()` waits for every batch sent, which the replay does before each
replayed hour's detectors."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from celery.exceptions import TimeoutError as NoAnswer
from celery.result import AsyncResult
from kombu.exceptions import OperationalError

from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.logs import redact_url
from rumeur.model import Rejected
from rumeur.nlp.base import Enricher
from rumeur.pipeline.runner import RunReport, Step, cursor_key
from rumeur.pipeline.stages import normalise
from rumeur.sources.base import Progress, Source
from rumeur.store import CursorUpdate, Store, WriteResult
from rumeur.worker.payload import post_json
from rumeur.worker.tasks import enrich_batch

IN_FLIGHT = 16  # batches sent and not settled: enough for every worker, bounded memory
WAIT_S = 3600.0  # for one batch, longest: a worker that dies leaves it to the broker's timeout


class QueueError(RumeurError):
    """A batch the workers could not store (its first line), or one that never came back."""


@dataclass(slots=True)
class _Sent:
    result: AsyncResult
    cursor: dict[str, Any]
    rejects: list[Rejected]
    read: int
    progress: Progress | None


@dataclass
class Timings:
    """What the workers said of their batches: wall and CPU seconds, added up."""

    batches: int = 0
    seconds: float = 0.0
    cpu: float = 0.0


@dataclass
class QueuedRunner:
    enrich: bool = True
    in_flight: int = IN_FLIGHT
    timings: Timings = field(default_factory=Timings)
    _pending: deque[_Sent] = field(default_factory=deque)
    _settle: Callable[[_Sent], None] | None = None

    def run(
        self,
        source: Source,
        store: Store,
        workspace: Workspace,
        enrichers: Sequence[Enricher] = (),
        batch_size: int = 500,
        on_step: Callable[[Step], None] | None = None,
    ) -> RunReport:
        """Send `source`'s batches from its stored cursor to the workers; return once every
        one is stored. `enrichers` is the embedded runner's: the workers load their own
        models (`enrich` says whether they enrich)."""
        del enrichers
        key = cursor_key(workspace, source)
        cursor = store.cursor(key)
        report = RunReport(source=source.name, resumed=bool(cursor))
        started = time.perf_counter()

        def settle(sent: _Sent) -> None:
            answer = _answer(sent.result)
            self.timings.batches += 1
            self.timings.seconds += answer["seconds"]
            self.timings.cpu += answer["cpu"]
            update = CursorUpdate(key, sent.cursor)
            written = store.write(workspace.slug, [], (), sent.rejects, update)
            report.written.add(
                WriteResult(answer["inserted"], answer["updated"], answer["unchanged"])
            )
            report.written.rejected += written.rejected
            report.read += sent.read
            report.rejects += sent.rejects
            report.batches += 1
            report.seconds = time.perf_counter() - started
            if on_step is not None:
                on_step(Step(report, sent.progress, sent.rejects))

        self._settle = settle
        _reachable()
        try:
            for batch in source.batches(cursor, batch_size):
                normalised = normalise(
                    batch.items, source.normalise, getattr(source, "column", None)
                )
                posts = [post_json(p) for p in normalised.posts]
                result = _send(workspace.slug, posts, self.enrich)
                rejects = sorted([*batch.rejects, *normalised.rejects], key=lambda r: r.line or 0)
                read = len(batch.items) + len(batch.rejects)
                self._pending.append(_Sent(result, batch.cursor, rejects, read, batch.progress))
                while len(self._pending) >= self.in_flight:
                    settle(self._pending.popleft())
            self.drain()
        except RumeurError as exc:
            store.record_error(key, workspace.slug, str(exc), datetime.now(UTC))
            raise
        finally:
            self._settle = None
        report.seconds = time.perf_counter() - started
        return report

    def drain(self) -> None:
        """Wait for every batch sent so far, in order."""
        while self._pending and self._settle is not None:
            self._settle(self._pending.popleft())


def _reachable() -> None:
    """The broker and the result backend answer, or QueueError in one line (without this,
    Kombu and Celery retry for half a minute and end in a traceback)."""
    app = enrich_batch.app
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=5)
    except Exception as exc:
        where = redact_url(str(app.conf.broker_url))
        raise QueueError(f"the broker at {where} does not answer: {_first_line(exc)}") from None
    client = getattr(app.backend, "client", None)  # Redis's; other backends answer on use
    try:
        if client is not None:
            client.ping()
    except Exception as exc:
        where = redact_url(str(app.conf.result_backend))
        raise QueueError(
            f"the result backend at {where} does not answer: {_first_line(exc)}"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _send(workspace: str, posts: list[dict[str, Any]], enrich: bool) -> AsyncResult:
    try:
        return enrich_batch.apply_async((workspace, posts, enrich))
    except OperationalError as exc:  # Kombu gave up after its retries
        where = redact_url(str(enrich_batch.app.conf.broker_url))
        raise QueueError(f"the broker at {where} does not answer: {exc}") from None


def _answer(result: AsyncResult) -> dict[str, Any]:
    """The task's answer; QueueError in one line when it failed or never came back."""
    try:
        answer = result.get(timeout=WAIT_S, propagate=True, disable_sync_subtasks=False)
    except NoAnswer:
        raise QueueError(f"a batch was not stored within {WAIT_S:.0f} s") from None
    except Exception as exc:  # the worker's exception, rebuilt from its JSON by Celery
        raise QueueError(f"a batch failed in a worker: {_first_line(exc)}") from None
    if not isinstance(answer, dict) or "inserted" not in answer:
        raise QueueError(f"a batch came back without its counts: {answer!r:.200}")
    return answer
