"""The time budget of a request's reads (`Store.read`, store/budget.py), on SQLite and
PostgreSQL: a statement past the deadline is interrupted with QueryTooCostly, the connection
goes back to the pool without the budget, and the evaluator's loop is held to it too."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from factories import make_post
from rumeur.errors import ConfigError, QueryTooCostly
from rumeur.query.parser import parse
from rumeur.store import Store, budget
from rumeur.store import search as search_module
from rumeur.store.search import export_rows, search

FOREVER = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def slow_statement(store: Store) -> str:
    """A statement that runs until something stops it."""
    return "SELECT pg_sleep(60)" if store.dialect == "postgresql" else FOREVER


def test_a_slow_statement_stops_at_the_budget(store: Store) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTooCostly) as caught, store.read(0.3) as conn:
        conn.execute(text(slow_statement(store))).all()
    took = time.monotonic() - started
    assert 0.25 <= took < 10
    message = str(caught.value)
    assert message.startswith("query too costly: ") and "\n" not in message
    assert "0.3 s" in message


def test_the_connection_leaves_its_budget_behind(store: Store) -> None:
    with pytest.raises(QueryTooCostly), store.read(0.2) as conn:
        conn.execute(text(slow_statement(store))).all()
    # The same pooled connection, with no budget: a statement longer than 0.2 s runs to its end.
    longer = (
        "SELECT pg_sleep(0.5)"
        if store.dialect == "postgresql"
        else FOREVER.replace("FROM c)", "FROM c WHERE x < 2000000)")
    )
    with store.engine.connect() as conn:
        conn.execute(text(longer)).all()
    with store.read(5) as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1


def test_a_statement_is_refused_once_the_budget_is_spent(store: Store) -> None:
    with pytest.raises(QueryTooCostly), store.read(0.05) as conn:
        time.sleep(0.1)
        conn.execute(text("SELECT 1"))


def test_the_evaluator_s_loop_is_held_to_the_budget(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    store.write(
        "ws", [make_post(str(i), "customize", when=start + timedelta(minutes=i)) for i in range(40)]
    )
    checked: list[int] = []

    def slow_reject(_node: Any, row: Any) -> bool:
        checked.append(1)
        time.sleep(0.02)
        return False

    monkeypatch.setattr(search_module, "PAGE", 2)
    monkeypatch.setattr(search_module, "_accepts", slow_reject)
    query = parse("customi?e")  # a mid-word wildcard: candidates checked one by one
    with pytest.raises(QueryTooCostly), store.read(0.2) as conn:
        search(conn, "ws", query)
    assert 0 < len(checked) < 40


def test_an_export_is_held_to_the_budget_per_batch_not_in_all(store: Store) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    store.write(
        "ws", [make_post(str(i), "colis", when=start + timedelta(minutes=i)) for i in range(6)]
    )
    read = []
    with store.read(0.3) as conn:
        for row in export_rows(conn, "ws", batch=2):
            read.append(row["native_id"])
            time.sleep(0.1)  # a slow client: 0.6 s in all, past the budget
    assert read == [str(i) for i in range(6)]


def test_interrupt_all_ends_running_reads_at_once(store: Store) -> None:
    caught: list[BaseException] = []

    def read() -> None:
        try:
            with store.read(60) as conn:
                conn.execute(text(slow_statement(store))).all()
        except BaseException as exc:
            caught.append(exc)

    thread = threading.Thread(target=read)
    thread.start()
    deadline = time.monotonic() + 10
    while thread.is_alive() and time.monotonic() < deadline:
        budget.interrupt_all()  # again until it ends: the first may come before the statement
        time.sleep(0.1)
    thread.join(10)
    assert not thread.is_alive()
    assert len(caught) == 1 and isinstance(caught[0], QueryTooCostly)
    assert "the server is stopping" in str(caught[0])


def test_the_default_budget_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(budget.ENV, raising=False)
    assert budget.default_seconds() == budget.DEFAULT_SECONDS == 10
    monkeypatch.setenv(budget.ENV, "2.5")
    assert budget.default_seconds() == 2.5
    for wrong in ("0", "-1", "soon", "nan"):
        monkeypatch.setenv(budget.ENV, wrong)
        with pytest.raises(ConfigError, match=budget.ENV):
            budget.default_seconds()
