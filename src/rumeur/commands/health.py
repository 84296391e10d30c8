"""`rumeur workers status`: the health figures (health/report.py) as lines a person reads, or as
one JSON object; the same figures as `/metrics` and the admin's Workers page. Ends with status 1
when the broker configured does not answer, so that a monitor can run it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from rumeur.config import Settings
from rumeur.health.report import Health, gather
from rumeur.i18n import _, duration, number
from rumeur.store import Store


def workers_status(settings: Settings, store: Store, as_json: bool) -> bool:
    """Print the figures; whether the broker (if any) answered."""
    health = gather(settings, store, datetime.now(UTC))
    if as_json:
        print(json.dumps(health.as_json(), ensure_ascii=False))
    else:
        for line in lines(health):
            print(line)
    return health.broker_error is None


def lines(health: Health) -> list[str]:
    out = _queue_lines(health)
    b = health.backlog
    if b is not None:
        outbox = _("Outbox: {due} due, {claimed} being sent, {unknown} with an unknown outcome, "
                   "{failed} failed.").format(
            due=number(b.due), claimed=number(b.claimed), unknown=number(b.unknown),
            failed=number(b.failed),
        )  # fmt: skip
        if b.oldest_due_s is not None:
            outbox += " " + _("The oldest due reply has waited {time}.").format(
                time=duration(b.oldest_due_s)
            )
        out.append(outbox)
    if not health.sources:
        out.append(_("No source has stored a batch yet."))
    for s in health.sources:
        line = _("Source {source} ({workspace}): last batch stored {time} ago").format(
            source=s.source, workspace=s.workspace, time=duration(s.lag_s)
        )
        out.append(line + (", " + _("failing") if s.error else ""))
    return out


def _queue_lines(health: Health) -> list[str]:
    if health.embedded:
        return [
            _("Embedded mode: no workers. No broker is configured ([workers] broker or "
              "RUMEUR_BROKER): this process collects, enriches and sends by itself.")
        ]  # fmt: skip
    out = [_("Broker: {url}").format(url=health.broker)]
    if health.broker_error is not None:
        return [*out, _("The broker does not answer: {error}").format(error=health.broker_error)]
    out += [
        _("Queue {name}: {n} waiting").format(name=name, n=number(depth))
        for name, depth in health.queues.items()
    ]
    if health.in_flight is not None:
        out.append(
            _("Tasks taken by a worker and not yet acknowledged: {n}").format(
                n=number(health.in_flight)
            )
        )
    for t in health.tasks:
        out.append(
            _("Task {task}: {ok} succeeded, {failed} failed, {retried} retried; "
              "{rate} per minute, {failures} failures per minute (last 5 minutes)").format(
                task=t.task, ok=number(t.succeeded), failed=number(t.failed),
                retried=number(t.retried), rate=number(t.per_minute, 1),
                failures=number(t.failed_per_minute, 1),
            )
        )  # fmt: skip
    if not health.tasks:
        out.append(
            _("No task has ended since the counts began.")
            if health.tasks_counted
            else _("Task counts need a Redis broker or result backend.")
        )
    return out
