"""From a source's settings to the `Source` the runner reads. Each network's package provides
`source.build(settings, context)`; it is imported only when a source of that type is used."""

from __future__ import annotations

from importlib import import_module

from rumeur.settings.sources import SourceSettings
from rumeur.sources.base import Source
from rumeur.sources.context import SourceContext

NETWORKS = ("rss", "mastodon", "bluesky", "reddit")


def build(settings: SourceSettings, context: SourceContext) -> Source:
    module = import_module(f"rumeur.sources.{settings.type}.source")
    source: Source = module.build(settings, context)
    return source
