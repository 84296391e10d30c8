"""Copy an embedded SQLite store into PostgreSQL: `rumeur migrate-store --to postgresql://...`.

The target is migrated to HEAD first, then every table is copied in the order of its foreign keys,
in batches read by primary key (`WHERE key > last ORDER BY key LIMIT n` on the source), each
written with PostgreSQL's COPY. Each batch and its progress row (`store_transfers`: the table's
last key copied and its rows so far) commit in one transaction of the target, so a copy killed
half-way resumes at the key after the last batch that committed: no row twice, none missed. Ids
are kept as they are, the sequences set past them afterwards, the copy vacuumed and analyzed
(`_vacuum`), and every table is counted on both sides at the end.

Values are read as SQLite stores them and written as PostgreSQL's text input reads them: JSON as
its text (not parsed and written again), times as SQLite's naive UTC text read in a session
whose zone is UTC, booleans from SQLite's 0 and 1. The source must not be written meanwhile
(stop the embedded app and its imports); the counts would tell.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Boolean, Connection, Table, func, select, text, tuple_
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table

from rumeur.errors import StoreError
from rumeur.store.schema import metadata, store_transfers
from rumeur.store.store import Store

DEFAULT_BATCH = 5000


@dataclass(frozen=True, slots=True)
class TableCount:
    """One table's rows in the source and in the target, once the copy is over."""

    table: str
    source: int
    target: int

    @property
    def equal(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True, slots=True)
class Step:
    """Where the copy of one table stands, for a progress line."""

    table: str
    copied: int  # rows of this table in the target so far
    total: int  # rows of this table in the source
    done: bool
    resumed: bool  # this table's copy had begun in an earlier run


def tables() -> list[Table]:
    """The tables a copy moves, parents before children (foreign keys); not its own progress."""
    return [t for t in metadata.sorted_tables if t is not store_transfers]


def check_stores(source: Store, target: Store) -> None:
    """Refuse what this copy does not do: it moves a SQLite store into PostgreSQL."""
    if source.dialect != "sqlite":
        raise StoreError(f"--from {source.where}: migrate-store copies a SQLite store (a file)")
    if target.dialect != "postgresql":
        raise StoreError(f"--to {target.where}: migrate-store copies into PostgreSQL")


def transfer(
    source: Store,
    target: Store,
    batch_size: int = DEFAULT_BATCH,
    on_step: Callable[[Step], None] | None = None,
) -> list[TableCount]:
    """Copy every table of `source` that the target lacks (resuming a copy begun there),
    set the target's sequences past the ids copied, and count both sides."""
    check_stores(source, target)
    begun = _begin(source, target)
    for table in tables():
        _copy_table(source, target, table, batch_size, table.name in begun, on_step)
    _reset_sequences(target)
    _vacuum(target)
    return count(source, target)


def _vacuum(target: Store) -> None:
    """VACUUM ANALYZE the copy: a bulk load leaves the planner no statistics, and no page
    marked all-visible, so that every index-only scan (the dashboard's reads of the rollups)
    would visit the table too. Autovacuum would do both in its own time; a server without it
    (or a benchmark run right after the copy) never would."""
    autocommit = target.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit as conn:  # VACUUM cannot run inside a transaction
        conn.exec_driver_sql("VACUUM ANALYZE")


def count(source: Store, target: Store) -> list[TableCount]:
    """Every table's rows on both sides."""
    with source.engine.connect() as src, target.engine.connect() as dst:
        return [TableCount(t.name, _rows(src, t), _rows(dst, t)) for t in tables()]


def _rows(conn: Connection, table: Table) -> int:
    return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _begin(source: Store, target: Store) -> set[str]:
    """The tables whose copy had begun in an earlier run; a first run writes a progress row
    per table (none copied) after checking that the target holds nothing yet."""
    with target.transaction() as conn:
        found = conn.execute(select(store_transfers)).mappings().all()
        if found:
            other = {row["source"] for row in found} - {source.where}
            if other:
                raise StoreError(
                    f"--to {target.where}: holds a copy begun from {sorted(other)[0]}, "
                    f"not from {source.where}"
                )
            # A table that a newer rumeur added since the copy began starts from nothing.
            known = {row["table_name"] for row in found}
            _start(conn, source, [t for t in tables() if t.name not in known])
            return {row["table_name"] for row in found if row["copied"] or row["done"]}
        full = next((t.name for t in tables() if _any(conn, t)), None)
        if full is not None:
            raise StoreError(
                f"--to {target.where}: table {full} holds rows already; migrate-store copies "
                "into an empty database (or resumes its own copy)"
            )
        _start(conn, source, tables())
    return set()


def _start(conn: Connection, source: Store, started: list[Table]) -> None:
    """A progress row for each of `started`: nothing copied yet."""
    if not started:
        return
    now = datetime.now(UTC)
    conn.execute(
        store_transfers.insert(),
        [
            {"table_name": t.name, "source": source.where, "last_key": None, "copied": 0,
             "done": False, "updated_at": now}
            for t in started
        ],
    )  # fmt: skip


def _any(conn: Connection, table: Table) -> bool:
    return conn.execute(select(text("1")).select_from(table).limit(1)).first() is not None


def _copy_table(
    source: Store,
    target: Store,
    table: Table,
    batch_size: int,
    resumed: bool,
    on_step: Callable[[Step], None] | None,
) -> None:
    with target.engine.connect() as conn:
        state = (
            conn.execute(select(store_transfers).where(store_transfers.c.table_name == table.name))
            .mappings()
            .one()
        )
    with source.engine.connect() as src:
        total = _rows(src, table)
    copied, last, done = state["copied"], state["last_key"], state["done"]
    report = on_step or (lambda step: None)
    if done:
        report(Step(table.name, copied, total, True, resumed))
        return
    for batch in _batches(source, table, last, batch_size):
        last = list(batch[-1][: len(table.primary_key.columns)])
        copied += len(batch)
        _write(target, table, batch, last, copied)
        report(Step(table.name, copied, total, False, resumed))
    with target.transaction() as conn:
        conn.execute(
            store_transfers.update()
            .where(store_transfers.c.table_name == table.name)
            .values(done=True, updated_at=datetime.now(UTC))
        )
    report(Step(table.name, copied, total, True, resumed))


def _key_columns(table: Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _columns(table: Table) -> list[str]:
    """The key's columns first (a batch's last key is its last row's first values)."""
    key = _key_columns(table)
    return key + [c.name for c in table.columns if c.name not in key]


def _batches(
    source: Store, table: Table, last: Sequence[Any] | None, size: int
) -> Iterator[list[tuple[Any, ...]]]:
    """The source's rows after key `last`, in key order, `size` at a time, as SQLite holds
    them: untyped columns, so that no value is converted on the way (JSON stays its text)."""
    names = _columns(table)
    raw = sql_table(table.name, *(sql_column(name) for name in names))
    key = [raw.c[name] for name in _key_columns(table)]
    query = select(*raw.c).order_by(*key).limit(size)
    with source.engine.connect() as conn:
        while True:
            # A row value: SQLite compares (a, b) > (?, ?) in the key's order, along its index.
            after = query if last is None else query.where(tuple_(*key) > tuple_(*last))
            rows = conn.execute(after).all()
            if not rows:
                return
            yield [tuple(row) for row in rows]
            last = tuple(rows[-1][: len(key)])


def _write(
    target: Store, table: Table, rows: list[tuple[Any, ...]], last: list[Any], copied: int
) -> None:
    """One batch and the table's progress, in one write transaction of the target (under the
    writers' lock, as any write of the store)."""
    names = _columns(table)
    flags = [isinstance(table.c[name].type, Boolean) for name in names]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    try:
        with target.transaction() as conn:
            # SQLite holds times as naive UTC text: read in UTC, they are the same instants.
            conn.exec_driver_sql("SET LOCAL TimeZone = 'UTC'")
            cursor = conn.connection.driver_connection.cursor()
            with cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(_pg_row(row, flags))
            conn.execute(
                store_transfers.update()
                .where(store_transfers.c.table_name == table.name)
                .values(last_key=last, copied=copied, updated_at=datetime.now(UTC))
            )
    except (StoreError, psycopg.Error) as exc:
        # Which rows, by their rank: a key's values (a session's hash) are not for a message.
        first = copied - len(rows) + 1
        reason = str(exc).strip().splitlines()[0]
        raise StoreError(f"table {table.name}, rows {first} to {copied}: {reason}") from None


def _pg_row(row: tuple[Any, ...], flags: list[bool]) -> tuple[Any, ...]:
    """SQLite's 0 and 1 as booleans where the column is one; every other value as it is."""
    return tuple(
        bool(value) if flag and value is not None else value
        for value, flag in zip(row, flags, strict=True)
    )


def _reset_sequences(target: Store) -> None:
    """Each table's id sequence set past the ids copied, so the next row gets a new one."""
    with target.transaction() as conn:
        for table in tables():
            key = table.primary_key.columns
            if len(key) != 1 or not _serial(table):
                continue
            [column] = key
            conn.execute(
                select(
                    func.setval(
                        func.pg_get_serial_sequence(table.name, column.name),
                        func.coalesce(func.max(column), 1),
                        func.max(column).is_not(None),
                    )
                )
            )


def _serial(table: Table) -> bool:
    """Whether the table's key is a number the database gives (a sequence on PostgreSQL)."""
    return table.autoincrement_column is not None
