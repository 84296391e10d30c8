"""The write path's speed-ups store exactly what the plain path stored: many posts per INSERT on
SQLite (with its full-text index), statistics refreshed as the store grows, custom plans for
the writer on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select, text

from factories import make_post
from rumeur.model import Post
from rumeur.store import Store, bulk, writer
from rumeur.store.schema import post_terms, posts
from rumeur.store.store import Growth

WRITTEN_AT = ("first_seen_at", "updated_at")  # the clock's, different in two stores


def _posts(count: int) -> list[Post]:
    return [
        make_post(str(n), text=f"mot{n} colis perdu #tag{n % 4}", handle=f"user{n % 3}")
        for n in range(count)
    ]


def _contents(store: Store) -> dict[str, Any]:
    with store.engine.connect() as conn:
        rows = [
            {k: v for k, v in row.items() if k not in WRITTEN_AT}
            for row in conn.execute(select(posts).order_by(posts.c.id)).mappings()
        ]
        terms = sorted(tuple(row) for row in conn.execute(select(post_terms)))
        return {"posts": rows, "terms": terms, "fts": _fts(conn)}


def _fts(conn: Connection) -> dict[str, list[int]]:
    # The index must be whole and point at the right rows: 'integrity-check' compares it with
    # the posts it indexes and raises on any difference.
    conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('integrity-check')")
    query = text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :q ORDER BY rowid")
    return {q: list(conn.execute(query, {"q": q}).scalars()) for q in ("colis", "mot7", "mo*")}


def _one_row_per_statement(conn: Connection, table: Any, rows: Any) -> None:
    bulk.execute_many(conn, table.insert(), table, rows)


def test_many_posts_per_statement_store_what_one_per_statement_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch = _posts(23)
    # 2 posts per statement (61 // 30 columns) then 5: full statements and a short last one.
    for name, limit in (("tiny", 61), ("five", 10_000)):
        monkeypatch.setattr(bulk, "MAX_ROWS_PER_INSERT", 5)
        monkeypatch.setattr(bulk, "_variable_limit", lambda _conn, n=limit: n)
        multi = Store.open(str(tmp_path / f"{name}.db"))
        assert multi.write("ws", batch).inserted == 23
        monkeypatch.setattr(writer, "insert_rows", _one_row_per_statement)
        single = Store.open(str(tmp_path / f"{name}-single.db"))
        assert single.write("ws", batch).inserted == 23
        monkeypatch.undo()
        assert _contents(multi) == _contents(single)
        assert _contents(multi)["fts"]["colis"] == list(range(1, 24))
        multi.close()
        single.close()


def test_a_rewritten_batch_keeps_the_full_text_index_whole(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "r.db"))
    store.write("ws", _posts(10))
    changed = _posts(12)
    changed[3].text = "tout autre chose"
    result = store.write("ws", changed)
    assert (result.inserted, result.updated, result.unchanged) == (2, 1, 9)
    with store.engine.connect() as conn:
        found = _fts(conn)
    assert 4 not in found["colis"] and len(found["colis"]) == 11
    store.close()


def test_the_growth_policy_refreshes_at_each_doubling() -> None:
    growth = Growth(factor=2.0, floor=1000, size=0)
    due = [n for n in range(1, 17) if growth.due(500)]  # 500 posts per batch
    # 1,000 posts (the floor), then 2,000 (twice 1,000), then 4,000 and 8,000.
    assert due == [2, 4, 8, 16]
    assert growth.size == 8000 and growth.written == 0


def test_a_growing_store_analyzes_and_a_rewrite_does_not(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(Store, "analyze", lambda self: calls.append(self.count_posts()))
    store.growth.floor = 4
    batch = _posts(16)
    for start in range(0, 16, 2):
        store.write("ws", batch[start : start + 2])
    assert calls == [4, 8, 16]  # each time the store doubled
    store.write("ws", batch)  # nothing new: the tables did not grow
    store.write("ws", [])
    assert calls == [4, 8, 16]


def test_a_store_opened_on_posts_counts_them_before_it_grows(tmp_path: Path) -> None:
    path = str(tmp_path / "g.db")
    first = Store.open(path)
    first.write("ws", _posts(10))
    first.close()
    again = Store.open(path)
    again.growth.floor = 1
    calls: list[int] = []
    again.analyze = lambda: calls.append(again.count_posts())  # type: ignore[method-assign]
    again.write("ws", _posts(19))  # 9 new posts on 10: not yet doubled
    again.write("ws", _posts(20))  # 10 new posts on 10: doubled
    assert calls == [20]
    again.close()


@pytest.mark.postgres
def test_the_writer_plans_each_statement_for_its_values(pg_url: str) -> None:
    store = Store.open(pg_url)
    with store.transaction() as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_custom_plan"
    with store.read() as conn:  # only the writer's transaction: readers keep the default
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "auto"
    store.close()


def test_a_sqlite_writer_has_a_bigger_page_cache(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "c.db"))
    with store.transaction() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -65536
    store.close()
