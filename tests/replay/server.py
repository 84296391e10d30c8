"""A local HTTP server that replays recorded responses and injects the faults recordings lack.

The one seam where connector tests fake the network: a client pointed at ``base_url`` runs its
real code against recorded bytes, and the test asserts on ``requests``, the log of what went out.

Routing. A route is a method, a path and an optional query spec. A request matches the routes of
its method and path whose spec is absent or a subset of its query (every key the spec names has
the same values); the most specific one wins. A route holds replies served in order; the last
one is served again once the others are used up, so a static route needs a single ``serve``.

Every answered request uses up one reply, a 304 included. Faults are queued per route
(``fail_next``) and use up none: the request after a 429, a 5xx, a cut connection or a malformed
body gets the reply the faulty one stood in for (a delayed reply is used up only if the client
was still there to get it).

Bodies are served as the cassettes module decodes them (identity encoding, our own
Content-Length); the recorded origins in Link and Location headers are replaced by ours, so a
client that follows pagination links comes back here. Bodies are never rewritten.
"""

from __future__ import annotations

import contextlib
import json as jsonlib
import mimetypes
import select
import socket
import struct
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from .cassettes import Interaction, body_file, load_cassette

QuerySpec = Mapping[str, str | Sequence[str]]
Headers = Mapping[str, str] | Iterable[tuple[str, str]]
Disconnect = Literal["close", "reset"]

# Headers whose URLs point at the recorded host; rewritten so a client follows them back here.
URL_HEADERS = frozenset({"link", "location", "content-location"})


@dataclass
class RecordedRequest:
    """A request as the server received it. ``headers`` keys are lower-case.

    Logged when it arrives, before its response is written (a stream may never end), with the
    status the server is answering (None: no response, the connection is cut or the client
    gave up during a delay) and the fault applied, if any.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int | None = None
    fault: str | None = None

    def param(self, name: str) -> str | None:
        """The first value of a query parameter, or None."""
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


@dataclass(frozen=True)
class Event:
    """One server-sent event; ``data`` may span lines."""

    data: str
    event: str | None = None
    id: str | None = None

    def encode(self) -> bytes:
        lines = [f"event: {self.event}"] if self.event else []
        lines += [f"id: {self.id}"] if self.id else []
        lines += [f"data: {line}" for line in self.data.split("\n")]
        return ("\n".join(lines) + "\n\n").encode("utf-8")


@dataclass(frozen=True)
class EventStream:
    events: tuple[Event, ...]
    heartbeat: float | None
    interval: float
    drop_after: int | None
    drop_with: Disconnect
    keep_open: bool
    preamble: str | None


@dataclass
class Reply:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    stream: EventStream | None = None
    # Recorded origins (``https://bsky.social``) to replace by ours in URL-bearing headers.
    origins: tuple[str, ...] = ()


@dataclass
class Fault:
    kind: str
    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    delay: float = 0.0
    disconnect: Disconnect | None = None
    malformed: bytes | None = None


@dataclass
class _Route:
    method: str
    path: str
    query: dict[str, list[str]] | None
    replies: list[Reply] = field(default_factory=list)
    served: int = 0

    def matches(self, query: Mapping[str, list[str]]) -> bool:
        return self.query is None or all(query.get(k) == v for k, v in self.query.items())

    def specificity(self) -> int:
        return -1 if self.query is None else len(self.query)

    def current(self) -> Reply:
        return self.replies[min(self.served, len(self.replies) - 1)]


class ReplayServer:
    """Threaded HTTP/1.1 server on 127.0.0.1 (ephemeral port); use it as a context manager.

    >>> with ReplayServer() as server:
    ...     server.serve("GET", "/xrpc/x", json={"ok": True})
    ...     httpx.get(server.base_url + "/xrpc/x").json()
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._routes: list[_Route] = []
        self._faults: dict[tuple[str, str], list[Fault]] = {}
        self._log: list[RecordedRequest] = []
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> ReplayServer:
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler, replay=self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="replay-http"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop promptly: end streams and stalls, cut idle keep-alive connections, join threads."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        with self._lock:
            self._stopping.set()
            open_connections = list(self._connections)
        httpd.shutdown()
        for conn in open_connections:
            _shutdown_quietly(conn)
        httpd.server_close()  # joins the handler threads (block_on_close)
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("ReplayServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- routes ------------------------------------------------------------------------------

    def serve(
        self,
        method: str,
        path: str,
        *,
        body: bytes | str | None = None,
        json: Any = None,
        status: int = 200,
        headers: Headers | None = None,
        query: QuerySpec | None = None,
        content_type: str | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Queue one reply on a route. ``json`` is encoded compactly in UTF-8.

        ``etag`` / ``last_modified`` (an HTTP date) are sent with the reply, and a request whose
        If-None-Match / If-Modified-Since matches them gets a 304 instead. Each request uses up
        one reply, a 304 included: queue a feed's successive states (v1, v1, v2) to script
        what each poll sees.
        """
        pairs = _pairs(headers)
        if json is not None:
            data = jsonlib.dumps(json, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            content_type = content_type or "application/json; charset=utf-8"
        elif isinstance(body, str):
            data = body.encode("utf-8")
        else:
            data = body or b""
        if content_type and not _has(pairs, "content-type"):
            pairs.append(("Content-Type", content_type))
        reply = Reply(status, pairs, data, etag=etag, last_modified=last_modified)
        self._add(method, path, query, reply)

    def serve_body(
        self,
        path: str,
        file: str | Path,
        content_type: str | None = None,
        *,
        method: str = "GET",
        status: int = 200,
        headers: Headers | None = None,
        query: QuerySpec | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """Serve a bodies-only fixture byte for byte (a path relative to ``shared/fixtures``)."""
        if content_type is None:
            content_type = _guess_type(Path(file))
        self.serve(
            method,
            path,
            body=body_file(file),
            status=status,
            headers=headers,
            query=query,
            content_type=content_type,
            etag=etag,
            last_modified=last_modified,
        )

    def serve_cassette(
        self, cassette: str | Path | Sequence[Interaction], *, match_query: bool | None = None
    ) -> list[Interaction]:
        """Serve every interaction of a cassette, as recorded, on our host.

        Interactions are routed by method and path; ``match_query=None`` adds the recorded
        query to the route only where interactions of the same method and path differ by
        query, True always, False never. Repeats of a route are served in recorded order.
        """
        interactions = (
            load_cassette(cassette) if isinstance(cassette, str | Path) else list(cassette)
        )
        origins = tuple(dict.fromkeys(i.origin for i in interactions))
        groups: dict[tuple[str, str], list[Interaction]] = {}
        for item in interactions:
            groups.setdefault((item.method, item.path), []).append(item)
        for (method, path), items in groups.items():
            by_query = match_query
            if by_query is None:
                by_query = len({i.query for i in items}) > 1
            for item in items:
                reply = Reply(item.status, list(item.headers), item.body, origins=origins)
                self._add(method, path, item.query_params if by_query else None, reply)
        return interactions

    def serve_events(
        self,
        path: str,
        events: Iterable[Event | tuple[str | None, str] | str],
        *,
        heartbeat: float | None = None,
        interval: float = 0.0,
        drop_after: int | None = None,
        drop_with: Disconnect = "close",
        keep_open: bool = True,
        preamble: str | None = ":)",
        query: QuerySpec | None = None,
        headers: Headers | None = None,
        status: int = 200,
    ) -> None:
        """Queue one server-sent-event stream on ``GET path``, as Mastodon's streaming API sends.

        ``events`` are ``Event``s, ``(event, data)`` pairs or bare data strings. ``heartbeat``
        is seconds between ``:thump`` comments while idle (between events when ``interval``
        is set, and after the last while ``keep_open``). ``drop_after=k`` cuts the
        connection after k events with no end of the chunked body (``drop_with``: "close"
        for a FIN, "reset" for a RST); ``keep_open=False`` ends
        the response cleanly after the last event.
        """
        stream = EventStream(
            events=tuple(_event(e) for e in events),
            heartbeat=heartbeat,
            interval=interval,
            drop_after=drop_after,
            drop_with=drop_with,
            keep_open=keep_open,
            preamble=preamble,
        )
        pairs = _pairs(headers)
        if not _has(pairs, "content-type"):
            pairs.append(("Content-Type", "text/event-stream"))
        self._add("GET", path, query, Reply(status, pairs, stream=stream))

    def fail_next(
        self,
        route: str,
        status: int = 429,
        *,
        headers: Headers | None = None,
        body: bytes | str | None = None,
        json: Any = None,
        times: int = 1,
        delay: float | None = None,
        disconnect: Disconnect | None = None,
        malformed: bool | bytes = False,
    ) -> None:
        """Make the next ``times`` requests on a route fail; ``route`` is ``"GET /path"`` or
        ``"/path"`` (any method).

        By default the failure is an HTTP error (``status``, ``headers``, ``body``/``json``).
        ``delay`` stalls that long before sending the reply (a client that gave up by then does
        not use it up); ``disconnect`` closes the connection without a response ("close") or
        with a TCP reset ("reset"); ``malformed`` sends the reply with its body cut in half (or
        replaced by the bytes given).

        The request log names the fault applied: "status 429", "delay", "close", "reset" or
        "malformed".
        """
        method, path = _parse_route(route)
        if malformed:
            fault = Fault(
                "malformed", malformed=malformed if isinstance(malformed, bytes) else None
            )
        elif disconnect is not None:
            fault = Fault(disconnect, disconnect=disconnect)
        elif delay is not None:
            fault = Fault("delay", delay=delay)
        else:
            fault = Fault(
                f"status {status}", status, _pairs(headers), _error_body(status, body, json)
            )
            if json is not None or body is None:
                fault.headers.append(("Content-Type", "application/json; charset=utf-8"))
        with self._lock:
            self._faults.setdefault((method, path), []).extend([fault] * times)

    # -- what went out -----------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._log)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """The log once it holds ``count`` requests (for clients running in another thread or
        process); raises TimeoutError after ``timeout`` seconds."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._log) >= count, timeout):
                raise TimeoutError(f"{len(self._log)} requests arrived, not {count}")
            return list(self._log)

    def requests_to(self, path: str, method: str | None = None) -> list[RecordedRequest]:
        return [
            r for r in self.requests if r.path == path and (method is None or r.method == method)
        ]

    @property
    def unmatched(self) -> list[RecordedRequest]:
        """Requests no route answered (they got a 404 from the replay server itself)."""
        return [r for r in self.requests if r.fault == "no route"]

    # -- internals used by the handler -------------------------------------------------------

    def _add(self, method: str, path: str, query: QuerySpec | None, reply: Reply) -> None:
        spec = None if query is None else _query_spec(query)
        with self._lock:
            for route in self._routes:
                if (route.method, route.path, route.query) == (method.upper(), path, spec):
                    route.replies.append(reply)
                    return
            self._routes.append(_Route(method.upper(), path, spec, [reply]))

    def _route_for(self, method: str, path: str, query: Mapping[str, list[str]]) -> _Route | None:
        candidates = [
            r for r in self._routes if r.method == method and r.path == path and r.matches(query)
        ]
        return max(candidates, key=_Route.specificity, default=None)

    def _next_fault(self, method: str, path: str) -> Fault | None:
        for key in ((method, path), ("*", path)):
            queue = self._faults.get(key)
            if queue:
                return queue.pop(0)
        return None

    def _known_routes(self) -> list[str]:
        return [f"{r.method} {r.path}" for r in self._routes]

    def _register(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
            stopping = self._stopping.is_set()
        if stopping:  # accepted just as stop() took its snapshot: let the handler end now
            _shutdown_quietly(conn)

    def _unregister(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)


class _HTTPServer(ThreadingHTTPServer):
    # Non-daemon handler threads, joined by server_close(): nothing outlives the server.
    daemon_threads = False
    block_on_close = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type, *, replay: ReplayServer) -> None:
        self.replay = replay
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that hang up mid-response are what fault tests are about; stay quiet.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without TCP_NODELAY each response would wait
    # for the client's delayed ACK (40 ms on Linux).
    disable_nagle_algorithm = True
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.replay._register(self.connection)

    def finish(self) -> None:
        self.server.replay._unregister(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request log is server.requests

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # -- dispatch ----------------------------------------------------------------------------

    def _dispatch(self) -> None:
        replay = self.server.replay
        parts = urlsplit(self.path)
        path = parts.path or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        headers: dict[str, str] = {}
        for name, value in self.headers.items():  # a repeated header joined, as RFC 9110 allows
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        body = self._read_body()
        with replay._lock:
            # Chosen and used up under one lock, so concurrent clients never share a reply.
            fault = replay._next_fault(self.command, path)
            route = replay._route_for(self.command, path, query)
            reply = route.current() if route is not None else None
            not_modified = reply is not None and self._not_modified(reply)
            if route is not None and fault is None:
                route.served += 1
            logged = RecordedRequest(
                self.command, path, query, headers, body, *_outcome(fault, reply, not_modified)
            )
            replay._log.append(logged)
            replay._arrived.notify_all()
        self._answer(fault, route, reply, not_modified, logged)

    def _answer(
        self,
        fault: Fault | None,
        route: _Route | None,
        reply: Reply | None,
        not_modified: bool,
        logged: RecordedRequest,
    ) -> None:
        if fault is not None and fault.disconnect is not None:
            return self._disconnect(fault.disconnect)
        if fault is not None and fault.kind.startswith("status"):
            return self._send(fault.status, fault.headers, fault.body)
        if route is None or reply is None:
            return self._send_no_route()
        if fault is not None and fault.kind == "delay":
            if not self._stall(fault.delay):
                self.close_connection = True
                logged.status = None
                return None
            self._consume(route)
        if not_modified:
            return self._send(304, _validators(reply), b"")
        if reply.stream is not None:
            return self._stream(reply)
        body = reply.body
        if fault is not None and fault.kind == "malformed":
            body = fault.malformed if fault.malformed is not None else body[: len(body) // 2]
        return self._send(reply.status, self._reply_headers(reply), body)

    def _send_no_route(self) -> None:
        known = self.server.replay._known_routes()
        message = {"error": "replay: no route", "request": f"{self.command} {self.path}"}
        data = jsonlib.dumps({**message, "known": known}).encode("utf-8")
        self._send(404, [("Content-Type", "application/json")], data)

    def _consume(self, route: _Route) -> None:
        with self.server.replay._lock:
            route.served += 1

    def _reply_headers(self, reply: Reply) -> list[tuple[str, str]]:
        host, port = self.server.server_address[:2]
        ours = f"http://{host}:{port}"
        headers = []
        for name, value in reply.headers:
            if name.lower() in URL_HEADERS:
                for origin in reply.origins:
                    value = value.replace(origin, ours)
            headers.append((name, value))
        return headers + _validators(reply)

    def _not_modified(self, reply: Reply) -> bool:
        if self.command not in ("GET", "HEAD"):
            return False
        if_none_match = self.headers.get("If-None-Match")
        if reply.etag and if_none_match:
            tags = {_weak(t) for t in if_none_match.split(",")}
            return "*" in tags or _weak(reply.etag) in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if reply.last_modified and if_modified_since and not if_none_match:
            try:
                since = parsedate_to_datetime(if_modified_since)
                return parsedate_to_datetime(reply.last_modified) <= since
            except (TypeError, ValueError):
                return False  # an unreadable date is ignored, as RFC 9110 says
        return False

    # -- wire --------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        data = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers
                    pass
                return bytes(data)
            data += self.rfile.read(size)
            self.rfile.readline()

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response_only(status)
        for name, value in headers:
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)
        self.wfile.flush()

    def _disconnect(self, how: Disconnect) -> None:
        self.close_connection = True
        if how == "reset":
            # Linger 0: close() sends a RST instead of a FIN, the client reads ECONNRESET.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def _stall(self, seconds: float) -> bool:
        """Wait ``seconds``; False as soon as the client hangs up or the server stops."""
        return _wait_client(self.connection, seconds, self.server.replay._stopping)

    def _stream(self, reply: Reply) -> None:
        stream = reply.stream
        assert stream is not None
        self.close_connection = True  # an event stream ends its connection
        self.send_response_only(reply.status)
        for name, value in self._reply_headers(reply):
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with contextlib.suppress(OSError):  # the client went away
            self._stream_events(stream)

    def _stream_events(self, stream: EventStream) -> None:
        if stream.preamble is not None:
            self._chunk(f"{stream.preamble}\n".encode())
        for sent, event in enumerate(stream.events):
            if sent == stream.drop_after:
                return self._disconnect(stream.drop_with)
            if stream.interval and not self._idle(stream.interval, stream.heartbeat):
                return None
            self._chunk(event.encode())
        if stream.drop_after is not None and stream.drop_after >= len(stream.events):
            return self._disconnect(stream.drop_with)
        if stream.keep_open:
            while self._idle(stream.heartbeat or 3600.0, stream.heartbeat):
                pass
            return None
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        return None

    def _idle(self, seconds: float, heartbeat: float | None) -> bool:
        """Stay idle ``seconds``, with heartbeats; False once the client or server is gone."""
        step = heartbeat or seconds
        left = seconds
        while left > 0:
            if not self._stall(min(step, left)):
                return False
            left -= step
            if heartbeat:
                self._chunk(b":thump\n")
        return True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()


# -- helpers ---------------------------------------------------------------------------------


def _outcome(
    fault: Fault | None, reply: Reply | None, not_modified: bool
) -> tuple[int | None, str | None]:
    """The status a request is about to get, and the name of the fault applied."""
    if fault is not None and fault.disconnect is not None:
        return None, fault.kind
    if fault is not None and fault.kind.startswith("status"):
        return fault.status, fault.kind
    if reply is None:
        return 404, "no route"
    return (304 if not_modified else reply.status), fault.kind if fault else None


def _wait_client(conn: socket.socket, seconds: float, stopping: threading.Event) -> bool:
    """Sleep up to ``seconds`` while watching the socket: False if the peer closed or we stop."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if stopping.is_set():
            return False
        readable, _, _ = select.select([conn], [], [], min(left, 0.02))
        if readable and _peer_closed(conn):
            return False
    return not stopping.is_set()


def _peer_closed(conn: socket.socket) -> bool:
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _shutdown_quietly(conn: socket.socket) -> None:
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


def _pairs(headers: Headers | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(k), str(v)) for k, v in items]


def _has(pairs: Iterable[tuple[str, str]], name: str) -> bool:
    return any(k.lower() == name for k, _ in pairs)


def _validators(reply: Reply) -> list[tuple[str, str]]:
    found = []
    if reply.etag and not _has(reply.headers, "etag"):
        found.append(("ETag", reply.etag))
    if reply.last_modified and not _has(reply.headers, "last-modified"):
        found.append(("Last-Modified", reply.last_modified))
    return found


def _weak(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def _query_spec(query: QuerySpec) -> dict[str, list[str]]:
    return {k: [v] if isinstance(v, str) else list(v) for k, v in query.items()}


def _parse_route(route: str) -> tuple[str, str]:
    method, _, path = route.strip().rpartition(" ")
    return (method.upper() or "*"), path


def _event(raw: Event | tuple[str | None, str] | str) -> Event:
    if isinstance(raw, Event):
        return raw
    if isinstance(raw, str):
        return Event(raw)
    name, data = raw
    return Event(data, event=name)


def _error_body(status: int, body: bytes | str | None, json: Any) -> bytes:
    if json is not None:
        return jsonlib.dumps(json).encode("utf-8")
    if body is not None:
        return body.encode("utf-8") if isinstance(body, str) else body
    return jsonlib.dumps({"error": f"replay: injected {status}"}).encode("utf-8")


def _guess_type(path: Path) -> str:
    if path.suffix == ".jsonl":
        return "application/x-ndjson"
    if path.suffix == ".xml":
        return "application/xml"
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"
