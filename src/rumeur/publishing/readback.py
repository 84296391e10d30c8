"""The published posts read back from their network with their counts (docs/publish.md,
"Results"): the results page's "Read the posts again", so that each item's engagement is the
network's figure of now, not of the moment a collector first saw the post.

Bluesky: `app.bsky.feed.getPosts`, 25 URIs at a time, on the AppView of the account's source
(`service`, the public one by default; no credentials: published posts are public). Each
postView becomes a post as the collectors store it (sources/bluesky/types.py), written to the
workspace, so that the store's key (platform, native id) joins it to its item
(store/publish_results.py). A post the network no longer has (deleted) is counted as missing.
Mastodon: `GET /api/v1/statuses/:id` on the account's source's `instance` (else the host of
the post's address), the id read from the post's address; public and unlisted statuses answer
without a token. A status gone (404) is counted missing.
Reddit: `GET /api/info?id=t3_…,t3_…` (100 fullnames at a time) through the account's Reddit
source (its `source`, which holds the OAuth application's credentials: Reddit's API answers no
anonymous client), each submission with its score and comment count; a submission the Listing
no longer holds is counted missing, and an account without a Reddit source gets one line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.net.errors import SourceError
from rumeur.net.retry import RetryPolicy
from rumeur.publishing.expand import find_account
from rumeur.settings.sources import RedditSettings
from rumeur.sources.bluesky.client import POSTS_AT_ONCE, BlueskyClient
from rumeur.sources.bluesky.types import post_from_view
from rumeur.sources.context import SourceContext
from rumeur.sources.mastodon.client import MastodonClient
from rumeur.sources.mastodon.types import post_from_status
from rumeur.sources.reddit.client import RedditClient, credentials
from rumeur.sources.reddit.types import post_from_thing
from rumeur.store import publishing as rows
from rumeur.store.store import Store

PUBLIC_APPVIEW = "https://public.api.bsky.app"
# A person waits on the page: two tries, a few seconds at most, then the line says why.
QUICK = RetryPolicy(attempts=2, base=0.5, cap=2.0)


@dataclass(slots=True)
class ReadBack:
    read: int = 0  # posts read and stored with their counts
    missing: int = 0  # posts the network no longer has
    failed: list[str] = field(default_factory=list)  # one line per service that did not answer


def service_of(ws: Workspace, account: str) -> str:
    """The AppView an account's posts are read from: its source's `service`, else the public."""
    owned = find_account(ws.owned_accounts, account)
    source = next((s for s in ws.sources if owned and s.name == owned.source), None)
    return getattr(source, "service", None) or PUBLIC_APPVIEW


def read_back(store: Store, ws: Workspace, now: datetime, days: int = 30) -> ReadBack:
    """The workspace's Bluesky posts published in the last `days` days, read again and stored."""
    since = now - timedelta(days=days)
    published = [
        i for i in rows.items(store, ws.slug, ("published",), until=now)
        if i.at >= since and i.platform == "bluesky" and (i.native_id or "").startswith("at://")
    ]  # fmt: skip
    by_service: dict[str, list[str]] = defaultdict(list)
    for item in published:
        by_service[service_of(ws, item.account)].append(item.native_id or "")
    done = ReadBack()
    _mastodon(store, ws, since, now, done)
    _reddit(store, ws, since, now, done)
    for service, uris in by_service.items():
        with BlueskyClient(f"readback-{ws.slug}", service, retry=QUICK) as client:
            for start in range(0, len(uris), POSTS_AT_ONCE):
                chunk = uris[start : start + POSTS_AT_ONCE]
                try:
                    views = client.posts(chunk)
                except RumeurError as exc:
                    done.failed.append(f"{service}: {str(exc).splitlines()[0]}")
                    break
                posts = [post_from_view(v) for v in views]
                if posts:
                    store.write(ws.slug, posts)
                done.read += len(posts)
                done.missing += len(set(chunk) - {p.native_id for p in posts})
    return done


def instance_of(ws: Workspace, account: str, url: str) -> str:
    """The Mastodon server a status is read from: the account's source's, else its address's."""
    owned = find_account(ws.owned_accounts, account)
    source = next((s for s in ws.sources if owned and s.name == owned.source), None)
    found = getattr(source, "instance", None)
    if found:
        return str(found)
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _mastodon(store: Store, ws: Workspace, since: datetime, now: datetime, done: ReadBack) -> None:
    published = [
        i for i in rows.items(store, ws.slug, ("published",), until=now)
        if i.at >= since and i.platform == "mastodon" and i.native_url
        and urlsplit(i.native_url).scheme in ("http", "https")
        and urlsplit(i.native_url).path.rsplit("/", 1)[-1].isdigit()
    ]  # fmt: skip
    failed: set[str] = set()
    for item in published:
        url = item.native_url or ""
        instance = instance_of(ws, item.account, url)
        if instance in failed:
            continue
        with MastodonClient(f"readback-{ws.slug}", instance, None, retry=QUICK) as client:
            try:
                status = client.status(urlsplit(url).path.rsplit("/", 1)[-1])
            except SourceError as exc:
                if "answered 404" in str(exc):  # deleted since
                    done.missing += 1
                    continue
                done.failed.append(f"{instance}: {str(exc).splitlines()[0]}")
                failed.add(instance)
                continue
        store.write(ws.slug, [post_from_status(status, instance)])
        done.read += 1


INFO_AT_ONCE = 100  # /api/info's most fullnames per request


class _Quick(SourceContext):
    """A Reddit client's context on the results page: QUICK's tries, not a collector's."""

    def retry(self) -> RetryPolicy:
        return QUICK


def reddit_source(ws: Workspace, account: str) -> RedditSettings | None:
    owned = find_account(ws.owned_accounts, account)
    source = next((s for s in ws.sources if owned and s.name == owned.source), None)
    return source if isinstance(source, RedditSettings) else None


def _reddit(store: Store, ws: Workspace, since: datetime, now: datetime, done: ReadBack) -> None:
    by_source: dict[str, list[str]] = defaultdict(list)
    sources: dict[str, RedditSettings] = {}
    unread: set[str] = set()
    for item in rows.items(store, ws.slug, ("published",), until=now):
        if item.at < since or item.platform != "reddit":
            continue
        if not (item.native_id or "").startswith("t3_"):
            continue
        source = reddit_source(ws, item.account)
        if source is None:
            unread.add(item.account)
            continue
        sources[source.name] = source
        by_source[source.name].append(item.native_id or "")
    line = _("{account}: no Reddit source to read its posts with")
    done.failed.extend(line.format(account=a) for a in sorted(unread))
    for name, fullnames in by_source.items():
        _read_reddit(store, ws, sources[name], fullnames, done)


def _read_reddit(store: Store, ws: Workspace, settings: RedditSettings, fullnames: list[str],
                 done: ReadBack) -> None:  # fmt: skip
    source = f"reddit:{settings.name}"
    try:
        client = RedditClient(settings, _Quick(), source, credentials(settings, source))
    except RumeurError as exc:
        done.failed.append(f"{settings.name}: {str(exc).splitlines()[0]}")
        return
    try:
        for start in range(0, len(fullnames), INFO_AT_ONCE):
            chunk = fullnames[start : start + INFO_AT_ONCE]
            found = client.listing("/api/info", {"id": ",".join(chunk)}, limit=INFO_AT_ONCE)
            posts = [post_from_thing(t) for t in found.things if t.get("kind") == "t3"]
            if posts:
                store.write(ws.slug, posts)
            done.read += len(posts)
            done.missing += len(set(chunk) - {p.native_id for p in posts})
    except RumeurError as exc:
        done.failed.append(f"{settings.name}: {str(exc).splitlines()[0]}")
    finally:
        client.close()
