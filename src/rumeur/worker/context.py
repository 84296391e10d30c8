"""What a worker process works with: the settings in effect and the store, given once when the
worker starts (`start`), the store opened in each process that uses it (a prefork pool's
children must not share their parent's connections), the models loaded once, at start
(`preload`), before a pool's children are forked."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from rumeur.config import Settings, Workspace
from rumeur.errors import ConfigError
from rumeur.nlp.base import Enricher
from rumeur.store import Store
from rumeur.worker.leases import Leases


@dataclass
class _Context:
    settings: Settings
    db: str
    pid: int = -1
    store: Store | None = None
    models: dict[str, list[Enricher]] = field(default_factory=dict)
    leases: Leases | None = None


_context: _Context | None = None


def start(settings: Settings, db: str) -> None:
    """The settings and the database this process's tasks use."""
    global _context
    _context = _Context(settings, db)


def _here() -> _Context:
    if _context is None:
        raise ConfigError("the worker was not started with its settings (rumeur worker)")
    if _context.pid != os.getpid():  # a forked child: its own connections
        # The models, read-only, stay: a pool's children share the parent's loaded weights.
        _context.pid, _context.store, _context.leases = os.getpid(), None, None
    return _context


def settings() -> Settings:
    return _here().settings


def store() -> Store:
    here = _here()
    if here.store is None:
        here.store = Store.open(here.db)
    return here.store


def workspace(slug: str) -> Workspace:
    return settings().workspace(slug)


def models(ws: Workspace) -> list[Enricher]:
    """The enrichment models of a workspace, loaded once per process."""
    from rumeur.nlp.registry import enrichers

    here = _here()
    if ws.slug not in here.models:
        here.models[ws.slug] = list(enrichers(here.settings, ws))
    return here.models[ws.slug]


def leases() -> Leases:
    here = _here()
    if here.leases is None:
        here.leases = Leases.of(here.settings)
    return here.leases


def preload() -> None:
    """Load every workspace's models now: the first batch is then no slower than the others
    (a task far slower than the rest could outlast the broker's visibility timeout)."""
    for ws in settings().workspaces:
        models(ws)
