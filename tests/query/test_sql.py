"""The archive search: every construct compiled to SQL returns what the reference evaluator
returns over the same posts, written through the real store writer, on SQLite and PostgreSQL.

`exact` is asserted wherever the compiler claims it, so that these tests check the SQL itself
and not the evaluator that verifies a superset."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select, text

from rumeur.model import Author, Label, Metrics, Post
from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Tag, Term, Within
from rumeur.query.document import from_post
from rumeur.query.evaluate import matches
from rumeur.query.tokens import tokenize
from rumeur.store import Store
from rumeur.store.compiler import compile_query
from rumeur.store.engine import make_engine
from rumeur.store.migrate import alembic_config
from rumeur.store.schema import post_queries, post_terms, posts
from rumeur.store.search import export_rows, search

START = datetime(2026, 3, 1, tzinfo=UTC)


def w(word: str, stream: str = "any") -> Phrase:
    return Phrase((Term("word", word),), stream)  # type: ignore[arg-type]


def ph(*words: str, stream: str = "any") -> Phrase:
    terms = tuple(Term("prefix", x[:-1]) if x.endswith("*") else Term("word", x) for x in words)
    return Phrase(terms, stream)  # type: ignore[arg-type]


def post(
    n: int,
    body: str,
    *,
    title: str | None = None,
    handle: str = "alice",
    followers: int | None = 100,
    verified: bool = False,
    lang: str | None = "fr",
    platform: str = "x",
    url: str | None = None,
    links: tuple[str, ...] = (),
    location: str | None = None,
    author_location: str | None = None,
    likes: int = 0,
    reply_to: str | None = None,
    quote_of: str | None = None,
    sentiment: str | None = None,
    queries: tuple[str, ...] = (),
) -> Post:
    return Post(
        platform=platform,
        native_id=str(n),
        text=body,
        title=title,
        created_at=START + timedelta(hours=n),
        author=Author(
            handle=handle, followers=followers, verified=verified, location=author_location
        ),
        url=url,
        links=list(links),
        language=lang,
        metrics=Metrics(likes=likes),
        reply_to=reply_to,
        quote_of=quote_of,
        labels=[Label("sentiment", sentiment)] if sentiment else [],
        location=location,
        queries=list(queries),
    )


# Authors keep one profile each (the store keeps an author's latest profile, the evaluator reads
# the post's own copy): alice, bob (verified, many followers), élodie (no follower count).
ALICE = {"handle": "alice", "followers": 100}
BOB = {"handle": "Bob_Media", "followers": 50_000, "verified": True}
ELODIE = {"handle": "Élodie", "followers": None, "author_location": "Besançon, France"}
CORPUS = [
    post(1, "Vote à l'Assemblée nationale : qu'EDF paie ! #LaPoste 🔥", **ALICE),
    post(2, "L'ÉLECTION est reportée, l'assemblée ne vote pas", **BOB, lang="fr", likes=40),
    post(3, "La poste de Lyon ferme. Les postes ferment aussi.", **ELODIE, sentiment="negative"),
    post(4, "Grève à La Poste aujourd'hui #grève @LaPoste", **ALICE, platform="bluesky"),
    post(5, "RT @sncf: retard du train pour Besançon", **BOB, lang="en"),
    post(6, "edf augmente ses tarifs, EDF encore", **ALICE, reply_to="3", likes=3),
    post(7, "Customize or customise? Both with a customizer", **BOB, lang="en", quote_of="2"),
    post(8, "Le colis est perdu, la poste ne répond pas", **ELODIE, url="https://www.lemonde.fr/economie/article-1"),
    post(9, "apple juice and orange juice, fresh apple", **ALICE, lang="en", links=("https://news.bbc.co.uk/x",)),
    post(10, "colis retardé puis retard du colis à la poste", **BOB, title="Colis en retard"),
    post(11, "Straße œuvre emoji 🔥🔥 中文字 12h30", **ALICE, lang="de", location="Paris"),
    post(12, "Les cafés de Besançon, naïve question", **ELODIE, title="La Poste à Besançon"),
    post(13, "quote: '; DROP TABLE posts; -- \"NEAR(\" * is just text", **ALICE, lang="en"),
    post(14, "poste colis poste colis poste", **BOB, title="grève"),
    post(15, "pare-feu et low-cost à 100%_off", **ALICE, url="https://shop.example.com/a_b%20c"),
]  # fmt: skip


@pytest.fixture
def filled(store: Store) -> Store:
    store.write("ws", CORPUS)
    store.write("other", [post(99, "la poste et l'assemblée aussi", handle="zed")])
    return store


def agree(store: Store, node: Node, exact: bool | None = True) -> set[str]:
    compiled = compile_query(node, store.dialect)
    if exact is not None:
        assert compiled.exact is exact, f"{node}: exact={compiled.exact}"
    expected = {p.native_id for p in CORPUS if matches(node, from_post(p))}
    with store.engine.connect() as conn:
        found = {r["native_id"] for r in search(conn, "ws", node, limit=1000)}
    assert found == expected, str(node)
    return found


WORDS: list[tuple[Node, set[str]]] = [
    (w("assemblee"), {"1", "2"}),
    (w("edf"), {"1", "6"}),
    (w("qu"), {"1"}),
    (w("poste"), {"3", "4", "8", "10", "12", "14"}),
    (ph("poste*"), {"3", "4", "8", "10", "12", "14"}),
    (w("postes"), {"3"}),
    (w("election"), {"2"}),
    (w("strasse"), set()),
    (w("straße"), {"11"}),
    (w("oeuvre"), set()),  # œ is a letter of its own, not o + e
    (w("œuvre"), {"11"}),
    (w("emoji1f525"), {"1", "11"}),
    (w("中文字"), {"11"}),
    (w("12h30"), {"11"}),
    (ph("custom*"), {"7"}),
    (ph("la", "poste"), {"3", "4", "8", "10", "12"}),
    (ph("l", "assemblee"), {"1", "2"}),
    (ph("assemblee", "nationale"), {"1"}),
    (ph("la", "pos*"), {"3", "4", "8", "10", "12"}),
    (ph("poste*", "colis"), {"14"}),
    (ph("pare", "feu"), {"15"}),
    (w("poste", "title"), {"12"}),
    (w("colis", "text"), {"8", "10", "14"}),
    (w("colis", "title"), {"10"}),
    (w("besancon", "place"), {"3", "8", "12"}),
    (w("paris", "place"), {"11"}),
    (w("besancon"), {"5", "12"}),
    (ph("la", "poste", stream="title"), {"12"}),
]


@pytest.mark.parametrize(("node", "ids"), WORDS, ids=[str(n) for n, _ in WORDS])
def test_words_phrases_prefixes_and_streams(filled: Store, node: Node, ids: set[str]) -> None:
    assert agree(filled, node) == ids


PROXIMITY: list[tuple[Node, bool | None]] = [
    (Near((w("vote"),), (w("edf"),), 3), True),
    (Near((w("vote"),), (w("edf"),), 5), True),
    (Near((w("edf"),), (w("vote"),), 4, ordered=True), None),
    (Near((w("vote"),), (w("edf"),), 5, ordered=True), None),
    (Near((w("apple"),), (w("juice"),), 0), True),
    (Near((w("juice"),), (w("apple"),), 0, ordered=True), None),
    (Near((w("poste"),), (w("poste"),), 0), True),
    (Near((ph("la", "poste"),), (ph("poste", "colis"),), 2), True),
    (Near((ph("poste", "colis"),), (ph("colis", "poste"),), 0), True),
    (Near((w("colis"), w("cafes")), (w("retard"), w("besancon")), 2), True),
    (Near((ph("poste*"),), (w("colis"),), 1), True),
    (Near((w("poste", "title"),), (w("besancon"),), 1), True),
    (Near((w("poste", "place"),), (w("besancon"),), 1), True),
    (Within(And((w("colis"), w("poste"))), 1), True),
    (Within(And((w("colis"), w("retard"), w("poste"))), 4), None),
    (Within(Or((ph("apple", "juice"), ph("orange", "juice"))), 0), True),
    (Within(And((w("vote"), Or((w("edf"), w("paie"))))), 3), True),
    (Within(And((w("edf"), w("tarifs"))), 1), True),
]


@pytest.mark.parametrize(("node", "exact"), PROXIMITY, ids=[str(n) for n, _ in PROXIMITY])
def test_near_and_within(filled: Store, node: Node, exact: bool | None) -> None:
    if isinstance(node, Near) and node.ordered:
        # FTS5 has no ordered NEAR; PostgreSQL's `<d>` is ordered.
        exact = filled.dialect == "postgresql"
    if isinstance(node, Within) and node.n == 4:
        exact = filled.dialect == "sqlite"  # three phrases: FTS5's NEAR, no tsquery
    agree(filled, node, exact)


TAGS_AND_FILTERS: list[tuple[Node, set[str]]] = [
    (Tag("#", Term("word", "laposte")), {"1"}),
    (Tag("#", Term("word", "greve")), {"4"}),
    (Tag("#", Term("prefix", "lap")), {"1"}),
    (Tag("#", Term("wildcard", "gr?ve")), {"4"}),
    (Tag("@", Term("word", "laposte")), {"4"}),
    (Tag("@", Term("word", "sncf")), {"5"}),
    (Tag("@", Term("prefix", "l")), {"4"}),
    (Filter("site", "match", "lemonde.fr"), {"8"}),
    (Filter("site", "match", "bbc.co.uk"), {"9"}),
    (Filter("site", "match", "*.co.uk"), {"9"}),
    (Filter("site", "match", "monde.fr"), set()),
    (Filter("url", "match", "/economie"), {"8"}),
    (Filter("url", "match", "a_b%20"), {"15"}),
    (Filter("url", "match", "a?b"), {"15"}),
    (Filter("url", "match", "a%b"), set()),
    (Filter("lang", "eq", "fr"), {"1", "2", "3", "4", "6", "8", "10", "12", "14", "15"}),
    (Filter("lang", "match", "e*"), {"5", "7", "9", "13"}),
    (Filter("platform", "eq", "bluesky"), {"4"}),
    (Filter("sentiment", "eq", "negative"), {"3"}),
    (Not(Filter("sentiment", "eq", "negative")), {str(i) for i in range(1, 16)} - {"3"}),
    (Filter("emotion", "eq", "anger"), set()),
    (Filter("type", "eq", "reply"), {"6"}),
    (Filter("type", "eq", "quote"), {"7"}),
    (Filter("type", "eq", "repost"), {"5"}),
    (Filter("type", "eq", "original"), {str(i) for i in range(1, 16)} - {"5", "6", "7"}),
    (Filter("author", "eq", "bob_media"), {"2", "5", "7", "10", "14"}),
    (Filter("author", "eq", "elodie"), {"3", "8", "12"}),
    (Filter("author", "match", "el*"), {"3", "8", "12"}),
    (Filter("followers", "gt", 1000), {"2", "5", "7", "10", "14"}),
    (Not(Filter("followers", "lt", 1000)), {"2", "3", "5", "7", "8", "10", "12", "14"}),
    (Filter("followers", "range", (10, 5000)), {"1", "4", "6", "9", "11", "13", "15"}),
    (Filter("verified", "eq", True), {"2", "5", "7", "10", "14"}),
    (Filter("verified", "eq", False), {"1", "3", "4", "6", "8", "9", "11", "12", "13", "15"}),
    (Filter("engagement", "ge", 3), {"2", "6"}),
    (Filter("region", "eq", "x"), set()),
]


@pytest.mark.parametrize(
    ("node", "ids"), TAGS_AND_FILTERS, ids=[str(n) for n, _ in TAGS_AND_FILTERS]
)
def test_tags_and_filters(filled: Store, node: Node, ids: set[str]) -> None:
    assert agree(filled, node) == ids


BOOLEAN: list[Node] = [
    And((w("poste"), Not(w("colis")))),
    And((Not(w("colis")), Filter("lang", "eq", "fr"))),
    And((w("poste"), Not(Filter("followers", "gt", 1000)))),
    Or((w("edf"), Tag("#", Term("word", "greve")), Filter("platform", "eq", "bluesky"))),
    Not(Or((w("poste"), w("edf")))),
    Not(And((w("poste"), w("colis")))),
    And((Or((w("poste"), w("edf"))), Not(Near((w("poste"),), (w("colis"),), 0)))),
    And((Or((w("apple"), w("assemblee"))), Filter("lang", "eq", "en"))),
]


@pytest.mark.parametrize("node", BOOLEAN, ids=[str(n) for n in BOOLEAN])
def test_and_or_not(filled: Store, node: Node) -> None:
    agree(filled, node)


INEXACT: list[Node] = [
    Phrase((Term("exact", "EDF"),)),
    Phrase((Term("exact", "edf"),)),
    Phrase((Term("exact", "Poste"),)),
    Phrase((Term("word", "la"), Term("exact", "Poste"))),
    Phrase((Term("wildcard", "custom*ize"),)),
    Phrase((Term("wildcard", "customi?e"),)),
    Phrase((Term("wildcard", "?ustom*"),)),
    Phrase((Term("word", "la"), Term("wildcard", "p?ste"), Term("word", "de"))),
    Not(Phrase((Term("exact", "EDF"),))),
    And((w("edf"), Not(Phrase((Term("exact", "EDF"),))))),
    Near((Phrase((Term("exact", "EDF"),)),), (w("encore"),), 1),
    Within(And((w("edf"), Phrase((Term("wildcard", "t?rifs"),)))), 1),
]


@pytest.mark.parametrize("node", INEXACT, ids=[str(n) for n in INEXACT])
def test_supersets_are_verified(filled: Store, node: Node) -> None:
    agree(filled, node, exact=False)


def test_exact_case_finds_only_that_case(filled: Store) -> None:
    assert agree(filled, Phrase((Term("exact", "EDF"),)), exact=False) == {"1", "6"}
    assert agree(filled, Phrase((Term("exact", "edf"),)), exact=False) == {"6"}


@pytest.mark.parametrize(
    "hostile",
    ["'; DROP TABLE posts; --", '"', "NEAR(", "*", "search_text:", "a\\b", "x' OR '1'='1"],
)
def test_hostile_terms_are_just_text(filled: Store, hostile: str) -> None:
    for node in (
        Phrase((Term("word", hostile),)),
        Phrase((Term("prefix", hostile),)),
        Tag("#", Term("word", hostile)),
        Filter("url", "match", hostile),
        Filter("lang", "eq", hostile),
        Filter("author", "match", hostile),
    ):
        agree(filled, node, exact=None)
    with filled.engine.connect() as conn:
        assert len(search(conn, "ws", hostile, limit=100)) <= 1  # plain words, folded
    assert filled.count_posts() == 16


def test_the_injection_text_is_searchable_as_words(filled: Store) -> None:
    assert agree(filled, ph("drop", "table", "posts")) == {"13"}
    assert agree(filled, ph("near")) == {"13"}


def test_plain_text_is_the_conjunction_of_its_words(filled: Store) -> None:
    with filled.engine.connect() as conn:
        assert {r["native_id"] for r in search(conn, "ws", "LA POSTE de Lyon")} == {"3"}
        assert search(conn, "ws", "  ,; ") == []


def test_newest_first_and_limit_even_when_verified(filled: Store) -> None:
    with filled.engine.connect() as conn:
        exact = [r["native_id"] for r in search(conn, "ws", w("poste"), limit=3)]
        verified = [
            r["native_id"] for r in search(conn, "ws", Phrase((Term("exact", "Poste"),)), limit=2)
        ]
    assert exact == ["14", "12", "10"]
    assert verified == ["12", "4"]


def test_export_takes_a_query(filled: Store) -> None:
    with filled.engine.connect() as conn:
        rows = list(export_rows(conn, "ws", query=Phrase((Term("exact", "EDF"),))))
        everything = list(export_rows(conn, "ws"))
    assert [r["native_id"] for r in rows] == ["1", "6"]
    assert "_overflow" not in rows[0]
    assert len(everything) == 15


def test_random_texts_proximity_agrees_with_the_evaluator(store: Store) -> None:
    """FTS5's NEAR rule and PostgreSQL's `<d>` expansions against the evaluator, on texts
    where the same few words recur at every distance."""
    rng = random.Random(5)
    vocab = ["a", "b", "c", "d"]
    batch = [
        post(n, " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12))), lang=None)
        for n in range(60)
    ]
    store.write("ws", batch)
    phrases = [
        w("a"),
        w("b"),
        ph("a", "b"),
        ph("b", "a"),
        ph("a", "a"),
        ph("c*"),
        ph("b", "c", "d"),
    ]
    with store.engine.connect() as conn:
        for _ in range(60):
            n = rng.randint(0, 4)
            left, right = rng.sample(phrases, 2)
            nodes: list[Node] = [
                Near((left,), (right,), n),
                Near((left,), (right,), n, ordered=True),
                Within(And((left, right)), n),
                Within(And(tuple(rng.sample(phrases, 3))), n),
            ]
            for node in nodes:
                expected = {p.native_id for p in batch if matches(node, from_post(p))}
                found = {r["native_id"] for r in search(conn, "ws", node, limit=1000)}
                assert found == expected, str(node)


def test_posts_too_big_for_the_index_are_still_found(store: Store) -> None:
    long_text = "mot " * 17_000 + "la poste " + "encore " * 300
    store.write("ws", [post(1, long_text), post(2, "la poste")])
    with store.engine.connect() as conn:
        flagged = conn.execute(select(posts.c.native_id).where(posts.c.search_overflow)).all()
        found = [r["native_id"] for r in search(conn, "ws", ph("la", "poste"), limit=10)]
        near = search(conn, "ws", Near((w("poste"),), (w("encore"),), 0), limit=10)
    assert [r.native_id for r in flagged] == ["1"]
    assert found == ["2", "1"]
    assert [r["native_id"] for r in near] == ["1"]


def test_terms_follow_an_edited_post_and_queries_accumulate(store: Store) -> None:
    store.write("ws", [post(1, "#avant @alice", queries=("brand",))])
    store.write("ws", [post(1, "#apres", url="https://a.example.org/p", queries=("crisis",))])
    with store.engine.connect() as conn:
        terms = set(conn.execute(select(post_terms.c.kind, post_terms.c.term)).all())
        matched = set(conn.execute(select(post_queries.c.workspace, post_queries.c.query)).all())
    assert terms == {
        ("#", "apres"),
        ("author", "alice"),
        ("site", "a.example.org"),
        ("site", "example.org"),
        ("url", "https://a.example.org/p"),
    }
    assert matched == {("ws", "brand"), ("ws", "crisis")}


def test_postgresql_positions_are_token_positions(pg_url: str) -> None:
    store = Store.open(pg_url)
    body = "Œuvre straße 🔥 中文字 x2 l'été ½ ﬁn ŒUVRE"
    store.write("ws", [post(1, body)])
    with store.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT lexeme, positions FROM unnest((SELECT tsv_text FROM posts))")
        )
        stored = {lexeme: list(positions) for lexeme, positions in rows}
    store.close()
    expected: dict[str, list[int]] = {}
    for i, norm in enumerate(tokenize(body).norms, start=1):
        expected.setdefault(norm, []).append(i)
    assert stored == expected
    assert {"œuvre", "straße", "emoji1f525", "中文字", "x2", "ete"} <= set(stored)


def test_an_0001_store_is_indexed_on_upgrade(db_url: str, tmp_path: Path) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        now = "2026-03-01 10:00:00"
        conn.execute(
            text(
                "INSERT INTO authors (platform, handle, location, verified, first_seen_at, "
                "updated_at) VALUES ('x', 'Élodie', 'Besançon', false, :now, :now)"
            ),
            {"now": now},
        )
        for i, body in enumerate(["L'Assemblée vote #LaPoste", "qu'EDF paie @sncf"], start=1):
            conn.execute(
                text(
                    "INSERT INTO posts (platform, native_id, url, text, created_at, author_id, "
                    "likes, reposts, replies, quotes, mentions, hashtags, links, media, raw, "
                    "first_seen_at, updated_at) VALUES ('x', :nid, :url, :body, :now, "
                    "(SELECT id FROM authors), 0, 0, 0, 0, '[]', '[]', '[\"https://t.co/z\"]', "
                    "'[]', '{}', :now, :now)"
                ),
                {"nid": str(i), "body": body, "now": now, "url": "https://ex.fr/a"},
            )
        conn.execute(text("INSERT INTO post_brands SELECT id, 'ws', '' FROM posts"))
    engine.dispose()
    store = Store.open(db_url)
    with store.engine.connect() as conn:

        def ids(node: Node) -> list[str]:
            return sorted(r["native_id"] for r in search(conn, "ws", node, limit=10))

        assert ids(w("assemblee")) == ["1"]
        assert ids(ph("qu", "edf")) == ["2"]
        assert ids(w("besancon", "place")) == ["1", "2"]
        assert ids(Tag("#", Term("word", "laposte"))) == ["1"]
        assert ids(Tag("@", Term("word", "sncf"))) == ["2"]
        assert ids(Filter("site", "match", "t.co")) == ["1", "2"]
        assert ids(Filter("author", "eq", "elodie")) == ["1", "2"]
    store.write("ws", [post(3, "l'assemblée encore", handle="Élodie")])
    with store.engine.connect() as conn:
        assert sorted(r["native_id"] for r in search(conn, "ws", w("assemblee"))) == ["1", "3"]
    store.close()


@pytest.mark.parametrize("window", [2, 6])
def test_the_newest_posts_first_then_the_index(
    filled: Store, monkeypatch: pytest.MonkeyPatch, window: int
) -> None:
    """SQLite reads the newest posts first (row by row), then lets the index drive: both steps
    together give the evaluator's newest matches, for every limit."""
    monkeypatch.setattr("rumeur.store.search.WINDOW", window)
    newest = sorted(CORPUS, key=lambda p: p.created_at, reverse=True)
    nodes = [node for node, _ in WORDS[:8]] + BOOLEAN + INEXACT[:5]
    with filled.engine.connect() as conn:
        for node in nodes:
            expected = [p.native_id for p in newest if matches(node, from_post(p))]
            for limit in (1, 3, 100):
                found = [r["native_id"] for r in search(conn, "ws", node, limit=limit)]
                assert found == expected[:limit], f"{node} limit {limit}"
