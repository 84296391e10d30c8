"""`bulk.upsert` writes many rows per statement on PostgreSQL (`bulk._pg_many`) and keeps an
executemany where one statement would update a key twice: both store what one row per
statement stored, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from rumeur.store import Store, bulk
from rumeur.store.bulk import PG_ROWS_PER_INSERT, upsert
from rumeur.store.schema import source_cursors

NOW = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def _row(i: int, items: int) -> dict[str, object]:
    # Text that a placeholder parser could misread: %s, %(x)s, $1 and a NUL-free odd byte.
    return {
        "source": f"src-{i:05d}",
        "workspace": "ws",
        "cursor": {"after": f"%s %(x)s $1 100% é {i}", "page": [i, None]},
        "items": items,
        "updated_at": NOW,
        "last_error": None,
        "last_error_at": None,
    }


def _add(store: Store, rows: list[dict[str, object]]) -> None:
    with store.transaction() as conn:
        upsert(
            conn,
            source_cursors,
            rows,
            ["source"],
            lambda new: {
                "cursor": new.cursor,
                "items": source_cursors.c["items"] + new["items"],
                "last_error": None,  # a value written into the statement, once for all rows
            },
        )


def _stored(store: Store) -> dict[str, tuple[object, ...]]:
    with store.read() as conn:
        rows = conn.execute(select(source_cursors)).mappings().all()
    return {r["source"]: (r["cursor"], r["items"], r["updated_at"], r["last_error"]) for r in rows}


def _statements(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The many-row statements run on PostgreSQL, by their number of values."""
    run, sizes = bulk._run_raw, []

    def counted(conn: object, sql: str, values: list[object]) -> None:
        sizes.append(len(values))
        run(conn, sql, values)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk, "_run_raw", counted)
    return sizes


def test_many_rows_per_statement_store_and_update_every_row(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = _statements(monkeypatch)
    count = PG_ROWS_PER_INSERT * 2 + 7  # three statements, the last one short
    _add(store, [_row(i, 1) for i in range(count)])
    _add(store, [_row(i, 10) for i in range(0, count, 2)])  # updates every other row
    assert len(statements) == (5 if store.dialect == "postgresql" else 0)
    stored = _stored(store)
    assert len(stored) == count
    for i in range(count):
        cursor, items, updated_at, error = stored[f"src-{i:05d}"]
        assert cursor == {"after": f"%s %(x)s $1 100% é {i}", "page": [i, None]}
        assert items == (11 if i % 2 == 0 else 1)
        assert updated_at == NOW
        assert error is None


def test_a_key_twice_in_one_upsert_is_updated_twice(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = _statements(monkeypatch)
    _add(store, [_row(1, 1), _row(2, 2), _row(1, 5)])  # one statement may not do this
    assert statements == []  # an executemany, row after row
    stored = _stored(store)
    assert {k: v[1] for k, v in stored.items()} == {"src-00001": 6, "src-00002": 2}
