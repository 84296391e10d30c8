"""The workers' task counts, kept in Redis by the workers themselves (worker/metrics.py, on
Celery's task signals) and read by the health figures: a total per task and outcome since the
counters began (Prometheus' counters, whose rates Prometheus computes), and the same per minute
for the last hour (the rate that the Workers page and `rumeur workers status` print).

Counting in Redis rather than listening to Celery's events: the figures need no process that
stays subscribed, and every worker adds to the same counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

OUTCOMES = ("succeeded", "failed", "retried")
TOTALS = "rumeur:tasks"  # hash "task|outcome" -> count, under `[workers] prefix`
MINUTE = "rumeur:tasks:{minute}"  # the same for one minute (epoch minutes), kept an hour
KEEP_S = 3600
RATE_MINUTES = 5  # the rate is the mean over the last five minutes, the current one included


@dataclass(frozen=True, slots=True)
class TaskFigures:
    task: str
    succeeded: int
    failed: int
    retried: int
    per_minute: float  # tasks ended (succeeded or failed) per minute, over RATE_MINUTES
    failed_per_minute: float


def _minute(now: datetime) -> int:
    return int(now.timestamp() // 60)


def record(client: Any, prefix: str, task: str, outcome: str, now: datetime) -> None:
    """Count one ending of `task` (one of OUTCOMES) at `now`."""
    field = f"{task}|{outcome}"
    minute = prefix + MINUTE.format(minute=_minute(now))
    with client.pipeline(transaction=False) as pipe:
        pipe.hincrby(prefix + TOTALS, field, 1)
        pipe.hincrby(minute, field, 1)
        pipe.expire(minute, KEEP_S)
        pipe.execute()


def read(client: Any, prefix: str, now: datetime) -> list[TaskFigures]:
    """Every task counted so far, by name."""
    last = _minute(now)
    with client.pipeline(transaction=False) as pipe:
        pipe.hgetall(prefix + TOTALS)
        for minute in range(last - RATE_MINUTES + 1, last + 1):
            pipe.hgetall(prefix + MINUTE.format(minute=minute))
        totals, *minutes = pipe.execute()
    recent: dict[str, int] = {}
    for counts in minutes:
        for field, value in counts.items():
            recent[_text(field)] = recent.get(_text(field), 0) + int(value)
    by_task: dict[str, dict[str, int]] = {}
    for field, value in totals.items():
        task, _sep, outcome = _text(field).rpartition("|")
        if outcome in OUTCOMES:
            by_task.setdefault(task, {})[outcome] = int(value)
    figures = []
    for task, counts in sorted(by_task.items()):
        ended = recent.get(f"{task}|succeeded", 0) + recent.get(f"{task}|failed", 0)
        failed = recent.get(f"{task}|failed", 0)
        figures.append(
            TaskFigures(
                task,
                counts.get("succeeded", 0),
                counts.get("failed", 0),
                counts.get("retried", 0),
                ended / RATE_MINUTES,
                failed / RATE_MINUTES,
            )
        )
    return figures


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
