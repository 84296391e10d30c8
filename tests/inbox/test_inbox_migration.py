"""Migration 0008 adds the inbox's tables to a store made by an earlier rumeur; 0009 (the web
app's routing rules, tests/inbox/test_rules_store.py) comes after it."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect

from rumeur.store import Store
from rumeur.store.engine import make_engine
from rumeur.store.inbox import Message, conversation, receive
from rumeur.store.migrate import HEAD, alembic_config, current_revision

INBOX_TABLES = {"conversations", "messages", "outbox"}


def test_the_migrations_run_in_one_line_from_0001_to_the_head() -> None:
    """0008 is followed by 0009, and every later migration by the next: one chain, no branch,
    ending at HEAD."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    chain = [rev.revision for rev in script.walk_revisions("base", "heads")][::-1]
    assert script.get_heads() == [HEAD]
    assert chain == [f"{n:04d}" for n in range(1, len(chain) + 1)]
    assert chain.index("0009") == chain.index("0008") + 1


def test_a_store_at_0007_gains_the_inbox(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
    assert current_revision(engine) == "0007"
    assert not INBOX_TABLES & set(inspect(engine).get_table_names())
    engine.dispose()

    store = Store.open(db_url)
    try:
        assert current_revision(store.engine) == HEAD
        assert set(inspect(store.engine).get_table_names()) >= INBOX_TABLES
        now = datetime(2026, 12, 1, tzinfo=UTC)
        hello = Message(platform="reddit", native_id="t1_abc", author="u", text="hi", at=now)
        talk = receive(store, "ws", "laposte", hello, None, now).conversation_id
        assert conversation(store, talk)["priority"] == "normal"  # type: ignore[arg-type,index]
    finally:
        store.close()
