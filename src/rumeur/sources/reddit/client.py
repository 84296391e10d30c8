"""`RedditClient`: Reddit's OAuth API on `Http`.

An app-only token (client credentials) reads search and subreddits; the password grant of an
owned account also reads its inbox. The token lives in memory only, is renewed a minute before
it expires, and once more when the API refuses it early (revoked, clock skew). Every call sends
the settings' User-Agent (Reddit throttles generic ones) and `raw_json=1` (no HTML entities in
text). The quota comes from `x-ratelimit-*` and is shared through the store under `quota_key`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from rumeur.net import AuthError, Http, SourceError
from rumeur.net.ratelimit import reddit_headers
from rumeur.settings.sources import RedditSettings, secret
from rumeur.sources.context import SourceContext
from rumeur.sources.reddit.errors import Forbidden

PAGE = 100  # Reddit's largest page
MORE_BATCH = 100  # ids per /api/morechildren call, Reddit's limit
RENEW_BEFORE = 60.0  # seconds: renew a token this long before Reddit says it expires


class _RedditHttp(Http):
    def _check(self, response: httpx.Response, now: datetime, reset: datetime | None) -> None:
        # A 403 from the API is about what was asked for, not about the app's credentials.
        if response.status_code == 403:
            path = response.request.url.path
            raise Forbidden(
                self.source,
                f"{path} refused access (403): a private, quarantined or banned subreddit, or a "
                "listing this account may not read; remove it from the source's settings",
            )
        super()._check(response, now, reset)


@dataclass(slots=True)
class Listing:
    """One page of a Listing: its things, newest first, and the fullnames around it."""

    things: list[dict[str, Any]]
    after: str | None
    before: str | None


@dataclass(slots=True)
class _Token:
    value: str
    expires: float  # on the `clock` of the client


@dataclass(slots=True)
class Credentials:
    client_id: str
    client_secret: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def quota_key(settings: RedditSettings) -> str:
    """Reddit counts calls per OAuth client and account: one key per api host and account."""
    host = urlsplit(settings.api).netloc or settings.api
    return f"reddit:{host}:{settings.username or 'app'}"


def auth_hint(settings: RedditSettings) -> str:
    names = [settings.client_id_env, settings.client_secret_env]
    if settings.username:
        names.append(settings.password_env or "password_env in the source's settings")
    return "set " + ", ".join(names[:-1]) + " and " + names[-1]


def credentials(settings: RedditSettings, source: str) -> Credentials:
    """Read from the environment when collection starts (never in build: no I/O there)."""
    client_id = secret(source, "client id", settings.client_id_env, None)
    client_secret = secret(source, "client secret", settings.client_secret_env, None)
    password = None
    if settings.username:
        password = secret(source, "password", settings.password_env, settings.password_file)
    return Credentials(client_id, client_secret, settings.username, password)


class RedditClient:
    def __init__(
        self,
        settings: RedditSettings,
        context: SourceContext,
        source: str,
        credentials: Credentials,
        *,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        self.credentials = credentials
        self.clock = clock
        self._token: _Token | None = None
        hint = auth_hint(settings)
        ua = {"User-Agent": settings.user_agent}
        self.api = _RedditHttp(
            source,
            settings.api,
            quota=reddit_headers,
            limiter=context.limiter(quota_key(settings)),
            retry=context.retry(),
            headers=ua,
            auth_hint=hint,
            transport=transport,
        )
        # The token endpoint has its own limits, not counted in the API's x-ratelimit headers.
        self.auth = Http(
            source, settings.auth, retry=context.retry(), headers=ua, auth_hint=hint,
            transport=transport,
        )  # fmt: skip

    def close(self) -> None:
        self.api.close()
        self.auth.close()

    # -- reading -----------------------------------------------------------------------------

    def listing(
        self, path: str, params: dict[str, str], *, after: str | None = None,
        before: str | None = None, limit: int = PAGE,
    ) -> Listing:  # fmt: skip
        query = {**params, "limit": str(min(limit, PAGE))}
        if after:
            query["after"] = after
        if before:
            query["before"] = before
        body = self.get(path, query)
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise SourceError(self.source, f"{path} answered with something that is no Listing")
        data = body["data"]
        children = data.get("children")
        things = [c for c in children if isinstance(c, dict)] if isinstance(children, list) else []
        return Listing(things, data.get("after") or None, data.get("before") or None)

    def comments(self, post_id: str, limit: int) -> list[Any]:
        """`/comments/<id>`: [submission listing, comment listing], as Reddit cut the tree."""
        body = self.get(f"/comments/{post_id}", {"limit": str(limit), "sort": "new"})
        if not isinstance(body, list) or len(body) != 2:
            raise SourceError(self.source, f"/comments/{post_id} answered with no comment tree")
        return body

    def more_children(self, link_id: str, children: list[str]) -> list[dict[str, Any]]:
        """The comments a `more` stub stood for (flat, each with its parent_id)."""
        params = {"api_type": "json", "link_id": link_id, "children": ",".join(children)}
        body = self.get("/api/morechildren", params)
        things = (((body or {}).get("json") or {}).get("data") or {}).get("things")
        return [t for t in things if isinstance(t, dict)] if isinstance(things, list) else []

    def get(self, path: str, params: dict[str, str]) -> Any:
        query = {**params, "raw_json": "1"}
        had_token = self._token is not None and self.clock() < self._token.expires
        try:
            return self.api.get_json(path, params=query, headers=self._authorization())
        except Forbidden:
            raise
        except AuthError:
            if not had_token:
                raise  # a token fetched for this very call was refused: nothing to renew
            # Refused before it should have expired (revoked, clock skew): renew once, and let
            # a second refusal stand.
            self._token = None
            return self.api.get_json(path, params=query, headers=self._authorization())

    # -- token -------------------------------------------------------------------------------

    def _authorization(self) -> dict[str, str]:
        if self._token is None or self.clock() >= self._token.expires:
            self._token = self._fetch_token()
        return {"Authorization": f"bearer {self._token.value}"}

    def _fetch_token(self) -> _Token:
        c = self.credentials
        form = {"grant_type": "client_credentials"}
        if c.username and c.password is not None:
            form = {"grant_type": "password", "username": c.username, "password": c.password}
        body = self.auth.post_json(
            "/api/v1/access_token", data=form, auth=(c.client_id, c.client_secret)
        )
        # Reddit answers a wrong password with 200 and {"error": "invalid_grant"}.
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            error = body.get("error") if isinstance(body, dict) else None
            raise AuthError(
                self.source,
                f"/api/v1/access_token refused the credentials ({error or 'no token'}); "
                f"{self.api.auth_hint}",
            )
        expires_in = body.get("expires_in")
        seconds = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        return _Token(token, self.clock() + max(seconds - RENEW_BEFORE, 1.0))
