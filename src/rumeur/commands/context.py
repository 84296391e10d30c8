"""The command line's one root context object: the database, the settings file and the workspace
a command was given, and the store it opened.

`rumeur`'s root callback makes one `Cli` per invocation and stores it as `ctx.obj`, with its
`close` registered on the root context (click runs it when the command ends, failed or not, so
that a caller in the same process, a test or a script, gets its database connections back). The
`--db`, `--config` and `--workspace` options are declared once (`cli.scope`) and stay after
the subcommand's name, as users type them; the command hands what they say to `Cli.use`. The
settings, the workspace and the store are made when first asked for, and once.

Light on purpose: `rumeur --help` imports this module, not the settings or the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rumeur.config import Settings, Workspace
    from rumeur.store import Store


@dataclass(slots=True)
class Cli:
    db: str | None = None  # --db (RUMEUR_DB); None: the settings' database, else the default
    config: Path | None = None  # --config (RUMEUR_CONFIG)
    slug: str | None = None  # --workspace
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    def use(
        self, db: str | None = None, config: Path | None = None, workspace: str | None = None
    ) -> None:
        """What the command's --db, --config and --workspace say."""
        self.db, self.config, self.slug = db, config, workspace

    def settings(self) -> Settings:
        if self._settings is None:
            from rumeur.config import load_settings

            self._settings = load_settings(self.config)
        return self._settings

    def workspace(self) -> Workspace:
        """The workspace --workspace names (default: default_workspace, else the first)."""
        return self.settings().workspace(self.slug)

    def store(self) -> Store:
        """The store, opened on first use and closed with the context. An unknown --workspace is
        refused before the database is opened (or created)."""
        if self._store is None:
            from rumeur.config import resolve_db
            from rumeur.store import Store

            if self.slug is not None:
                self.workspace()
            self._store = Store.open(resolve_db(self.db, self.settings()))
        return self._store

    def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()
