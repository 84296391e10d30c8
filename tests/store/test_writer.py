"""The writer, on SQLite and on PostgreSQL: idempotent upserts, exact rollups, atomic cursor."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from factories import make_post
from rumeur.model import EnrichmentResult
from rumeur.store import CursorUpdate, Store
from rumeur.store.schema import author_rollups, enrichments, post_brands, posts, rollups_hourly


def rollup_totals(store: Store, workspace: str = "ws") -> dict[str, tuple[int, int]]:
    r = rollups_hourly
    query = (
        select(r.c.brand, func.sum(r.c.posts), func.sum(r.c.engagement))
        .where(r.c.workspace == workspace)
        .group_by(r.c.brand)
    )
    with store.engine.connect() as conn:
        return {b: (int(n), int(e)) for b, n, e in conn.execute(query) if n or e}


def test_the_same_batch_twice_stores_each_post_once(store: Store) -> None:
    batch = [make_post("1", brands=["A"]), make_post("2", brands=["A", "B"])]
    first = store.write("ws", batch)
    second = store.write("ws", batch)
    assert (first.inserted, first.unchanged) == (2, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 2)
    assert store.count_posts() == 2
    assert rollup_totals(store) == {"A": (2, 0), "B": (1, 0), "*": (2, 0)}


def test_a_repost_updates_metrics_and_rollups_instead_of_duplicating(store: Store) -> None:
    store.write("ws", [make_post("1", likes=2, brands=["A"])])
    result = store.write("ws", [make_post("1", likes=10, reposts=5, brands=["A"])])
    assert (result.inserted, result.updated) == (0, 1)
    with store.engine.connect() as conn:
        row = conn.execute(select(posts.c.likes, posts.c.reposts)).one()
        author = conn.execute(select(author_rollups.c.posts, author_rollups.c.engagement)).one()
    assert tuple(row) == (10, 5)
    assert rollup_totals(store) == {"A": (1, 15), "*": (1, 15)}
    assert tuple(author) == (1, 15)


def test_a_changed_label_moves_the_post_between_sentiment_rollups(store: Store) -> None:
    store.write("ws", [make_post("1", sentiment="neutral", brands=["A"])])
    store.write("ws", [make_post("1", sentiment="negative", brands=["A"])])
    r = rollups_hourly
    query = select(r.c.sentiment, func.sum(r.c.posts)).where(r.c.brand == "A")
    with store.engine.connect() as conn:
        counts = dict(conn.execute(query.group_by(r.c.sentiment)).all())
    assert counts == {"negative": 1, "neutral": 0}


def test_a_batch_without_a_model_keeps_the_stored_labels(store: Store) -> None:
    language = EnrichmentResult("language", "lingua", "1", ["fr"], [0.9])
    store.write("ws", [make_post("1")], [language])
    store.write("ws", [make_post("1", likes=1)])
    with store.engine.connect() as conn:
        assert conn.execute(select(posts.c.language)).scalar_one() == "fr"
        stored = conn.execute(select(enrichments.c.model, enrichments.c.label)).all()
    assert [tuple(x) for x in stored] == [("lingua", "fr")]


def test_a_post_shared_by_two_workspaces_keeps_both_rollups_true(store: Store) -> None:
    store.write("one", [make_post("1", brands=["A"])])
    store.write("two", [make_post("1", brands=["Z"])])
    store.write("one", [make_post("1", likes=4, brands=["A"])])
    assert rollup_totals(store, "one") == {"A": (1, 4), "*": (1, 4)}
    assert rollup_totals(store, "two") == {"Z": (1, 4), "*": (1, 4)}
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(post_brands)).scalar_one() == 2


def test_a_new_attribution_replaces_the_old_one_in_the_rollups(store: Store) -> None:
    store.write("ws", [make_post("1")])  # names no brand: counted under ''
    store.write("ws", [make_post("1", brands=["A"])])
    assert rollup_totals(store) == {"A": (1, 0), "*": (1, 0)}


def test_the_cursor_is_written_with_its_batch(store: Store) -> None:
    store.write("ws", [make_post("1")], cursor=CursorUpdate("src", {"offset": 10}))
    assert store.cursor("src") == {"offset": 10}
    store.write("ws", [make_post("2")], cursor=CursorUpdate("src", {"offset": 20}))
    assert store.cursor("src") == {"offset": 20}


def test_a_failed_batch_leaves_neither_posts_nor_cursor(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rumeur.store import writer

    def crash(*_args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(writer, "_write_cursor", crash)
    with pytest.raises(RuntimeError):
        store.write("ws", [make_post("1")], cursor=CursorUpdate("src", {"offset": 10}))
    assert store.count_posts() == 0
    assert store.cursor("src") is None
    assert rollup_totals(store) == {}


def test_times_come_back_in_utc(store: Store) -> None:
    from zoneinfo import ZoneInfo

    paris = datetime(2015, 2, 22, 15, 30, tzinfo=ZoneInfo("Europe/Paris"))
    store.write("ws", [make_post("1", when=paris)])
    with store.engine.connect() as conn:
        stored = conn.execute(select(posts.c.created_at)).scalar_one()
        hour = conn.execute(select(rollups_hourly.c.hour).limit(1)).scalar_one()
    assert stored == datetime(2015, 2, 22, 14, 30, tzinfo=UTC)
    assert stored.tzinfo is not None
    assert hour == datetime(2015, 2, 22, 14, 0, tzinfo=UTC)


def test_duplicate_keys_in_a_batch_are_refused_by_the_store(store: Store) -> None:
    # The pipeline deduplicates before storing; the store's unique key is the last guard.
    from rumeur.errors import StoreError

    with pytest.raises(StoreError):
        store.write("ws", [make_post("1"), make_post("1")])
    assert store.count_posts() == 0
