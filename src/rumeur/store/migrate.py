"""Bring a database to the newest schema with Alembic, from code (no alembic.ini needed)."""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from rumeur.errors import StoreError
from rumeur.store.engine import redact_url

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions; a test checks it against Alembic's own head.
# Knowing it here lets an up-to-date database open without importing Alembic at all.
HEAD = "0001"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("rumeur.store") / "migrations"))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks. Does nothing when it is up to date."""
    try:
        if current_revision(engine) != HEAD:
            from alembic import command

            command.upgrade(alembic_config(engine), "head")
    except OperationalError as exc:
        where = redact_url(engine.url.render_as_string(hide_password=False))
        reason = str(exc.orig).strip().splitlines()[0]
        raise StoreError(f"{where}: cannot open the database: {reason}", permanent=False) from None


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except (OperationalError, ProgrammingError) as exc:
        if "alembic_version" in str(exc.orig):
            return None  # a new, empty database
        raise
