"""Author statistics: the time to bring them up to date after a batch of 10,000 posts on a store
of a million, against recomputing them from scratch, in the same run (issue #19).

The store is web_latency.py's (the airline set replayed, authors with follower counts, cached
between runs under the same key). On it, inside one transaction that is rolled back at the end
so the cached store stays as it was:

- the batch: 10,000 new posts (the next copies of the set) written by the store's writer, which
  keeps `author_days` as it writes (store/author_stats.py, `apply_author_days`); the time that
  hook took is the incremental refresh, and the batch's whole write is printed beside it;
- the write path's cost: the same batch written again into a fresh transaction with the hook
  and without it (each --repeat times, alternating), the difference the hook adds;
- from scratch: `rebuild_author_days`, every stored post read and counted again, as
  `rumeur influencers refresh` (and migration 0023) does.

It reports, it does not judge: the exit status is 0 whatever the figures. `--posts` makes a
smaller store where a million posts take too long to write."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_throughput import find_data, machine
from rumeur.store import Store, author_stats, writer
from rumeur.store.engine import WRITE_OPTION
from web_latency import WORKSPACE, count_posts, read_tweets, replayed, sqlite_store

BATCH = 10_000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time the author statistics' refresh.")
    parser.add_argument("--posts", type=int, default=1_000_000, help="size of the store")
    parser.add_argument("--batch", type=int, default=BATCH, help="posts in the new batch")
    parser.add_argument("--repeat", type=int, default=3, help="writes with and without the hook")
    parser.add_argument("--cache", type=Path, help="folder of the cached SQLite store")
    args = parser.parse_args(argv)
    if min(args.posts, args.batch, args.repeat) < 1:
        parser.error("--posts, --batch and --repeat must be at least 1")
    return args


@contextmanager
def rolled_back(store: Store) -> Iterator[Any]:
    """A write transaction that leaves the store as it found it."""
    with store.engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        transaction = conn.begin()
        try:
            yield conn
        finally:
            transaction.rollback()


@dataclass(slots=True)
class Spent:
    """Seconds by the wall clock and of this process's CPU (SQLite runs in it): on a machine
    others load, the CPU seconds are the steadier figure."""

    wall: float = 0.0
    cpu: float = 0.0


@contextmanager
def timing(spent: Spent) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        spent.wall += time.perf_counter() - wall
        spent.cpu += time.process_time() - cpu


@contextmanager
def timed_hook(spent: Spent) -> Iterator[None]:
    """Adds the time each call of the writer's author_days hook takes to `spent`."""
    original = writer.apply_author_days

    def timed(*args: Any, **kwargs: Any) -> None:
        with timing(spent):
            original(*args, **kwargs)

    writer.apply_author_days = timed
    try:
        yield
    finally:
        writer.apply_author_days = original


@contextmanager
def without_hook() -> Iterator[None]:
    original = writer.apply_author_days
    writer.apply_author_days = lambda *args, **kwargs: None
    try:
        yield
    finally:
        writer.apply_author_days = original


def batch_write(store: Store, batch: list[Any]) -> Callable[[], Spent]:
    def run() -> Spent:
        spent = Spent()
        with rolled_back(store) as conn, timing(spent):
            writer.write_batch(conn, WORKSPACE, batch)
        return spent

    return run


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for key, value in machine().items():
        print(f"{key + ':':<8} {value}")
    tweets = read_tweets(find_data())
    print("author statistics: preparing the store", file=sys.stderr)
    store, where = sqlite_store(argparse.Namespace(posts=args.posts, cache=args.cache), tweets)
    try:
        total = count_posts(store)
        # The next posts of the replayed set: new ids, new days, authors seen and unseen.
        batch = [replayed(tweets[i % len(tweets)], i // len(tweets), i)
                 for i in range(total, total + args.batch)]  # fmt: skip
        print(f"store: {where}, {total:,} posts; batch: {len(batch):,} new posts")

        refresh = Spent()
        with timed_hook(refresh):
            whole = batch_write(store, batch)()

        with_hook: list[Spent] = []
        without: list[Spent] = []
        for _ in range(args.repeat):
            with_hook.append(batch_write(store, batch)())
            with without_hook():
                without.append(batch_write(store, batch)())

        scratch = Spent()
        with rolled_back(store) as conn, timing(scratch):
            read = author_stats.rebuild_author_days(conn)
    finally:
        store.close()

    print(f"\n{'case':<44} {'wall s':>9} {'cpu s':>9}")
    for name, spent in (
        ("refresh after the batch (writer hook)", refresh),
        ("  the batch write, hook included", whole),
        (f"recompute from scratch ({read:,} posts)", scratch),
    ):
        print(f"{name:<44} {spent.wall:>9.3f} {spent.cpu:>9.3f}")
    print(
        f"\nratio, from scratch / incremental: {scratch.wall / refresh.wall:,.0f}x by the wall "
        f"clock, {scratch.cpu / refresh.cpu:,.0f}x in CPU"
    )
    plain = statistics.median(s.cpu for s in without)
    hooked = statistics.median(s.cpu for s in with_hook)
    print(
        f"write path, CPU: {plain:.3f} s without the hook, {hooked:.3f} s with it (median of "
        f"{args.repeat}): {hooked - plain:+.3f} s, {(hooked - plain) / plain:+.1%} per batch of "
        f"{len(batch):,}; the hook alone: {refresh.cpu / whole.cpu:.1%} of the batch's CPU"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
