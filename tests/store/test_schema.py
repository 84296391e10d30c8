"""Migrations, dialect settings and the database location."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from rumeur.errors import StoreError
from rumeur.store import Store
from rumeur.store.engine import database_url, redact_url
from rumeur.store.migrate import HEAD, alembic_config, current_revision
from rumeur.store.schema import metadata

# Outside the metadata on purpose: full-text search is dialect-specific, and `brand:`'s index
# is on an expression (lower(brand)) that SQLite's reflection cannot read.
SEARCH_OBJECTS = ("posts_fts", "tsv_", "ix_post_brands_workspace_lower_brand")


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_the_migrations_build_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    unexpected = [d for d in diff if not any(name in repr(d) for name in SEARCH_OBJECTS)]
    assert unexpected == []
    assert current_revision(store.engine) == HEAD


def test_head_constant_is_alembics_head(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "h.db"))
    with store.engine.connect() as conn:
        assert ScriptDirectory.from_config(alembic_config(conn)).get_current_head() == HEAD


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "w.db"))
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_opening_twice_migrates_once(tmp_path: Path) -> None:
    Store.open(str(tmp_path / "t.db")).close()
    store = Store.open(str(tmp_path / "t.db"))
    assert store.count_posts() == 0


def test_database_locations() -> None:
    assert database_url("/data/r.db") == "sqlite:////data/r.db"
    assert database_url("postgresql://u:pw@h/db") == "postgresql+psycopg://u:pw@h/db"
    assert redact_url("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    with pytest.raises(StoreError, match="rumeur stores in SQLite"):
        database_url("mysql://u@h/db")


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql://rumeur:hunter2@127.0.0.1:1/nowhere")
    message = str(caught.value)
    assert "hunter2" not in message
    assert message.startswith("postgresql+psycopg://rumeur:***@127.0.0.1:1/nowhere: cannot open")
    assert "\n" not in message
    assert caught.value.permanent is False


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(str(tmp_path / "no" / "such" / "r.db"))
