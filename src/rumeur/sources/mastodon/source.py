"""`MastodonSource`: hashtag and public timelines, search, and an owned account's mentions and
conversations on one instance, read page by page from where the stored cursor says.

The cursor keeps, per feed, the range of ids already stored: `newest` (polls ask for what is
newer, with min_id) and `oldest` with the `backfill` left (a first run reads back that many
statuses, with max_id, before it only reads what is new). Each page is a batch stored with the
cursor that follows it, so a crash at any point resumes at the page after the last stored one.

With `follow`, it polls every `every` seconds, or, with `stream`, reads the streaming API;
a stream does not replay what it missed, so after a drop the timelines are polled from the
cursor before the stream is opened again.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import structlog

from rumeur.errors import RowError
from rumeur.model import Post, RawItem
from rumeur.net.errors import SourceError
from rumeur.settings.sources import MastodonSettings, secret
from rumeur.sources.base import Batch
from rumeur.sources.context import SourceContext
from rumeur.sources.mastodon import types
from rumeur.sources.mastodon.client import PAGE, MastodonClient, Page, newest

log = structlog.get_logger(__name__)
Kind = Literal["status", "notification", "conversation"]
STREAM_BATCH_WAIT = 1.0  # seconds a streamed status waits for others before it is stored


@dataclass(frozen=True, slots=True)
class Feed:
    key: str  # its entry in the cursor
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    kind: Kind = "status"
    search: bool = False  # no Link header, and results newest first even with min_id
    stream: tuple[str, dict[str, str]] | None = None


def build(settings: MastodonSettings, context: SourceContext) -> MastodonSource:
    return MastodonSource(settings, context)


class MastodonSource:
    def __init__(self, settings: MastodonSettings, context: SourceContext) -> None:
        self.settings, self.context = settings, context
        self.name = f"mastodon:{settings.name}"
        self.instance = settings.instance.rstrip("/")
        host = urlsplit(self.instance).netloc.lower()
        self.quota_key = f"mastodon:{host}:{'account' if self._has_token() else 'anonymous'}"
        self.feeds = feeds(settings, self._has_token())

    # -- Source ----------------------------------------------------------------------------------

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        marks: dict[str, dict[str, Any]] = {
            k: dict(v) for k, v in ((cursor or {}).get("feeds") or {}).items()
        }
        limit = max(1, min(size, PAGE))
        with self._client() as client:
            yield from self._poll(client, marks, limit)
            while self.context.follow:
                if self.settings.stream and any(f.stream for f in self.feeds):
                    yield from self._stream(client, marks, size, limit)
                else:
                    self.context.sleep(self.settings.every)
                yield from self._poll(client, marks, limit)

    def normalise(self, item: RawItem) -> Post:
        payload = item.payload
        if not isinstance(payload, dict) or "item" not in payload:
            raise RowError("item", "not a Mastodon item")
        kind, obj = payload.get("kind"), payload["item"]
        if kind == "notification":
            post = types.post_from_notification(_object(obj), self.instance)
        elif kind == "conversation":
            post = types.post_from_conversation(_object(obj), self.instance)
        else:
            post = types.post_from_status(obj, self.instance)
        if post is None:
            raise RowError("type", "carries no status")
        return post

    # -- polling ---------------------------------------------------------------------------------

    def _poll(
        self, client: MastodonClient, marks: dict[str, dict[str, Any]], limit: int
    ) -> Iterator[Batch]:
        for feed in self.feeds:
            for items, mark in self._read(client, feed, marks.get(feed.key), limit):
                marks[feed.key] = mark
                yield self._batch(feed, items, marks)

    def _read(
        self, client: MastodonClient, feed: Feed, mark: dict[str, Any] | None, limit: int
    ) -> Iterator[tuple[list[Any], dict[str, Any]]]:
        """Pages of `feed` not yet stored, each with the feed's cursor once it is stored."""
        if mark is None or not mark.get("newest"):
            first = max(1, min(limit, self.settings.backfill))
            page = client.page(feed.path, {**feed.params, "limit": first})
            left = self.settings.backfill - len(page.items)
            mark = {"newest": page.newer, "oldest": page.older, "backfill": _left(page, left)}
            yield page.items, mark
        while mark.get("backfill", 0) > 0 and mark.get("oldest"):
            want = min(limit, mark["backfill"])
            page = client.page(feed.path, {**feed.params, "limit": want, "max_id": mark["oldest"]})
            left = mark["backfill"] - len(page.items)
            if page.older == mark["oldest"]:  # a server that pages no further: stop there
                left = 0
            mark = {**mark, "oldest": page.older or mark["oldest"], "backfill": _left(page, left)}
            yield page.items, mark
        if not mark.get("newest"):
            return
        reader = self._newer_search if feed.search else self._newer
        yield from reader(client, feed, mark, limit)

    def _newer(
        self, client: MastodonClient, feed: Feed, mark: dict[str, Any], limit: int
    ) -> Iterator[tuple[list[Any], dict[str, Any]]]:
        # min_id gives the page just above the id, so pages come oldest first and each one
        # moves `newest` up without leaving a gap below it.
        while True:
            page = client.page(feed.path, {**feed.params, "limit": limit, "min_id": mark["newest"]})
            if not page.items:
                return
            before = mark["newest"]
            mark = {**mark, "newest": newest(page.newer, before)}
            yield page.items, mark
            if page.newer is None or mark["newest"] == before:  # no newer page to ask for
                return

    def _newer_search(
        self, client: MastodonClient, feed: Feed, mark: dict[str, Any], limit: int
    ) -> Iterator[tuple[list[Any], dict[str, Any]]]:
        # Search returns the newest results first whatever min_id says: walk down to the
        # stored `newest`, and move it up only once the walk is done (a crash reads it again;
        # the store keeps each post once).
        floor, top, below = mark["newest"], mark["newest"], None
        while True:
            params = {**feed.params, "limit": limit, "min_id": floor, "max_id": below}
            page = client.page(feed.path, params)
            if not page.items:
                break
            if page.older == below:  # a server that pages no further
                break
            top, below = newest(top, page.newer), page.older
            yield page.items, mark
            if below is None:
                break
        if top != floor:
            yield [], {**mark, "newest": top}

    def _batch(self, feed: Feed, items: list[Any], marks: dict[str, dict[str, Any]]) -> Batch:
        where = f"{self.instance}{feed.path}"
        raw = [
            RawItem(payload={"kind": feed.kind, "item": item}, origin=_origin(where, item))
            for item in items
            if _wanted(feed.kind, item)
        ]
        return Batch(raw, {"feeds": {k: dict(v) for k, v in marks.items()}})

    # -- streaming -------------------------------------------------------------------------------

    def _stream(
        self, client: MastodonClient, marks: dict[str, dict[str, Any]], size: int, limit: int
    ) -> Iterator[Batch]:
        """Stream until a stream drops; then return, so that the caller polls the gap."""
        streams = Streams(client, [f for f in self.feeds if f.stream])
        try:
            # Statuses posted while the streams connect are read by this poll.
            yield from self._poll(client, marks, limit)
            pending: list[tuple[Feed, dict[str, Any]]] = []
            while True:
                got = streams.next(STREAM_BATCH_WAIT if pending else None)
                if got is None or isinstance(got, StreamEnd):
                    if pending:
                        yield self._streamed(pending, marks)
                    if isinstance(got, StreamEnd):
                        self._dropped(got)
                        return
                    pending = []
                    continue
                feed, event, data = got
                status = self._event(event, data)
                if status is not None:
                    pending.append((feed, status))
                if len(pending) >= size:
                    yield self._streamed(pending, marks)
                    pending = []
        finally:
            streams.close()

    def _event(self, event: str, data: str) -> Any:
        """The status of an `update` event; deletions are noted, other events skipped."""
        if event == "delete":
            log.info("status deleted", source=self.name, id=data.strip()[:40])
            return None
        if event not in types.STREAM_POSTS:
            return None
        try:
            return json.loads(data)
        except ValueError:
            return {"_unreadable_event": data[:2000]}

    def _streamed(
        self, pending: list[tuple[Feed, dict[str, Any]]], marks: dict[str, dict[str, Any]]
    ) -> Batch:
        items = []
        for feed, status in pending:
            items.append(
                RawItem(
                    payload={"kind": "status", "item": status},
                    origin=_origin(self._where(feed), status),
                )
            )
            mark = marks.get(feed.key)
            sid = status.get("id") if isinstance(status, dict) else None
            # The stream follows the poll without a gap while it stays up: its ids may move
            # `newest` on, so that the next poll does not read them again.
            if mark is not None and mark.get("newest") and isinstance(sid, str):
                mark["newest"] = newest(mark["newest"], sid)
        return Batch(items, {"feeds": {k: dict(v) for k, v in marks.items()}})

    def _where(self, feed: Feed) -> str:
        assert feed.stream is not None
        return f"{self.instance}{feed.stream[0]}"

    def _dropped(self, end: StreamEnd) -> None:
        if end.error is not None and end.error.permanent:
            raise end.error
        log.info("stream ended", source=self.name, error=str(end.error or "closed"))
        self.context.sleep(self.context.retry().delay(1))

    # -- credentials -----------------------------------------------------------------------------

    def _has_token(self) -> bool:
        env = self.settings.token_env
        return self.settings.token_file is not None or bool(env and os.environ.get(env))

    def _client(self) -> MastodonClient:
        s = self.settings
        token = None
        if s.token_env or s.token_file:
            token = secret(self.name, "access token", s.token_env, s.token_file)
        hint = f"set {s.token_env}" if s.token_env else "check the token file"
        if token is None:
            hint = "this instance wants a token: give token_env in the source's settings"
        return MastodonClient(
            self.name,
            self.instance,
            token,
            limiter=self.context.limiter(self.quota_key),
            retry=self.context.retry(),
            auth_hint=hint,
        )


def feeds(settings: MastodonSettings, with_token: bool) -> list[Feed]:
    """What the settings ask to read, in the order it is read."""
    found = [
        Feed(
            f"tag:{tag.lstrip('#')}",
            f"/api/v1/timelines/tag/{quote(tag.lstrip('#'), safe='')}",
            stream=("/api/v1/streaming/hashtag", {"tag": tag.lstrip("#")}),
        )
        for tag in settings.tags
    ]
    if settings.public:
        found.append(
            Feed("public", "/api/v1/timelines/public", stream=("/api/v1/streaming/public", {}))
        )
    found += [
        Feed(f"search:{q}", "/api/v2/search", {"q": q, "type": "statuses"}, search=True)
        for q in settings.search
    ]
    if with_token:
        found.append(
            Feed("mentions", "/api/v1/notifications", {"types[]": "mention"}, "notification")
        )
        found.append(Feed("conversations", "/api/v1/conversations", kind="conversation"))
    return found


@dataclass(slots=True)
class StreamEnd:
    feed: Feed
    error: SourceError | None


class Streams:
    """One thread per stream, feeding one queue: the source reads several at once."""

    def __init__(self, client: MastodonClient, feeds: list[Feed]) -> None:
        self.queue: queue.Queue[tuple[Feed, str, str] | StreamEnd] = queue.Queue()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._read, args=(client, f), daemon=True) for f in feeds
        ]
        self.client = client
        for thread in self.threads:
            thread.start()

    def _read(self, client: MastodonClient, feed: Feed) -> None:
        assert feed.stream is not None
        path, params = feed.stream
        error: SourceError | None = None
        try:
            for event, data in client.events(path, params):
                if self.stop.is_set():
                    return
                self.queue.put((feed, event, data))
        except SourceError as exc:
            error = exc
        except Exception:
            if self.stop.is_set():  # the client closed under a stream that was connecting
                return
            raise
        if not self.stop.is_set():
            self.queue.put(StreamEnd(feed, error))

    def next(self, wait: float | None) -> tuple[Feed, str, str] | StreamEnd | None:
        """The next event or end of a stream; None when `wait` seconds pass without one."""
        try:
            return self.queue.get(timeout=wait)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.stop.set()
        # Reading threads block on their socket: closing it wakes them, and they end without
        # putting anything more in the queue.
        self.client.close_streams()
        for thread in self.threads:
            thread.join(timeout=5)


def _left(page: Page, left: int) -> int:
    """Statuses still to read back; none when the timeline has no older page."""
    return max(0, left) if page.items and page.older else 0


def _wanted(kind: Kind, item: Any) -> bool:
    """Notifications that are not about a status (follows, favourites) are not posts."""
    if kind == "notification" and isinstance(item, dict):
        return item.get("type") in types.POST_NOTIFICATIONS and bool(item.get("status"))
    if kind == "conversation" and isinstance(item, dict):
        return bool(item.get("last_status"))
    return True


def _origin(where: str, item: Any) -> str:
    """Where an item was read, down to its id: a rejected item is kept once per item, and the
    same item rejected again on a later run replaces its row."""
    sid = item.get("id") if isinstance(item, dict) else None
    return f"{where}#{sid}" if isinstance(sid, str | int) else where


def _object(obj: Any) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise RowError("item", "not an object")
    return obj
