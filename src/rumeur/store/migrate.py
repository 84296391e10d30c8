"""Bring a database to the newest schema with Alembic, from code (no alembic.ini needed).

Several processes may open a new database at once (two imports, a web server and a worker):
the migration runs under the writers' lock and checks the revision again once it holds it.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import OperationalError

from rumeur.errors import StoreError
from rumeur.store.engine import WRITE_OPTION, redact_url, retry_busy

if TYPE_CHECKING:
    from alembic.config import Config

# The newest revision in migrations/versions; a test checks it against Alembic's own head.
# Knowing it here lets an up-to-date database open without importing Alembic at all.
HEAD = "0027"
MIGRATION_LOCK = 0x72756D66  # PostgreSQL advisory lock held while migrating


def alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("rumeur.store") / "migrations"))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Apply every migration the database lacks. Does nothing when it is up to date.
    A store another process holds busy is waited for (SQLite's busy timeout, and a retry of
    what SQLite refuses without waiting), up to LOCK_WAIT_S, before it is reported locked."""
    try:
        retry_busy(lambda: _upgrade(engine))
    except OperationalError as exc:
        where = redact_url(engine.url.render_as_string(hide_password=False))
        reason = str(exc.orig).strip().splitlines()[0]
        raise StoreError(f"{where}: cannot open the database: {reason}", permanent=False) from None


def upgrade_with_alembic(engine: Engine) -> None:
    """`upgrade` by the migrations alone, even on a new SQLite file: what the schema snapshot
    (store/snapshot.py) is written from and compared with."""
    _upgrade(engine, snapshot=False)


def _upgrade(engine: Engine, snapshot: bool = True) -> None:
    if current_revision(engine) == HEAD:
        return
    with engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
            revision = _revision(conn)
            if revision is None and snapshot and conn.dialect.name == "sqlite":
                revision = _from_snapshot(conn)
            if revision != HEAD:
                from alembic import command

                command.upgrade(alembic_config(conn), "head")


def _from_snapshot(conn: Connection) -> str | None:
    """A new SQLite file gets the schema snapshot (store/snapshot.py) rather than every
    migration in turn; the revision it then stands at."""
    from rumeur.store.snapshot import create_from_snapshot, is_new

    return create_from_snapshot(conn) if is_new(conn) else None


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None  # a new, empty database
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
