"""A workspace's own models in place of the ones they adapt: its sentiment and emotion adapters
over the shipped models, and its stored complaint-reason model (`rumeur models adapt`).

The runner and `rumeur reenrich` ask once per batch which versions are newest (one small read),
so a model learnt while a collection runs is used from its next batch on; what a version holds
is loaded once per process (a stored version never changes). An adapter is used only over the
very shipped model it was learnt on: once the shipped model is retrained, the workspace's posts
get the new shipped model's answers until `rumeur models adapt` runs again. Stored bytes that
cannot be read as a model (nlp/adapt.py checks them, bounded) are ignored the same way, with a
warning in the log.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import structlog

from rumeur.config import Settings, Workspace
from rumeur.errors import InputError
from rumeur.nlp.base import Enricher
from rumeur.store import Store
from rumeur.store.adapters import StoredModel, newest, weights

MAX_LOADED = 64  # versions kept loaded per process; a stored version never changes

_loaded: dict[tuple[str, str, str, int], tuple[StoredModel, Any]] = {}
_lock = threading.Lock()  # the collection runs one thread per source
_refused: set[tuple[str, str, str, int]] = set()  # versions whose bytes could not be read
log = structlog.get_logger(__name__)


def workspace_models(
    store: Store, workspace: Workspace, enrichers: Sequence[Enricher]
) -> list[Enricher]:
    """`enrichers`, each replaced by the workspace's own model of its task where there is one
    that adapts it."""
    if not enrichers:
        return []
    versions = newest(store, workspace.slug)
    if not versions:
        return list(enrichers)
    return [_own(store, workspace, e, versions.get(e.task, 0)) for e in enrichers]


def own_models(store: Store, settings: Settings, workspace: Workspace) -> dict[str, Enricher]:
    """task -> the workspace's own model, for each task it has one of that adapts the model in
    use: what the post page explains a label with."""
    from rumeur.nlp.registry import model_for

    found = {}
    for task, version in newest(store, workspace.slug).items():
        if task == "reason" and not workspace.reason_names:
            continue  # no reason model to adapt (its reasons were taken away since)
        base = model_for(task, settings, workspace)
        own = _own(store, workspace, base, version)
        if own is not base:
            found[task] = own
    return found


def _own(store: Store, workspace: Workspace, enricher: Enricher, version: int) -> Enricher:
    key = (store.where, workspace.slug, enricher.task, version)
    if not version or key in _refused:
        return enricher
    try:
        return _adapted(store, workspace, enricher, version)
    except InputError as exc:
        # Bytes that are no adapter (a damaged row, another program's): the posts get the
        # shipped model's labels, and the log says why once per process and version (a stored
        # version never changes: its bytes are not read again each batch).
        with _lock:
            _refused.add(key)
        log.warning("workspace model ignored", workspace=workspace.slug, task=enricher.task,
                    version=version, error=str(exc))  # fmt: skip
        return enricher


def _adapted(store: Store, workspace: Workspace, enricher: Enricher, version: int) -> Enricher:
    stored, found = _load(store, workspace.slug, enricher.task, version)
    from rumeur.nlp.guard import Guarded

    if enricher.task == "reason":
        from rumeur.nlp.workspace_reasons import MODEL, for_workspace

        if enricher.model != MODEL or not workspace.reasons:
            return enricher  # the demo's shipped airline reasons: no stored model adapts them
        return Guarded(for_workspace(workspace, found))
    if (enricher.model, enricher.version) != (stored.base_model, stored.base_version):
        return enricher  # a transformer, or a shipped model retrained since: not adapted
    from rumeur.nlp.adapt import Adapted
    from rumeur.nlp.registry import shipped

    return Guarded(Adapted(shipped(enricher.task), found, workspace.slug))


def _load(store: Store, slug: str, task: str, version: int) -> tuple[StoredModel, Any]:
    """The stored version and what it holds: an `Adapter`, or a reason model's bytes (the
    reason model is built with the workspace's current reasons, `for_workspace`)."""
    key = (store.where, slug, task, version)
    with _lock:
        hit = _loaded.get(key)
    if hit is not None:
        return hit
    stored, blob = weights(store, slug, task, version)
    if task == "reason":
        found: tuple[StoredModel, Any] = (stored, blob)
    else:
        from rumeur.nlp.adapt import Adapter

        found = (stored, Adapter.from_bytes(blob, version))
    with _lock:
        if len(_loaded) >= MAX_LOADED:
            _loaded.clear()
        _loaded[key] = found
    return found
