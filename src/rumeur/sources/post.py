"""What a scheduled post (docs/publish.md, "Sending") carries to a network's poster, and the
helpers the three posters share.

A post reaches the sender as an outbox row whose `request["post"]` was written when the item
went into the outbox: the item's id, its scheduled time (`at`), its title (Reddit), media
(`[{"path", "alt"}]`), content warning (`spoiler`) and the network's own fields (`extra`: the
composer's Bluesky facets, a subreddit). A poster (`sources/<network>/post.py`) is a `Replier`
(sources/reply.py) for such rows: `prepare` once before the first try, `send` one try, `find`
the post read back from the account before any retry.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from rumeur.net.errors import SourceError

if TYPE_CHECKING:
    from rumeur.store.inbox import OutboxRow

MAX_MEDIA_BYTES = 40 * 1024 * 1024  # above every network's own limit: refused before upload


class _Client(Protocol):
    @property
    def source(self) -> str: ...


class _Replier(Protocol):
    client: Any

    def close(self) -> None: ...


ReplierT = TypeVar("ReplierT", bound=_Replier)
ClientT = TypeVar("ClientT", bound=_Client)


class ReplierPoster(Generic[ReplierT, ClientT]):
    """A poster that writes through the owned account's replier: its session or token is the
    replier's (one sign-in, one rate limit per account), so closing the poster closes it."""

    platform: str

    def __init__(self, replier: ReplierT) -> None:
        self.replier = replier
        self.client: ClientT = replier.client

    @property
    def source(self) -> str:
        return self.client.source

    def close(self) -> None:
        self.replier.close()


@dataclass(frozen=True, slots=True)
class Media:
    path: str
    alt: str


@dataclass(frozen=True, slots=True)
class Post:
    """The scheduled item as the poster reads it from its outbox row."""

    item: int
    at: datetime
    title: str | None = None
    media: tuple[Media, ...] = ()
    spoiler: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def post_of(row: OutboxRow, source: str) -> Post:
    """The post an outbox row carries; a SourceError (permanent) when it carries none."""
    raw = row.request.get("post")
    if not isinstance(raw, dict) or not isinstance(raw.get("item"), int):
        raise SourceError(source, f"outbox row {row.id} carries no scheduled post", permanent=True)
    at = datetime.fromisoformat(str(raw.get("at")))
    media = tuple(
        Media(str(m.get("path") or ""), str(m.get("alt") or ""))
        for m in raw.get("media") or []
        if isinstance(m, dict)
    )
    extra = raw.get("extra")
    return Post(
        item=raw["item"],
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
        title=raw.get("title"),
        media=media,
        spoiler=raw.get("spoiler") or None,
        extra=dict(extra) if isinstance(extra, dict) else {},
    )


def read_media(media: Media, source: str) -> tuple[bytes, str]:
    """The file's bytes and MIME type; a permanent SourceError when it cannot be read (a try
    again would find it missing just the same)."""
    path = Path(media.path)
    try:
        size = path.stat().st_size
        if size > MAX_MEDIA_BYTES:
            raise SourceError(source, f"media {path.name}: {size} bytes is too large",
                              permanent=True)  # fmt: skip
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SourceError(source, f"media {path.name} cannot be read: {reason}",
                          permanent=True) from None  # fmt: skip
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return data, kind


def same_words(a: str, b: str) -> bool:
    """Whether two texts are the same once spaces and case are set aside (how a network may
    give a post's text back)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def poll_form(poll: Any) -> dict[str, Any]:
    """A Mastodon poll's fields in the status's form: `poll[options][]` (each answer) and
    `poll[expires_in]` (seconds), `poll[multiple]` when several answers may be chosen; none
    without a poll."""
    if not isinstance(poll, dict) or not poll.get("options"):
        return {}
    form: dict[str, Any] = {
        "poll[options][]": [str(o) for o in poll["options"]],
        "poll[expires_in]": str(poll.get("expires_in")),
    }
    if poll.get("multiple"):
        form["poll[multiple]"] = "true"
    return form
