"""The health figures in Prometheus' text format (version 0.0.4), for `GET /metrics`.

Label values are escaped as the format asks (backslash, double quote, new line): a source's
name comes from a settings file."""

from __future__ import annotations

from collections.abc import Iterable

from rumeur.health.report import Health

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def exposition(health: Health) -> str:
    lines: list[str] = []

    def metric(name: str, kind: str, help_text: str, samples: Iterable[tuple[str, float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        lines.extend(f"{name}{labels} {_number(value)}" for labels, value in samples)

    metric(
        "rumeur_embedded_mode",
        "gauge",
        "1 when no broker is configured (one process, no workers), else 0.",
        [("", 1 if health.embedded else 0)],
    )
    if not health.embedded:
        metric(
            "rumeur_broker_up",
            "gauge",
            "1 when the broker answered.",
            [("", 0 if health.broker_error else 1)],
        )
        metric(
            "rumeur_queue_depth",
            "gauge",
            "Tasks waiting in each queue.",
            [(_labels(queue=q), n) for q, n in health.queues.items()],
        )
        if health.in_flight is not None:
            metric(
                "rumeur_tasks_in_flight",
                "gauge",
                "Tasks taken by a worker and not yet acknowledged.",
                [("", health.in_flight)],
            )
        metric(
            "rumeur_tasks_total",
            "counter",
            "Tasks ended, by task and outcome (succeeded, failed, retried).",
            [
                (_labels(task=t.task, outcome=outcome), getattr(t, outcome))
                for t in health.tasks
                for outcome in ("succeeded", "failed", "retried")
            ],
        )
    if health.backlog is not None:
        b = health.backlog
        metric(
            "rumeur_outbox_rows",
            "gauge",
            "Outbox rows by state: due (queued and due), claimed, unknown, failed.",
            [
                (_labels(state="due"), b.due),
                (_labels(state="claimed"), b.claimed),
                (_labels(state="unknown"), b.unknown),
                (_labels(state="failed"), b.failed),
            ],
        )
        metric(
            "rumeur_outbox_oldest_due_seconds",
            "gauge",
            "How long the oldest due outbox row has waited (0 when none is due).",
            [("", b.oldest_due_s or 0.0)],
        )
    metric(
        "rumeur_source_lag_seconds",
        "gauge",
        "Seconds since each source last stored a batch.",
        [(_labels(workspace=s.workspace, source=s.source), s.lag_s) for s in health.sources],
    )
    return "\n".join(lines) + "\n"


def _labels(**values: str) -> str:
    inner = ",".join(f'{key}="{_escape(value)}"' for key, value in values.items())
    return "{" + inner + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
