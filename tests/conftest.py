"""Fixtures for each database: a fresh SQLite file, and a fresh PostgreSQL database that must
be there under CI=true (elsewhere its tests skip when no server answers)."""

from __future__ import annotations

import io
import os
import uuid
from collections.abc import Iterator
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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    admin = _pg_admin()
    name = f"rumeur_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "rumeur.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = Store.open(db_url)
    yield opened
    opened.close()


@pytest.fixture
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


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English unless a test asks for French, whatever the developer's locale."""
    monkeypatch.setenv("RUMEUR_LANG", "en")
