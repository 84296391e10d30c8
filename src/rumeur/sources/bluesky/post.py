"""Publishing on Bluesky (docs/publish.md, "Sending"): `com.atproto.repo.createRecord` of an
`app.bsky.feed.post` at a record key (a TID) computed from the item before the first try.

The key is a function of the scheduled time and the item alone (`post_rkey`), so that a sender
that died before it could store the prepared record computes the same key again: the repo holds
one record per key, and a second try can never make a second post. Before any retry,
`com.atproto.repo.getRecord` at that key: found, the post was made and is recorded.

Images are uploaded once, when the record is prepared (`com.atproto.repo.uploadBlob`, each with
its alt text in the record's `app.bsky.embed.images`); a blob is addressed by its content, so an
upload made again after a crash names the same blob. A post without images whose text links to
a page gets that page's card (card.py, `app.bsky.embed.external`), read here once. Facets are
the composer's (publishing/facets.py, kept in the item's `extra`), or found here when it kept
none.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rumeur.net.errors import SourceError
from rumeur.sources.bluesky.card import link_card
from rumeur.sources.bluesky.client import BlueskyClient
from rumeur.sources.bluesky.reply import (
    CREATE_RECORD,
    POST,
    BlueskyReplier,
    _prepared,
    _sent,
    tid,
)
from rumeur.sources.post import Post, ReplierPoster, post_of, read_media
from rumeur.sources.reply import Sent
from rumeur.store.inbox import OutboxRow

UPLOAD_BLOB = "/xrpc/com.atproto.repo.uploadBlob"
EMBED_IMAGES = "app.bsky.embed.images"


def post_rkey(post: Post, key: str) -> str:
    """The record key of a scheduled post: a TID whose time is the scheduled time plus the
    item's id in microseconds (two items of one account at the same minute get two keys), and
    whose clock id comes from the item's idempotency key. The same item always gets the same
    key."""
    micros = int(post.at.timestamp()) * 1_000_000 + post.at.microsecond + post.item % 1_000_000
    clock = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:2], "big") % 1024
    return tid(micros, clock)


class BlueskyPoster(ReplierPoster[BlueskyReplier, BlueskyClient]):
    """The posts of an owned account, through its replier's session."""

    platform = "bluesky"

    def prepare(self, row: OutboxRow) -> dict[str, Any]:
        """The record, once: its key, its text and facets, its time (the scheduled one), its
        images uploaded with their alt text."""
        post = post_of(row, self.source)
        if isinstance(post.extra.get("facets"), list):  # the composer's, mentions resolved
            facets = post.extra["facets"]
            message = {"text": row.text, "facets": facets} if facets else {"text": row.text}
        else:
            message = self.replier._message(row.text)
        at = post.at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        record: dict[str, Any] = {"$type": POST, **message, "createdAt": at}
        if isinstance(post.extra.get("langs"), list):
            record["langs"] = post.extra["langs"]
        if post.media:
            images = [{"alt": m.alt, "image": self._upload(m)} for m in post.media]
            record["embed"] = {"$type": EMBED_IMAGES, "images": images}
        elif (found := link_card(record)) is not None:
            record["embed"] = found  # read once, here: every try sends the same record
        return {"rkey": post_rkey(post, row.idempotency_key), "record": record}

    def _upload(self, media: Any) -> dict[str, Any]:
        data, kind = read_media(media, self.source)
        headers = {"Content-Type": kind}
        response = self.replier._authed(lambda h: self.client.http.write("POST", UPLOAD_BLOB,
                                              content=data, headers=h | headers))  # fmt: skip
        blob = (self.client.http.json(response) or {}).get("blob")
        if not isinstance(blob, dict):
            raise SourceError(self.source, "uploadBlob answered with no blob", permanent=False)
        return blob

    def send(self, row: OutboxRow) -> Sent:
        rkey, record = _prepared(row, self.source, "post")
        body = {"repo": self.replier._repo(), "collection": POST, "rkey": rkey, "record": record}
        response = self.replier._authed(lambda h: self.client.http.write("POST", CREATE_RECORD,
                                                 json=body, headers=h))  # fmt: skip
        return _with_url(_sent(self.client.http.json(response), self.source), self.replier.handle)

    def find(self, row: OutboxRow) -> Sent | None:
        """The record at the post's key, if the repo holds it."""
        sent = self.replier.record_at(row, "post")
        return _with_url(sent, self.replier.handle) if sent is not None else None


def _with_url(sent: Sent, handle: str) -> Sent:
    """The post's address on bsky.app, from its at:// URI."""
    rkey = sent.native_id.rsplit("/", 1)[-1]
    url = f"https://bsky.app/profile/{handle}/post/{rkey}"
    return Sent(native_id=sent.native_id, url=url, extra=sent.extra)
