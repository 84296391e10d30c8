"""The settings of a source tried from the command line before it is configured
(`rumeur collect rss URL`...). Its name derives from what it reads, so that trying it again
resumes where it stopped."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rumeur.settings.sources import (
    BlueskySettings,
    MastodonSettings,
    RedditSettings,
    RssSettings,
)


def rss(url: str) -> RssSettings:
    return RssSettings(type="rss", name=_name("rss", _host(url)), url=url)


def mastodon(instance: str, tag: str) -> MastodonSettings:
    tag = tag.lstrip("#")
    name = _name("mastodon", f"{_host(instance)}-{tag}")
    return MastodonSettings(type="mastodon", name=name, instance=instance, tags=[tag])


def bluesky(service: str, search: str) -> BlueskySettings:
    name = _name("bluesky", f"search-{search}")
    return BlueskySettings(type="bluesky", name=name, service=service, search=[search])


def reddit(search: str) -> RedditSettings:
    return RedditSettings(type="reddit", name=_name("reddit", f"search-{search}"), search=[search])


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


def _name(kind: str, what: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", what.lower()).strip("-.")
    return f"{kind}-{slug}"[:63]
