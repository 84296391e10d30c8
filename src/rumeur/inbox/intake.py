"""Taking a message into the inbox: threaded into its conversation (`store.inbox.receive`),
and routed by the workspace's rules only when it opens one. What the collectors of owned
accounts call for each mention, reply or direct message they read, oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rumeur.inbox.routing import Router
from rumeur.query.document import Document, document
from rumeur.settings.inbox import OwnedAccount
from rumeur.store.inbox import Message, Received, receive
from rumeur.store.store import Store


def message_document(message: Message, **fields: Any) -> Document:
    """What the routing rules see of a message: its words, its language and sentiment, and
    any other field the collector knows (`followers`, `verified`, `emotion`, `reason`...)."""
    known = {
        "lang": message.language,
        "sentiment": message.sentiment,
        "platform": message.platform,
        "author": message.author,
        "url": message.url,
    }
    return document(text=message.text, **(known | fields))


def take_in(
    store: Store,
    workspace: str,
    router: Router,
    account: OwnedAccount,
    message: Message,
    now: datetime,
    doc: Document | None = None,
) -> Received:
    """Store `message`, received by `account`, in its conversation; a new conversation is
    routed on this message (`doc`, or what `message_document` reads of it)."""

    def route() -> dict[str, Any]:
        return router.route(doc or message_document(message), account).row()

    return receive(store, workspace, account.handle, message, route, now)
