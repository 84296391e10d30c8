"""A new SQLite store built from a snapshot of the migrated schema instead of by the migrations.

Why: `rumeur import` into a new file ran the 27 migrations one by one through Alembic (about
0.4 s of CPU, Alembic's import included, of an airline import of 5.4 s). The snapshot is the
list of statements a migrated SQLite file holds in `sqlite_master` (tables, indexes, the FTS5
table and its triggers, in their creation order, each as SQLite stored its text) and the rows the
migrations put in plain tables (`alembic_version` among them): replaying it gives the very same
schema. A test builds a file both ways and compares them; `python -m rumeur.store.snapshot`
writes the snapshot again after a new migration.

A snapshot older than the newest migration is still used: the migrations after its revision run
on top of it, through Alembic as before.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection

SNAPSHOT = "sqlite_schema.sql"  # in rumeur/store/migrations
_REVISION = "-- revision: "


def snapshot_path() -> Path:
    return Path(str(resources.files("rumeur.store") / "migrations" / SNAPSHOT))


def is_new(conn: Connection) -> bool:
    """Whether the SQLite database holds nothing yet (a file just created)."""
    found = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
    return found == 0


def create_from_snapshot(conn: Connection, path: Path | None = None) -> str | None:
    """Replay the snapshot on a new SQLite database (inside the caller's transaction); the
    revision it stands at, or None where there is no snapshot to read."""
    try:
        text = (path or snapshot_path()).read_text(encoding="utf-8")
    except OSError:
        return None
    revision, statements = parse(text)
    if revision is None:
        return None
    for statement in statements:
        conn.exec_driver_sql(statement)
    return revision


def parse(text: str) -> tuple[str | None, list[str]]:
    """(revision, statements) of a snapshot's text."""
    first, _, rest = text.partition("\n")
    if not first.startswith(_REVISION):
        return None, []
    return first[len(_REVISION) :].strip(), list(_statements(rest))


def _statements(text: str) -> Iterator[str]:
    """Whole statements, a trigger's `BEGIN ... END;` kept in one."""
    buffer: list[str] = []
    for line in text.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.startswith("--")):
            continue
        buffer.append(line)
        joined = "".join(buffer)
        if sqlite3.complete_statement(joined):
            yield joined.strip().removesuffix(";")
            buffer = []


def dump(conn: sqlite3.Connection, revision: str) -> str:
    """The snapshot of a migrated database: its schema objects in creation order, then the rows
    of its plain tables. SQLite's own tables and the FTS5 table's shadow tables are left out:
    SQLite makes them itself with the table they belong to."""
    kinds = dict(conn.execute("SELECT name, type FROM pragma_table_list WHERE schema = 'main'"))
    objects = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid"
    ).fetchall()
    lines = [f"{_REVISION}{revision}", "-- Written by `python -m rumeur.store.snapshot`.", ""]
    tables = []
    for kind, name, sql in objects:
        if name.startswith("sqlite_") or kinds.get(name) == "shadow":
            continue
        lines.append(f"{sql};")
        if kind == "table" and kinds.get(name) == "table":
            tables.append(name)
    for name in tables:
        lines += _rows(conn, name)
    return "\n".join(lines) + "\n"


def _rows(conn: sqlite3.Connection, table: str) -> list[str]:
    columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
    # Names from the database's own catalogue (a migrated scratch file), not from any input.
    quoted = " || ', ' || ".join(f'quote("{c}")' for c in columns)
    names = ", ".join(f'"{c}"' for c in columns)
    head = f"'INSERT INTO \"{table}\" ({names}) VALUES ('"  # noqa: S608
    sql = f"SELECT {head} || {quoted} || ');' FROM \"{table}\" ORDER BY 1"  # noqa: S608
    return [row[0] for row in conn.execute(sql)]


def write(path: Path | None = None) -> Path:
    """Migrate a scratch database with Alembic and write its snapshot."""
    import tempfile

    from rumeur.store.engine import make_engine
    from rumeur.store.migrate import HEAD, upgrade_with_alembic

    target = path or snapshot_path()
    with tempfile.TemporaryDirectory(prefix="rumeur-snapshot-") as tmp:
        db = Path(tmp) / "head.db"
        engine = make_engine(str(db))
        upgrade_with_alembic(engine)
        engine.dispose()
        with sqlite3.connect(db) as conn:
            text = dump(conn, HEAD)
        conn.close()
    target.write_text(text, encoding="utf-8")
    return target


if __name__ == "__main__":
    print(write(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
