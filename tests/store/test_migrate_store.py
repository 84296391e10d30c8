"""`rumeur migrate-store` (store/transfer.py): a demo-like SQLite store moved into PostgreSQL,
killed half-way (SIGKILL inside a batch's transaction) and resumed, then every table counted and
read back row by row on both sides, and the summary, the search and the web app run on the copy.

The kill is made deterministic with the target's own locks: the test takes the writers' advisory
lock (the copy waits between two batches), locks the progress row of the table being copied and
lets the copy go on; its next batch is written, then waits on that row inside its transaction,
and is killed there."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from clirun import rumeur
from conftest import AIRLINE
from killing import start
from rumeur.config import load_settings
from rumeur.errors import StoreError
from rumeur.store import Store
from rumeur.store.engine import database_url
from rumeur.store.schema import store_transfers
from rumeur.store.store import WRITER_LOCK
from rumeur.store.transfer import tables, transfer
from rumeur.web.accounts import add_user
from website import PASSWORD, sign_in

ROWS = 800  # airline rows imported: about 25,000 rows over the tables, copied in seconds
BATCH = 500  # the enrichments alone take 9 batches: the kill falls inside one of them


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo-like SQLite store: the first airline rows imported and enriched as `rumeur demo`
    does, an alert with its event, and an admin account."""
    from alerting_support import store_with_one_alert
    from rumeur.commands.importing import file_source, import_file

    folder = tmp_path_factory.mktemp("transfer")
    head = folder / "head.csv"
    with AIRLINE.open(encoding="utf-8") as full, head.open("w", encoding="utf-8") as cut:
        for number, line in enumerate(full):
            if number > ROWS:
                break
            cut.write(line)
    path = folder / "demo.db"
    store_with_one_alert(str(path), opened_event=True)
    settings = load_settings()
    ws = settings.workspace()
    store = Store.open(str(path))
    try:
        import_file(store, settings, ws, file_source(ws, head, "airline"), True, False, 500)
        add_user(store, "ada", "admin", PASSWORD)
    finally:
        store.close()
    return path


@pytest.fixture
def source(demo_store: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "source.db"
    shutil.copyfile(demo_store, copy)
    return copy


def _engine(url: str) -> Engine:
    return create_engine(database_url(url), isolation_level="AUTOCOMMIT")


def _progress(engine: Engine) -> dict[str, tuple[int, bool]]:
    """The copy's progress rows (copied, done) by table; empty before the target has them."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(store_transfers)).mappings().all()
    except SQLAlchemyError:
        return {}
    return {row["table_name"]: (row["copied"], row["done"]) for row in rows}


def _wait(what: str, ready, process: subprocess.Popen[str], timeout: float = 60) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = ready()
        if found:
            return found
        if process.poll() is not None:
            assert process.stderr is not None
            pytest.fail(f"the copy ended before {what}: {process.stderr.read()}")
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"the copy never reached {what} in {timeout:.0f} s")


def _kill_inside_a_batch(process: subprocess.Popen[str], target: Engine) -> str:
    """SIGKILL the copy while a batch it has written waits, uncommitted, on its progress row;
    the table it was copying."""

    def begun() -> bool:
        return _progress(target).get("enrichments", (0, False))[0] > 0

    _wait("the enrichments", begun, process)
    with target.connect() as pause, target.connect() as row_lock:
        pause.execute(text("SELECT pg_advisory_lock(:k)"), {"k": WRITER_LOCK})
        progress = _progress(target)
        current = next(t.name for t in tables() if not progress[t.name][1])
        row_lock.execute(text("BEGIN"))
        row_lock.execute(
            select(store_transfers).where(store_transfers.c.table_name == current).with_for_update()
        )
        pause.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": WRITER_LOCK})
        waiting = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE store_transfers%'"
        )
        _wait("a batch waiting", lambda: pause.execute(waiting).scalar_one(), process)
        process.send_signal(signal.SIGKILL)
        process.wait()
        row_lock.execute(text("ROLLBACK"))
    assert process.stderr is not None
    process.stderr.close()
    return current


def _every_row(url: str) -> Iterator[tuple[str, list[tuple[object, ...]]]]:
    """Every table's rows, typed (JSON parsed, times aware), in key order."""
    store = Store.open(url)
    try:
        with store.engine.connect() as conn:
            for table in tables():
                query = select(table).order_by(*table.primary_key.columns)
                yield table.name, [tuple(row) for row in conn.execute(query)]
    finally:
        store.close()


@pytest.mark.postgres
def test_a_copy_killed_inside_a_batch_resumes_to_equal_tables(
    source: Path, pg_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = _engine(pg_url)
    try:
        # The server trusts this machine: a password in the address is accepted, and never shown.
        secret = f"pw{uuid.uuid4().hex}"
        to = pg_url.replace("postgres@", f"postgres:{secret}@", 1)
        args = ("migrate-store", "--db", str(source), "--to", to, "--batch-size", str(BATCH))
        current = _kill_inside_a_batch(start(*args), target)
        # The killed batch left nothing: the table holds exactly the rows its progress counts.
        copied, done = _progress(target)[current]
        assert not done
        with target.connect() as conn:
            table = next(t for t in tables() if t.name == current)
            held = conn.execute(select(func.count()).select_from(table)).scalar_one()
        assert held == copied
        # A table a newer rumeur would add between the two runs has no progress row yet.
        newest = tables()[-1].name
        assert not _progress(target)[newest][1]
        with target.connect() as conn:
            conn.execute(store_transfers.delete().where(store_transfers.c.table_name == newest))

        resumed = subprocess.run(
            [sys.executable, "-m", "rumeur", *args],
            capture_output=True, text=True, env={**os.environ, "RUMEUR_LANG": "en"}, timeout=120,
        )  # fmt: skip
        assert resumed.returncode == 0, resumed.stderr
        assert f"{current}: " in resumed.stdout and "(resumed)" in resumed.stdout
        assert "Equal counts in all" in resumed.stdout
        assert secret not in resumed.stdout + resumed.stderr and ":***@" in resumed.stdout
    finally:
        target.dispose()

    before, after = dict(_every_row(str(source))), dict(_every_row(pg_url))
    assert before.keys() == after.keys()
    for name, rows in before.items():
        assert after[name] == rows, name
    assert len(before["posts"]) >= ROWS * 0.9 and before["alerts"] and before["users"]

    # Run again, it copies nothing and counts again; a row the source gained since is caught
    # (exit 1, the table named); another store is not copied over this copy.
    again = rumeur(capsys, *args)
    assert again.code == 0 and "Equal counts in all" in again.out
    late = Store.open(str(source))
    try:
        add_user(late, "late", "analyst", PASSWORD)
    finally:
        late.close()
    counted = rumeur(capsys, *args)
    assert counted.code == 1 and "Counts differ in 1 tables: users" in counted.out
    assert secret not in again.out + again.err + counted.out + counted.err
    other = tmp_path / "other.db"
    Store.open(str(other)).close()
    refused = rumeur(capsys, "migrate-store", "--db", str(other), "--to", pg_url)
    assert refused.code == 1 and "holds a copy begun from" in refused.err

    # The copy is a store: its sequences follow the ids copied, the summary and the search read
    # the same figures, and the admin signs in with the password of the SQLite store.
    copy = Store.open(pg_url)
    try:
        newcomer = add_user(copy, "bob", "analyst", PASSWORD)
        assert newcomer.id == max(row[0] for row in before["users"]) + 1
        client = _client(copy)
        sign_in(client, "ada")
        page = client.get("/w/united/alerts")  # the alert copied, by its subject
        assert page.status_code == 200 and "American" in page.text
    finally:
        copy.close()
    for command in (("summary",), ("search", "delayed OR cancelled", "--limit", "5", "--json")):
        on_sqlite = rumeur(capsys, *command, "--db", str(source))
        on_pg = rumeur(capsys, *command, "--db", pg_url)
        assert on_sqlite.code == on_pg.code == 0
        assert on_pg.out == on_sqlite.out and on_pg.out.strip()


@pytest.mark.postgres
def test_a_target_with_rows_of_its_own_is_refused(source: Path, pg_url: str) -> None:
    taken, src = Store.open(pg_url), Store.open(str(source))
    try:
        add_user(taken, "someone", "analyst", PASSWORD)
        with pytest.raises(StoreError, match="table users holds rows already"):
            transfer(src, taken)
    finally:
        taken.close()
        src.close()


def test_a_target_that_is_not_postgresql_is_refused_in_one_line_without_its_password(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for target in ("mysql://u:hunter2secret@h/db", str(tmp_path / "copy.db")):
        ran = rumeur(capsys, "migrate-store", "--db", str(tmp_path / "s.db"), "--to", target)
        assert ran.code == 1
        assert "expected a postgresql:// address" in ran.err
        assert "hunter2secret" not in ran.err + ran.out
        assert len(ran.err.strip().splitlines()) == 1
    assert not (tmp_path / "s.db").exists()  # refused before any database was opened


def _client(store: Store):
    from fastapi.testclient import TestClient

    from rumeur.web.app import create_app

    return TestClient(create_app(load_settings(), store), follow_redirects=False)
