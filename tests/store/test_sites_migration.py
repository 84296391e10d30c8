"""Migration 0012: the dashboard's site rows counted before shorteners were left out and `m.`
folded become what the writer counts now."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from alembic import command
from sqlalchemy import select

from factories import make_post
from rumeur.store import Store, facets
from rumeur.store.migrate import HEAD, alembic_config, current_revision
from rumeur.store.rebuild import rebuild_rollups
from rumeur.store.schema import facet_rollups

LINKS = (
    "http://t.co/H952rDKTqy",
    "https://m.lemonde.fr/a",
    "https://www.lemonde.fr/b",
    "https://lemonde.fr/c",
    "https://bit.ly/3abc",
    "https://mobile.twitter.com/united/status/1",
    "https://www.m.youtube.com/watch?v=1",
)


def _old_site(link: str) -> str | None:
    """facets.site() before #16: every host a site, `www.` alone folded."""
    host = urlsplit(link).hostname
    return host.removeprefix("www.") if host else None


def _rows(store: Store) -> set[tuple]:
    with store.engine.connect() as conn:
        query = select(facet_rollups).where(facet_rollups.c.kind == "site")
        return {tuple(r) for r in conn.execute(query) if r.posts or r.engagement}


def test_old_site_rows_become_what_the_writer_counts_now(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts = [
        replace(
            make_post(str(n), "Vol en retard", when=make_post().created_at + timedelta(hours=5 * n),
                      likes=n, brands=["A"]),
            links=[LINKS[n % len(LINKS)], LINKS[(n + 1) % len(LINKS)]],
        )
        for n in range(60)
    ]  # fmt: skip
    with monkeypatch.context() as patch:
        patch.setattr(facets, "site", _old_site)
        store.write("one", posts)
    before = {r[4] for r in _rows(store)}
    assert {"t.co", "bit.ly", "m.lemonde.fr", "mobile.twitter.com", "m.youtube.com"} <= before

    with store.transaction() as conn:
        command.downgrade(alembic_config(conn), "0011")
        command.upgrade(alembic_config(conn), "head")
    assert current_revision(store.engine) == HEAD
    migrated = _rows(store)
    assert {r[4] for r in migrated} == {"lemonde.fr", "twitter.com", "youtube.com"}

    with store.transaction() as conn:
        rebuild_rollups(conn)  # counts every stored post again, with today's rule
    assert _rows(store) == migrated
