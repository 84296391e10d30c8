"""A new SQLite store built from the schema snapshot is the store the migrations build."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from rumeur.store import Store
from rumeur.store.engine import make_engine
from rumeur.store.migrate import HEAD, alembic_config, current_revision, upgrade_with_alembic
from rumeur.store.snapshot import create_from_snapshot, dump, parse, snapshot_path


def _migrated(path: Path, revision: str = "head") -> Path:
    engine = make_engine(str(path))
    if revision == "head":
        upgrade_with_alembic(engine)
    else:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
    engine.dispose()
    return path


# Lines of a CREATE TABLE that Alembic's batch mode (a table copied to change it) writes in an
# order of its own, which may change from one run to the next: compared as a set.
CONSTRAINTS = ("CONSTRAINT ", "PRIMARY KEY", "FOREIGN KEY", "UNIQUE ", "CHECK ")
# The FTS5 index's own pages: a store the migrations built holds an averages record of four
# zero bytes where one that never indexed a row holds none; both read as an empty index.
INDEX_PAGES = "posts_fts_data"


def _normal(sql: str | None) -> object:
    if sql is None:
        return None
    lines = [line.strip().rstrip(",").strip() for line in sql.splitlines()]
    kept = [line for line in lines if not line.startswith(CONSTRAINTS)]
    return (tuple(kept), frozenset(line for line in lines if line.startswith(CONSTRAINTS)))


def _contents(path: Path) -> dict[str, object]:
    """Everything a schema is: every object's text, every table's rows (the
    FTS5 table's configuration included), the header's settings."""
    with sqlite3.connect(path) as conn:
        # By name: Alembic's batch mode creates a copied table's indexes in an order of its own.
        master = [
            (kind, name, table, _normal(sql))
            for kind, name, table, sql in conn.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
            )
        ]
        tables = [n for t, n, _, _ in master if t == "table" and n != INDEX_PAGES]
        rows = {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
        conn.execute("INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')")
        pragmas = {
            p: conn.execute(f"PRAGMA {p}").fetchone()
            for p in ("user_version", "application_id", "page_size", "auto_vacuum", "encoding")
        }
    conn.close()
    return {"master": master, "rows": rows, "pragmas": pragmas}


def test_a_new_store_from_the_snapshot_equals_the_migrated_one(tmp_path: Path) -> None:
    migrated = _migrated(tmp_path / "migrated.db")
    Store.open(str(tmp_path / "new.db")).close()
    new = _contents(tmp_path / "new.db")
    assert new == _contents(migrated)
    assert new["master"], "the snapshot built nothing"


def test_an_older_snapshot_is_completed_by_the_migrations(tmp_path: Path) -> None:
    older = _migrated(tmp_path / "older.db", "0026")
    with sqlite3.connect(older) as conn:
        text = dump(conn, "0026")
    conn.close()
    snapshot = tmp_path / "older.sql"
    snapshot.write_text(text, encoding="utf-8")
    assert parse(text)[0] == "0026"

    engine = make_engine(str(tmp_path / "new.db"))
    with engine.begin() as conn:
        assert create_from_snapshot(conn, snapshot) == "0026"
    engine.dispose()
    store = Store.open(str(tmp_path / "new.db"))  # the migrations after 0026 run now
    assert current_revision(store.engine) == HEAD
    store.close()
    assert _contents(tmp_path / "new.db") == _contents(_migrated(tmp_path / "migrated.db"))


def test_the_snapshot_is_replayed_only_on_a_new_file(tmp_path: Path) -> None:
    """A file that holds a table of its own is no new store: the migrations run as before
    (they do not know that table, and the snapshot is not replayed on top of it)."""
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    Store.open(str(path)).close()
    with sqlite3.connect(path) as conn:
        names = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert {"notes", "posts", "alembic_version"} <= names


def test_a_missing_snapshot_reads_as_none(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "x.db"))
    with engine.begin() as conn:
        assert create_from_snapshot(conn, tmp_path / "none.sql") is None
    engine.dispose()
    assert snapshot_path().is_file()


def test_the_shipped_snapshot_is_at_head() -> None:
    """A migration added without a new snapshot still gives a right store (the migrations after
    the snapshot run), but every new file would pay for them again: regenerate it."""
    revision, statements = parse(snapshot_path().read_text(encoding="utf-8"))
    assert revision == HEAD, "run `python -m rumeur.store.snapshot` after adding a migration"
    assert statements
