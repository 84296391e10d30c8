"""The rollups recounted from the stored posts (migration 0005) equal those the writer kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from alembic import command
from sqlalchemy import select

from factories import make_post
from rumeur.model import Label
from rumeur.store import Store
from rumeur.store.migrate import HEAD, alembic_config, current_revision
from rumeur.store.rebuild import rebuild_rollups
from rumeur.store.schema import facet_days, facet_rollups, rollups_hourly

TEXTS = ("Mon bagage est perdu, quel problème #fail", "Thanks for the great flight @United")


def _write_some(store: Store) -> None:
    batch = [
        replace(
            make_post(str(n), TEXTS[n % 2], when=make_post().created_at + timedelta(hours=7 * n),
                      likes=n, brands=["A", "B"][: n % 3], handle=f"user{n % 4}"),
            labels=[Label("sentiment", "negative"), Label("reason", "Lost Luggage")][: n % 3],
            hashtags=["fail"] if n % 2 == 0 else [],
            links=[f"https://www.example.com/{n % 5}"],
        )
        for n in range(3000)  # more than one chunk of the rebuild
    ]  # fmt: skip
    store.write("one", batch[:2000])
    store.write("two", batch[1000:])


def _rows(store: Store) -> tuple[set, set, set]:
    with store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            {tuple(r) for r in conn.execute(select(t)) if r.posts or r.engagement}
            for t in (rollups_hourly, facet_rollups, facet_days)
        )


def test_the_rebuild_equals_the_writers_rollups(store: Store) -> None:
    _write_some(store)
    kept = _rows(store)
    assert kept[0] and kept[1] and kept[2]
    with store.transaction() as conn:
        assert rebuild_rollups(conn) == 3000
    assert _rows(store) == kept


def test_migrating_a_database_with_posts_from_0004_recounts_the_rollups(store: Store) -> None:
    _write_some(store)
    kept = _rows(store)
    with store.transaction() as conn:
        command.downgrade(alembic_config(conn), "0004")
    assert current_revision(store.engine) == "0004"
    with store.transaction() as conn:
        command.upgrade(alembic_config(conn), "head")
    assert current_revision(store.engine) == HEAD
    assert _rows(store) == kept
