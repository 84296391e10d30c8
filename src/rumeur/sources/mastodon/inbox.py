"""What reaches an owned Mastodon account, as inbox messages (docs/inbox.md, "Reading the
accounts"): its direct conversations (`/api/v1/conversations`) and its mentions
(`/api/v1/notifications?types[]=mention`), each with the ancestors its server knows
(`/api/v1/statuses/:id/context`) when the message replies to one the inbox does not hold yet,
so that the brand's own earlier replies take their place in the thread.

Ids: a message's `native_id` is the status's `uri` (as the listening side names it); its
`local_id` the id on the account's server, which `in_reply_to_id` (`reply_to`) names. A direct
conversation's id is the message's `thread`.

The cursor keeps, per feed, the newest id read (`min_id` for the next read): a page is taken
into the inbox before the cursor that follows it is stored, so a crash reads that page again,
which the inbox keeps once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from rumeur.errors import RowError
from rumeur.sources.mastodon import types
from rumeur.sources.mastodon.client import MastodonClient, Page, id_order, newest
from rumeur.store.inbox import Message

FIRST_PAGE = 40  # what a first read takes: the newest page, not the account's whole history
PARENTS = 20  # ancestors kept above a message: the customer's and the brand's only

# (feed key, path, params): conversations first, so that a direct message read in both is
# first seen with its conversation's id.
FEEDS = (
    ("conversations", "/api/v1/conversations", {}),
    ("mentions", "/api/v1/notifications", {"types[]": "mention"}),
)

Known = Callable[[str], bool]  # is this id (native or local) in the inbox already?


def owned_handle(handle: str, instance: str) -> str:
    """The owned account as statuses name their authors: `user@host`."""
    handle = handle.lstrip("@").lower()
    if "@" in handle:
        return handle
    base = instance.strip().rstrip("/")
    host = urlsplit(base if "://" in base else f"https://{base}").netloc.lower()
    return f"{handle}@{host}"


def message_from_status(
    status: dict[str, Any],
    instance: str,
    owned: str,
    *,
    thread: str | None = None,
) -> Message:
    """A status as an inbox message: `out` when the owned account (`owned`, `user@host`) wrote
    it. A direct status is a private message (kind `direct`); else a reply, a quote or a
    mention. RowError when the status is malformed."""
    post = types.post_from_status(status, instance)
    shown = status.get("reblog") or status
    parent = shown.get("in_reply_to_id")
    visibility = shown.get("visibility")
    if visibility == "direct":
        kind = "direct"
    elif parent:
        kind = "reply"
    elif post.quote_of:
        kind = "quote"
    else:
        kind = "mention"
    account = shown.get("account") or {}
    extra = {
        "followers": post.author.followers,
        "display_name": post.author.display_name,
        "verified": False,
        "bot": bool(account.get("bot")),
    }
    return Message(
        platform=types.PLATFORM,
        native_id=post.native_id,
        author=post.author.handle,
        text=post.text,
        at=post.created_at,
        direction="out" if post.author.handle == owned else "in",
        kind=kind,
        reply_to=str(parent) if parent else None,
        local_id=str(shown.get("id")) if shown.get("id") else None,
        thread=thread if kind == "direct" else None,
        visibility=visibility if isinstance(visibility, str) else None,
        url=post.url,
        language=post.language,
        extra={k: v for k, v in extra.items() if v is not None},
    )


def thread_messages(
    chain: list[dict[str, Any]], instance: str, owned: str, thread: str | None = None
) -> list[Message]:
    """A message and its ancestors (`chain`, oldest first, the message last) as the inbox
    keeps them: the ancestors written by the message's author or by the brand, oldest first.
    Someone else's post above them is not the customer's conversation, and is left out."""
    if not chain:
        return []
    last = message_from_status(chain[-1], instance, owned, thread=thread)
    wanted = {owned, last.author}
    kept = []
    for status in chain[-1 - PARENTS : -1]:
        try:
            message = message_from_status(status, instance, owned, thread=thread)
        except RowError:
            continue
        if message.author in wanted:
            kept.append(message)
    return [*kept, last]


class MastodonInbox:
    """Reads an owned account's conversations and mentions through `client`."""

    def __init__(self, client: MastodonClient, instance: str, handle: str, known: Known) -> None:
        self.client = client
        self.instance = instance.rstrip("/")
        self.owned = owned_handle(handle, instance)
        self.known = known
        self.skipped = 0  # malformed items left out

    def pages(
        self, cursor: dict[str, Any] | None
    ) -> Iterator[tuple[list[Message], dict[str, Any]]]:
        """(messages oldest first, the cursor once they are in the inbox), page after page."""
        marks: dict[str, Any] = dict((cursor or {}).get("feeds") or {})
        for key, path, params in FEEDS:
            for items, mark in self._newer(path, params, marks.get(key)):
                messages: list[Message] = []
                for item in sorted(items, key=_order):
                    messages += self._messages(key, item)
                marks[key] = mark
                yield messages, {"feeds": dict(marks)}

    def _newer(
        self, path: str, params: dict[str, Any], mark: str | None
    ) -> Iterator[tuple[list[Any], str | None]]:
        if not mark:
            page = self.client.page(path, {**params, "limit": FIRST_PAGE})
            yield page.items, _top(page, None)
            return
        while True:
            page = self.client.page(path, {**params, "limit": FIRST_PAGE, "min_id": mark})
            if not page.items:
                return
            before, mark = mark, _top(page, mark)
            yield page.items, mark
            if page.newer is None or mark == before:
                return

    def _messages(self, feed: str, item: Any) -> list[Message]:
        if not isinstance(item, dict):
            self.skipped += 1
            return []
        if feed == "conversations":
            status, thread = item.get("last_status"), item.get("id")
        else:
            status, thread = item.get("status"), None
            if item.get("type") != "mention":
                return []
        if not isinstance(status, dict):
            return []
        try:
            return self._with_ancestors(status, str(thread) if thread else None)
        except RowError:
            self.skipped += 1
            return []

    def _with_ancestors(self, status: dict[str, Any], thread: str | None) -> list[Message]:
        parent = status.get("in_reply_to_id")
        chain = [status]
        if parent and not self.known(str(parent)):
            context = self.client.context(str(status["id"]))
            ancestors = context.get("ancestors")
            if isinstance(ancestors, list):
                chain = [a for a in ancestors if isinstance(a, dict)] + chain
        return thread_messages(chain, self.instance, self.owned, thread)


def _order(item: Any) -> tuple[int, str]:
    """Oldest first: a notification's or a conversation's last status's id."""
    if not isinstance(item, dict):
        return (0, "")
    status = item.get("last_status") if "last_status" in item else item
    sid = status.get("id") if isinstance(status, dict) else None
    return id_order(str(sid)) if sid is not None else (0, "")


def _top(page: Page, mark: str | None) -> str | None:
    """The id the next read starts above: the page's own `prev` link, or its newest item's
    (a conversation's, its last status's: what the conversations are paged by, and what
    their `prev` link names)."""
    talks = any(isinstance(i, dict) and "last_status" in i for i in page.items)
    if page.newer and not talks:
        return newest(page.newer, mark)
    ids = []
    for item in page.items:
        if isinstance(item, dict):
            status = item.get("last_status") if "last_status" in item else item
            if isinstance(status, dict) and status.get("id"):
                ids.append(str(status["id"]))
    return newest(*ids, mark)
