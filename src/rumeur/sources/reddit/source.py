"""`RedditSource`: search, subreddit listings and an owned account's inbox, page by page, with
the comment trees of the submissions found when the settings ask for them.

Listings (each with its own state in the cursor, under `listings`):
- each `search` query: `/search?q=...&sort=new&type=link`, or, with `subreddits`, that query in
  each of them (`/r/<sub>/search?restrict_sr=1`);
- each subreddit without a query: `/r/<sub>/new`;
- with `username`: `/message/inbox` and `/message/mentions`.

A listing is first read newest to oldest with `after` (as far as Reddit goes: about 1,000
things), its state `{"after": <next page>, "top": <newest seen>}` so a killed run resumes at the
page it stopped at; once done, `{"newest": <fullname>}`, and later passes ask only for what is
newer with `before=<newest>`, oldest pages first, moving `newest` with each page. Reddit answers
`before=` a removed thing with nothing, for ever; so when a listing seems quiet, one call of one
thing checks its head: if that is newer, the listing is read down from the top to the old anchor
(`{"after", "top", "stop"}` while it does).

Comment trees (`comments = true`): for each submission found, `/comments/<id>` (500 comments at
most, newest first), then its `more` stubs expanded with `/api/morechildren`, 100 ids a call and
`MORE_CALLS` calls a submission. "Continue this thread" stubs (threads deeper than Reddit sends,
about 10 levels) are not followed. A tree is read once, when its submission is first seen: the
comments are stored in the same batch as the submission.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Any

import httpx

from rumeur.errors import RowError
from rumeur.model import Post, RawItem
from rumeur.settings.sources import RedditSettings
from rumeur.sources.base import Batch, Progress
from rumeur.sources.context import SourceContext
from rumeur.sources.reddit.client import RedditClient, credentials, quota_key
from rumeur.sources.reddit.types import is_gone, more_stub, post_from_thing

TREE_LIMIT = 500  # comments asked for in one /comments call
MORE_CALLS = 3  # /api/morechildren calls per submission: the tree's first ~800 comments
POSTS = frozenset({"t1", "t3"})  # private messages (t4) are not collected

ListingSpec = tuple[str, str, dict[str, str]]  # cursor key, path, parameters


def build(settings: RedditSettings, context: SourceContext) -> RedditSource:
    return RedditSource(settings, context)


class RedditSource:
    def __init__(
        self,
        settings: RedditSettings,
        context: SourceContext,
        *,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        # No I/O here: `rumeur sources` builds sources only to read their names.
        self.settings = settings
        self.context = context
        self.name = f"reddit:{settings.name}"
        self.quota_key = quota_key(settings)
        self._clock, self._transport = clock, transport
        self._read = 0

    def normalise(self, item: RawItem) -> Post:
        return post_from_thing(item.payload)

    def listings(self) -> list[ListingSpec]:
        s = self.settings
        found: list[ListingSpec] = []
        for query in s.search:
            params = {"q": query, "sort": "new", "type": "link"}
            if not s.subreddits:
                found.append((f"search:{query}", "/search", params))
            for sub in s.subreddits:
                found.append((
                    f"r/{sub}/search:{query}", f"/r/{sub}/search", {**params, "restrict_sr": "1"}
                ))  # fmt: skip
        if not s.search:
            found += [(f"r/{sub}/new", f"/r/{sub}/new", {}) for sub in s.subreddits]
        if s.username:
            found += [("inbox", "/message/inbox", {}), ("mentions", "/message/mentions", {})]
        return found

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        state: dict[str, dict[str, Any]] = {
            k: dict(v) for k, v in ((cursor or {}).get("listings") or {}).items()
        }
        client = RedditClient(
            self.settings, self.context, self.name, credentials(self.settings, self.name),
            clock=self._clock, transport=self._transport,
        )  # fmt: skip
        try:
            while True:
                for spec in self.listings():
                    yield from self._listing(client, state, spec, size)
                if not self.context.follow:
                    return
                self.context.sleep(self.settings.every)
        finally:
            client.close()

    # -- one listing ---------------------------------------------------------------------------

    def _listing(
        self, client: RedditClient, state: dict[str, dict[str, Any]], spec: ListingSpec, size: int
    ) -> Iterator[Batch]:
        key = spec[0]
        if state.get(key, {}).get("newest"):
            yield from self._newer(client, state, spec, size)
        else:
            yield from self._backfill(client, state, spec, size)

    def _backfill(
        self, client: RedditClient, state: dict[str, dict[str, Any]], spec: ListingSpec, size: int
    ) -> Iterator[Batch]:
        """Newest to oldest with `after`, down to the end of the listing or, when catching up
        past a vanished anchor, down to `stop`."""
        key, path, params = spec
        was = state.get(key, {})
        after, top, stop = was.get("after"), was.get("top"), was.get("stop")
        while True:
            page = client.listing(path, params, after=after, limit=size)
            things = [t for t in page.things if stop is None or _later(_fullname(t), stop)]
            top = top or _fullname(things[0] if things else None) or stop
            reached = len(things) < len(page.things)
            after = page.after if page.things and not reached else None
            state[key] = {"after": after, "top": top} if after else {"newest": top}
            if after and stop:
                state[key]["stop"] = stop
            yield self._batch(client, path, things, state)
            if after is None:
                return

    def _newer(
        self, client: RedditClient, state: dict[str, dict[str, Any]], spec: ListingSpec, size: int
    ) -> Iterator[Batch]:
        key, path, params = spec
        newest = state[key]["newest"]
        first = True
        while True:
            page = client.listing(path, params, before=newest, limit=size)
            if not page.things:
                if first and self._vanished(client, path, params, newest):
                    # Reddit answers `before=` a deleted or removed thing with nothing, for
                    # ever: read down from the top to where the anchor stood instead.
                    state[key] = {"after": None, "top": None, "stop": newest}
                    yield from self._backfill(client, state, spec, size)
                return
            first = False
            newest = _fullname(page.things[0]) or newest
            state[key] = {"newest": newest}
            yield self._batch(client, path, page.things, state)
            if len(page.things) < min(size, 100):
                return

    def _vanished(
        self, client: RedditClient, path: str, params: dict[str, str], anchor: str
    ) -> bool:
        """Whether the listing's newest thing is newer than the anchor `before=` found nothing
        after: then the anchor is gone from the listing. One call of one thing."""
        head = client.listing(path, params, limit=1)
        top = _fullname(head.things[0]) if head.things else None
        # Ids of different kinds (a message after a comment, in the inbox) cannot be compared.
        return top is not None and _kind(top) == _kind(anchor) and _later(top, anchor)

    def _batch(
        self,
        client: RedditClient,
        path: str,
        things: list[dict[str, Any]],
        state: dict[str, dict[str, Any]],
    ) -> Batch:
        items = []
        for thing in things:
            if thing.get("kind") not in POSTS or is_gone(thing):
                continue
            items.append(self._item(path, _flat(thing)))
            if self.settings.comments and thing.get("kind") == "t3":
                items += [self._item(path, c) for c in self._tree(client, thing)]
        self._read += len(items)
        cursor = {"listings": {k: dict(v) for k, v in state.items()}}
        return Batch(items, cursor, progress=Progress(self._read, None, "items"))

    def _item(self, path: str, thing: dict[str, Any]) -> RawItem:
        # Rejected rows are keyed by origin and line: one origin per thing, so that each
        # malformed thing is kept once, however many times it is read again.
        who = _fullname(thing) or hashlib.sha1(_dump(thing)).hexdigest()[:12]
        return RawItem(thing, f"{self.name}:{path}:{who}")

    # -- comment trees -------------------------------------------------------------------------

    def _tree(self, client: RedditClient, submission: dict[str, Any]) -> list[dict[str, Any]]:
        """The comments of a submission, flat: the tree Reddit sends, then its `more` stubs."""
        data = submission.get("data") or {}
        post_id, link_id = data.get("id"), data.get("name")
        if not isinstance(post_id, str) or not isinstance(link_id, str):
            return []  # normalise rejects the submission itself, naming the field
        if not data.get("num_comments"):
            return []  # no call for a submission nobody answered yet
        response = client.comments(post_id, TREE_LIMIT)
        comments: list[dict[str, Any]] = []
        stubs: list[str] = []
        listing = response[1] if isinstance(response[1], dict) else {}
        _flatten(((listing.get("data") or {}).get("children")) or [], comments, stubs)
        for _call in range(MORE_CALLS):
            if not stubs:
                break
            ids, stubs = stubs[:100], stubs[100:]
            _flatten(client.more_children(link_id, ids), comments, stubs)
        return comments


def _flatten(things: list[Any], comments: list[dict[str, Any]], stubs: list[str]) -> None:
    """Comments depth first into `comments`, the ids `more` stubs stand for into `stubs`."""
    for thing in things:
        if not isinstance(thing, dict):
            continue
        if thing.get("kind") == "more":
            # A stub we cannot read only costs the comments behind it.
            with suppress(RowError):
                stubs += more_stub(thing).children  # empty for "continue this thread"
            continue
        if thing.get("kind") != "t1":
            continue
        if not is_gone(thing):
            comments.append(_flat(thing))
        replies = (thing.get("data") or {}).get("replies")
        if isinstance(replies, dict):  # "" when there are none
            _flatten(((replies.get("data") or {}).get("children")) or [], comments, stubs)


def _flat(thing: dict[str, Any]) -> dict[str, Any]:
    """A thing without its replies: each comment is an item of its own."""
    data = thing.get("data")
    if not isinstance(data, dict):
        return thing
    return {"kind": thing.get("kind"), "data": {k: v for k, v in data.items() if k != "replies"}}


def _fullname(thing: dict[str, Any] | None) -> str | None:
    name = ((thing or {}).get("data") or {}).get("name")
    return name if isinstance(name, str) and name else None


def _dump(thing: dict[str, Any]) -> bytes:
    return json.dumps(thing, sort_keys=True, default=str).encode("utf-8")


def _later(name: str | None, than: str) -> bool:
    """Whether fullname `name` is newer than `than`: Reddit's ids are base-36 counters, one per
    kind. Things of another kind (a message among comments) count as newer."""
    if name is None:
        return False
    kind, _, ident = name.partition("_")
    other_kind, _, other = than.partition("_")
    if kind != other_kind:
        return True
    try:
        return int(ident, 36) > int(other, 36)
    except ValueError:
        return name != than


def _kind(name: str) -> str:
    return name.partition("_")[0]
