"""Answering on Mastodon (docs/inbox.md, "Sending"): `POST /api/v1/statuses` with
`in_reply_to_id`, the row's visibility (`direct` for a private answer) and the outbox row's key
as the `Idempotency-Key` header, the same on every try.

Mastodon keeps a key for an hour and answers a request that reuses it with the status the first
one made, without making another: within that hour, a reply whose answer was lost is found by
sending it again with its key. After it, the reply is looked for among the descendants of the
status it answers (`/api/v1/statuses/:id/context`), by its account and its text.

A reply names the customer (`@customer`) unless its text already does: on Mastodon a direct
message reaches only the accounts it mentions, and a public reply notifies only them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from rumeur.net.errors import SourceError
from rumeur.net.http import Closing
from rumeur.settings.sources import MastodonSettings, secret
from rumeur.sources.context import SourceContext
from rumeur.sources.mastodon.client import MastodonClient
from rumeur.sources.mastodon.types import html_to_text
from rumeur.sources.reply import Sent, first_try_at
from rumeur.store.inbox import OutboxRow

STATUSES = "/api/v1/statuses"
# Mastodon keeps an Idempotency-Key for 3600 s; past this, a resend could make a second status.
KEY_LIFETIME = timedelta(minutes=50)


def build(settings: MastodonSettings, context: SourceContext, handle: str) -> MastodonReplier:
    """The replier of the owned account `handle`, with the source's token (read now)."""
    name = f"mastodon:{settings.name}"
    if not (settings.token_env or settings.token_file):
        raise SourceError(name, "answering needs the account's token: give token_env")
    token = secret(name, "access token", settings.token_env, settings.token_file)
    hint = f"set {settings.token_env}" if settings.token_env else "check the token file"
    host = urlsplit(settings.instance).netloc.lower()
    client = MastodonClient(
        name,
        settings.instance.rstrip("/"),
        token,
        limiter=context.limiter(f"mastodon:{host}:account"),
        retry=context.retry(),
        auth_hint=hint,
    )
    return MastodonReplier(client, handle)


class MastodonReplier(Closing):
    platform = "mastodon"

    def __init__(self, client: MastodonClient, handle: str) -> None:
        self.client = client
        self.handle = handle.lstrip("@")

    def close(self) -> None:
        self.client.close()

    def prepare(self, row: OutboxRow) -> dict[str, Any]:
        return {}

    def send(self, row: OutboxRow) -> Sent:
        form = {"status": status_text(row), "visibility": row.visibility}
        if row.reply_to:
            form["in_reply_to_id"] = row.reply_to
        response = self.client.http.write(
            "POST",
            STATUSES,
            data=form,
            headers={"Idempotency-Key": row.idempotency_key},
        )
        return sent_status(self.client.http.json(response), self.client.source)

    def find(self, row: OutboxRow, now: datetime | None = None) -> Sent | None:
        """Within the key's lifetime, the status the key made (sending it again with the same
        key makes none); after it, the account's reply among the parent's descendants."""
        first = first_try_at(row)
        now = now or datetime.now(UTC)
        if first is not None and now - first < KEY_LIFETIME:
            return self.send(row)
        if not row.reply_to:
            return None
        body = self.client.http.get_json(f"{STATUSES}/{row.reply_to}/context")
        wanted = _words(status_text(row))
        for status in (body or {}).get("descendants") or []:
            if not isinstance(status, dict) or status.get("in_reply_to_id") != row.reply_to:
                continue
            acct = str((status.get("account") or {}).get("acct") or "")
            if acct.split("@")[0].lower() != self.handle.split("@")[0].lower():
                continue
            if _words(html_to_text(str(status.get("content") or ""))) == wanted:
                return sent_status(status, self.client.source)
        return None


def status_text(row: OutboxRow) -> str:
    """The reply's text, with the customer named first when it does not name them."""
    customer = str(row.request.get("customer") or "").lstrip("@")
    if not customer or re.search(rf"@{re.escape(customer)}\b", row.text, re.IGNORECASE):
        return row.text
    return f"@{customer} {row.text}"


def sent_status(status: Any, source: str) -> Sent:
    if not isinstance(status, dict) or not status.get("id"):
        raise SourceError(source, f"{STATUSES} answered with no status", permanent=False)
    local_id = str(status["id"])
    uri = str(status.get("uri") or status.get("url") or local_id)
    return Sent(native_id=uri, local_id=local_id, url=status.get("url"))


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()
