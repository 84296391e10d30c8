"""The term index keyed by bucket first (issue #14): rows land in their post's bucket, a term is
found in every bucket, and migration 0015 rebuilds an older store's index with the same rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from factories import make_post
from rumeur.query.parser import parse
from rumeur.store import Store, terms
from rumeur.store.compiler import compile_query
from rumeur.store.migrate import HEAD, alembic_config, current_revision
from rumeur.store.schema import post_terms, posts, term_buckets
from rumeur.store.search import search

BITS = 2  # four posts a bucket: ten posts span three buckets


def _index(store: Store) -> tuple[set[tuple], set[int]]:
    with store.engine.connect() as conn:
        rows = {tuple(r) for r in conn.execute(select(post_terms))}
        buckets = set(conn.execute(select(term_buckets.c.bucket)).scalars())
    return rows, buckets


def _found(store: Store, query: str) -> set[str]:
    with store.engine.connect() as conn:
        return {r["native_id"] for r in search(conn, "ws", parse(query), limit=100)}


@pytest.fixture
def filled(store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setattr(terms, "BUCKET_BITS", BITS)
    posts = [
        make_post(str(n), f"Colis perdu #tag{n % 3} @laposte", handle=f"user{n % 4}")
        for n in range(10)
    ]
    store.write("ws", posts)
    return store


def test_rows_land_in_their_posts_bucket_and_every_bucket_is_read(filled: Store) -> None:
    rows, buckets = _index(filled)
    assert rows and all(bucket == post_id >> BITS for bucket, _, _, post_id in rows)
    assert buckets == {r[0] for r in rows} and len(buckets) == 3
    assert _found(filled, "#tag1") == {"1", "4", "7"}
    assert _found(filled, "author:user0") == {"0", "4", "8"}
    assert _found(filled, "@lapos*") == {str(n) for n in range(10)}
    # A changed post's terms are replaced in its own bucket.
    filled.write("ws", [make_post("9", "Colis perdu #autre", handle="user1")])
    assert _found(filled, "#tag0") == {"0", "3", "6"}
    assert _found(filled, "#autre") == {"9"}


def test_migration_rebuilds_the_same_rows(filled: Store) -> None:
    before = _index(filled)
    with filled.transaction() as conn:
        command.downgrade(alembic_config(conn), "0014")
        old = {tuple(r) for r in conn.exec_driver_sql("SELECT kind, term, post_id FROM post_terms")}
        command.upgrade(alembic_config(conn), "head")
    assert old == {(kind, term, pid) for _, kind, term, pid in before[0]}
    assert current_revision(filled.engine) == HEAD
    assert _index(filled) == before
    assert _found(filled, "#tag2") == {"2", "5", "8"}


def test_sqlite_seeks_each_bucket_for_a_term(tmp_path: Path) -> None:
    """A term is one seek per bucket on the key, not a scan of the index (the plan says so)."""
    store = Store.open(str(tmp_path / "plan.db"))
    try:
        clause = compile_query(parse("#tag1 OR author:user0"), "sqlite", workspace="ws").clause
        with store.engine.connect() as conn:
            sql = (
                select(posts.c.id)
                .where(clause)
                .compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
            )
            plan = [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
    finally:
        store.close()
    seeks = [p for p in plan if p.startswith("SEARCH post_terms USING PRIMARY KEY")]
    assert len(seeks) == 2 and all("(bucket=? AND kind=? AND term=?)" in p for p in seeks)
    assert not any(p.startswith("SCAN post_terms") for p in plan)
