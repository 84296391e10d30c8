"""The workers' tasks, each a thin wrapper around a stage that exists already (docs/workers.md):
the same functions as the embedded mode, called from a worker.

Every task may run twice (a worker killed mid-task, its message delivered again once the
visibility timeout passes), so every one is idempotent: a batch stored twice is absorbed by
the writer's upsert and its rollup deltas (a post stored again as it was adds nothing); a
collector starts from the cursor stored with its posts; the detectors update the alerts they
opened; the outbox's claims and idempotency keys send a reply once. Where two runs at once
would waste a network's quota, a lease (worker/leases.py) lets one run and the other return
`{"skipped": ...}` (beat asks again at the next period)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import structlog

from rumeur.worker import context
from rumeur.worker.app import app
from rumeur.worker.payload import post_of

log = structlog.get_logger(__name__)


def _timed(started: float, cpu: float, **fields: Any) -> dict[str, Any]:
    """A task's answer with its wall and CPU seconds, which the benchmark reads."""
    return {**fields, "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}


@app.task(name="rumeur.enrich_batch")
def enrich_batch(
    workspace: str, posts: list[dict[str, Any]], enrich: bool = True
) -> dict[str, Any]:
    """Deduplicate, attribute, enrich, match and store a batch of normalised posts (the
    embedded runner's `enrich_and_store`, in its two parts)."""
    from rumeur.pipeline.runner import prepare, store_prepared

    started, cpu = time.perf_counter(), time.process_time()
    ws = context.workspace(workspace)
    batch = [post_of(p) for p in posts]
    models = context.models(ws) if enrich else []
    ready = prepare(context.store(), ws, batch, models)
    # The two parts timed apart: where the next bottleneck is (benchmarks/worker_throughput.py).
    prepared = time.perf_counter()
    written = store_prepared(context.store(), ws, ready)
    return _timed(
        started, cpu, inserted=written.inserted, updated=written.updated,
        unchanged=written.unchanged, prepare_s=prepared - started,
        store_s=time.perf_counter() - prepared,
    )  # fmt: skip


@app.task(name="rumeur.collect_source")
def collect_source(workspace: str, source: str) -> dict[str, Any]:
    """One pass of a source from its stored cursor: one worker at a time per source, and at
    most `[workers.concurrency]` sources of its network at once."""
    from rumeur.pipeline.collection import choose, collect

    started, cpu = time.perf_counter(), time.process_time()
    ws = context.workspace(workspace)
    (config,) = choose(ws, [source])
    leases = context.leases()
    cap = context.settings().workers.cap(config.type)
    with leases.held(f"collect:{ws.slug}:{source}") as mine:
        if not mine:
            return {"skipped": "another worker collects this source"}
        with leases.held(f"network:{config.type}", cap=cap) as slot:
            if not slot:
                return {"skipped": f"{config.type}: {cap} collectors run already"}
            (outcome,) = collect(context.store(), ws, [config], context.models(ws))
    read = outcome.report.read if outcome.report is not None else 0
    return _timed(started, cpu, read=read, error=outcome.error)


@app.task(name="rumeur.detect_alerts")
def detect_alerts(workspace: str) -> dict[str, Any]:
    """The detectors over the workspace's rollups, then the dispatch of what they opened (and
    the escalations due)."""
    from rumeur.alerts.dispatch import Dispatcher
    from rumeur.alerts.engine import run_detectors

    started, cpu = time.perf_counter(), time.process_time()
    ws = context.workspace(workspace)
    with context.leases().held(f"alerts:{ws.slug}") as mine:
        if not mine:
            return {"skipped": "another worker runs this workspace's detectors"}
        now = datetime.now(UTC)
        report = run_detectors(context.store(), ws, now)
        sent = Dispatcher(context.store(), ws).run(now)
    return _timed(
        started, cpu, opened=report.opened, updated=report.updated, closed=report.closed,
        delivered=sent.delivered, failed=sent.failed,
    )  # fmt: skip


@app.task(name="rumeur.route_conversations")
def route_conversations(workspace: str) -> dict[str, Any]:
    """Read the owned accounts into the inbox: new conversations threaded and routed by the
    workspace's rules (inbox/collect.py)."""
    from rumeur.inbox.collect import collect_inbox

    started, cpu = time.perf_counter(), time.process_time()
    ws = context.workspace(workspace)
    with context.leases().held(f"inbox:{ws.slug}") as mine:
        if not mine:
            return {"skipped": "another worker reads this workspace's accounts"}
        outcomes = collect_inbox(context.store(), ws, context.models(ws))
    return _timed(started, cpu, errors=[o.line() for o in outcomes if o.error is not None])


@app.task(name="rumeur.send_due")
def send_due(workspace: str) -> dict[str, Any]:
    """One pass of the sender over the workspace's outbox: take over the rows of dead senders,
    read back the unknown ones, send the due ones. Several passes may run at once: each row is
    claimed by one (inbox/sender.py)."""
    from rumeur.inbox.sender import Repliers, Sender
    from rumeur.sources.context import SourceContext

    started, cpu = time.perf_counter(), time.process_time()
    ws = context.workspace(workspace)
    repliers = Repliers([ws], SourceContext())
    with Sender(context.store(), repliers, workspaces=[ws.slug]) as sender:
        report = sender.once()
    return _timed(
        started, cpu, sent=report.sent, failed=report.failed, retried=report.retried,
        unknown=report.unknown, taken_over=report.taken_over,
    )  # fmt: skip
