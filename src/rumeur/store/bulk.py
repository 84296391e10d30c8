"""Many rows at once: INSERT ... ON CONFLICT for both dialects, and an executemany that converts
values itself.

Why convert values here: on a batch of a thousand posts, SQLAlchemy's per-value bind processing
cost more than SQLite's own work (FTS index included). The statement is still built and compiled
by SQLAlchemy for the connection's dialect; only the conversion of values is ours, for the few
types the schema uses.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Connection, Table, any_, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ColumnElement, Insert, func

from rumeur.store.schema import UTCDateTime


def insert_for(conn: Connection, table: Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Callable[[Any], dict[str, ColumnElement[Any]]] | None = None,
) -> None:
    """Insert `rows`; where `keys` already exist, apply `update(excluded)` or keep the row."""
    if rows:
        stmt = _upsert_statement(conn, table, keys, update)
        execute_many(conn, stmt, table, rows, keys if update is not None else ())


def upsert_values(
    conn: Connection,
    table: Table,
    names: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    keys: Sequence[str],
    update: Callable[[Any], dict[str, ColumnElement[Any]]] | None = None,
    converted: bool = False,
) -> None:
    """`upsert` for rows given as tuples in the order of `names`: the rollups and the term
    index write tens of thousands of rows a batch, and a dict per row cost more than SQLite.
    `converted`: the values are already the driver's (`driver_key`)."""
    if values:
        stmt = _upsert_statement(conn, table, keys, update)
        updated = keys if update is not None else ()
        execute_values(conn, stmt, table, names, values, updated, converted)


def _upsert_statement(
    conn: Connection,
    table: Table,
    keys: Sequence[str],
    update: Callable[[Any], dict[str, ColumnElement[Any]]] | None,
) -> Insert:
    stmt = insert_for(conn, table)
    if update is None:
        return stmt.on_conflict_do_nothing(index_elements=list(keys))
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=update(stmt.excluded))


def execute_values(
    conn: Connection,
    stmt: Insert,
    table: Table,
    names: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    updated_keys: Sequence[str] = (),
    converted: bool = False,
) -> None:
    """`execute_many` for rows given as tuples in the order of `names`; `converted`: values
    already in the driver's form (`driver_key`), passed as they are."""
    if not values:
        return
    names = list(names)
    pg = conn.dialect.name == "postgresql"
    if pg and _pg_many(conn, stmt, table, names, values, updated_keys, converted):
        return
    compiled = stmt.compile(dialect=conn.dialect, column_keys=names)
    order = list(compiled.positiontup or [])
    if not compiled.positional or sorted(order) != sorted(names):
        # Named parameters (psycopg), or values written into the statement: the general path.
        rows = [dict(zip(names, v, strict=True)) for v in values]
        execute_many(conn, stmt, table, rows, updated_keys)
        return
    # The statement lists the columns in the table's order, which may not be `names`' order.
    where = [names.index(n) for n in order]
    steps = [
        (i, f) for i, n in enumerate(order)
        if not converted and (f := _converter(table.c[n].type, conn.dialect.name)) is not None
    ]  # fmt: skip
    if steps or where != list(range(len(names))):
        given: list[Any] = list(zip(*values, strict=True))
        columns: list[Any] = [given[i] for i in where]
        for i, f in steps:
            columns[i] = map(f, columns[i])
        values = list(zip(*columns, strict=True))
    conn.exec_driver_sql(compiled.string, values)


def execute_many(
    conn: Connection,
    stmt: Insert,
    table: Table,
    rows: Sequence[dict[str, Any]],
    updated_keys: Sequence[str] = (),
) -> None:
    """Run an INSERT for every row (all rows have the same keys) in one executemany; on
    PostgreSQL as INSERTs of many rows each (`_insert_values`). `updated_keys`: the conflict
    keys of an ON CONFLICT DO UPDATE, which one statement may not meet twice."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        names = list(rows[0])
        pick = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
        if _pg_many(conn, stmt, table, names, list(map(pick, rows)), updated_keys):
            return
    sql, params = _driver_params(conn, stmt, table, rows)
    conn.exec_driver_sql(sql, params)


PG_ROWS_PER_INSERT = 1000
PG_PARAMETERS = 65535  # the most one PostgreSQL statement may bind
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _pg_many(
    conn: Connection,
    stmt: Insert,
    table: Table,
    names: Sequence[str],
    values: Sequence[tuple[Any, ...]],
    updated_keys: Sequence[str],
    converted: bool = False,
) -> bool:
    """On PostgreSQL, run `stmt` (an INSERT of one row) for every row of `values` (in the order
    of `names`) as INSERTs of up to PG_ROWS_PER_INSERT rows each; False, having run nothing,
    where it cannot (the caller then runs an executemany).

    Why: psycopg's executemany has PostgreSQL execute the statement once per row, with the
    per-row costs of an executor start, the `tsvector` columns' SQL function planned again
    each time, and on a loaded machine a wait for the scheduler between client and server:
    1,000 posts took 2.9 s to insert that way at 20,000 posts stored (rate 88/s). The many-row
    statements go through psycopg's RawCursor, with PostgreSQL's own `$n` placeholders: its
    usual cursor parses a query's `%s` in Python, 0.5 s for a statement of 30,000 values."""
    if len(values) < 2:
        return False
    index = {n: i for i, n in enumerate(names)}
    if updated_keys:  # one statement may not update a row twice: keep executemany then
        if any(k not in index for k in updated_keys):
            return False
        key = itemgetter(*(index[k] for k in updated_keys))
        if len({key(v) for v in values}) < len(values):
            return False
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(names))
    split = _values_group(compiled.string)
    if split is None:
        return False
    head, group, tail = split
    in_row = _PLACEHOLDER.findall(group)
    if not in_row or any(n not in index for n in in_row):
        return False
    # Values written into the statement (`SET last_error = NULL`), the same for every row.
    fixed = compiled.construct_params(_check=False)
    outside = _PLACEHOLDER.findall(head), _PLACEHOLDER.findall(tail)
    if any(n not in fixed for part in outside for n in part):
        return False
    head_values, tail_values = ([fixed[n] for n in part] for part in outside)
    columns: list[Any] = list(zip(*values, strict=True))
    for i, name in enumerate(names):
        if converted or name not in table.c:
            continue
        if (f := _converter(table.c[name].type, "postgresql")) is not None:
            columns[i] = map(f, columns[i])
    rows = list(zip(*columns, strict=True))
    wanted = [index[n] for n in in_row]
    pick = itemgetter(*wanted) if len(wanted) > 1 else (lambda row: (row[wanted[0]],))
    room = PG_PARAMETERS - len(head_values) - len(tail_values)
    per = max(1, min(PG_ROWS_PER_INSERT, room // len(in_row)))
    # The values written once take $1, $2 ... whether they stand before or after the rows, so
    # that the rows' placeholders are numbered alike whatever a chunk's length.
    once = [*head_values, *tail_values]
    head, tail = _numbered(head, 1), _numbered(tail, 1 + len(head_values))
    texts = _row_texts(group, len(once) + 1, per)
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        params = [*once, *chain.from_iterable(map(pick, chunk))]
        _run_raw(conn, f"{head}{', '.join(texts[: len(chunk)])}{tail}", params)
    return True


def _run_raw(conn: Connection, sql: str, values: list[Any]) -> None:
    """Run `sql` ($n placeholders) on the connection's psycopg connection, in its transaction;
    a refusal raised as SQLAlchemy's DBAPIError, as the store's other statements raise it."""
    import psycopg  # only where PostgreSQL is used

    dbapi = conn.connection.dbapi_connection
    try:
        with psycopg.RawCursor(dbapi) as cursor:  # type: ignore[arg-type]
            cursor.execute(sql, values)
    except psycopg.Error as exc:
        raise DBAPIError(sql[:200], None, exc) from exc


def _numbered(sql: str, first: int) -> str:
    """`sql` with `$first`, `$first + 1` ... for its named placeholders, in order."""
    counter = iter(range(first, first + PG_PARAMETERS))
    return _PLACEHOLDER.sub(lambda _: f"${next(counter)}", sql).replace("%%", "%")


@lru_cache(maxsize=64)  # a batch's statements come in few shapes
def _row_texts(group: str, first: int, rows: int) -> list[str]:
    """The `(...)` of `rows` rows, numbered from `$first` on, row after row."""
    texts = _PLACEHOLDER.split(group.replace("%%", "%"))[0::2]
    width = len(texts) - 1
    return [
        "".join(f"{t}${first + r * width + j}" for j, t in enumerate(texts[:-1])) + texts[-1]
        for r in range(rows)
    ]


def _values_group(sql: str) -> tuple[str, str, str] | None:
    """(what comes before, the row's `(...)`, what comes after) of `INSERT ... VALUES (...)`."""
    start = sql.find(" VALUES (")
    if start < 0:
        return None
    opening = start + len(" VALUES ")
    depth = 0
    for i in range(opening, len(sql)):
        if sql[i] == "(":
            depth += 1
        elif sql[i] == ")":
            depth -= 1
            if depth == 0:
                return sql[:opening], sql[opening : i + 1], sql[i + 1 :]
    return None


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """A plain INSERT of `rows` (all with the same keys). On SQLite, many rows per statement:
    SQLite 3.40's FTS5 flushes its pending index at the end of every statement that fires its
    trigger, so an executemany of a thousand posts wrote a thousand tiny index segments and
    merged them (three quarters of the insert's time on the airline file)."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        execute_many(conn, table.insert(), table, rows)
        return
    sql, params = _driver_params(conn, table.insert(), table, rows)
    head, _, one = sql.rpartition(" VALUES ")
    per = max(1, min(MAX_ROWS_PER_INSERT, _variable_limit(conn) // len(params[0])))
    for start in range(0, len(params), per):
        chunk = params[start : start + per]
        values = ", ".join([one] * len(chunk))
        conn.exec_driver_sql(f"{head} VALUES {values}", tuple(chain.from_iterable(chunk)))


MAX_ROWS_PER_INSERT = 500  # longer statements gain nothing and cost SQLite more to compile


def _variable_limit(conn: Connection) -> int:
    """How many `?` one SQLite statement may hold (32766 by default, 999 before 3.32)."""
    dbapi = conn.connection.dbapi_connection
    return dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]


def _driver_params(
    conn: Connection, stmt: Insert, table: Table, rows: Sequence[dict[str, Any]]
) -> tuple[str, list[Any]]:
    """The statement's SQL for the connection's driver and each row's converted values."""
    names = list(rows[0])
    compiled = stmt.compile(dialect=conn.dialect, column_keys=names)
    # Values written into the statement itself (`SET last_error = NULL`), the same for every row.
    fixed = {k: v for k, v in compiled.construct_params(_check=False).items() if k not in names}
    if fixed:
        rows = [{**fixed, **row} for row in rows]
    order = list(compiled.positiontup or []) if compiled.positional else [*names, *fixed]
    steps = [
        (i, f) for i, n in enumerate(order)
        if n in table.c and (f := _converter(table.c[n].type, conn.dialect.name)) is not None
    ]  # fmt: skip
    # Column by column: the few converted columns are mapped whole, the rows rebuilt by zip,
    # rather than a list per row (a batch writes some 100,000 rollup rows).
    pick = itemgetter(*order)
    table_rows = map(pick, rows) if len(order) > 1 else ((pick(row),) for row in rows)
    columns: list[Any] = list(zip(*table_rows, strict=True))
    for i, f in steps:
        columns[i] = map(f, columns[i])
    params: list[Any] = list(zip(*columns, strict=True))
    if not compiled.positional:
        params = [dict(zip(order, values, strict=True)) for values in params]
    return compiled.string, params


def one_of(conn: Connection, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values`, spelled `column = ANY(array)` on PostgreSQL: psycopg prepares a
    statement after a few runs, and the generic plan of a 500-value IN list there filters the
    heap instead of probing the index (seconds per lookup on a million posts, 1 ms with ANY)."""
    if conn.dialect.name == "postgresql":
        array = bindparam(None, list(values), type_=postgresql.ARRAY(column.type))
        return column == any_(array)
    return column.in_(values)


def greatest(conn: Connection, a: Any, b: Any) -> ColumnElement[Any]:
    return func.greatest(a, b) if conn.dialect.name == "postgresql" else func.max(a, b)


# One encoder for every value: `json.dumps` with an option builds a new encoder per call, a
# third of the time of a batch's five JSON columns.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json(value: Any) -> str | None:
    if value is None:
        return None
    return "[]" if value == [] else _ENCODE(value)


@lru_cache(maxsize=4096)  # a batch repeats the same `now` and many equal hours
def _utc_text(value: datetime | None) -> str | None:
    # The text form SQLAlchemy's SQLite DateTime type writes, reads back and compares with.
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def driver_value(conn: Connection, column: Any) -> Callable[[Any], Any] | None:
    """A function giving a value of `column` in the driver's form; None where the driver takes
    it as it is."""
    return _converter(column.type, conn.dialect.name)


def driver_key(
    conn: Connection, table: Table, names: Sequence[str]
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]] | None:
    """A function giving a key (values of `names`, in order) in the driver's form, or None where
    the driver takes it as it is. The rollups convert each summed key once, as they build its
    row, rather than have `execute_values` take their rows apart column by column to convert
    the one date in them (0.17 s of CPU on the airline import)."""
    steps = [
        (i, f) for i, n in enumerate(names)
        if (f := _converter(table.c[n].type, conn.dialect.name)) is not None
    ]  # fmt: skip
    if not steps:
        return None
    if len(steps) == 1:
        (i, f), after = steps[0], steps[0][0] + 1
        return lambda key: (*key[:i], f(key[i]), *key[after:])
    by_position = dict(steps)
    return lambda key: tuple(
        f(v) if (f := by_position.get(i)) is not None else v for i, v in enumerate(key)
    )


def _converter(type_: Any, dialect: str) -> Callable[[Any], Any] | None:
    if isinstance(type_, UTCDateTime):
        return _utc_text if dialect == "sqlite" else _utc
    if isinstance(type_, JSON):
        return _json
    return None
