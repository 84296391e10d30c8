"""Opening a store is safe under any concurrency: several processes opening one new store at
once (imports, a web server, workers) wait for each other's locks instead of failing."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from airline_slice import airline_slice, rows_of
from killing import start
from opening import open_in_rounds
from rumeur.errors import StoreError
from rumeur.store import Store, engine
from rumeur.store.engine import database_url
from rumeur.store.schema import posts
from rumeur.web.server import free_port


def _rollback_mode_file(path: Path) -> None:
    """A store as SQLite makes it before rumeur switched it to WAL."""
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE early (x)")
    raw.commit()
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    raw.close()


def test_opening_a_store_another_process_writes_in_rollback_mode_waits(tmp_path: Path) -> None:
    # The race of several processes opening a new store, made certain: while one process
    # switches the file to WAL it holds a write (RESERVED) lock, and SQLite refuses another
    # switch at once, without waiting out its busy timeout.
    path = tmp_path / "rumeur.db"
    _rollback_mode_file(path)
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO early VALUES (1)")
    release = threading.Timer(0.5, lambda: writer.execute("COMMIT"))
    release.start()
    started = time.monotonic()
    store = Store.open(str(path))
    waited = time.monotonic() - started
    release.join()
    writer.close()
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 0
    finally:
        store.close()
    assert waited >= 0.4  # it waited for the writer rather than failing or working around it


def test_a_store_locked_past_the_bound_gives_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "LOCK_WAIT_S", 0.5)
    path = tmp_path / "rumeur.db"
    _rollback_mode_file(path)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    started = time.monotonic()
    try:
        with pytest.raises(StoreError) as raised:
            Store.open(str(path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert time.monotonic() - started < 10
    message = str(raised.value)
    assert message == f"sqlite:///{path}: cannot open the database: database is locked"
    assert raised.value.permanent is False


def test_a_new_wal_store_whose_writer_stays_busy_gives_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The migration waits for the write lock as long as the busy timeout, then says so.
    monkeypatch.setattr(engine, "LOCK_WAIT_S", 0.5)
    path = tmp_path / "rumeur.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match=r"cannot open the database: database is locked$"):
            Store.open(str(path))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    Store.open(str(path)).close()  # once free, it opens


def test_eight_processes_open_one_new_sqlite_store_at_once(tmp_path: Path) -> None:
    failures = open_in_rounds(
        lambda r: str(tmp_path / f"round{r}.db"), rounds=25, openers=8, busy=2
    )
    assert failures == []
    for round_file in tmp_path.glob("round*.db"):
        raw = sqlite3.connect(round_file)
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        raw.close()


@pytest.fixture
def new_pg_databases(pg_url: str) -> Iterator[list[str]]:
    """Four more new PostgreSQL databases beside `pg_url`, dropped afterwards."""
    server = make_url(pg_url).set(database="postgres")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    names = [f"rumeur_open_{uuid.uuid4().hex[:12]}" for _ in range(4)]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        urls = [server.set(database=n).render_as_string(hide_password=False) for n in names]
        yield [pg_url, *urls]
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_eight_processes_open_one_new_postgresql_store_at_once(
    new_pg_databases: list[str],
) -> None:
    failures = open_in_rounds(lambda r: new_pg_databases[r], rounds=5, openers=8, busy=2)
    assert failures == []


def _serve(db: Path, port: int) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "rumeur", "serve", "--db", str(db), "--port", str(port)]
    return subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "RUMEUR_LANG": "en"},
    )


def _import(db: Path, csv: Path) -> subprocess.Popen[str]:
    return start("import", str(csv), "--preset", "airline", "--db", str(db), "--no-enrich",
                 "--batch-size", "50")  # fmt: skip


def _answer(process: subprocess.Popen[str], port: int) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/signin", timeout=5)
        except httpx.TransportError:
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"rumeur serve ended: {output}")
            assert time.monotonic() < deadline, "rumeur serve did not answer"
            time.sleep(0.1)


@pytest.mark.slow
def test_a_web_server_and_an_import_started_together_on_a_new_store(
    tmp_path: Path, airline: Path
) -> None:
    # What is tested is the opening of the new file they race over, at their start: after it,
    # 500 rows (ten batches of 50) show the import stores every post as well as 1,500 did.
    small = airline_slice(airline, tmp_path / "tweets.csv", 500)
    every = len({row["tweet_id"] for row in rows_of(small)})
    for attempt in range(3):
        db = tmp_path / f"new{attempt}.db"
        port = free_port()
        server, importing = _serve(db, port), _import(db, small)
        try:
            assert _answer(server, port).status_code == 200
            _, err = importing.communicate(timeout=180)
            assert importing.returncode == 0, err
            assert "locked" not in err
        finally:
            server.terminate()
            output, _ = server.communicate(timeout=30)
        assert "locked" not in output and "Traceback" not in output
        stored = create_engine(database_url(str(db)))
        with stored.connect() as conn:
            assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == every
        stored.dispose()
