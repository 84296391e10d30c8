"""The replies to a published item (docs/publish.md, "Answers"): the inbox keeps each message
that reaches an owned account with the id of its parent as the network gives it (`reply_to`),
so the answers to an open question, a "battle" or a poll are the inbound messages whose parent
is one of the item's ids (its native id, or its id on the account's server: a Mastodon reply
names `in_reply_to_id`, the status's local id)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from rumeur.store.schema import messages
from rumeur.store.store import Store

MAX_REPLIES = 20_000  # the answers one item's page and command count, at most


@dataclass(frozen=True, slots=True)
class Reply:
    author: str
    text: str
    at: datetime


def replies_to(
    store: Store, workspace: str, platform: str, parents: Collection[str]
) -> list[Reply]:
    """The inbound messages of `workspace` on `platform` that reply to one of `parents`,
    oldest first."""
    if not parents:
        return []
    m = messages.c
    query = (
        select(m.author, m.text, m.at)
        .where(
            m.workspace == workspace,
            m.platform == platform,
            m.direction == "in",
            m.reply_to.in_(sorted(parents)),
        )
        .order_by(m.at, m.id)
        .limit(MAX_REPLIES)
    )
    with store.read() as conn:
        return [Reply(r.author, r.text, r.at) for r in conn.execute(query)]
