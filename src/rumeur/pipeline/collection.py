"""Collection: a workspace's network sources, each run through the pipeline from its stored
cursor. One source's failure stops only that source. Following several sources, each runs in its
own thread, so that a stream never starves a poll.

Whoever runs it (the command line, the web app, a worker) hears of the progress through
callbacks: `on_step(name, step)` after each stored batch, `on_wait(name, why, until)` while a
source waits (a rate limit, a retry)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rumeur.config import Workspace
from rumeur.errors import ConfigError, RumeurError
from rumeur.i18n import _
from rumeur.nlp.base import Enricher
from rumeur.pipeline.runner import RunReport, Step, run
from rumeur.settings.sources import SourceSettings
from rumeur.sources import registry
from rumeur.sources.context import SourceContext
from rumeur.store import Store

BATCH = 100  # items stored together: small enough for a live stream to show up at once

OnStep = Callable[[str, Step], None]  # (source name, step)
OnWait = Callable[[str, str, datetime], None]  # (source name, why, until)


@dataclass(slots=True)
class Outcome:
    name: str
    report: RunReport | None = None
    error: str | None = None


def choose(ws: Workspace, names: Sequence[str]) -> list[SourceSettings]:
    """The workspace's sources named (all of them when `names` is empty), or a one-line error."""
    if not ws.sources:
        raise ConfigError(
            _("workspace {ws} has no sources: add [[workspaces.sources]] to its settings").format(
                ws=ws.slug
            )
        )
    known = {s.name: s for s in ws.sources}
    for name in names:
        if name not in known:
            raise ConfigError(
                _("no source named {name} in workspace {ws} (it has: {known})").format(
                    name=name, ws=ws.slug, known=", ".join(known)
                )
            )
    return [known[n] for n in names] if names else list(ws.sources)


def collect(
    store: Store,
    ws: Workspace,
    chosen: Sequence[SourceSettings],
    enrichers: Sequence[Enricher] = (),
    follow: bool = False,
    on_step: OnStep | None = None,
    on_wait: OnWait | None = None,
    batch_size: int = BATCH,
) -> list[Outcome]:
    """Run each chosen source from its stored cursor; every source runs even if another fails.
    `follow`: keep polling and streaming once caught up (until interrupted)."""

    def one(config: SourceSettings) -> Outcome:
        name = config.name
        waiting = None if on_wait is None else _named(on_wait, name)
        context = SourceContext(store=store, follow=follow, on_wait=waiting)
        stepping = None if on_step is None else _named(on_step, name)
        outcome = Outcome(name)
        try:
            source = registry.build(config, context)
            outcome.report = run(source, store, ws, enrichers, batch_size, stepping)
        except RumeurError as exc:
            outcome.error = str(exc)
        return outcome

    if not follow or len(chosen) == 1:
        return [one(config) for config in chosen]
    return _in_threads(chosen, one)


def _in_threads(
    chosen: Sequence[SourceSettings], one: Callable[[SourceSettings], Outcome]
) -> list[Outcome]:
    results: dict[str, Outcome] = {}
    threads = [
        threading.Thread(target=lambda c=c: results.__setitem__(c.name, one(c)), daemon=True)
        for c in chosen
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [results[c.name] for c in chosen if c.name in results]


def _named(callback: Callable[..., None], name: str) -> Callable[..., None]:
    """`callback` with the source's name as its first argument."""
    return lambda *args: callback(name, *args)
