"""The Mastodon API client, on `Http`: a bearer token when there is one, pages read with the
ids their `Link` header names, `X-RateLimit-*` honoured, and the streaming API's server-sent
events read line by line.

Ids are compared as Mastodon's own snowflakes (digits) are: by length, then as text, which is
also a sane order for the ids of other servers speaking the same API.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import structlog

from rumeur.net.errors import AuthError, SourceError, Unavailable
from rumeur.net.http import Closing, Http
from rumeur.net.ratelimit import Limiter, x_ratelimit_headers
from rumeur.net.retry import RetryPolicy

log = structlog.get_logger(__name__)
PAGE = 40  # the most Mastodon returns per page of statuses


@dataclass(slots=True)
class Page:
    """One page, and the ids that continue it: `newer` for min_id, `older` for max_id."""

    items: list[Any]  # objects, unless the server sent something malformed
    newer: str | None
    older: str | None


class MastodonClient(Closing):
    def __init__(
        self,
        source: str,
        instance: str,
        token: str | None,
        *,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        auth_hint: str = "check the token",
        stream_timeout: float = 90.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        # The token goes in a header only, so that no URL (logged or in an error) carries it.
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = Http(
            source,
            instance.rstrip("/"),
            quota=x_ratelimit_headers,
            limiter=limiter,
            retry=retry,
            headers=headers,
            auth_hint=auth_hint,
            transport=transport,
        )
        # Mastodon sends a heartbeat every 15 s or so: silence for longer is a dead stream.
        self.stream_timeout = stream_timeout
        self._open: set[httpx.Response] = set()
        self._lock = threading.Lock()

    def close(self) -> None:
        self.close_streams()
        self.http.close()

    def close_streams(self) -> None:
        """End the streams being read (from another thread: their reader gets an error)."""
        with self._lock:
            responses, self._open = list(self._open), set()
        for response in responses:
            response.close()

    def page(self, path: str, params: dict[str, Any]) -> Page:
        """A page of statuses, notifications or conversations; search's statuses too."""
        response = self.http.request("GET", path, params=_clean(params))
        body = self.http.json(response)
        items = body.get("statuses") if isinstance(body, dict) else body
        if not isinstance(items, list):
            raise Unavailable(self.source, f"{path} answered with something that is not a list")
        newer = _link_id(response, "prev", "min_id")
        older = _link_id(response, "next", "max_id")
        if not response.links and items:
            # Search has no Link header: its ids are the statuses' own.
            ids = [str(i["id"]) for i in items if isinstance(i, dict) and i.get("id")]
            newer = max(ids, key=id_order, default=None)
            older = min(ids, key=id_order, default=None)
        return Page(items, newer, older)

    def status(self, status_id: str) -> dict[str, Any]:
        """One status, with its counts (`GET /api/v1/statuses/:id`)."""
        path = f"/api/v1/statuses/{quote(status_id, safe='')}"
        body = self.http.json(self.http.request("GET", path))
        if not isinstance(body, dict):
            raise Unavailable(self.source, f"{path} answered with something that is not a status")
        return body

    def context(self, status_id: str) -> dict[str, Any]:
        """A status's context (`ancestors`, oldest first, and `descendants`), as the owned
        account's server sees it: what the inbox reads to make a thread whole."""
        path = f"/api/v1/statuses/{quote(status_id, safe='')}/context"
        body = self.http.json(self.http.request("GET", path))
        if not isinstance(body, dict):
            raise Unavailable(self.source, f"{path} answered with something that is not an object")
        return body

    def events(self, path: str, params: dict[str, Any]) -> Iterator[tuple[str, str]]:
        """(event, data) of a server-sent event stream until it ends; heartbeats are skipped.
        A stream that fails or falls silent raises `Unavailable`."""
        timeout = httpx.Timeout(30.0, read=self.stream_timeout)
        try:
            with self.http.client.stream("GET", path, params=params, timeout=timeout) as response:
                self._check_stream(response, path)
                with self._lock:
                    self._open.add(response)
                try:
                    yield from parse_events(response.iter_lines())
                finally:
                    with self._lock:
                        self._open.discard(response)
        except httpx.TimeoutException:
            raise Unavailable(self.source, f"{path}: the stream fell silent") from None
        except (httpx.HTTPError, httpx.StreamError) as exc:
            raise Unavailable(
                self.source, f"{path}: the stream dropped ({type(exc).__name__})"
            ) from None

    def _check_stream(self, response: httpx.Response, path: str) -> None:
        status = response.status_code
        if status < 300:
            return
        if status in (401, 403):
            raise AuthError(
                self.source, f"{path} refused the credentials ({status}); {self.http.auth_hint}"
            )
        if status == 429 or status >= 500:
            raise Unavailable(self.source, f"{path} failed ({status})")
        raise SourceError(self.source, f"{path} answered {status}")


def parse_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """Server-sent events: `event:` and `data:` lines up to a blank line; `:` lines are
    comments (Mastodon's `:thump` heartbeat)."""
    event, data = "message", []
    for line in lines:
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
    if data:
        yield event, "\n".join(data)


def id_order(value: str) -> tuple[int, str]:
    return len(value), value


def newest(*ids: str | None) -> str | None:
    present = [i for i in ids if i]
    return max(present, key=id_order) if present else None


def _link_id(response: httpx.Response, rel: str, param: str) -> str | None:
    link = response.links.get(rel)
    if not link or not link.get("url"):
        return None
    return httpx.URL(link["url"]).params.get(param)


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}
