"""The stream matcher and the archive search return the same posts, for random queries over
random French and English posts (accents, elisions, hashtags, mentions, emoji), on SQLite and,
under CI=true, on PostgreSQL.

Queries are generated as text and parsed, so the parser is exercised too. The posts go through
the real writer, so what is indexed is what the pipeline stores."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from rumeur.model import Author, Label, Metrics, Post
from rumeur.query.document import from_post
from rumeur.query.monitor import Monitor
from rumeur.query.parser import parse
from rumeur.store import Store
from rumeur.store.compiler import compile_query
from rumeur.store.search import search

WORDS = [
    "poste", "postes", "Poste", "postier", "élection", "ELECTION", "Election", "assemblée",
    "l'Assemblée", "qu'EDF", "EDF", "edf", "d'accord", "aujourd’hui", "colis", "retard",
    "grève", "greve", "GRÈVE", "café", "naïve", "la", "le", "de", "nationale", "#LaPoste",
    "#laposte", "#grève", "@LaPoste", "@sncf", "🔥", "train", "juice", "apple", "low-cost",
    "A.I.", "iPhone13", "customize", "customise",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", "... ", " - ", " ! ", "\n"]
TERMS = [
    "poste", "poste*", "post?er", "pos*er", "{EDF}", "{Poste}", "élection", "ELECTION",
    "assemblée", "edf", "qu", "l", "colis", "retard*", "grève", "#laposte", "#lapost*",
    "@laposte", "@sncf", "🔥", "low-cost", '"la poste"', '"l\'assemblée nationale"',
    '"colis retard"', '"poste colis"~2', "custom*ize", "customi?e", "title:poste",
    'title:"la poste"', "café", "naive",
]  # fmt: skip
FILTERS = [
    "lang:fr", "language:en", "platform:bluesky", "followers:>1000", "authorFollowers:[10 TO 5000]",
    "sentiment:negative", "verified:true", "location:france", "author:alice", "engagement:>=5",
    "type:reply", "site:lemonde.fr", 'url:"/economie"', "brand:American", 'brand:"virgin america"',
    "brand:ÉDF", "brand:édf", "brand:Delta",
]  # fmt: skip
# The brands a post is attributed to: two words in one name, a case that SQL's lower() folds
# only on PostgreSQL (É), and a name no query asks for.
BRANDS = ["American", "Virgin America", "ÉDF", "United"]
NEAR_TERMS = [t for t in TERMS if t[0] not in "#@" and "~" not in t]  # words and phrases
# An author's followers, badge and place belong to the author, not to one post: the store keeps
# the latest. Each handle keeps the same ones here, so that the stream sees what the store has.
AUTHORS = {
    "alice": (10, True, "Lyon, France"),
    "Alice2": (5000, False, None),
    "bob": (None, False, "New York"),
    "carol": (20000, True, None),
}
START = datetime(2026, 11, 1, tzinfo=UTC)
_workspaces = itertools.count()


def text_of(draw: st.DrawFn, low: int, high: int) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=low, max_size=high))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    return "".join(w + s for w, s in zip(words, seps, strict=True)).strip()


@st.composite
def posts(draw: st.DrawFn) -> Post:
    return Post(
        platform=draw(st.sampled_from(["x", "bluesky"])),
        native_id="",  # set by the test, unique per example
        text=text_of(draw, 0, 12),
        title=draw(
            st.sampled_from([None, "La Poste", "Grève à la poste", "Élection à l'Assemblée"])
        ),
        created_at=START + timedelta(minutes=draw(st.integers(0, 10_000))),
        author=author(draw(st.sampled_from(sorted(AUTHORS)))),
        url=draw(st.sampled_from([None, "https://www.lemonde.fr/economie/x", "https://x.com/a"])),
        language=draw(st.sampled_from([None, "fr", "en"])),
        metrics=Metrics(likes=draw(st.integers(0, 8)), reposts=draw(st.integers(0, 2))),
        reply_to=draw(st.sampled_from([None, "42"])),
        labels=[Label("sentiment", s) for s in [draw(st.sampled_from([None, "negative"]))] if s],
        brands=draw(st.lists(st.sampled_from(BRANDS), max_size=2, unique=True)),
    )


def author(handle: str) -> Author:
    followers, verified, location = AUTHORS[handle]
    return Author(handle=handle, followers=followers, verified=verified, location=location)


def queries(depth: int = 2) -> st.SearchStrategy[str]:
    atom = st.one_of(st.sampled_from(TERMS), st.sampled_from(FILTERS))
    near = st.builds(
        lambda a, b, n, f: f"{a} NEAR/{n}{'f' if f else ''} {b}",
        st.sampled_from(NEAR_TERMS), st.sampled_from(NEAR_TERMS), st.integers(0, 3), st.booleans(),
    )  # fmt: skip

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        group = st.lists(inner, min_size=2, max_size=3)
        return st.one_of(
            group.map(lambda xs: "(" + " AND ".join(xs) + ")"),
            group.map(lambda xs: "(" + " OR ".join(xs) + ")"),
            st.tuples(inner, inner).map(lambda ab: f"({ab[0]} NOT {ab[1]})"),
            near.map(lambda q: f"({q})"),
        )

    return st.recursive(atom, extend, max_leaves=6)


def check_agreement(
    store: Store, batch: list[Post], texts: list[str], events: bool = False
) -> None:
    workspace = f"w{next(_workspaces)}"
    for i, post in enumerate(batch):
        post.native_id = f"{workspace}-{i}"
    store.write(workspace, batch)
    monitor = Monitor()
    parsed = [parse(t) for t in texts]
    for key, query in enumerate(parsed):
        monitor.add(key, query.root)
    expected: dict[int, set[str]] = {k: set() for k in range(len(parsed))}
    for post in batch:
        for key in monitor.match(from_post(post)):
            expected[int(key)].add(post.native_id)
    with store.engine.connect() as conn:
        for key, query in enumerate(parsed):
            found = {r["native_id"] for r in search(conn, workspace, query, limit=1000)}
            assert found == expected[key], texts[key]
            # Shown by --hypothesis-show-statistics: how often SQL alone answers, and how often
            # a query finds something (a suite of empty answers would prove little).
            if not events:
                continue
            compiled = compile_query(query.root, conn.dialect.name, workspace=workspace)
            event(f"SQL exact: {compiled.exact}")
            event(f"finds {'none' if not found else 'all' if len(found) == len(batch) else 'some'}")


SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(
    batch=st.lists(posts(), min_size=1, max_size=12),
    texts=st.lists(queries(), min_size=1, max_size=4),
)
def test_stream_and_archive_agree(store: Store, batch: list[Post], texts: list[str]) -> None:
    check_agreement(store, batch, texts, events=True)


def test_a_known_french_case(store: Store) -> None:
    post = Post(
        platform="x", native_id="", text="Vote à l'Assemblée : qu'EDF paie ! #LaPoste 🔥",
        created_at=START, author=Author(handle="alice"), language="fr",
    )  # fmt: skip
    check_agreement(
        store,
        [post],
        ["assemblée AND edf", "{EDF} AND #laposte", "🔥 NOT #sncf", '"qu edf" NEAR/2f vote'],
    )


def test_brand_finds_the_posts_attributed_to_it_whatever_their_words(store: Store) -> None:
    """`brand:` reads the attribution, not the text: a post about Virgin America that never
    names it is found, one that names American without being attributed to it is not."""
    about = [
        Post(platform="x", native_id="seat", text="seat 3C was broken", created_at=START,
             author=Author(handle="alice"), brands=["Virgin America"]),
        Post(platform="x", native_id="flag", text="American flag on the wing", created_at=START,
             author=Author(handle="bob"), brands=["United"]),
        Post(platform="x", native_id="none", text="no brand at all", created_at=START,
             author=Author(handle="carol")),
    ]  # fmt: skip
    store.write("airlines", about)
    # Attributed elsewhere only: another workspace's brands are not this one's.
    store.write("other", [Post(platform="x", native_id="none", text="no brand at all",
                               created_at=START, author=Author(handle="carol"),
                               brands=["Virgin America"])])  # fmt: skip
    expected = {
        'brand:"Virgin America"': {"seat"},
        'brand:"VIRGIN america"': {"seat"},
        "brand:american": set(),
        "american": {"flag"},
        "brand:united AND american": {"flag"},
        "(seat OR no OR flag) NOT brand:united": {"seat", "none"},
    }
    with store.engine.connect() as conn:
        for text, ids in expected.items():
            assert {r["native_id"] for r in search(conn, "airlines", parse(text))} == ids, text
    check_agreement(store, about, list(expected))
