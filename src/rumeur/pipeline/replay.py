"""Replay a data set as a live stream: its posts in their own time order, N times faster than
they happened (or as fast as the machine goes), through the runner's stages and `Store.write`,
with the detectors running on the replayed clock.

The file is read and normalised once (`stages.normalise`), sorted by `created_at` (the airline
set is not in time order), then handed to `runner.run` as a source whose batches never cross a
UTC hour. Before the first batch of a new hour the source waits until the replayed clock may
reach it, and calls `on_hour(hour)`: the previous hours are then stored, so the detectors see
whole hours. A replay always starts from the first post: the idempotent upsert absorbs what an
earlier replay or import already stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from rumeur.config import Workspace
from rumeur.model import Post, RawItem, Rejected
from rumeur.nlp.base import Enricher
from rumeur.pipeline.runner import RunReport, Step, run
from rumeur.pipeline.stages import normalise
from rumeur.sources.base import Batch, Progress
from rumeur.sources.files.source import FileSource
from rumeur.store import Store

HOUR = timedelta(hours=1)
MAX_GAP_HOURS = 48  # hours without posts evaluated one by one; a longer gap jumps


class ReplayClock:
    """The replayed time: `now()` is the time of the stream being replayed. `speed` None is as
    fast as possible; otherwise `wait_until(t)` sleeps so that replayed time runs `speed` times
    faster than real time."""

    def __init__(
        self,
        speed: float | None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.speed = speed
        self._sleep = sleep
        self._monotonic = monotonic
        self._origin: tuple[datetime, float] | None = None
        self._now: datetime | None = None

    def now(self) -> datetime:
        if self._now is None:
            raise RuntimeError("the replay has not started")
        return self._now

    def wait_until(self, at: datetime) -> None:
        if self._origin is None:
            self._origin = (at, self._monotonic())
        elif self.speed is not None:
            start, real = self._origin
            due = (at - start).total_seconds() / self.speed - (self._monotonic() - real)
            if due > 0:
                self._sleep(due)
        self._now = at


@dataclass(slots=True)
class ReplayReport:
    run: RunReport
    first: datetime | None = None
    last: datetime | None = None
    hours: int = 0  # detector runs
    notes: list[Any] = field(default_factory=list)  # what on_hour returned, in order


class _Timeline:
    """The posts in time order, as a `Source` for the runner (posts are already normalised)."""

    def __init__(
        self,
        posts: list[Post],
        rejects: list[Rejected],
        name: str,
        clock: ReplayClock,
        on_hour: Callable[[datetime], None],
    ) -> None:
        self.name = name
        self._posts = posts
        self._rejects = rejects
        self._clock = clock
        self._on_hour = on_hour

    def normalise(self, item: RawItem) -> Post:
        return item.payload  # type: ignore[no-any-return]

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        del cursor  # a replay always starts over (see the module's docstring)
        total = len(self._posts)
        done, current = 0, None
        for chunk in _hourly_chunks(self._posts, size):
            hour = _hour(chunk[0].created_at)
            if current is not None and hour > current:
                self._hours_between(current, hour)
            current = hour
            self._clock.wait_until(chunk[-1].created_at)
            done += len(chunk)
            rejects, self._rejects = self._rejects, []  # the file's bad rows, once
            items = [RawItem(payload=p, origin=self.name, line=None) for p in chunk]
            yield Batch(items, {"replayed": done, "at": chunk[-1].created_at.isoformat()},
                        rejects, Progress(done, total, "posts"))  # fmt: skip
        if current is not None:
            self._hours_between(current, current + HOUR)

    def _hours_between(self, current: datetime, hour: datetime) -> None:
        """Each whole hour that ended since the last batch: the detectors run at its end."""
        ends = [current + HOUR * (i + 1) for i in range(int((hour - current) / HOUR))]
        for end in ends[:MAX_GAP_HOURS] if len(ends) <= MAX_GAP_HOURS else [ends[-1]]:
            self._clock.wait_until(end)
            self._on_hour(end)


def replay(
    source: FileSource,
    store: Store,
    workspace: Workspace,
    enrichers: Sequence[Enricher] = (),
    speed: float | None = None,
    on_hour: Callable[[datetime], Any] | None = None,
    on_step: Callable[[Step], None] | None = None,
    batch_size: int = 500,
    clock: ReplayClock | None = None,
    runner: Callable[..., RunReport] = run,
    settle: Callable[[], None] | None = None,
) -> ReplayReport:
    """Replay `source` into `store` for `workspace`; `on_hour(end)` runs at each replayed hour's
    end (the detectors), with everything before `end` stored. `runner` stores the batches
    (`runner.run`, or the workers' queued runner, whose `settle()` waits for the batches sent
    before each hour's end)."""
    clock = clock or ReplayClock(speed)
    posts, rejects = _read(source)
    report = ReplayReport(RunReport(source.name))
    if posts:
        report.first, report.last = posts[0].created_at, posts[-1].created_at

    def hour_done(end: datetime) -> None:
        if settle is not None:
            settle()
        report.hours += 1
        if on_hour is not None:
            report.notes.append(on_hour(end))

    timeline = _Timeline(posts, rejects, f"replay:{source.label}", clock, hour_done)
    report.run = runner(timeline, store, workspace, enrichers, batch_size, on_step)
    return report


def _read(source: FileSource) -> tuple[list[Post], list[Rejected]]:
    """Every post of the file, oldest first, and the rows that could not be read."""
    posts: list[Post] = []
    rejects: list[Rejected] = []
    for batch in source.batches(None, 5000):
        normalised = normalise(batch.items, source.normalise, source.column)
        posts += normalised.posts
        rejects += [*batch.rejects, *normalised.rejects]
    posts.sort(key=lambda p: p.created_at)  # stable: a file's order within one instant stays
    return posts, rejects


def _hourly_chunks(posts: list[Post], size: int) -> Iterator[list[Post]]:
    chunk: list[Post] = []
    for post in posts:
        if chunk and (len(chunk) >= size or _hour(post.created_at) != _hour(chunk[0].created_at)):
            yield chunk
            chunk = []
        chunk.append(post)
    if chunk:
        yield chunk


def _hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)
