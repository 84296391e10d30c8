"""Fixtures for each database: a fresh SQLite file, and a fresh PostgreSQL database that must
be there under CI=true (elsewhere its tests skip when no server answers)."""

from __future__ import annotations

import io
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from rumeur import logs
from rumeur.store import Store

# The web app's fixtures (a demo site with one account per role), for tests/web.
pytest_plugins = ["website"]

REPO = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("RUMEUR_DATA") or REPO.parent / "shared" / "data")
AIRLINE = DATA / "airline-tweets" / "tweets.csv"
PG_SERVER = os.environ.get("RUMEUR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _pg_admin():
    engine = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        engine.dispose()
        if IN_CI:
            pytest.fail(f"CI=true but PostgreSQL is not reachable at {PG_SERVER}: {exc.orig}")
        pytest.skip(f"PostgreSQL not reachable at {PG_SERVER}")
    return engine


def _new_pg_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template` when given), dropped afterwards."""
    admin = _pg_admin()
    name = f"rumeur_test_{uuid.uuid4().hex[:12]}"
    copied = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    yield from _new_pg_database()


# Migrating a new store takes Alembic 1 to 3 s on PostgreSQL (0.3 s on SQLite) on the loaded
# 2-core machine, and hundreds of tests take `store`: their databases copy one migrated per run.
@pytest.fixture(scope="session")
def _pg_migrated() -> Iterator[str]:
    for url in _new_pg_database():
        Store.open(url).close()  # close() disposes the pool: a template must have no session
        yield url.rsplit("/", 1)[1]


@pytest.fixture(scope="session")
def _sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("migrated") / "rumeur.db"
    Store.open(str(path)).close()
    assert not path.with_name("rumeur.db-wal").exists()  # the last close checkpointed it
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database, empty; a copy of one migrated to HEAD when the test takes `store` or
    `store_url` too (migration tests take `db_url` alone)."""
    migrated = bool({"store", "store_url"} & set(request.fixturenames))
    if request.param == "sqlite":
        path = tmp_path / "rumeur.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("_sqlite_migrated"), path)
        yield str(path)
    elif migrated:
        yield from _new_pg_database(request.getfixturevalue("_pg_migrated"))
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def module_store_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database at HEAD shared by one module's tests: for read-only tests over data the module
    imports once (an import per test costs seconds, times two databases)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module-store") / "rumeur.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_migrated"), path)
        yield str(path)
    else:
        yield from _new_pg_database(request.getfixturevalue("_pg_migrated"))


@pytest.fixture
def store_url(db_url: str) -> str:
    """A new database already at HEAD, for tests that open it themselves (an import command) and
    test something other than its migration."""
    return db_url


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.close()


@pytest.fixture(scope="session")
def airline() -> Path:
    if not AIRLINE.is_file():
        pytest.fail(f"the airline data set is missing: {AIRLINE}")
    return AIRLINE


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    """Everything rumeur logs during the test, at every level, as text."""
    written = io.StringIO()
    logs.configure(level="DEBUG", stream=written)
    yield written
    structlog.reset_defaults()


# argon2-cffi's defaults (64 MiB, 3 passes) cost ~0.2 s of CPU per hash and per sign-in, and the
# web tests make and sign in hundreds of accounts: they hash with the cheapest argon2id instead.
# tests/web/test_accounts.py, which tests the hashing itself, takes `real_hasher`.
CHEAP_HASHER = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(scope="session", autouse=True)
def _cheap_passwords() -> Iterator[Callable[[], object]]:
    """The app's own hasher, while the tests use the cheap one."""
    from argon2 import PasswordHasher

    from rumeur.web import accounts

    real = accounts._hasher
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", lambda: PasswordHasher(**CHEAP_HASHER))
        yield real


@pytest.fixture
def real_hasher(_cheap_passwords: Callable[[], object], monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's own argon2id hasher (the defaults), for the tests of hashing."""
    from rumeur.web import accounts

    monkeypatch.setattr(accounts, "_hasher", _cheap_passwords)


@pytest.fixture(autouse=True)
def _no_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never reach the web: a Bluesky post reads its link card's page only where a test
    serves one and says so (RUMEUR_LINK_CARDS=local, tests/inbox/test_link_cards.py)."""
    monkeypatch.setenv("RUMEUR_LINK_CARDS", "off")


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English unless a test asks for French, whatever the developer's locale."""
    monkeypatch.setenv("RUMEUR_LANG", "en")
