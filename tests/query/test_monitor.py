"""The stream matcher returns exactly what the reference evaluator does, and saves work doing so."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Tag, Term, Within
from rumeur.query.document import Document, document
from rumeur.query.evaluate import matches
from rumeur.query.monitor import Frequencies, Monitor, anchors
from rumeur.query.tokens import folded

# Words as posts write them: accents, capitals, elisions, hyphens, tags, an emoji, stop words.
RAW = [
    "élection", "ELECTION", "Election", "l'Assemblée", "qu'EDF", "EDF", "edf", "poste", "postes",
    "Poste", "La", "vol", "retard", "annulé", "ANNULÉ", "flight", "delayed", "delay", "United",
    "aujourd'hui", "pare-feu", "café", "cafe", "the", "le", "de", "et", "I", "is", "bagage",
    "#LaPoste", "@LaPoste", "#vol", "@united", "#élection", "🔥", "½", "don't", "c'est",
]  # fmt: skip
# A few words come often, so that phrases and proximity of several terms do match now and then.
DENSE = ["vol", "retard", "EDF", "postes", "l'Assemblée", "élection"]
WORDS = sorted({w for raw in RAW for w in folded(raw)} | {"absent", "zzz", "postal"})
DENSE_WORDS = sorted({w for raw in DENSE for w in folded(raw)})
EXACT = ["EDF", "edf", "Election", "élection", "ANNULÉ", "United", "La", "🔥", "½", "Zzz"]
TAGS = ["laposte", "vol", "united", "election", "élection", "absent"]

texts = st.lists(st.sampled_from(RAW) | st.sampled_from(DENSE), max_size=12).map(" ".join)
documents = st.builds(
    lambda text, title, place, lang, followers, verified: document(
        text=text, title=title, location=place, lang=lang, followers=followers, verified=verified
    ),
    text=texts,
    title=st.none() | texts,
    place=st.none() | st.sampled_from(["Paris", "Lyon, France", "Île-de-France", "Chicago"]),
    lang=st.sampled_from([None, "en", "fr"]),
    followers=st.none() | st.integers(0, 20_000),
    verified=st.none() | st.booleans(),
)


@st.composite
def wildcards(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from([w for w in WORDS if len(w) > 1]) | st.sampled_from(DENSE_WORDS))
    at = draw(st.integers(0, len(word) - 1))
    return word[:at] + draw(st.sampled_from(["*", "?", "?*"])) + word[at + 1 :]


words = st.sampled_from(WORDS) | st.sampled_from(DENSE_WORDS)
terms = st.one_of(
    st.builds(Term, st.just("word"), words),
    st.builds(Term, st.just("prefix"), words.map(lambda w: w[: len(w) - 2] or w)),
    st.builds(Term, st.just("wildcard"), wildcards()),
    st.builds(Term, st.just("exact"), st.sampled_from(EXACT)),
)  # fmt: skip
tag_terms = st.one_of(
    st.builds(Term, st.just("word"), st.sampled_from(TAGS)),
    st.builds(Term, st.just("prefix"), st.sampled_from(TAGS).map(lambda t: t[:3])),
    st.builds(Term, st.just("wildcard"), st.sampled_from(["lap*", "v?l", "*ted", "uni*d"])),
)
phrases = st.builds(
    Phrase,
    st.lists(terms, min_size=1, max_size=3).map(tuple),
    st.sampled_from(["any", "any", "title", "text", "place"]),
)
phrase_groups = st.lists(phrases, min_size=1, max_size=2).map(tuple)
filters = st.one_of(
    st.builds(Filter, st.just("lang"), st.just("eq"), st.sampled_from(["en", "fr"])),
    st.builds(Filter, st.just("followers"), st.sampled_from(["gt", "le"]), st.integers(0, 20_000)),
    st.builds(Filter, st.just("verified"), st.just("eq"), st.booleans()),
)
proximity_groups = st.recursive(
    phrases,
    lambda inner: st.one_of(
        st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=4,
)
leaves = st.one_of(
    phrases,
    phrases,
    st.builds(Tag, st.sampled_from(["#", "@"]), tag_terms),
    st.builds(Near, phrase_groups, phrase_groups, st.integers(0, 4), st.booleans()),
    st.builds(Within, proximity_groups, st.integers(0, 5)),
    filters,
)
pairs = st.builds(And, st.tuples(leaves, leaves)) | st.builds(Or, st.tuples(leaves, leaves))
queries = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(And, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Or, st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(Not, inner),
    ),
    max_leaves=8,
)


def naive(named: list[tuple[int, Node]], doc: Document) -> list[int]:
    return [key for key, node in named if matches(node, doc)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(queries, min_size=1, max_size=12), st.lists(documents, min_size=1, max_size=6))
def test_monitor_agrees_with_every_query_on_every_post(
    nodes: list[Node], docs: list[Document]
) -> None:
    monitor = Monitor()
    named = list(enumerate(nodes))
    for key, node in named:
        monitor.add(key, node)
    assert monitor.match_many(docs) == [naive(named, doc) for doc in docs]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(leaves | pairs, min_size=1, max_size=20), st.lists(documents, min_size=1, max_size=8)
)
def test_monitor_agrees_on_single_operators(nodes: list[Node], docs: list[Document]) -> None:
    # Alone or in pairs, each operator's clauses decide whether a match is found.
    monitor = Monitor()
    named = list(enumerate(nodes))
    for key, node in named:
        monitor.add(key, node)
    assert monitor.match_many(docs) == [naive(named, doc) for doc in docs]


@st.composite
def quoted(draw: st.DrawFn, doc: Document) -> Node:
    """A phrase, NEAR or proximity group cut from `doc`'s own text, so that it matches there."""
    tokens = doc.text
    start = draw(st.integers(0, len(tokens) - 1))
    end = draw(st.integers(start, min(len(tokens), start + 4) - 1))
    as_term = st.sampled_from(["word", "prefix", "exact"])
    cut = []
    for i in range(start, end + 1):
        kind = draw(as_term)
        text = {"word": tokens.norms[i], "prefix": tokens.norms[i][:3], "exact": tokens.raws[i]}
        cut.append(Phrase((Term(kind, text[kind]),)))  # type: ignore[arg-type]
    whole = Phrase(tuple(p.terms[0] for p in cut))
    n = draw(st.integers(0, 3))
    return draw(
        st.sampled_from(
            [
                whole,
                Near((cut[0],), (cut[-1],), n, draw(st.booleans())),
                Within(And(tuple(cut)), n),
                And((whole, Not(Phrase((Term("word", "absent"),))))),
            ]
        )
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(documents, min_size=1, max_size=5), st.data())
def test_monitor_agrees_on_phrases_taken_from_the_posts(
    docs: list[Document], data: st.DataObject
) -> None:
    said = [d for d in docs if len(d.text)]
    nodes = [data.draw(quoted(data.draw(st.sampled_from(said)))) for _ in range(5)] if said else []
    monitor = Monitor()
    named = list(enumerate(nodes))
    for key, node in named:
        monitor.add(key, node)
    assert monitor.match_many(docs) == [naive(named, doc) for doc in docs]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(queries, min_size=2, max_size=10),
    st.lists(documents, min_size=1, max_size=4),
    st.data(),
)
def test_removed_queries_and_measured_frequencies_change_nothing_but_the_work(
    nodes: list[Node], docs: list[Document], data: st.DataObject
) -> None:
    monitor = Monitor(frequencies=Frequencies.of(docs[:2]))
    named = list(enumerate(nodes))
    for key, node in named:
        monitor.add(key, node)
    gone = data.draw(st.sets(st.sampled_from([k for k, _ in named])))
    for key in gone:
        monitor.remove(key)
    kept = [(k, n) for k, n in named if k not in gone]
    assert len(monitor) == len(kept)
    assert [monitor.match(doc) for doc in docs] == [naive(kept, doc) for doc in docs]


def word(text: str, stream: str = "any") -> Phrase:
    return Phrase((Term("word", text),), stream)  # type: ignore[arg-type]


def test_a_rare_word_is_not_verified_on_posts_without_it() -> None:
    monitor = Monitor()
    monitor.add("brand", And((word("the"), word("lufthansa"))))
    assert monitor.match(document(text="the flight is the worst")) == []
    assert monitor.verified == 0
    assert monitor.match(document(text="The Lufthansa lounge")) == ["brand"]
    assert monitor.verified == 1


def test_and_anchors_on_its_most_selective_side() -> None:
    query = And((word("le"), Or((word("assemblee"), word("senat"))), Not(word("vote"))))
    found = anchors(query)
    assert found is not None
    assert found.words == {"assemblee", "senat"}


def test_a_negation_or_a_filter_alone_is_checked_on_every_post() -> None:
    monitor = Monitor()
    monitor.add("not", Not(word("spam")))
    monitor.add("or", Or((word("edf"), Filter("lang", "eq", "fr"))))
    monitor.add("notnot", Not(Not(word("edf"))))
    assert monitor.anchors_of("not") is None
    assert monitor.anchors_of("or") is None
    assert monitor.anchors_of("notnot") is not None
    assert monitor.match(document(text="Bonjour", lang="fr")) == ["not", "or"]
    assert monitor.verified == 2


def test_prefixes_and_wildcards_index_by_their_stem() -> None:
    monitor = Monitor()
    monitor.add("prefix", Phrase((Term("prefix", "poste"),)))
    monitor.add("wild", Phrase((Term("wildcard", "annul?"),)))
    monitor.add("short", Phrase((Term("wildcard", "?nnule"),)))
    assert monitor.anchors_of("short") is None
    assert monitor.match(document(text="Les POSTES, vol annulé")) == ["prefix", "wild", "short"]
    monitor.verified = 0
    assert monitor.match(document(text="La poste")) == ["prefix"]
    assert monitor.verified == 2  # `short` has no anchor; `wild` was not a candidate


def test_exact_case_anchors_on_the_folded_word() -> None:
    monitor = Monitor()
    monitor.add("edf", Phrase((Term("exact", "EDF"),)))
    assert monitor.anchors_of("edf").words == {"edf"}  # type: ignore[union-attr]
    assert monitor.match(document(text="qu'EDF")) == ["edf"]
    assert monitor.match(document(text="qu'edf")) == []


def test_tags_are_not_words() -> None:
    monitor = Monitor()
    monitor.add("tag", Tag("#", Term("word", "laposte")))
    monitor.add("mention", Tag("@", Term("prefix", "lapo")))
    assert monitor.match(document(text="laposte en grève")) == []
    assert monitor.verified == 0
    assert monitor.match(document(text="#LaPoste @LaPosteFR")) == ["tag", "mention"]


def test_adding_under_a_key_replaces_and_removing_forgets() -> None:
    monitor = Monitor()
    monitor.add(("ws", "q"), word("edf"))
    monitor.add(("ws", "q"), word("engie"))
    assert len(monitor) == 1
    assert monitor.match(document(text="EDF")) == []
    assert monitor.match(document(text="Engie")) == [("ws", "q")]
    monitor.remove(("ws", "q"))
    monitor.remove(("ws", "q"))
    assert len(monitor) == 0
    assert ("ws", "q") not in monitor
    assert monitor.match(document(text="Engie")) == []


def test_measured_frequencies_pick_the_rarer_word() -> None:
    sample = [document(text="flight late again"), document(text="flight on time")]
    query = And((word("flight"), word("late")))
    # Without a sample, the longer word is taken for the rarer.
    assert anchors(query).words == {"flight"}  # type: ignore[union-attr]
    assert anchors(query, Frequencies.of(sample)).words == {"late"}  # type: ignore[union-attr]


def test_the_benchmark_runs_at_a_tiny_size(capsys) -> None:
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "query_matching.py"
    spec = importlib.util.spec_from_file_location("query_matching", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["query_matching"] = bench
    spec.loader.exec_module(bench)
    assert bench.main(["--posts", "60", "--queries", "5,20", "--no-pin"]) == 0
    assert "speed-up" in capsys.readouterr().out
