"""A web page read for what it says of itself (Bluesky's link cards, docs/publish.md, "Link
cards"): one GET through httpx, bounded in time, in size and in content type, never retried.

The address comes from a message's text, so it is read as an untrusted one: `http` or `https`
only, at most 5 redirects, and an address whose host is this machine or a private network
(loopback, RFC 1918, link-local) is not read unless `allow_private` says so (tests serve their
pages on 127.0.0.1). Any failure gives None: a card is a nicety, never a reason not to post.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from urllib.parse import urlsplit

import httpx
import structlog

from rumeur.net.http import USER_AGENT

log = structlog.get_logger(__name__)
MAX_BYTES = 512 * 1024  # the head of a page, where its OpenGraph tags are
TIMEOUT = 5.0  # seconds, the whole read
TYPES = ("text/html", "application/xhtml+xml")


def read_page(
    url: str,
    *,
    max_bytes: int = MAX_BYTES,
    timeout: float = TIMEOUT,
    allow_private: bool = False,
    transport: httpx.BaseTransport | None = None,
) -> str | None:
    """The first `max_bytes` of the HTML page at `url`, decoded; None when it cannot be read
    (not an HTML page, too slow, an error, an address it may not read)."""
    try:
        return _read(url, max_bytes, timeout, allow_private, transport)
    except (httpx.HTTPError, OSError, ValueError, UnicodeError) as exc:
        log.info("page not read", url=_shown(url), error=type(exc).__name__)
        return None


def _read(url: str, max_bytes: int, timeout: float, allow_private: bool,
          transport: httpx.BaseTransport | None) -> str | None:  # fmt: skip
    deadline = time.monotonic() + timeout
    hooks = {"request": [lambda r: _allowed(str(r.url), allow_private)]}
    with httpx.Client(headers={"User-Agent": USER_AGENT, "Accept": "text/html"},
                      timeout=timeout, follow_redirects=True, max_redirects=5,
                      event_hooks=hooks, transport=transport) as client:  # fmt: skip
        _allowed(url, allow_private)
        with client.stream("GET", url) as response:
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            if response.status_code != 200 or kind not in TYPES:
                return None
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) >= max_bytes or time.monotonic() > deadline:
                    break
            if time.monotonic() > deadline and len(data) < max_bytes:
                return None  # too slow: what came may stop mid-tag
            encoding = response.charset_encoding or "utf-8"
            return bytes(data[:max_bytes]).decode(encoding, errors="replace")


def _allowed(url: str, allow_private: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) address")
    if allow_private:
        return
    for info in socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP):
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise ValueError("a private address")


def _shown(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
