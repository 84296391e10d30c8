"""Open a database from a path or a URL, with the settings each dialect needs."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from rumeur.errors import StoreError

WRITE_OPTION = "rumeur_writer"  # execution option of connections that will write


def database_url(target: str) -> str:
    """A path becomes a SQLite URL; `postgresql://` gets the psycopg 3 driver."""
    if "://" not in target:
        return f"sqlite:///{Path(target).expanduser().resolve()}"
    try:
        url = make_url(target)
    except ArgumentError:
        raise StoreError(f"--db {redact_url(target)}: not a database URL") from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(
            f"--db {redact_url(target)}: rumeur stores in SQLite (a file path) or PostgreSQL "
            "(postgresql://...)"
        )
    return url.render_as_string(hide_password=False)


def redact_url(target: str) -> str:
    """The URL with its password hidden, for messages and logs."""
    try:
        return make_url(target).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unreadable URL>"


def make_engine(target: str) -> Engine:
    url = database_url(target)
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        if not path.parent.is_dir():
            raise StoreError(f"{path}: folder {path.parent} does not exist")
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (the web app, `rumeur search`) work while an import writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock when it begins (IMMEDIATE), so that what it reads to
    # compute rollup deltas cannot change under it; readers begin deferred and never block.
    mode = conn.get_execution_options().get(WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")
