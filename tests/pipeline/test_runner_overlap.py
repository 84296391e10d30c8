"""The runner prepares batch N+1 while batch N is written: the store still sees the batches one
at a time and in order, and a failure stops the run where a run one batch at a time stopped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from factories import make_post
from rumeur.config import load_settings
from rumeur.errors import InputError, StoreError
from rumeur.model import Post, RawItem
from rumeur.pipeline import run
from rumeur.pipeline.runner import Step
from rumeur.sources.base import Batch
from rumeur.store import Store

SIZE = 3


class _Feed:
    """Batches of `SIZE` posts with their cursor; raises instead of the batch `fail_at`."""

    name = "mastodon:overlap"

    def __init__(self, batches: int, fail_at: int | None = None) -> None:
        self.batches_total = batches
        self.fail_at = fail_at

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        first = cursor["next"] if cursor else 0
        for n in range(first, self.batches_total):
            if n == self.fail_at:
                raise InputError("the network went away")
            items = [RawItem({"id": f"{n}-{i}"}, self.name) for i in range(SIZE)]
            yield Batch(items, {"next": n + 1})

    def normalise(self, item: RawItem) -> Post:
        return make_post(item.payload["id"], handle="alice")


def test_every_batch_is_written_once_in_order_with_its_cursor(store: Store) -> None:
    ws = load_settings().workspace()
    seen: list[tuple[int, int]] = []  # (batches counted, posts in the store) at each step

    def on_step(step: Step) -> None:
        seen.append((step.report.batches, store.count_posts()))

    report = run(_Feed(5), store, ws, batch_size=SIZE, on_step=on_step)
    assert (report.batches, report.read, report.written.inserted) == (5, 15, 15)
    # Each step is told once its own batch is stored, not before.
    assert seen == [(n, n * SIZE) for n in range(1, 6)]
    assert store.cursor(f"{ws.slug}:{_Feed.name}") == {"next": 5}


def test_a_failed_read_comes_after_the_batch_before_it_is_stored(store: Store) -> None:
    ws = load_settings().workspace()
    steps: list[int] = []
    with pytest.raises(InputError, match="went away"):
        run(_Feed(5, fail_at=2), store, ws, batch_size=SIZE, on_step=lambda s: steps.append(1))
    assert store.count_posts() == 2 * SIZE and len(steps) == 2
    key = f"{ws.slug}:{_Feed.name}"
    assert store.cursor(key) == {"next": 2}
    report = run(_Feed(5), store, ws, batch_size=SIZE)  # resumes at the failed batch
    assert (report.batches, report.written.inserted) == (3, 3 * SIZE)


def test_a_failed_write_is_the_runs_error_and_nothing_after_it_is_written(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = load_settings().workspace()
    writes: list[int] = []
    plain = Store.write

    def failing(self: Store, *args: Any, **kwargs: Any) -> Any:
        writes.append(1)
        if len(writes) == 2:
            raise StoreError("disk full", permanent=False)
        return plain(self, *args, **kwargs)

    monkeypatch.setattr(Store, "write", failing)
    with pytest.raises(StoreError, match="disk full"):
        run(_Feed(5, fail_at=2), store, ws, batch_size=SIZE)
    assert len(writes) == 2 and store.count_posts() == SIZE
    assert store.cursor(f"{ws.slug}:{_Feed.name}") == {"next": 1}
