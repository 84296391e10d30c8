"""A workspace's settings as edited in the app (issue #16): each change is a new version of the
whole workspace (`config.Workspace` as JSON), with who made it, when, and what changed. The
newest version replaces the settings file's workspace (`effective`); the file stays the way to
seed and version a workspace (`rumeur config export` / `import`).

Secrets never reach a stored version: a workspace that holds one (a chat webhook's address
written as `url`) is refused before anything is written (`settings.document.refuse_secrets`).

    ws = effective(settings, store).workspace("united")
    save(store, with_section(ws, "alerts", {...}), "alice", base=settings.workspace("united"))

`base` (the settings file's own workspace; the web app's `WebState.file_settings`) makes the
first version's summary the diff against the file, instead of "first version of ...".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Row, func, insert, select

from rumeur.config import Settings, Workspace, one_line
from rumeur.errors import ConfigError
from rumeur.i18n import _, using
from rumeur.settings.diff import diff
from rumeur.settings.document import refuse_secrets
from rumeur.store.schema import workspace_settings
from rumeur.store.store import Store

__all__ = [
    "UnreadableVersion",
    "Version",
    "current",
    "current_version",
    "diff",
    "effective",
    "history",
    "save",
    "stamp",
    "upgrade_summary",
]

# Who made a version that rumeur stored itself, upgrading an older one (migration 0019).
UPGRADE_AUTHOR = "rumeur"

ws_c = workspace_settings.c


class UnreadableVersion(ConfigError):
    """A stored version this rumeur refuses (its models changed since): one line naming it.
    `rumeur config import` still replaces it, so that a workspace is never stuck."""


@dataclass(frozen=True, slots=True)
class Version:
    """One stored version: its number, who made it, when (UTC), and what changed (lines)."""

    version: int
    author: str
    changed_at: datetime
    summary: str


def current(store: Store, slug: str) -> Workspace | None:
    """The workspace's newest stored version, validated; None when none was ever stored."""
    with store.engine.connect() as conn:
        row = conn.execute(
            select(ws_c.version, ws_c.document)
            .where(ws_c.workspace == slug)
            .order_by(ws_c.version.desc())
            .limit(1)
        ).first()
    return None if row is None else _read(slug, row.version, row.document)


def current_version(store: Store, slug: str) -> int:
    """The workspace's newest version number; 0 when none was ever stored."""
    with store.engine.connect() as conn:
        return _latest(conn, slug)


def stamp(store: Store) -> int:
    """A number that grows with every version stored, of any workspace (0: none): what a
    long-running process compares to know its settings are stale, with one cheap read."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.coalesce(func.max(ws_c.id), 0))).scalar_one())


def effective(settings: Settings, store: Store) -> Settings:
    """The settings file's settings, each workspace replaced by its newest stored version.
    A stored workspace the file does not declare is left out: the file says which exist."""
    newest = (
        select(ws_c.workspace, func.max(ws_c.version).label("version"))
        .group_by(ws_c.workspace)
        .subquery()
    )
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(ws_c.workspace, ws_c.version, ws_c.document).join(
                newest,
                (ws_c.workspace == newest.c.workspace) & (ws_c.version == newest.c.version),
            )
        ).all()
    stored = {row.workspace: _read(row.workspace, row.version, row.document) for row in rows}
    if not stored:
        return settings
    workspaces = [stored.get(ws.slug, ws) for ws in settings.workspaces]
    return settings.model_copy(update={"workspaces": workspaces})


def save(
    store: Store,
    ws: Workspace,
    author: str,
    *,
    base: Workspace | None = None,
    now: datetime | None = None,
) -> int:
    """Store `ws` as the workspace's next version, made by `author`; its version number. The
    summary is the diff against the newest stored version, else against `base` (the settings
    file's workspace, when the caller has it). Nothing is written when `ws` equals what it
    would replace: the number returned is then the current one (0: still the file's)."""
    refuse_secrets(ws, ws.slug)
    document = ws.model_dump_json()
    with store.transaction() as conn:
        latest = _latest(conn, ws.slug)
        before = _before(conn, ws.slug, latest, base)
        if before == ws:
            return latest
        conn.execute(
            insert(workspace_settings).values(
                workspace=ws.slug,
                version=latest + 1,
                document=document,
                author=author,
                changed_at=now or datetime.now(UTC),
                summary="\n".join(diff(before, ws)),
            )
        )
    return latest + 1


def history(store: Store, slug: str, limit: int = 50) -> list[Version]:
    """The workspace's stored versions, newest first. Each summary is the diff against the
    version before, in the reader's language; the first version's (against the settings file)
    and one beside an unreadable version are the summary stored when it was made."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(ws_c.version, ws_c.author, ws_c.changed_at, ws_c.summary, ws_c.document)
            .where(ws_c.workspace == slug)
            .order_by(ws_c.version.desc())
            .limit(limit + 1)
        ).all()
    return [
        Version(row.version, row.author, row.changed_at, _summary(slug, row, before))
        for row, before in zip(rows[:limit], [*rows[1:], None], strict=False)
    ]


def upgrade_summary() -> str:
    """The summary of the version migration 0019 adds to a workspace stored before complaint
    reasons were the workspace's own (issue #17), in the reader's language; stored in English."""
    return _(
        'nlp.reason_model: (no value) -> "airline" (upgrade: the departments name the airline '
        "reasons, which a workspace now takes with this key)"
    )


def _summary(slug: str, row: Row[Any], before: Row[Any] | None) -> str:
    if row.author == UPGRADE_AUTHOR and row.summary == _english_upgrade_summary():
        return upgrade_summary()
    if before is None or before.version != row.version - 1:
        return str(row.summary)
    try:
        old = _read(slug, before.version, before.document)
        new = _read(slug, row.version, row.document)
    except UnreadableVersion:
        return str(row.summary)
    return "\n".join(diff(old, new))


def _english_upgrade_summary() -> str:
    with using("en"):
        return upgrade_summary()


def _latest(conn: Connection, slug: str) -> int:
    found = conn.execute(select(func.max(ws_c.version)).where(ws_c.workspace == slug)).scalar()
    return int(found or 0)


def _before(conn: Connection, slug: str, latest: int, base: Workspace | None) -> Workspace | None:
    """What a new version replaces: the newest stored one (None if this rumeur refuses it:
    the new version replaces it whole), else `base`."""
    if not latest:
        return base
    try:
        return _stored(conn, slug, latest)
    except UnreadableVersion:
        return None


def _stored(conn: Connection, slug: str, version: int) -> Workspace:
    document = conn.execute(
        select(ws_c.document).where(ws_c.workspace == slug, ws_c.version == version)
    ).scalar_one()
    return _read(slug, version, document)


def _read(slug: str, version: int, document: str) -> Workspace:
    """A stored version, validated as the settings file is; a version this rumeur no longer
    accepts is one line naming it."""
    try:
        return _validated(document)
    except ValidationError as exc:
        where = f"stored settings of {slug!r}, version {version}"
        raise UnreadableVersion(one_line(where, exc)) from None


@lru_cache(maxsize=256)
def _validated(document: str) -> Workspace:
    """A version is never changed once stored: each document is validated once per process
    (a history page or the web app's refresh reads the same ones again)."""
    return Workspace.model_validate_json(document)
