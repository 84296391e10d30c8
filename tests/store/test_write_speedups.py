"""The write path's second round of speed-ups keeps what it stores: tuples given in any column
order, the index's long-word test, and the full-text index's merge setting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from factories import make_post
from rumeur.store import Store
from rumeur.store.bulk import execute_values
from rumeur.store.schema import rate_limits
from rumeur.store.store import FTS_AUTOMERGE
from rumeur.store.terms import index_values

RESET = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)


def test_tuples_in_another_order_than_the_tables_are_stored_in_their_columns(
    store: Store,
) -> None:
    # The table's order is key, quota_limit, remaining, reset_at, updated_at: given reversed,
    # with a converted column (the times), each value must still land in its own column.
    names = ("updated_at", "reset_at", "remaining", "quota_limit", "key")
    values = [(RESET, RESET.replace(hour=13), 7, 100, "x:search"), (RESET, None, 0, 5, "y")]
    with store.transaction() as conn:
        execute_values(conn, rate_limits.insert(), rate_limits, names, values)
    with store.read() as conn:
        rows = conn.execute(select(rate_limits).order_by(rate_limits.c.key)).mappings().all()
    assert [(r["key"], r["quota_limit"], r["remaining"]) for r in rows] == [
        ("x:search", 100, 7),
        ("y", 5, 0),
    ]
    assert [(r["reset_at"], r["updated_at"]) for r in rows] == [
        (RESET.replace(hour=13), RESET),
        (None, RESET),
    ]


@pytest.mark.parametrize(
    ("word", "overflows"),
    [
        ("a" * 60, False),  # 60 bytes: the longest lexeme kept
        ("a" * 61, True),
        ("ж" * 30, False),  # 2 bytes each
        ("ж" * 31, True),
        ("é" * 40, False),  # folded to "e": 40 bytes
        ("日" * 20, False),  # 3 bytes each
        ("日" * 21, True),
        ("𐌰" * 15, False),  # 4 bytes each (Gothic letters fold to themselves)
        ("𐌰" * 16, True),
        (" ".join(f"w{i}" for i in range(400)), False),  # many short words, each once
    ],
)
def test_a_word_beyond_60_bytes_marks_the_post_as_overflowing(word: str, overflows: bool) -> None:
    for where in ("title", "text", "location"):
        values = {"title": None, "text": "colis", "location": None, where: f"le {word} perdu"}
        indexed = index_values(url=None, links=(), handle=None, **values)
        assert indexed.columns["search_overflow"] is overflows, where


def test_a_sqlite_writer_merges_the_full_text_index_eight_segments_at_a_time(
    tmp_path: Path,
) -> None:
    store = Store.open(str(tmp_path / "m.db"))
    setting = "SELECT v FROM posts_fts_config WHERE k = 'automerge'"
    with store.read() as conn:
        assert conn.exec_driver_sql(setting).scalar() is None  # FTS5's default, 4
    store.write("ws", [make_post("1", text="colis perdu")])
    store.close()
    again = Store.open(str(tmp_path / "m.db"))  # a later writer finds it set and keeps it
    again.write("ws", [make_post("2", text="colis retrouvé")])
    with again.read() as conn:
        assert conn.exec_driver_sql(setting).scalar() == FTS_AUTOMERGE == 8
        hits = conn.exec_driver_sql("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'colis'")
        assert hits.scalar() == 2
    again.close()
