"""`RssSource`: one feed, polled with conditional GETs, yielding only the entries not seen yet.

The cursor: `{"feed", "etag", "last_modified", "seen", "pending"}`, where `feed` is a digest of
the feed's URL (a URL may hold a secret: a cursor is a stored row, printed by `rumeur sources`).
Feeds show only their latest entries, so `seen` keeps the keys of the last `SEEN` entries (more
when the feed is longer). The validators of a poll are written with its last batch only: a
process killed mid-poll reads again the page it was on (`pending`), skips what it had stored,
and goes on (RFC 5005 pages).
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from rumeur.logs import redact_url
from rumeur.model import Post, RawItem
from rumeur.net.ratelimit import ratelimit_headers
from rumeur.settings.sources import RssSettings, secret
from rumeur.sources.base import Batch, Progress
from rumeur.sources.context import SourceContext
from rumeur.sources.rss import types
from rumeur.sources.rss.client import FeedClient, FeedHttp, Page

SEEN = 500  # entry keys remembered: more than any feed shows at once
PAGES = 10  # RFC 5005 `next` pages read in one poll, while they still hold new entries


@dataclass(slots=True)
class _State:
    etag: str | None = None
    last_modified: str | None = None
    seen: list[str] = field(default_factory=list)
    pending: str | None = None  # the page a poll was reading when it stopped

    @classmethod
    def load(cls, cursor: dict[str, Any] | None, url: str) -> _State:
        if not cursor:
            return cls()
        # Validators belong to one URL: a feed moved in the settings is read whole again.
        same = cursor.get("feed") == feed_digest(url) or cursor.get("url") == url
        return cls(
            cursor.get("etag") if same else None,
            cursor.get("last_modified") if same else None,
            [str(k) for k in cursor.get("seen") or []],
            cursor.get("pending") if same else None,
        )


def feed_digest(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


class RssSource:
    def __init__(self, settings: RssSettings, context: SourceContext) -> None:
        self.settings, self.context = settings, context
        self.name = f"rss:{settings.name}"
        self.host = urlsplit(settings.url).hostname or "feed"
        self.quota_key = f"rss:{self.host}"

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        state = _State.load(cursor, self.settings.url)
        while True:
            with self._client() as client:
                yield from self._poll(client, state, size)
            if not self.context.follow:
                return
            self.context.sleep(self.settings.every)

    def normalise(self, item: RawItem) -> Post:
        entry, feed = item.payload["entry"], item.payload["feed"]
        # A dateless entry is dated by its feed, else by when it was first read.
        fallback = _feed_date(feed) or item.payload["fetched_at"]
        if feed.get("format") == "jsonfeed":
            return types.post_from_json_item(entry, feed, fallback)
        return types.post_from_entry(entry, feed, fallback)

    def _client(self) -> FeedClient:
        s = self.settings
        auth = None
        hint = f"the feed wants a login: give username and password_env in source {s.name}"
        if s.username:
            env = s.password_env
            auth = (s.username, secret(self.name, "password", env, s.password_file))
            hint = f"set {env}" if env else f"check the password in {s.password_file}"
        http = FeedHttp(
            self.name,
            s.url,
            quota=ratelimit_headers,
            limiter=self.context.limiter(self.quota_key),
            retry=self.context.retry(),
            auth_hint=hint,
        )
        if auth is not None:
            http.client.auth = auth
        return FeedClient(http)

    def _poll(self, client: FeedClient, state: _State, size: int) -> Iterator[Batch]:
        """Every page of one poll, new entries only; `state` moves on with each batch."""
        resumed = state.pending
        if resumed:  # killed mid-poll: go on from the page it was reading
            first = client.fetch(resumed)
        else:
            first = client.fetch(self.settings.url, state.etag, state.last_modified)
        if first.not_modified:
            return
        page, complete, shown, stored = first, True, [], 0
        for number in range(PAGES):
            complete = complete and page.complete
            keys = [entry_key(e) for e in page.entries]
            shown += keys
            known = set(state.seen)
            new = [e for e, k in zip(page.entries, keys, strict=True) if k not in known]
            # The page to resume from, unless its address holds a secret (read from the top then).
            state.pending = page.url if redact_url(page.url) == page.url else None
            for start in range(0, len(new), size):
                chunk = new[start : start + size]
                stored += len(chunk)
                state.seen = _remember(state.seen, [entry_key(e) for e in chunk])
                yield Batch(self._items(page, chunk), self._cursor(state), [], _done(stored))
            # An older page is worth reading only while this one was new from top to bottom.
            older = page.url == resumed or (new and len(new) == len(page.entries))
            if not older or not page.next_url or number == PAGES - 1:
                break
            page = client.fetch(page.next_url)
        # Keys still shown go last, so the cut keeps them: forgetting one would store it again.
        state.seen = _remember(state.seen, shown)[-max(SEEN, len(set(shown))) :]
        state.pending = None
        # Validators only for a feed read whole from its first page: else read it all next time.
        whole = complete and not resumed
        state.etag = first.etag if whole else None
        state.last_modified = first.last_modified if whole else None
        yield Batch([], self._cursor(state), [], _done(stored))

    def _items(self, page: Page, entries: list[dict[str, Any]]) -> list[RawItem]:
        fetched_at = datetime.now(UTC)
        payloads = [{"entry": e, "feed": page.feed, "fetched_at": fetched_at} for e in entries]
        return [RawItem(p, redact_url(page.url)) for p in payloads]

    def _cursor(self, state: _State) -> dict[str, Any]:
        return {
            "feed": feed_digest(self.settings.url),
            "etag": state.etag,
            "last_modified": state.last_modified,
            "seen": state.seen,
            "pending": state.pending,
        }


def entry_key(entry: dict[str, Any]) -> str:
    """What identifies an entry across polls: its id, its link, else a digest of its text."""
    for name in ("id", "link", "url"):
        value = entry.get(name)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    text = "\x1f".join(str(entry.get(k) or "") for k in ("title", "summary", "content_text"))
    return "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def _feed_date(feed: dict[str, Any]) -> datetime | None:
    for key in ("updated_parsed", "published_parsed"):
        if feed.get(key):
            return datetime.fromtimestamp(calendar.timegm(feed[key]), UTC)
    return None


def _remember(seen: list[str], keys: list[str]) -> list[str]:
    """`seen` with `keys` moved to its end, in their order."""
    wanted = set(keys)
    return [k for k in seen if k not in wanted] + list(dict.fromkeys(keys))


def _done(stored: int) -> Progress:
    return Progress(stored, None, "items")


def build(settings: RssSettings, context: SourceContext) -> RssSource:
    """The source, without any I/O (`rumeur sources` builds sources to read their names)."""
    return RssSource(settings, context)
