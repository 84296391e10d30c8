"""`Http`: the one way network clients call their API. It waits for the rate limit before a
call, reads the new quota after it, retries what may succeed on another try, and turns every
failure into a `SourceError` that names the source and what to do. Headers and URLs with
credentials are never logged."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Self

import httpx

from rumeur import __version__
from rumeur.net.errors import AuthError, Lost, RateLimited, SourceError, Unavailable
from rumeur.net.ratelimit import HeaderReader, Limiter, retry_after
from rumeur.net.retry import RetryPolicy

USER_AGENT = f"rumeur/{__version__} (self-hosted social listening)"


class Closing:
    """What holds connections (`Http` and the clients built on it): closed by `close()`, or at
    the end of a `with` block."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Http(Closing):
    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        quota: HeaderReader | None = None,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        headers: Mapping[str, str] | None = None,
        auth_hint: str = "check the credentials",
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        self.quota, self.limiter = quota, limiter
        self.retry = retry or RetryPolicy()
        self.auth_hint = auth_hint
        self.client = httpx.Client(
            base_url=base_url,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
        )

    def close(self) -> None:
        self.client.close()

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The response of a successful call (2xx or 304), after retries; else SourceError."""
        return self.retry.run(lambda: self._once(method, url, **kwargs), f"{method} {url}")

    def get_json(self, url: str, **kwargs: Any) -> Any:
        return self.json(self.request("GET", url, **kwargs))

    def post_json(self, url: str, **kwargs: Any) -> Any:
        return self.json(self.request("POST", url, **kwargs))

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise Unavailable(
                self.source, f"{_path(response)} answered with a body that is not JSON"
            ) from None

    def write(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One try, no retry, of a request that makes something on the network (a reply): its
        2xx response; else `Unavailable` when nothing left (try again), `Lost` when it may have
        been made (a timeout or a cut after the request was written, a 5xx: read the network
        before another try), or the errors `request` raises."""
        return self._once(method, url, writing=True, **kwargs)

    def _once(
        self, method: str, url: str, *, writing: bool = False, **kwargs: Any
    ) -> httpx.Response:
        if self.limiter is not None:
            self.limiter.before()
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.TransportError as exc:
            raise _failure(self.source, url, exc, writing) from None
        now = datetime.now(UTC)
        quota = self.quota(response.headers, now) if self.quota is not None else None
        if self.limiter is not None:
            self.limiter.after(quota)
        if writing and response.status_code >= 500:
            # A gateway's 502 or 504 may stand in front of a post the server made.
            status = response.status_code
            raise Lost(self.source, f"{_shown(url)} failed ({status}) once it had the request")
        self._check(response, now, quota.reset_at if quota else None)
        return response

    def _check(self, response: httpx.Response, now: datetime, reset: datetime | None) -> None:
        status = response.status_code
        if status < 300 or status == 304:
            return
        where = _path(response)
        if status == 429:
            until = retry_after(response.headers, now) or reset or now
            raise RateLimited(self.source, until)
        if status in (401, 403):
            raise AuthError(
                self.source, f"{where} refused the credentials ({status}); {self.auth_hint}"
            )
        if status >= 500:
            raise Unavailable(self.source, f"{where} failed ({status})")
        raise SourceError(self.source, f"{where} answered {status}: {_reason(response)}")


# Failures before a byte of the request left: nothing can have been made.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _failure(source: str, url: str, exc: httpx.TransportError, writing: bool) -> SourceError:
    """What a transport failure means: worth another try, unless a write's request may have
    left (then its answer is lost: read the network before another try)."""
    name = type(exc).__name__
    if writing:
        if isinstance(exc, NOT_SENT):
            return Unavailable(source, f"{_shown(url)} unreachable ({name})")
        return Lost(source, f"{_shown(url)}: the answer was lost ({name})")
    if isinstance(exc, httpx.TimeoutException):
        return Unavailable(source, f"{_shown(url)} timed out")
    return Unavailable(source, f"{_shown(url)} unreachable ({name})")


def _path(response: httpx.Response) -> str:
    return response.request.url.path


def _shown(url: str) -> str:
    return httpx.URL(url).copy_with(query=None, username=None, password=None).path or url


def _reason(response: httpx.Response) -> str:
    """The API's own explanation, when it gives one (`error`, `message`), else the status."""
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.reason_phrase
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("error", "message", "error_description") if body.get(k)]
        if parts:
            return ": ".join(parts)[:300]
    return response.reason_phrase
