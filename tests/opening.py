"""Processes that open one store at the same instant, for the tests that check opening a store
is safe under any concurrency (several imports, a web server, workers on a new installation)."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

# Spawned, not forked: a child starts clean whatever threads the test runner has.
CONTEXT = multiprocessing.get_context("spawn")


def open_in_rounds(target: Callable[[int], str], rounds: int, openers: int, busy: int) -> list[str]:
    """`openers` processes open the store `target(round)` together in each of `rounds`
    rounds (a barrier starts them at once), while `busy` processes keep the CPU busy.
    Returns what went wrong, one line per failed open; [] when every open worked."""
    stop = CONTEXT.Event()
    burners = [CONTEXT.Process(target=_burn, args=(stop,)) for _ in range(busy)]
    barrier = CONTEXT.Barrier(openers)
    results: Any = CONTEXT.Queue()
    targets = [target(r) for r in range(rounds)]
    workers = [
        CONTEXT.Process(target=_open_each, args=(targets, barrier, results)) for _ in range(openers)
    ]
    for process in [*burners, *workers]:
        process.start()
    try:
        failures = [line for _ in range(rounds * openers) if (line := results.get(timeout=120))]
    finally:
        stop.set()
        for process in [*workers, *burners]:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
    return failures


def _open_each(targets: list[str], barrier: Barrier, results: Any) -> None:
    # Whatever goes wrong is put as a line, so that a worker that cannot import rumeur or
    # misses a round says so at once instead of leaving the parent waiting for its answers.
    try:
        from rumeur.store import Store
    except Exception as exc:
        for _ in targets:  # one line per open the parent waits for
            results.put(f"import: {type(exc).__name__}: {exc}")
        return
    for target in targets:
        try:
            barrier.wait(timeout=120)
            store = Store.open(target)
            try:
                with store.engine.connect() as conn:
                    conn.exec_driver_sql("SELECT count(*) FROM posts").scalar()
            finally:
                store.close()
            results.put("")
        except Exception as exc:
            results.put(f"{Path(target).name}: {type(exc).__name__}: {exc}")


def _burn(stop: Event) -> None:
    while not stop.is_set():
        deadline = time.monotonic() + 0.05
        while time.monotonic() < deadline:
            pass
