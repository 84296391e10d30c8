"""What the networks tell the composer before it schedules (docs/publish.md, "Rules"): a
Bluesky handle's DID (`com.atproto.identity.resolveHandle`, for a mention's facet) and a
Mastodon instance's own limit (`/api/v2/instance`'s `configuration.statuses.max_characters`).

Only for an account with a `source`: its settings say which server to ask. Each answer is
asked once per command and kept; a server that does not answer leaves the defaults (a mention
without its facet, 500 characters), never a refused message. One try, a short timeout: the
composer does not wait on a slow server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from rumeur.net.errors import SourceError
from rumeur.net.retry import RetryPolicy
from rumeur.settings.inbox import OwnedAccount
from rumeur.settings.sources import BlueskySettings, MastodonSettings

log = structlog.get_logger(__name__)
ONE_TRY = RetryPolicy(attempts=1, base=0.0, cap=0.0)
INSTANCE = "/api/v2/instance"


class Lookups:
    """The resolver and the instance limits of one workspace's accounts, asked once each."""

    def __init__(self, sources: Sequence[Any], accounts: Sequence[OwnedAccount]) -> None:
        by_name = {s.name: s for s in sources}
        self._bluesky = next(
            (
                by_name[a.source]
                for a in accounts
                if a.platform == "bluesky" and a.source in by_name
            ),
            None,
        )
        self._sources = by_name
        self._dids: dict[str, str | None] = {}
        self._limits: dict[str, int | None] = {}

    def resolve(self, handle: str) -> str | None:
        """The DID of a Bluesky handle, or None (unknown, or no Bluesky source to ask)."""
        if handle not in self._dids:
            self._dids[handle] = self._ask_did(handle)
        return self._dids[handle]

    def limit(self, account: OwnedAccount) -> int | None:
        """The account's Mastodon instance limit, or None (unknown: the rules take 500)."""
        source = self._sources.get(account.source or "")
        if account.platform != "mastodon" or not isinstance(source, MastodonSettings):
            return None
        instance = source.instance.rstrip("/")
        if instance not in self._limits:
            self._limits[instance] = self._ask_limit(source)
        return self._limits[instance]

    def _ask_did(self, handle: str) -> str | None:
        if not isinstance(self._bluesky, BlueskySettings):
            return None
        from rumeur.sources.bluesky.client import BlueskyClient

        client = BlueskyClient(f"bluesky:{self._bluesky.name}", self._bluesky.service,
                               retry=ONE_TRY)  # fmt: skip
        try:
            return client.resolve_handle(handle)
        except SourceError as exc:
            log.info("handle not resolved", handle=handle, error=str(exc).splitlines()[0])
            return None
        finally:
            client.close()

    def _ask_limit(self, source: MastodonSettings) -> int | None:
        from rumeur.sources.mastodon.client import MastodonClient

        client = MastodonClient(f"mastodon:{source.name}", source.instance, None, retry=ONE_TRY)
        try:
            return instance_limit(client.http.get_json(INSTANCE))
        except SourceError as exc:
            log.info("instance limit unknown", source=source.name, error=str(exc).splitlines()[0])
            return None
        finally:
            client.close()


def instance_limit(body: Any) -> int | None:
    """`configuration.statuses.max_characters` of an `/api/v2/instance` answer, if it is a
    positive number."""
    try:
        value = body["configuration"]["statuses"]["max_characters"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
