"""What reaches an owned Bluesky account, as inbox messages (docs/inbox.md, "Reading the
accounts"): its notifications of mentions, replies and quotes
(`app.bsky.notification.listNotifications`), with the parents of a reply that the inbox does
not hold yet (`app.bsky.feed.getPostThread`), and its direct messages (the chat API:
`chat.bsky.convo.listConvos` and `getMessages`, through the account's PDS).

Ids: a post's `native_id` is its at:// URI, which a reply's `reply_to` names; a direct
message's is the chat service's message id, its `thread` the conversation's id.

The cursor: `seen`, the `indexedAt` of the newest notification taken in (notifications come
newest first, so they are read down to it, then taken in oldest first, the cursor moving with
them), and per conversation the `rev` of the last message taken in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rumeur.errors import RowError
from rumeur.sources.bluesky import types
from rumeur.sources.bluesky.client import BlueskyClient
from rumeur.sources.payload import parse_time
from rumeur.store.inbox import Message

PAGE = 50  # notifications per call
FIRST_PAGES = 1  # a first read takes the newest page, not the account's whole history
CHUNK = 20  # notifications taken in between two stored cursors
PARENTS = 20  # parents asked above a reply
MESSAGES_FIRST = 50  # a conversation's newest messages on a first read

Known = Callable[[str], bool]


def same_handle(a: str, b: str) -> bool:
    return a.lstrip("@").lower() == b.lstrip("@").lower()


def message_from_notification(notification: dict[str, Any], owned: str) -> Message | None:
    """A mention, reply or quote notification as an inbox message; None for the others
    (likes, follows, reposts). RowError when it is malformed."""
    post = types.post_from_notification(notification)
    if post is None:
        return None
    reason = str(notification.get("reason"))
    return _message(post, owned, kind=reason)


def message_from_view(view: dict[str, Any], owned: str) -> Message:
    """A post view (a thread's parent) as an inbox message."""
    post = types.post_from_view(view)
    return _message(post, owned, kind="reply" if post.reply_to else "mention")


def _message(post: Any, owned: str, kind: str) -> Message:
    extra = {"followers": post.author.followers, "display_name": post.author.display_name}
    return Message(
        platform=types.PLATFORM,
        native_id=post.native_id,
        author=post.author.handle,
        text=post.text,
        at=post.created_at,
        direction="out" if same_handle(post.author.handle, owned) else "in",
        kind=kind,
        reply_to=post.reply_to,
        url=post.url,
        language=post.language,
        extra={k: v for k, v in extra.items() if v is not None},
    )


def parents(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The post views above a thread's post, oldest first (deleted or blocked ones end it)."""
    chain = []
    parent = node.get("parent")
    while isinstance(parent, dict) and isinstance(parent.get("post"), dict):
        chain.append(parent["post"])
        parent = parent.get("parent")
    return chain[::-1]


def message_from_chat(
    message: dict[str, Any], convo: str, handles: dict[str, str], owned: str
) -> Message | None:
    """A chat message view as a private inbox message; None for a deleted one. `handles`:
    the conversation's members, DID -> handle."""
    if "deletedMessageView" in str(message.get("$type", "")):
        return None
    mid = message.get("id")
    text = message.get("text")
    if not isinstance(mid, str) or not mid or not isinstance(text, str):
        raise RowError("message", "a chat message without an id or a text")
    did = str((message.get("sender") or {}).get("did") or "")
    author = handles.get(did) or did
    if not author:
        raise RowError("sender.did", "missing")
    return Message(
        platform=types.PLATFORM,
        native_id=mid,
        author=author,
        text=text,
        at=parse_time(message.get("sentAt"), "sentAt"),
        direction="out" if same_handle(author, owned) else "in",
        kind="direct",
        thread=convo,
        visibility="direct",
        extra={"rev": message.get("rev"), "did": did},
    )


class BlueskyInbox:
    """Reads an owned account's notifications and direct messages through `client` (logged in
    as that account)."""

    def __init__(self, client: BlueskyClient, handle: str, known: Known, chat: bool = True):
        self.client = client
        self.owned = handle.lstrip("@").lower()
        self.known = known
        self.chat = chat
        self.skipped = 0

    def pages(
        self, cursor: dict[str, Any] | None
    ) -> Iterator[tuple[list[Message], dict[str, Any]]]:
        state: dict[str, Any] = {
            "seen": (cursor or {}).get("seen"),
            "convos": dict((cursor or {}).get("convos") or {}),
        }
        yield from self._notifications(state)
        if self.chat:
            yield from self._convos(state)

    # -- notifications ---------------------------------------------------------------------

    def _notifications(self, state: dict[str, Any]) -> Iterator[tuple[list[Message], dict]]:
        seen = state["seen"]
        found: list[dict[str, Any]] = []
        page_cursor, pages = None, 0
        while True:
            page = self.client.notifications(cursor=page_cursor, limit=PAGE)
            pages += 1
            older = False
            for item in page.items:
                at = item.get("indexedAt") if isinstance(item, dict) else None
                if seen and isinstance(at, str) and at < seen:
                    older = True
                    continue
                if isinstance(item, dict) and item.get("reason") in types.POST_REASONS:
                    found.append(item)
            page_cursor = page.cursor
            if older or page_cursor is None or (not seen and pages >= FIRST_PAGES):
                break
        found.sort(key=lambda n: str(n.get("indexedAt") or ""))
        for start in range(0, len(found), CHUNK):
            chunk = found[start : start + CHUNK]
            messages: list[Message] = []
            for item in chunk:
                messages += self._with_parents(item)
            state["seen"] = max(str(n.get("indexedAt") or "") for n in chunk) or seen
            yield messages, _cursor(state)

    def _with_parents(self, notification: dict[str, Any]) -> list[Message]:
        try:
            message = message_from_notification(notification, self.owned)
        except RowError:
            self.skipped += 1
            return []
        if message is None:
            return []
        above: list[Message] = []
        if message.reply_to and not self.known(message.reply_to):
            node = self.client.thread(message.native_id, depth=0, parent_height=PARENTS)
            wanted = {self.owned, message.author.lower()}
            for view in parents(node):
                try:
                    parent = message_from_view(view, self.owned)
                except RowError:
                    continue
                if parent.author.lower() in wanted:
                    above.append(parent)
        return [*above, message]

    # -- direct messages -------------------------------------------------------------------

    def _convos(self, state: dict[str, Any]) -> Iterator[tuple[list[Message], dict]]:
        revs: dict[str, str] = state["convos"]
        page_cursor = None
        changed: list[dict[str, Any]] = []
        while True:
            page = self.client.convos(cursor=page_cursor)
            for convo in page.items:
                cid, rev = convo.get("id"), convo.get("rev")
                if isinstance(cid, str) and (not rev or revs.get(cid) != rev):
                    changed.append(convo)
            page_cursor = page.cursor
            if page_cursor is None:
                break
        for convo in changed:
            cid = convo["id"]
            handles = {
                str(m.get("did")): str(m.get("handle") or m.get("did"))
                for m in convo.get("members") or []
                if isinstance(m, dict)
            }
            messages = self._convo_messages(cid, handles, revs.get(cid))
            if convo.get("rev"):
                revs[cid] = str(convo["rev"])
            yield messages, _cursor(state)

    def _convo_messages(
        self, convo: str, handles: dict[str, str], since: str | None
    ) -> list[Message]:
        found: list[Message] = []
        page_cursor = None
        while True:
            page = self.client.messages(convo, cursor=page_cursor, limit=MESSAGES_FIRST)
            done = False
            for item in page.items:
                rev = item.get("rev")
                if since and isinstance(rev, str) and rev <= since:
                    done = True
                    break
                try:
                    message = message_from_chat(item, convo, handles, self.owned)
                except RowError:
                    self.skipped += 1
                    continue
                if message is not None:
                    found.append(message)
            page_cursor = page.cursor
            if done or page_cursor is None or since is None:
                break
        return sorted(found, key=lambda m: (m.at, m.native_id))


def _cursor(state: dict[str, Any]) -> dict[str, Any]:
    return {"seen": state["seen"], "convos": dict(state["convos"])}
