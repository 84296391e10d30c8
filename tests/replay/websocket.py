"""A local websocket server that replays JSON lines, with Jetstream's query parameters.

Jetstream semantics followed (bluesky-social/jetstream, legacy ``/subscribe`` endpoint):

* events are delivered in ``time_us`` order (Jetstream's key; the recording's lines are in relay
  order, a few milliseconds apart, so they are sorted at load unless ``sort=False``);
* ``cursor=T`` replays from ``T`` inclusive (``time_us >= T``: Jetstream seeks its event store
  with ``T`` as the lower bound), so a client resuming from the last ``time_us`` it processed
  sees that event again and must be idempotent;
* ``wantedCollections`` (repeatable) keeps commits of those collections, a trailing ``.*``
  matching an NSID prefix (``app.bsky.feed.*``); identity and account events always pass;
* ``wantedDids`` (repeatable) keeps events of those repositories.

Every connection gets the selected events, then stays open (the live tail, with nothing new)
until the client or the server closes it, unless ``close_at_end``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from .cassettes import fixture


@dataclass(frozen=True)
class _Line:
    text: str
    time_us: int
    did: str | None
    kind: str | None
    collection: str | None


@dataclass
class WebsocketConnection:
    """One client connection as the server saw it; ``sent`` grows while it is served."""

    path: str
    query: dict[str, list[str]]
    sent: int = 0
    dropped: bool = False
    received: list[str] = field(default_factory=list)

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


class ReplayWebsocket:
    """Replay JSON lines to every websocket client; use it as a context manager.

    ``events`` is a ``.jsonl`` path (relative to ``shared/fixtures`` or absolute) or an
    iterable of JSON strings or dicts. ``drop_after=k`` cuts the first ``drop_times``
    connections (None: all) abruptly, with no close frame, after k messages; ``rate`` is
    messages per second (None: as fast as the socket takes them).
    """

    def __init__(
        self,
        events: str | Path | Iterable[str | Mapping[str, Any]],
        *,
        drop_after: int | None = None,
        drop_times: int | None = 1,
        rate: float | None = None,
        close_at_end: bool = False,
        sort: bool = True,
        path: str = "/subscribe",
    ) -> None:
        lines = [_line(raw) for raw in _raw_lines(events)]
        self._lines = sorted(lines, key=lambda line: line.time_us) if sort else lines
        self.drop_after = drop_after
        self.drop_times = drop_times
        self.rate = rate
        self.close_at_end = close_at_end
        self.path = path
        self._lock = threading.Lock()
        self._connections: list[WebsocketConnection] = []
        self._stopping = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def events(self) -> list[str]:
        """The lines in the order they are served."""
        return [line.text for line in self._lines]

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ReplayWebsocket:
        if self._server is not None:
            return self
        # No compression and no keepalive pings: plain frames, as fast as possible, and no
        # extra thread per connection.
        self._server = serve(
            self._handle, "127.0.0.1", 0, compression=None, ping_interval=None, close_timeout=1
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="replay-ws")
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()  # closes open connections (1001) and joins their handler threads
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> ReplayWebsocket:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("ReplayWebsocket is not started")
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    @property
    def url(self) -> str:
        """``base_url`` plus the Jetstream path, ``ws://127.0.0.1:PORT/subscribe``."""
        return self.base_url + self.path

    @property
    def connections(self) -> list[WebsocketConnection]:
        with self._lock:
            return list(self._connections)

    # -- serving -----------------------------------------------------------------------------

    def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        parts = urlsplit(connection.request.path)
        record = WebsocketConnection(parts.path, parse_qs(parts.query, keep_blank_values=True))
        with self._lock:
            drop = self.drop_after is not None and (
                self.drop_times is None
                or sum(c.dropped for c in self._connections) < self.drop_times
            )
            record.dropped = drop
            self._connections.append(record)
        # The client may leave at any time; websockets cleans up the connection itself.
        with contextlib.suppress(ConnectionClosed):
            self._replay(connection, record, self.drop_after if drop else None)

    def _replay(
        self, connection: ServerConnection, record: WebsocketConnection, drop_after: int | None
    ) -> None:
        pause = 1.0 / self.rate if self.rate else 0.0
        for line in _select(self._lines, record.query):
            if record.sent == drop_after:
                return _drop(connection)
            if pause and self._stopping.wait(pause):
                return None
            connection.send(line.text)
            record.sent += 1
        if record.sent == drop_after:
            return _drop(connection)
        if self.close_at_end:
            connection.close()
            return None
        for message in connection:  # the live tail: wait, keeping what the client says
            record.received.append(message if isinstance(message, str) else message.hex())
        return None


def _drop(connection: ServerConnection) -> None:
    """Cut the TCP connection with no close frame: the client reads code 1006.

    A FIN rather than a RST, so the client still reads the k messages already sent (a reset
    would let its kernel discard them) and ``drop_after`` stays exact.
    """
    with contextlib.suppress(OSError):
        connection.socket.shutdown(socket.SHUT_RDWR)
    connection.close_socket()


def _select(lines: list[_Line], query: Mapping[str, list[str]]) -> Iterable[_Line]:
    cursor = _int(query.get("cursor"))
    collections = [c for c in query.get("wantedCollections", []) if c]
    dids = set(query.get("wantedDids", []))
    for line in lines:
        if cursor is not None and line.time_us < cursor:
            continue
        if dids and line.did not in dids:
            continue
        if collections and line.kind == "commit" and not _wanted(line.collection, collections):
            continue
        yield line


def _wanted(collection: str | None, patterns: list[str]) -> bool:
    if collection is None:
        return False
    for pattern in patterns:
        if pattern.endswith(".*"):
            if collection.startswith(pattern[:-1]):
                return True
        elif collection == pattern:
            return True
    return False


def _int(values: list[str] | None) -> int | None:
    if not values or not values[0]:
        return None
    return int(values[0])


def _raw_lines(events: str | Path | Iterable[str | Mapping[str, Any]]) -> Iterable[str]:
    if isinstance(events, str | Path):
        text = fixture(events).read_text(encoding="utf-8")
        return [line for line in text.splitlines() if line.strip()]
    return [e if isinstance(e, str) else json.dumps(e, separators=(",", ":")) for e in events]


def _line(text: str) -> _Line:
    event = json.loads(text)
    commit = event.get("commit") or {}
    return _Line(
        text=text,
        time_us=int(event.get("time_us", 0)),
        did=event.get("did"),
        kind=event.get("kind"),
        collection=commit.get("collection"),
    )
