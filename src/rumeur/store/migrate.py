"""Bring a database to the newest schema with Alembic, from code (no alembic.ini needed)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from rumeur.errors import StoreError
from rumeur.store.engine import redact_url


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("rumeur.store") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks. Does nothing when it is up to date."""
    config = alembic_config(engine)
    head = ScriptDirectory.from_config(config).get_current_head()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        if current != head:
            command.upgrade(config, "head")
    except OperationalError as exc:
        where = redact_url(engine.url.render_as_string(hide_password=False))
        reason = str(exc.orig).strip().splitlines()[0]
        raise StoreError(f"{where}: cannot open the database: {reason}", permanent=False) from None
