"""`BlueskyClient`: the AppView's XRPC methods rumeur reads, on `Http` (rate limits from the
`RateLimit-*` headers, one retry policy, errors naming the source).

Without an account every call goes to the public AppView (`service`). With one, calls go to the
account's PDS with its access token (the PDS proxies `app.bsky.*` to the AppView): the session is
created once with the app password, then refreshed with the refresh token, because logging in is
limited per day (RateLimit-Policy 10;w=86400). Tokens live in this object only: never in a
cursor, a log line or an error message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from rumeur.net import AuthError, Closing, Http, Limiter, RetryPolicy, SourceError
from rumeur.net.ratelimit import ratelimit_headers

SEARCH = "/xrpc/app.bsky.feed.searchPosts"
AUTHOR_FEED = "/xrpc/app.bsky.feed.getAuthorFeed"
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
POSTS_AT_ONCE = 25  # getPosts takes at most 25 URIs
THREAD = "/xrpc/app.bsky.feed.getPostThread"
PROFILES = "/xrpc/app.bsky.actor.getProfiles"
NOTIFICATIONS = "/xrpc/app.bsky.notification.listNotifications"
RESOLVE_HANDLE = "/xrpc/com.atproto.identity.resolveHandle"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
LIST_CONVOS = "/xrpc/chat.bsky.convo.listConvos"
GET_MESSAGES = "/xrpc/chat.bsky.convo.getMessages"
# The chat service, reached through the account's PDS with this header (the PDS proxies).
CHAT_PROXY = "did:web:api.bsky.chat#bsky_chat"
PROFILES_PER_CALL = 25  # the lexicon's maximum for getProfiles


@dataclass(slots=True)
class Account:
    handle: str
    password: Callable[[], str]  # read when the session is first needed, not at build time
    hint: str  # what to do when it is refused: "set RUMEUR_BLUESKY_..."


@dataclass(slots=True)
class Page:
    """One page of a list method: its items and the cursor of the next page (None: the end)."""

    items: list[dict[str, Any]]
    cursor: str | None


class BlueskyClient(Closing):
    def __init__(
        self,
        source: str,
        service: str,
        *,
        pds: str | None = None,
        account: Account | None = None,
        limiter: Limiter | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.source = source
        self.account = account
        hint = account.hint if account else "this AppView needs no credentials"
        base = pds if account is not None and pds else service
        self.http = Http(
            source,
            base.rstrip("/"),
            quota=ratelimit_headers,
            limiter=limiter,
            retry=retry,
            auth_hint=hint,
            transport=transport,
        )
        self._access: str | None = None
        self._refresh: str | None = None

    def close(self) -> None:
        self.http.close()

    # -- reading -----------------------------------------------------------------------------

    def search(
        self,
        q: str,
        *,
        cursor: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: int = 100,
    ) -> Page:
        """Posts matching `q`, newest first (sort=latest), indexed in [since, until)."""
        params = {"q": q, "sort": "latest", "limit": min(limit, 100)}
        params |= _present(cursor=cursor, since=since, until=until)
        body = self._get(SEARCH, params)
        return Page(_list(body, "posts"), body.get("cursor") or None)

    def author_feed(self, actor: str, *, cursor: str | None = None, limit: int = 100) -> Page:
        params = {"actor": actor, "limit": min(limit, 100), **_present(cursor=cursor)}
        body = self._get(AUTHOR_FEED, params)
        return Page(_list(body, "feed"), body.get("cursor") or None)

    def posts(self, uris: list[str]) -> list[dict[str, Any]]:
        """The postViews of up to 25 at:// URIs, with their counts; a deleted post is absent."""
        if len(uris) > POSTS_AT_ONCE:
            raise ValueError(f"getPosts takes at most {POSTS_AT_ONCE} URIs")
        return _list(self._get(GET_POSTS, {"uris": uris}), "posts")

    def thread(self, uri: str, *, depth: int = 6, parent_height: int = 80) -> dict[str, Any]:
        body = self._get(THREAD, {"uri": uri, "depth": depth, "parentHeight": parent_height})
        thread = body.get("thread")
        return thread if isinstance(thread, dict) else {}

    def resolve_handle(self, handle: str) -> str:
        """The DID a handle names (the AppView answers 400 when it names none)."""
        did = self._get(RESOLVE_HANDLE, {"handle": handle}).get("did")
        if not isinstance(did, str) or not did.startswith("did:"):
            raise SourceError(self.source, f"resolveHandle gave no DID for {handle!r}")
        return did

    def profiles(self, actors: list[str]) -> list[dict[str, Any]]:
        """Detailed profiles (with follower counts), 25 actors per call."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(actors), PROFILES_PER_CALL):
            chunk = actors[start : start + PROFILES_PER_CALL]
            found += _list(self._get(PROFILES, {"actors": chunk}), "profiles")
        return found

    def notifications(self, *, cursor: str | None = None, limit: int = 100) -> Page:
        """The owned account's notifications, newest first."""
        if self.account is None:
            raise SourceError(self.source, "notifications need an account; set handle")
        body = self._get(NOTIFICATIONS, {"limit": min(limit, 100), **_present(cursor=cursor)})
        return Page(_list(body, "notifications"), body.get("cursor") or None)

    def convos(self, *, cursor: str | None = None, limit: int = 100) -> Page:
        """The owned account's direct conversations (the chat API, through its PDS), the most
        recently active first."""
        params = {"limit": min(limit, 100), **_present(cursor=cursor)}
        body = self._chat_get(LIST_CONVOS, params)
        return Page(_list(body, "convos"), body.get("cursor") or None)

    def messages(self, convo: str, *, cursor: str | None = None, limit: int = 100) -> Page:
        """A direct conversation's messages, newest first."""
        params = {"convoId": convo, "limit": min(limit, 100), **_present(cursor=cursor)}
        body = self._chat_get(GET_MESSAGES, params)
        return Page(_list(body, "messages"), body.get("cursor") or None)

    def _chat_get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """A call to the chat service: the account's session, with the proxy header."""
        if self.account is None:
            raise SourceError(self.source, "direct messages need an account; set handle")
        if self._access is None:
            self._login()
        proxy = {"atproto-proxy": CHAT_PROXY}
        try:
            return self._proxied_get(path, params, proxy)
        except SourceError as exc:
            if not _expired(exc):
                raise
        self._renew()
        return self._proxied_get(path, params, proxy)

    def _proxied_get(
        self, path: str, params: dict[str, Any], extra: dict[str, str]
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._access}", **extra}
        return _object(self.http.get_json(path, params=params, headers=headers), self.source, path)

    # -- the session -------------------------------------------------------------------------

    @property
    def host(self) -> str:
        return urlsplit(str(self.http.client.base_url)).hostname or "unknown"

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        if self.account is None:
            return _object(self.http.get_json(path, params=params), self.source, path)
        if self._access is None:
            self._login()
        try:
            return self._authed_get(path, params)
        except SourceError as exc:
            if not _expired(exc):
                raise
        # The access token lives about two hours: a long --follow outlives it.
        self._renew()
        return self._authed_get(path, params)

    def _authed_get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._access}"}
        return _object(self.http.get_json(path, params=params, headers=headers), self.source, path)

    def _login(self) -> None:
        assert self.account is not None
        body = self.http.post_json(
            CREATE_SESSION,
            json={"identifier": self.account.handle, "password": self.account.password()},
        )
        self._keep(body)

    def _renew(self) -> None:
        """A new access token from the refresh token; a new login only if that one expired."""
        if self._refresh is not None:
            try:
                headers = {"Authorization": f"Bearer {self._refresh}"}
                self._keep(self.http.post_json(REFRESH_SESSION, headers=headers))
                return
            except SourceError as exc:
                if not _expired(exc):
                    raise
        self._login()

    def _keep(self, body: Any) -> None:
        body = _object(body, self.source, "session")
        access, refresh = body.get("accessJwt"), body.get("refreshJwt")
        if not isinstance(access, str) or not isinstance(refresh, str):
            raise AuthError(self.source, "the session has no tokens; check the account")
        self._access, self._refresh = access, refresh


def _expired(exc: SourceError) -> bool:
    """An expired or revoked token: the PDS answers 400 ExpiredToken (or 401 InvalidToken)."""
    text = str(exc)
    return "ExpiredToken" in text or "InvalidToken" in text


def _present(**params: str | None) -> dict[str, str]:
    return {k: v for k, v in params.items() if v}


def _object(body: Any, source: str, what: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise SourceError(source, f"{what} answered JSON that is not an object", permanent=False)
    return body


def _list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The list under `key`; a non-object entry is kept so that it is rejected, not lost."""
    value = body.get(key)
    return value if isinstance(value, list) else []
