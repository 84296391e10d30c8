"""Whatever the sequence of writes, the rollups equal a full count of the stored posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from factories import make_post
from rumeur.pipeline import deduplicate
from rumeur.store import Store
from rumeur.store.schema import post_brands, posts, rollups_hourly

START = datetime(2015, 2, 16, tzinfo=UTC)

a_post = st.builds(
    lambda n, hours, likes, brands, sentiment, ws: (
        ws,
        make_post(
            str(n), when=START + timedelta(hours=hours), likes=likes, brands=brands,
            sentiment=sentiment, handle=f"user{n % 3}",
        ),
    ),
    n=st.integers(0, 12),
    hours=st.integers(0, 72),
    likes=st.integers(0, 50),
    brands=st.lists(st.sampled_from(["A", "B", "C"]), max_size=2, unique=True),
    sentiment=st.sampled_from([None, "negative", "neutral", "positive"]),
    ws=st.sampled_from(["one", "two"]),
)  # fmt: skip


def scanned(store: Store) -> dict[tuple[str, str, str], tuple[int, int]]:
    engagement = posts.c.likes + posts.c.reposts + posts.c.replies + posts.c.quotes
    query = (
        select(
            post_brands.c.workspace,
            post_brands.c.brand,
            func.coalesce(posts.c.sentiment, "unknown"),
            func.count(),
            func.sum(engagement),
        )
        .join(posts, posts.c.id == post_brands.c.post_id)
        .group_by(post_brands.c.workspace, post_brands.c.brand, posts.c.sentiment)
    )
    with store.engine.connect() as conn:
        return {(w, b, s): (n, e) for w, b, s, n, e in conn.execute(query)}


def rolled(store: Store) -> dict[tuple[str, str, str], tuple[int, int]]:
    r = rollups_hourly
    query = (
        select(
            r.c.workspace, r.c.brand, r.c.sentiment, func.sum(r.c.posts), func.sum(r.c.engagement)
        )
        .where(r.c.brand != "*")
        .group_by(r.c.workspace, r.c.brand, r.c.sentiment)
    )
    with store.engine.connect() as conn:
        return {(w, b, s): (int(n), int(e)) for w, b, s, n, e in conn.execute(query) if n or e}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.lists(a_post, min_size=1, max_size=6), min_size=1, max_size=5))
def test_rollups_always_equal_a_full_scan(tmp_path: Path, batches: list) -> None:
    db = tmp_path / f"p{abs(hash(str(batches)))}.db"
    store = Store.open(str(db))
    try:
        for batch in batches:
            for ws in ("one", "two"):
                mine = deduplicate([p for w, p in batch if w == ws])
                if mine:
                    store.write(ws, mine)
        assert rolled(store) == scanned(store)
    finally:
        store.close()
        db.unlink()
