"""The one POST every webhook channel makes. httpx's exceptions and non-2xx answers become a
`NotifyError` that names the channel and the host: a webhook's path is its secret, so neither
the URL nor httpx's own message (which quotes the URL) ever reaches an error or a log."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from rumeur import __version__
from rumeur.alerts.notify.errors import NotifyError, config_error, http_status_error

USER_AGENT = f"rumeur/{__version__} (alerts)"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def host_of(url: str) -> str:
    """The host (and port, when one is given) of a URL, the only part of it that is shown."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return "(invalid url)"
    if not parsed.host:
        return "(invalid url)"
    return f"{parsed.host}:{parsed.port}" if parsed.port else parsed.host


def new_client() -> httpx.Client:
    # No redirects: a webhook that moved is a settings problem, and following it would send the
    # alert (and its signature) wherever a compromised receiver points.
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False, headers={"User-Agent": USER_AGENT})


def json_body(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post(
    channel: str,
    url: str,
    body: bytes,
    client: httpx.Client,
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """POST a JSON body; the response if 2xx, else NotifyError."""
    host = host_of(url)
    if not url.startswith(("https://", "http://")) or host == "(invalid url)":
        raise config_error(channel, host, "the webhook URL must start with https:// or http://")
    try:
        response = client.post(
            url, content=body, headers={"Content-Type": "application/json", **(headers or {})}
        )
    except httpx.TimeoutException:
        raise NotifyError(channel, host, "timed out", permanent=False) from None
    except httpx.TransportError as exc:
        raise NotifyError(
            channel, host, f"unreachable ({type(exc).__name__})", permanent=False
        ) from None
    if not 200 <= response.status_code < 300:
        raise http_status_error(channel, host, response.status_code, response.headers)
    return response
