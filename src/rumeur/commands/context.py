"""The command line's one root context object: the database, the settings file and the workspace
a command was given, and the store it opened.

`rumeur`'s root callback makes one `Cli` per invocation and stores it as `ctx.obj`, with its
`close` registered on the root context (click runs it when the command ends, failed or not, so
that a caller in the same process, a test or a script, gets its database connections back). The
`--db`, `--config` and `--workspace` options are declared once (`cli.scope`) and stay after
the subcommand's name, as users type them; the command hands what they say to `Cli.use`. The
settings, the workspace and the store are made when first asked for, and once.

Two settings: the file's (`file_settings`: where the database is, which workspaces exist) and
the ones in effect (`settings`): the file's with each workspace replaced by its newest version
edited in the app (store/workspace_settings.py). A database that does not exist yet holds no
version, so it is not made just to find that out: a command refused for its arguments leaves
no database behind.

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
    _file: Settings | None = field(default=None, repr=False)
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    def use(
        self, db: str | None = None, config: Path | None = None, workspace: str | None = None
    ) -> None:
        """What the command's --db, --config and --workspace say."""
        self.db, self.config, self.slug = db, config, workspace

    def file_settings(self) -> Settings:
        """The settings file's settings (or the built-in demo's), as written."""
        if self._file is None:
            from rumeur.config import load_settings

            self._file = load_settings(self.config)
        return self._file

    def settings(self) -> Settings:
        """The settings in effect: the file's, with the versions stored in the app."""
        if self._settings is None:
            if self._database_exists():
                from rumeur.store.workspace_settings import effective

                self._settings = effective(self.file_settings(), self.store())
            else:
                self._settings = self.file_settings()
        return self._settings

    def workspace(self) -> Workspace:
        """The workspace --workspace names (default: default_workspace, else the first), with
        its settings in effect."""
        return self.settings().workspace(self.slug)

    def store(self) -> Store:
        """The store, opened on first use and closed with the context. An unknown --workspace is
        refused before the database is opened (or created)."""
        if self._store is None:
            from rumeur.store import Store

            if self.slug is not None:
                self.file_settings().workspace(self.slug)
            self._store = Store.open(self._target())
        return self._store

    def existing_store(self) -> Store | None:
        """The store if its database exists already (none is made), else None."""
        return self.store() if self._database_exists() else None

    def _target(self) -> str:
        from rumeur.config import resolve_db

        return resolve_db(self.db, self.file_settings())

    def _database_exists(self) -> bool:
        """A server's database (PostgreSQL) always answers; a SQLite file may not be made yet."""
        if self._store is not None:
            return True
        target = self._target()
        return "://" in target or Path(target).expanduser().exists()

    def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            store.close()
