"""Publishing on Mastodon (docs/publish.md, "Sending"): `POST /api/v1/statuses` with the item's
text, visibility, content warning (`spoiler_text`) and media, and the item's idempotency key as
the `Idempotency-Key` header, the same on every try.

Media are uploaded once, when the post is prepared: `POST /api/v2/media` with the file and its
description (alt text). A large file answers 202 while the server still processes it: the
attachment is read (`GET /api/v1/media/:id`, 206 while processing) until it is ready, a bounded
number of times, before the status names it. An upload made again after a crash only leaves an
unattached file, which the server deletes.

Mastodon keeps a key for an hour and answers a request that reuses it with the status the first
one made: within that time, a post whose answer was lost is found by sending it again with its
key. After it, the account's newest statuses are read, and one of the same text made since the
first try is the post.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from rumeur.net.errors import SourceError
from rumeur.sources.mastodon.client import MastodonClient
from rumeur.sources.mastodon.reply import KEY_LIFETIME, STATUSES, MastodonReplier, sent_status
from rumeur.sources.mastodon.types import html_to_text
from rumeur.sources.post import (
    Media,
    ReplierPoster,
    poll_form,
    post_of,
    read_media,
    same_words,
)
from rumeur.sources.reply import Sent, first_try_at, time_or_none
from rumeur.store.inbox import OutboxRow

MEDIA = "/api/v2/media"
MEDIA_READ = "/api/v1/media/{id}"
VERIFY = "/api/v1/accounts/verify_credentials"
ACCOUNT_STATUSES = "/api/v1/accounts/{id}/statuses"
POLLS = 60  # reads of an attachment still processing, POLL_WAIT apart, before giving up
POLL_WAIT = 0.5
CLOCK_SKEW = timedelta(minutes=2)  # between our clock and the instance's


class MastodonPoster(ReplierPoster[MastodonReplier, MastodonClient]):
    """The statuses of an owned account, through its replier's client (its token)."""

    platform = "mastodon"

    def __init__(
        self, replier: MastodonReplier, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        super().__init__(replier)
        self.sleep = sleep

    def prepare(self, row: OutboxRow) -> dict[str, Any]:
        """The media uploaded with their descriptions, each ready; their ids kept."""
        post = post_of(row, self.source)
        return {"media_ids": [self._upload(m) for m in post.media]}

    def _upload(self, media: Media) -> str:
        data, kind = read_media(media, self.source)
        name = media.path.rsplit("/", 1)[-1] or "media"
        response = self.client.http.write(
            "POST", MEDIA, files={"file": (name, data, kind)}, data={"description": media.alt}
        )
        body = self.client.http.json(response)
        if not isinstance(body, dict) or not body.get("id"):
            raise SourceError(self.source, f"{MEDIA} answered with no attachment", permanent=False)
        media_id = str(body["id"])
        if response.status_code == 202 or not body.get("url"):
            self._wait_ready(media_id)
        return media_id

    def _wait_ready(self, media_id: str) -> None:
        """Read the attachment until the server has processed it (200), POLLS times at most."""
        path = MEDIA_READ.format(id=media_id)
        for _ in range(POLLS):
            response = self.client.http.request("GET", path)
            if response.status_code == 200:
                return
            self.sleep(POLL_WAIT)
        raise SourceError(self.source, f"media {media_id} still processing: will try again",
                          permanent=False)  # fmt: skip

    def form(self, row: OutboxRow) -> dict[str, Any]:
        """The status's form fields, as `POST /api/v1/statuses` reads them."""
        post = post_of(row, self.source)
        form: dict[str, Any] = {"status": row.text, "visibility": row.visibility or "public"}
        if post.spoiler:
            form["spoiler_text"] = post.spoiler
        ids = row.request.get("media_ids") or []
        if ids:
            form["media_ids[]"] = [str(i) for i in ids]
        form |= poll_form(post.extra.get("poll"))
        language = post.extra.get("language")
        if isinstance(language, str) and language:
            form["language"] = language
        return form

    def send(self, row: OutboxRow) -> Sent:
        response = self.client.http.write(
            "POST", STATUSES, data=self.form(row), headers={"Idempotency-Key": row.idempotency_key}
        )
        return sent_status(self.client.http.json(response), self.source)

    def find(self, row: OutboxRow, now: datetime | None = None) -> Sent | None:
        """Within the key's lifetime, the status the key made (sending again with the key
        makes none); after it, the account's status of the same text made since the first try."""
        first = first_try_at(row)
        now = now or datetime.now(UTC)
        if first is not None and now - first < KEY_LIFETIME:
            return self.send(row)
        me = self.client.http.get_json(VERIFY)
        if not isinstance(me, dict) or not me.get("id"):
            raise SourceError(self.source, f"{VERIFY} answered with no account", permanent=False)
        path = ACCOUNT_STATUSES.format(id=me["id"])
        statuses = self.client.http.get_json(path, params={"limit": 40, "exclude_reblogs": "true"})
        for status in statuses if isinstance(statuses, list) else []:
            if not isinstance(status, dict) or status.get("in_reply_to_id"):
                continue
            made = time_or_none(status.get("created_at"))
            if first is not None and made is not None and made < first - CLOCK_SKEW:
                continue  # an older status of the same text: not this post
            if same_words(html_to_text(str(status.get("content") or "")), row.text):
                return sent_status(status, self.source)
        return None
