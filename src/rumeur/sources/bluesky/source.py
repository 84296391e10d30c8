"""Bluesky as a `Source`: searches, author feeds, threads and an owned account's notifications
polled through the AppView, or the live Jetstream stream.

The cursor is a plain dict stored with each batch, so a killed run resumes at the page it was on:

    {"search": {"<q>": {"floor": iso, "until": iso?, "cursor": str?, "top": iso?, "seen": n}},
     "authors": {"<actor>": {"floor": iso, "cursor": str?, "top": iso?}},
     "notifications": {"floor": iso, "cursor": str?, "top": iso?},
     "threads": {"<uri or url>": {"uri": at-uri, "read": iso} | {"uri"?, "gone": reason}}}

A pass over a search reads every post indexed since `floor` (the newest post of the previous
pass, or `backfill_days` ago), newest first; its newest post becomes the next pass's floor. The
AppView stops paging near 10,000 results, so after `SEGMENT` posts a pass restarts its cursor
below the oldest post seen (`until`). A thread is read whole again on every pass, since replies
keep coming: the store inserts the new posts and updates the counts of the others; a thread that
is gone (deleted, blocked) is rejected once, then asked again quietly on each pass. A Jetstream
cursor is `{"time_us": n}`.
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from websockets.exceptions import (
    ConnectionClosed,
    ConnectionClosedOK,
    InvalidHandshake,
    InvalidURI,
)
from websockets.sync.client import ClientConnection, connect

from rumeur.errors import ConfigError, RowError
from rumeur.model import Post, RawItem, Rejected
from rumeur.net import SourceError, Unavailable
from rumeur.query.ast import Query
from rumeur.query.document import document
from rumeur.query.evaluate import matches
from rumeur.query.parser import QueryError, parse
from rumeur.settings.sources import BlueskySettings, bluesky_post, secret
from rumeur.sources.base import Batch, Progress, Source
from rumeur.sources.bluesky import types
from rumeur.sources.bluesky.client import Account, BlueskyClient, Page
from rumeur.sources.context import SourceContext
from rumeur.sources.payload import parse_time

SEGMENT = 5_000  # posts read below one `until` before narrowing it (the AppView stops near 10k)
PROFILE_CACHE = 50_000
THREAD_DEPTH = 10  # levels of replies below a thread's post
THREAD_PARENTS = 10  # posts above it, up to the root


def build(settings: BlueskySettings, context: SourceContext) -> Source:
    """The source `settings` describe; no I/O here (`rumeur sources` builds to read names)."""
    if settings.jetstream:
        return JetstreamSource(settings, context)
    return BlueskySource(settings, context)


def password_env(settings: BlueskySettings) -> str:
    """Where the app password is read: `password_env`, else RUMEUR_BLUESKY_<NAME>_PASSWORD."""
    if settings.password_env:
        return settings.password_env
    return "RUMEUR_BLUESKY_" + re.sub(r"[^A-Z0-9]+", "_", settings.name.upper()) + "_PASSWORD"


def normalise_item(item: RawItem) -> Post:
    """One raw item of either source as a Post; RowError if it is malformed."""
    payload = item.payload
    if not isinstance(payload, dict):
        raise RowError("item", "not an object")
    kind = payload.get("kind")
    if kind == "jetstream":
        return types.post_from_jetstream(payload.get("event"))  # type: ignore[arg-type]
    if kind == "view":
        post = types.post_from_view(payload.get("post"))  # type: ignore[arg-type]
    elif kind == "feed":
        post = types.post_from_feed_item(_object(payload.get("item"), "item"))
    elif kind == "notification":
        found = types.post_from_notification(_object(payload.get("notification"), "item"))
        if found is None:
            raise RowError("reason", "this notification carries no post")
        post = found
    else:
        raise RowError("kind", f"unknown item kind {kind!r}")
    _add_counts(post, payload.get("profile"))
    return post


class BlueskySource:
    def __init__(self, settings: BlueskySettings, context: SourceContext) -> None:
        self.settings, self.context = settings, context
        self.name = f"bluesky:{settings.name}"
        host = urlsplit(settings.pds if settings.handle else settings.service).hostname
        self.quota_key = f"bluesky:{host}:{settings.handle or 'anonymous'}"
        self._profiles: dict[str, dict[str, Any]] = {}

    def normalise(self, item: RawItem) -> Post:
        return normalise_item(item)

    def client(self) -> BlueskyClient:
        s = self.settings
        account = None
        if s.handle:
            env = password_env(s)
            account = Account(
                s.handle,
                lambda: secret(self.name, "app password", env, s.password_file),
                f"set {env}" if not s.password_file else f"check {s.password_file}",
            )
        return BlueskyClient(
            self.name,
            s.service,
            pds=s.pds,
            account=account,
            limiter=self.context.limiter(self.quota_key),
            retry=self.context.retry(),
        )

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        state: dict[str, Any] = copy.deepcopy(cursor) if cursor else {}
        with self.client() as client:
            while True:
                yield from self._pass(client, state, size)
                if not self.context.follow:
                    return
                self.context.sleep(self.settings.every)

    def _pass(self, client: BlueskyClient, state: dict[str, Any], size: int) -> Iterator[Batch]:
        for q in self.settings.search:
            yield from self._search(client, q, state, size)
        for actor in self.settings.authors:
            st = state.setdefault("authors", {}).setdefault(actor, {})
            yield from self._newest_first(
                client,
                lambda c, a=actor: client.author_feed(a, cursor=c, limit=size),
                "feed",
                st,
                state,
                f"author {actor}",
            )
        for ref in self.settings.threads:
            yield from self._thread(client, ref, state, size)
        if self.settings.handle:
            st = state.setdefault("notifications", {})
            yield from self._newest_first(
                client,
                lambda c: client.notifications(cursor=c, limit=size),
                "notification",
                st,
                state,
                "mentions",
            )

    # -- search ------------------------------------------------------------------------------

    def _search(
        self, client: BlueskyClient, q: str, state: dict[str, Any], size: int
    ) -> Iterator[Batch]:
        searches = state.setdefault("search", {})
        st = searches.setdefault(q, {})
        st.setdefault("floor", self._backfill_floor())
        while True:
            page = client.search(
                q, cursor=st.get("cursor"), since=st["floor"], until=st.get("until"), limit=size
            )
            times = [t for t in map(_view_time, page.items) if t is not None]
            if times:
                st["top"] = max([st["top"], *times]) if st.get("top") else max(times)
            st["seen"] = st.get("seen", 0) + len(page.items)
            done = not page.items or page.cursor is None
            if done:
                searches[q] = {"floor": st.get("top") or st["floor"]}  # the pass is complete
            elif st["seen"] >= SEGMENT and times:
                # Below the oldest post seen (1 ms above it: `until` excludes its own time).
                oldest = datetime.fromisoformat(min(times)) + timedelta(milliseconds=1)
                st.update(until=_iso(oldest), cursor=None, seen=0)
            else:
                st["cursor"] = page.cursor
            items = self._items(client, "view", "post", page, f"search {q!r}")
            yield Batch(items, copy.deepcopy(state))
            if done:
                return

    # -- newest-first lists: author feeds, notifications ---------------------------------------

    def _newest_first(
        self,
        client: BlueskyClient,
        read: Callable[[str | None], Page],
        kind: str,
        st: dict[str, Any],
        state: dict[str, Any],
        what: str,
    ) -> Iterator[Batch]:
        """Pages from the newest item down to the previous pass's newest one (`floor`)."""
        st.setdefault("floor", self._backfill_floor())
        while True:
            page = read(st.get("cursor"))
            fresh, reached = [], False
            for item in page.items:
                at = _item_time(item, kind)
                if at is not None and at < st["floor"] and not _pinned(item):
                    reached = True
                    continue
                if at is not None:
                    st["top"] = max(st["top"], at) if st.get("top") else at
                if kind != "notification" or item.get("reason") in types.POST_REASONS:
                    fresh.append(item)
            done = reached or not page.items or page.cursor is None
            if done:
                floor = st.get("top") or st["floor"]
                st.clear()
                st["floor"] = floor
            else:
                st["cursor"] = page.cursor
            key = "item" if kind == "feed" else kind
            items = self._items(client, kind, key, Page(fresh, None), what)
            yield Batch(items, copy.deepcopy(state))
            if done:
                return

    # -- threads -----------------------------------------------------------------------------

    def _thread(
        self, client: BlueskyClient, ref: str, state: dict[str, Any], size: int
    ) -> Iterator[Batch]:
        """Every post of the thread `ref` names, its parents and its replies, read again."""
        threads = state.setdefault("threads", {})
        st = threads.setdefault(ref, {})
        what = f"thread {ref}"
        uri: str | None = st.get("uri")
        views: list[dict[str, Any]] = []
        try:
            uri = uri or _post_uri(client, ref)
            node = client.thread(uri, depth=THREAD_DEPTH, parent_height=THREAD_PARENTS)
            views = list(types.thread_views(node))
            gone = None if views else _missing(node)
        except SourceError as exc:
            if type(exc) is not SourceError or not exc.permanent:
                raise  # credentials, rate limits, outages: not this thread's fault
            gone = str(exc).removeprefix(f"{exc.source}: ")
        if gone is not None:
            told = "gone" in st
            threads[ref] = {"gone": gone} | ({"uri": uri} if uri else {})
            rejects = [] if told else [Rejected(f"{self.name} {what}", None, "thread", gone, ref)]
            yield Batch([], copy.deepcopy(state), rejects)
            return
        threads[ref] = {"uri": uri, "read": _iso(datetime.now(UTC))}
        for start in range(0, len(views), size):
            page = Page(views[start : start + size], None)
            yield Batch(self._items(client, "view", "post", page, what), copy.deepcopy(state))

    # -- items -------------------------------------------------------------------------------

    def _items(
        self, client: BlueskyClient, kind: str, key: str, page: Page, what: str
    ) -> list[RawItem]:
        profiles = self._profiles_of(client, page.items, kind) if self.settings.profiles else {}
        origin = f"{self.name} {what}"
        items = []
        for n, raw in enumerate(page.items):
            payload: dict[str, Any] = {"kind": kind, key: raw}
            did = _author_did(raw, kind)
            if did in profiles:
                payload["profile"] = profiles[did]
            items.append(RawItem(payload=payload, origin=origin, line=n + 1))
        return items

    def _profiles_of(
        self, client: BlueskyClient, raws: list[Any], kind: str
    ) -> dict[str, dict[str, Any]]:
        """Follower counts of the page's authors, asked once per author and run."""
        dids = {d for d in (_author_did(r, kind) for r in raws) if d}
        missing = sorted(d for d in dids if d not in self._profiles)
        if missing:
            if len(self._profiles) > PROFILE_CACHE:
                self._profiles.clear()
            for profile in client.profiles(missing):
                if isinstance(profile, dict) and isinstance(profile.get("did"), str):
                    self._profiles[profile["did"]] = {
                        k: profile.get(k) for k in ("followersCount", "followsCount")
                    }
        return {d: self._profiles[d] for d in dids if d in self._profiles}

    def _backfill_floor(self) -> str:
        return _iso(datetime.now(UTC) - timedelta(days=self.settings.backfill_days))


# -- Jetstream ----------------------------------------------------------------------------------


class JetstreamSource:
    """The live stream of every post, kept when it matches one of `settings.search`.

    Without --follow it reads until it has caught up (no event for `idle` seconds, or events
    newer than its start) and stops; with --follow it streams on, reconnecting with backoff.
    """

    idle = 2.0  # seconds without an event that mean "caught up" without --follow
    flush = 0.5  # seconds a partial batch may wait, so a live post shows up at once

    def __init__(self, settings: BlueskySettings, context: SourceContext) -> None:
        assert settings.jetstream is not None
        self.settings, self.context = settings, context
        self.url = settings.jetstream
        self.name = f"bluesky:{settings.name}"
        self.quota_key = f"bluesky:{urlsplit(self.url).hostname}:anonymous"
        self.queries = [self._parse(word) for word in settings.search]

    def _parse(self, word: str) -> Query:
        try:
            return parse(word)
        except QueryError as exc:
            first = str(exc).splitlines()[0]
            raise ConfigError(f"{self.name}: search {word!r}: {first}") from None

    def normalise(self, item: RawItem) -> Post:
        return normalise_item(item)

    def address(self, time_us: int | None) -> str:
        params = [("wantedCollections", types.POST_COLLECTION)]
        if time_us:
            params.append(("cursor", str(time_us)))
        return f"{self.url}?{urlencode(params)}"

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        time_us: int | None = (cursor or {}).get("time_us")
        started_us = int(time.time() * 1_000_000)
        retry = self.context.retry()
        failures = 0
        while True:
            try:
                with connect(self.address(time_us), open_timeout=10, max_size=2**22) as ws:
                    for batch in self._read(ws, size, time_us, started_us):
                        time_us = batch.cursor.get("time_us", time_us)
                        failures = 0
                        yield batch
                    return  # caught up (without --follow)
            except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError) as exc:
                if isinstance(exc, ConnectionClosedOK) and not self.context.follow:
                    return  # the server ended the stream cleanly: nothing more for now
                failures += 1
                if failures >= retry.attempts:
                    raise Unavailable(self.name, f"Jetstream unreachable ({_why(exc)})") from None
                self._wait(retry, failures, exc)
            except InvalidURI:
                raise ConfigError(f"{self.name}: jetstream: not a websocket URL") from None

    def _wait(self, retry: Any, failures: int, exc: Exception) -> None:
        seconds = retry.delay(failures)
        if self.context.on_wait is not None:
            until = datetime.now(UTC) + timedelta(seconds=seconds)
            self.context.on_wait(f"Jetstream reconnecting ({_why(exc)})", until)
        self.context.sleep(seconds)

    def _read(
        self, ws: ClientConnection, size: int, time_us: int | None, started_us: int
    ) -> Iterator[Batch]:
        items: list[RawItem] = []
        rejects: list[Rejected] = []
        first_at = 0.0
        while True:
            timeout = self.flush if items or rejects else self.idle
            try:
                message = ws.recv(timeout=timeout)
            except ConnectionClosed:
                if items or rejects:  # what arrived before the close is kept
                    yield self._batch(items, rejects, time_us)
                raise
            except TimeoutError:
                if items or rejects or time_us:
                    yield self._batch(items, rejects, time_us)
                    items, rejects = [], []
                if not self.context.follow and timeout == self.idle:
                    return
                continue
            event, reject = self._event(message)
            if reject is not None:
                rejects.append(reject)
            elif event is not None:
                time_us = event.get("time_us", time_us)
                if self._wanted(event):
                    items.append(RawItem({"kind": "jetstream", "event": event}, self.name))
            if len(items) == 1 and not rejects:
                first_at = time.monotonic()
            full = len(items) + len(rejects) >= size
            if full or (items and time.monotonic() - first_at > self.flush):
                yield self._batch(items, rejects, time_us)
                items, rejects = [], []
            if not self.context.follow and isinstance(time_us, int) and time_us >= started_us:
                yield self._batch(items, rejects, time_us)
                return

    def _event(self, message: str | bytes) -> tuple[dict[str, Any] | None, Rejected | None]:
        try:
            event = json.loads(message)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            text = message if isinstance(message, str) else message.decode("utf-8", "replace")
            return None, Rejected(self.name, None, "event", f"not JSON ({exc})", text[:2000])
        if not isinstance(event, dict) or not isinstance(event.get("time_us"), int):
            return None, Rejected(self.name, None, "time_us", "missing", str(message)[:2000])
        return event, None

    def _wanted(self, event: dict[str, Any]) -> bool:
        """A post creation whose text matches one of the searches (any, if there are none)."""
        if types.event_action(event) != "post":
            return False
        if not self.queries:
            return True
        record = (event.get("commit") or {}).get("record") or {}
        text = record.get("text") if isinstance(record, dict) else None
        if not isinstance(text, str):
            return True  # let normalise reject it, rather than drop it unseen
        doc = document(text=text, lang=types.language(record.get("langs")), platform="bluesky")
        return any(matches(q.root, doc) for q in self.queries)

    def _batch(self, items: list[RawItem], rejects: list[Rejected], time_us: int | None) -> Batch:
        cursor = {"time_us": time_us} if time_us else {}
        return Batch(items, cursor, rejects, Progress(len(items), None, "events"))


# -- helpers ------------------------------------------------------------------------------------


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RowError(name, "not an object")
    return value


def _add_counts(post: Post, profile: Any) -> None:
    """Search results name authors without counts: the profile asked for them fills them in."""
    if not isinstance(profile, dict):
        return
    for key, attr in (("followersCount", "followers"), ("followsCount", "following")):
        value = profile.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            setattr(post.author, attr, value)


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _time(value: Any) -> str | None:
    """A payload time, normalised so that times compare as strings; None when unreadable."""
    try:
        return _iso(parse_time(value, "indexedAt"))
    except RowError:
        return None


def _view_time(view: Any) -> str | None:
    return _time(view.get("indexedAt")) if isinstance(view, dict) else None


def _item_time(item: Any, kind: str) -> str | None:
    """When an item entered the list: a repost's own time, else the post's."""
    if not isinstance(item, dict):
        return None
    if kind == "feed":
        reason = item.get("reason")
        if isinstance(reason, dict) and reason.get("indexedAt"):
            return _time(reason.get("indexedAt"))
        return _view_time(item.get("post"))
    return _time(item.get("indexedAt"))


def _pinned(item: Any) -> bool:
    """A pinned post heads an author's feed whatever its age: it must not end the pass."""
    reason = item.get("reason") if isinstance(item, dict) else None
    return isinstance(reason, dict) and str(reason.get("$type", "")).endswith("#reasonPin")


def _author_did(raw: Any, kind: str) -> str | None:
    if not isinstance(raw, dict):
        return None
    view = raw.get("post") if kind == "feed" else raw
    author = view.get("author") if isinstance(view, dict) else None
    did = author.get("did") if isinstance(author, dict) else None
    return did if isinstance(did, str) else None


def _post_uri(client: BlueskyClient, ref: str) -> str:
    """The at:// URI of a thread's post, its author's handle resolved to a DID."""
    actor, rkey = bluesky_post(ref)
    did = actor if actor.startswith("did:") else client.resolve_handle(actor)
    return f"at://{did}/{types.POST_COLLECTION}/{rkey}"


def _missing(node: dict[str, Any]) -> str:
    """Why getPostThread answered no post: deleted, blocked, or an answer without one."""
    kind = str(node.get("$type", ""))
    if node.get("notFound") or kind.endswith("#notFoundPost"):
        return "the post is not found (deleted?)"
    if node.get("blocked") or kind.endswith("#blockedPost"):
        return "the post is blocked"
    return "the AppView answered no post"


def _why(exc: Exception) -> str:
    return type(exc).__name__
