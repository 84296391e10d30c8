"""Open a database from a path or a URL, with the settings each dialect needs."""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from rumeur.errors import StoreError

WRITE_OPTION = "rumeur_writer"  # execution option of connections that will write

# How long opening a store waits for another process's lock before it says "database is
# locked": the same bound as SQLite's busy timeout, which covers every other statement.
LOCK_WAIT_S = 30.0
SQLITE_BUSY = 5

T = TypeVar("T")


def database_url(target: str) -> str:
    """A path becomes a SQLite URL; `postgresql://` gets the psycopg 3 driver."""
    if "://" not in target:
        return f"sqlite:///{Path(target).expanduser().resolve()}"
    try:
        url = make_url(target)
    except (ArgumentError, ValueError):
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
    except (ArgumentError, ValueError):
        return "<unreadable URL>"


def make_engine(target: str) -> Engine:
    url = database_url(target)
    if url.startswith("sqlite"):
        path = Path(make_url(url).database or "")
        if not path.parent.is_dir():
            raise StoreError(f"{path}: folder {path.parent} does not exist")
        engine = create_engine(url, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # hide_parameters: a failed statement's error (and so a log) never quotes its values, a
    # password typed at sign-in among them.
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # First, so that every statement after it waits for another process's lock.
    cursor.execute(f"PRAGMA busy_timeout={int(LOCK_WAIT_S * 1000)}")
    _ensure_wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _ensure_wal(cursor: sqlite3.Cursor) -> None:
    """Put the file in WAL mode (readers work while an import writes), once for all.

    WAL is a property of the file: once set, every later connection only reads it. Only the
    switch needs the exclusive lock, and SQLite answers SQLITE_BUSY at once, without its busy
    handler, when another process holds any lock on a store still in rollback mode (several
    processes opening a new store together). So the mode is read first, and a busy switch is
    tried again after a short backoff until LOCK_WAIT_S has passed."""

    def switch() -> None:
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            cursor.execute("PRAGMA journal_mode=WAL").fetchone()

    retry_busy(switch)


def retry_busy(action: Callable[[], T], wait_s: float | None = None) -> T:
    """Run `action`, again after a growing, jittered pause while SQLite says it is busy
    without having waited (a lock switch or a deadlock), until `wait_s` has passed."""
    deadline = time.monotonic() + (LOCK_WAIT_S if wait_s is None else wait_s)
    pause = 0.005
    while True:
        try:
            return action()
        except (sqlite3.OperationalError, DBAPIError) as exc:
            if not is_busy(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause * (0.5 + random.random()))
        pause = min(pause * 2, 0.25)


def is_busy(exc: BaseException) -> bool:
    """Whether a DB-API error is SQLite's SQLITE_BUSY (any extended code), the lock of
    another connection, rather than a real fault."""
    exc = getattr(exc, "orig", None) or exc
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == SQLITE_BUSY
    return isinstance(exc, sqlite3.OperationalError) and "database is locked" in str(exc)


def _sqlite_begin(conn: Connection) -> None:
    # A writer takes the write lock when it begins (IMMEDIATE), so that what it reads to
    # compute rollup deltas cannot change under it; readers begin deferred and never block.
    mode = conn.get_execution_options().get(WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode else "BEGIN")
