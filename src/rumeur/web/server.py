"""The uvicorn server that `rumeur serve` runs, which interrupts the store reads still running
when it stops; and the web app on it in a background thread, for the browser tests and the
screenshots script: started on a free port of 127.0.0.1, stopped when the block ends."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI

from rumeur.store.budget import interrupt_all

if TYPE_CHECKING:
    import uvicorn

# Once asked to stop, the server gives running requests this long to answer. A request reading
# the store is interrupted at once: its worker thread, which nothing can cancel, would otherwise
# hold the process until its statement ended (minutes, before reads had a time budget).
GRACE_S = 5

# Headless Chromium on a machine without a network: no sandbox as root, no background calls home.
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextmanager
def background(app: FastAPI, host: str = "127.0.0.1", timeout: float = 20) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base address (`http://127.0.0.1:PORT`)."""
    import uvicorn

    port = free_port(host)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=GRACE_S
    )
    server = stopping_server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the web app did not start on {host}:{port}")
        time.sleep(0.05)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout)


def stopping_server(
    config: uvicorn.Config, on_stop: Callable[[], None] | None = None
) -> uvicorn.Server:
    """uvicorn's server, which interrupts the store reads still running while it stops, and
    calls `on_stop` (in a thread: `rumeur serve` stops its sender there) while the requests
    end, before the process does."""
    import uvicorn

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: Any = None) -> None:
            reads = asyncio.create_task(_interrupt_reads())
            stopped = None if on_stop is None else _in_thread(on_stop)
            try:
                await super().shutdown(sockets)
                # A second Ctrl-C (force_exit) stops waiting: a sender cut there is taken over
                # by the next one, which knows this process is gone.
                while stopped is not None and not stopped.is_set() and not self.force_exit:
                    await asyncio.sleep(0.1)
            finally:
                reads.cancel()

    return Server(config)


def _in_thread(call: Callable[[], None]) -> threading.Event:
    """Run `call` in a daemon thread (not the loop's executor, which the loop's end would wait
    for); the event is set when it returns."""
    done = threading.Event()

    def run() -> None:
        try:
            call()
        finally:
            done.set()

    threading.Thread(target=run, name="rumeur-stopping", daemon=True).start()
    return done


async def _interrupt_reads() -> None:
    # Again and again: a request may start a read after the first sweep.
    while True:
        interrupt_all()
        await asyncio.sleep(0.1)
