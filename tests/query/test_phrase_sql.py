"""A phrase compiles to ONE full-text phrase, whatever its length: one FTS5 phrase (`"a" + "b"`)
on SQLite, one `<->` tsquery on PostgreSQL, and the posts it finds are the evaluator's. A long
MATCH is read from the index once rather than probed row by row, which cost a pass per word."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from rumeur.model import Author, Post
from rumeur.query.ast import Node, Phrase, Term
from rumeur.query.document import from_post
from rumeur.query.evaluate import matches
from rumeur.query.parser import parse
from rumeur.store import Store
from rumeur.store.compiler import PROBE_TOKENS, compile_query
from rumeur.store.search import search

START = datetime(2026, 5, 1, tzinfo=UTC)
DIALECTS = {"sqlite": sqlite.dialect(), "postgresql": postgresql.dialect()}


def the(n: int) -> Phrase:
    return Phrase(tuple(Term("word", "the") for _ in range(n)))


def compiled_sql(node: Node, dialect: str, probe: bool = False) -> tuple[str, list[object]]:
    clause = compile_query(node, dialect, probe=probe).clause
    done = clause.compile(dialect=DIALECTS[dialect])
    return str(done), list(done.params.values())


@pytest.mark.parametrize("n", [2, 20, 100])
def test_sqlite_compiles_a_phrase_to_one_fts5_phrase(n: int) -> None:
    sql, params = compiled_sql(the(n), "sqlite")
    assert sql.count("MATCH") == 1
    assert params == ["{search_title search_text} : (" + " + ".join(['"the"'] * n) + ")"]


@pytest.mark.parametrize("n", [2, 20, 100])
def test_postgresql_compiles_a_phrase_to_one_tsquery_phrase(n: int) -> None:
    sql, params = compiled_sql(the(n), "postgresql")
    assert sql.count("@@") == 2  # title and text, the one tsquery bound twice
    assert set(params) == {"(" + " <-> ".join(["'the'"] * n) + ")"}


def test_only_a_short_match_is_probed_row_by_row() -> None:
    short, _ = compiled_sql(the(PROBE_TOKENS), "sqlite", probe=True)
    long, _ = compiled_sql(the(PROBE_TOKENS + 1), "sqlite", probe=True)
    assert "EXISTS" in short
    assert "EXISTS" not in long and re.search(r"posts\.id IN \(SELECT", long)
    merged = parse("united AND delta AND jetblue AND southwest AND american").root
    assert "EXISTS" not in compiled_sql(merged, "sqlite", probe=True)[0]
    # The search then skips its first step over the newest posts: it would read them all too.
    assert not compile_query(the(PROBE_TOKENS), "sqlite", probe=True).reads_all
    assert compile_query(the(PROBE_TOKENS + 1), "sqlite", probe=True).reads_all
    assert compile_query(merged, "sqlite", probe=True).reads_all
    assert not compile_query(merged, "sqlite").reads_all


TEXTS = [
    "the the the cat", "the cat the the the", "cat the the", "the", "the the", "thé thé thé",
    "them the the then", "cat cat the cat", "the the the the the the the the cat",
]  # fmt: skip
QUERIES = [
    '"the the"', '"the the the"', '"the the the the the the"', '"the cat"', '"the the cat"',
    '"cat the the the"', '"the the th*"', '"the* the the"', 'title:"the the"', '"the"~2',
    '"the the" AND cat', '"the the" NOT "the cat"', '"the the the" OR "cat cat"',
    '"' + " ".join(["the"] * 20) + '"',
]  # fmt: skip


@pytest.mark.parametrize("window", [1, 4, 5_000])
def test_long_and_repeated_phrases_agree_with_the_evaluator(
    store: Store, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    """SQLite probes the `window` newest posts row by row, then lets the index drive over the
    older ones; past the number of posts, the index drives alone."""
    monkeypatch.setattr("rumeur.store.search.WINDOW", window)
    posts = [
        Post(
            platform="x",
            native_id=str(i),
            text=text,
            title=TEXTS[-1 - i] if i % 3 == 0 else None,
            created_at=START + timedelta(hours=i),
            author=Author(handle="alice"),
        )
        for i, text in enumerate(TEXTS)
    ]
    store.write("ws", posts)
    with store.engine.connect() as conn:
        for text in QUERIES:
            node = parse(text).root
            expected = [p.native_id for p in reversed(posts) if matches(node, from_post(p))]
            found = [r["native_id"] for r in search(conn, "ws", node, limit=100)]
            assert found == expected, text


def test_a_repeated_phrase_enters_the_match_once() -> None:
    phrase = '"' + " ".join(["the"] * 20) + '"'
    for joined in (" OR ", " AND "):
        _, params = compiled_sql(parse(joined.join([phrase] * 90)).root, "sqlite")
        assert len(params) == 1 and isinstance(params[0], str)
        assert params[0].count('"the"') == 20
