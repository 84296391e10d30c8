"""A source's batches read and normalised ahead, in a second process, while this one stores.

Why: reading and normalising a file is a fifth of an import's CPU (the airline file: about
0.7 s of 5), all of it independent of the store; a machine has two cores or more. The child is
a fork of this process that runs the very code the runner would (`read_batches`), and sends each
batch's outcome, pickled, through a bounded queue (at most QUEUED batches wait: the child never
runs far ahead of the store). Without models the runner has the child prepare each batch too
(the query documents, the matched queries, the index entries): on the airline file the storing
process then spent 4.4 s of CPU instead of 5.5, the child 2.0 s (pickling included).

Nothing changes but where the work runs: the same batches in the same order with the same
rejected rows. When the child fails (an unreadable file, a fault in the middle), nothing it
says is trusted: this process reads on from the cursor of the last batch it received, so that
the error is raised here, as the runner raises it without a child, for the same row.
The child leaves when this process stops wanting batches, and when this process is gone (it
checks its parent while it waits), so that a killed import leaves no process behind.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import io
import multiprocessing
import os
import pickle
import queue
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from rumeur.model import Author, Label, Media, Metrics, Post, Rejected
from rumeur.pipeline.stages import Normalised, normalise
from rumeur.sources.base import Progress, Source

QUEUED = 2  # batches the child may have ready before the store takes them
WAIT_S = 0.5  # how often a waiting side looks whether the other one is still there
MIN_BYTES = 1 << 20  # a smaller file is read here: a fork would cost more than it saves


@dataclass(slots=True)
class Read:
    """One batch of a source, normalised: what the runner stores."""

    cursor: dict[str, Any]
    progress: Progress | None
    rejects: list[Rejected]  # the source's own (rows it could not read)
    items: int  # rows read, rejected ones included
    normalised: Normalised
    ready: Any = None  # what `then` made of the batch, if given


def read_batches(
    source: Source,
    cursor: dict[str, Any] | None,
    size: int,
    then: Callable[[Normalised], Any] | None = None,
) -> Iterator[Read]:
    """`source`'s batches from `cursor` on, each normalised (and given to `then`, the more
    work the runner wants done where the batch is read), in this process."""
    column: Callable[[str], str] | None = getattr(source, "column", None)
    for batch in source.batches(cursor, size):
        normalised = normalise(batch.items, source.normalise, column)
        yield Read(
            batch.cursor,
            batch.progress,
            batch.rejects,
            len(batch.items) + len(batch.rejects),
            normalised,
            None if then is None else then(normalised),
        )


def worth_reading_ahead(source: Source) -> bool:
    """Whether a second process is worth its start: a file of at least MIN_BYTES, a system
    that can fork (not Windows) and a core to spare."""
    path = getattr(source, "path", None)
    if path is None or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        large = os.stat(path).st_size >= MIN_BYTES
    except OSError:
        return False
    return large and spare_core()


def spare_core() -> bool:
    """Whether another core is idle enough for the child: the load of the last minute leaves
    a core free. The two processes spend more CPU in all than one (the batches are pickled):
    on the 2-core machine at a load of 8, the airline import took 17.0 s reading ahead and
    14.7 s in one process, where reading ahead shortens it on a machine with a free core."""
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except OSError:  # no load average on this system: assume the cores are the import's
        load = 0.0
    return cores >= 2 and load <= cores - 1


def read_ahead(
    source: Source,
    cursor: dict[str, Any] | None,
    size: int,
    then: Callable[[Normalised], Any] | None = None,
) -> Iterator[Read]:
    """`read_batches`, run in a child process; the same batches, or the same error."""
    ctx = multiprocessing.get_context("fork")
    channel: Any = ctx.Queue(maxsize=QUEUED)
    stop = ctx.Event()
    child = ctx.Process(
        target=_child, args=(channel, stop, os.getpid(), source, cursor, size, then), daemon=True
    )
    with warnings.catch_warnings():
        # Python 3.12+ warns when a process with threads forks (the progress bar draws from
        # one): a lock another thread held at the fork would stay held in the child. The child
        # runs only the reading code above, which takes none of those locks (the console is
        # never touched there; logging and the import system reset their locks at a fork).
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        child.start()
    last = cursor
    try:
        while (message := _receive(channel, child)) is not None:
            kind, read = message
            if kind == "end":
                return
            if kind == "failed":
                break
            read = pickle.loads(read)  # our own child's bytes
            last = read.cursor
            yield read
    finally:
        _dismiss(channel, stop, child)
    # The child failed or vanished: read on here, where its error, if any, is raised again.
    yield from read_batches(source, last, size, then)


def _receive(channel: Any, child: Any) -> tuple[str, Any] | None:
    """The child's next message; None when it died without one (killed)."""
    while True:
        try:
            message: tuple[str, Any] = channel.get(timeout=WAIT_S)
            return message
        except queue.Empty:
            if not child.is_alive():
                try:
                    return channel.get(timeout=WAIT_S)  # sent just before it ended
                except queue.Empty:
                    return None


def _dismiss(channel: Any, stop: Any, child: Any) -> None:
    """Have the child stop (it may be waiting to put a batch) and wait for it to leave."""
    stop.set()
    while child.is_alive():
        with contextlib.suppress(queue.Empty):
            channel.get(timeout=0.05)  # room for a put it is waiting on
        child.join(timeout=0.05)
    channel.close()
    channel.join_thread()


def _child(
    channel: Any,
    stop: Any,
    parent: int,
    source: Source,
    cursor: dict[str, Any] | None,
    size: int,
    then: Callable[[Normalised], Any] | None,
) -> None:
    reads = read_batches(source, cursor, size, then)
    delivered = False
    try:
        for read in reads:
            if not _put(channel, stop, parent, ("read", _dumps(read))):
                return
        delivered = _put(channel, stop, parent, ("end", None))
    except BaseException:  # the parent reads again from the last cursor and raises it there
        delivered = _put(channel, stop, parent, ("failed", None))
    finally:
        reads.close()  # the source's own clean-up (a converted copy of the file)
        channel.close()
        if delivered:  # everything put is in the pipe before the process ends
            channel.join_thread()
        else:  # nobody reads any more: waiting to flush would wait for ever
            channel.cancel_join_thread()


def _by_constructor(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """A dataclass pickled as a call of its constructor with its fields' values: rebuilt in
    one call instead of field by field as pickle rebuilds a slotted dataclass (the posts'
    unpickling cost this process 0.55 s of CPU on the airline file, 0.39 s so)."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    return lambda value: (cls, tuple([getattr(value, n) for n in names]))


@functools.cache
def _pickler_table() -> dict[type, Any]:
    table: dict[type, Any] = dict(copyreg.dispatch_table)
    for cls in (Post, Author, Metrics, Media, Label):
        if all(f.init for f in dataclasses.fields(cls)):
            table[cls] = _by_constructor(cls)
    return table


def _dumps(read: Read) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _pickler_table()  # type: ignore[misc]
    pickler.dump(read)
    return buffer.getvalue()


def _put(channel: Any, stop: Any, parent: int, message: tuple[str, Any]) -> bool:
    """Wait for room in the queue; False when the parent no longer wants batches or is gone."""
    while not stop.is_set() and os.getppid() == parent:
        try:
            channel.put(message, timeout=WAIT_S)
            return True
        except queue.Full:
            continue
    return False
