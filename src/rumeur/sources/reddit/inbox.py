"""What reaches an owned Reddit account, as inbox messages (docs/inbox.md, "Reading the
accounts"): its inbox (`/message/inbox`), where mentions of the user name, replies to its
comments and posts (`t1`) and private messages (`t4`) arrive, newest first.

Ids: a message's `native_id` is its fullname (`t1_...`, `t4_...`), and `reply_to` its
`parent_id`; a private message's `thread` is the first message of its exchange
(`first_message_name`, or its own name when it is the first). Reddit gives no cheap way to
read a comment's ancestors: a reply to the brand's comment joins the brand's conversation
when the inbox holds that comment (sent from rumeur), and opens one otherwise.

The cursor keeps the fullname of the newest item taken in: the next read asks for what is
newer (`before`), page by page, oldest page first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from rumeur.errors import RowError
from rumeur.sources.reddit import types
from rumeur.sources.reddit.client import PAGE, RedditClient
from rumeur.store.inbox import Message

INBOX = "/message/inbox"
KINDS = {"username_mention": "mention", "comment_reply": "reply", "post_reply": "reply"}


def message_from_thing(thing: dict[str, Any], owned: str) -> Message | None:
    """An inbox thing as a message; None for what is no message (a gone comment). RowError
    when it is malformed."""
    kind, data = thing.get("kind"), thing.get("data")
    if not isinstance(data, dict):
        raise RowError("data", "not an object")
    name = data.get("name")
    if not isinstance(name, str) or "_" not in name:
        raise RowError("name", "missing")
    body = data.get("body")
    if not isinstance(body, str) or not body.strip() or body.strip() in types.GONE:
        return None
    author = data.get("author")
    if not isinstance(author, str) or not author or author in types.GONE:
        raise RowError("author", "missing")
    created = data.get("created_utc")
    if isinstance(created, bool) or not isinstance(created, int | float) or created <= 0:
        raise RowError("created_utc", f"not a time: {created!r}")
    parent = data.get("parent_id")
    context = str(data.get("context") or "").split("?")[0]
    if kind == "t4":
        first = data.get("first_message_name")
        message_kind, thread = "direct", first if isinstance(first, str) and first else name
        url = None
    else:
        message_kind = KINDS.get(str(data.get("type")), "mention")
        thread, url = None, f"{types.WEB}{context}" if context.startswith("/") else None
    return Message(
        platform=types.PLATFORM,
        native_id=name,
        author=author,
        text=body.strip(),
        at=datetime.fromtimestamp(created, UTC),
        direction="out" if author.lower() == owned.lower() else "in",
        kind=message_kind,
        reply_to=parent if isinstance(parent, str) and parent else None,
        thread=thread,
        visibility="direct" if kind == "t4" else "public",
        url=url,
        extra={
            k: v
            for k, v in {
                "subreddit": data.get("subreddit"),
                "subject": data.get("subject"),
                "link_title": data.get("link_title"),
            }.items()
            if v
        },
    )


class RedditInbox:
    """Reads an owned account's inbox through `client` (its password grant)."""

    def __init__(self, client: RedditClient, username: str) -> None:
        self.client = client
        self.owned = username.removeprefix("u/").removeprefix("/u/")
        self.skipped = 0

    def pages(
        self, cursor: dict[str, Any] | None
    ) -> Iterator[tuple[list[Message], dict[str, Any]]]:
        newest = (cursor or {}).get("newest")
        if not newest:
            listing = self.client.listing(INBOX, {}, limit=PAGE)
            things = listing.things
            if things:
                yield self._messages(things), {"newest": _name(things[0]) or None}
            return
        while True:
            listing = self.client.listing(INBOX, {}, before=newest, limit=PAGE)
            if not listing.things:
                return
            top = _name(listing.things[0])
            yield self._messages(listing.things), {"newest": top or newest}
            if not top or top == newest or listing.before is None:
                return
            newest = top

    def _messages(self, things: list[dict[str, Any]]) -> list[Message]:
        found = []
        for thing in things:
            try:
                message = message_from_thing(thing, self.owned)
            except RowError:
                self.skipped += 1
                continue
            if message is not None:
                found.append(message)
        return sorted(found, key=lambda m: (m.at, m.native_id))


def _name(thing: dict[str, Any]) -> str:
    data = thing.get("data")
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) else ""
