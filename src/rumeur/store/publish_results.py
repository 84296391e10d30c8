"""What the published items became (docs/publish.md, "Results"): each published item with its
message's content type and, when the collectors have read it back, its post's counts.

An item's `native_id` is the id the network gave the post (Bluesky's at:// URI, Mastodon's
status URI, Reddit's `t3_` fullname), which is also how the collectors key the post they read
(`posts`, unique on platform and native id): one LEFT JOIN finds them, and an item not read back
yet has no counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select

from rumeur.store.schema import posts, publish_items, publish_messages
from rumeur.store.store import Store

LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Published:
    id: int
    account: str
    platform: str
    handle: str
    text: str
    at: datetime
    native_id: str | None
    native_url: str | None
    content_type: str | None
    read_back: bool  # the collectors stored the post
    likes: int
    reposts: int
    replies: int
    quotes: int
    views: int | None


def _columns(i: Any, m: Any, p: Any) -> list[Any]:
    return [
        i.id, i.account, i.platform, i.handle, i.text, i.at, i.native_id, i.native_url,
        m.content_type, p.id.label("post_id"), p.likes, p.reposts, p.replies, p.quotes, p.views,
    ]  # fmt: skip


def _published(r: Mapping[str, Any]) -> Published:
    counts = {k: r[k] or 0 for k in ("likes", "reposts", "replies", "quotes")}
    plain = {k: r[k] for k in ("id", "account", "platform", "handle", "text", "at", "native_id",
                               "native_url", "content_type", "views")}  # fmt: skip
    return Published(**plain, **counts, read_back=r["post_id"] is not None)


def published(
    store: Store, workspace: str, since: datetime, until: datetime, limit: int = LIMIT
) -> list[Published]:
    """The workspace's published items from `since` to `until` (excluded), newest first."""
    i, p, m = publish_items.c, posts.c, publish_messages.c
    query = (
        select(*_columns(i, m, p))
        .select_from(
            publish_items.join(publish_messages, m.id == i.message_id).outerjoin(
                posts, and_(p.platform == i.platform, p.native_id == i.native_id)
            )
        )
        .where(i.workspace == workspace, i.status == "published")
        .where(i.at >= since, i.at < until)
        .order_by(i.at.desc(), i.id.desc())
        .limit(limit)
    )
    with store.read() as conn:
        return [_published(r._mapping) for r in conn.execute(query)]
