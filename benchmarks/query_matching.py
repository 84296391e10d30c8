"""Stream matching throughput: rumeur's `Monitor` (queries indexed by the words they need, only
candidates verified) against the naive baseline (every query evaluated on every post) in the same
run, for 10, 100, 1,000 and 10,000 queries over the airline tweets, on one core.

The queries are generated, seeded, the way a workspace's are written: OR-lists of brand and
product words drawn from the corpus's own vocabulary, phrases and NEAR pairs taken from its
tweets, prefixes and wildcards, ``#tags`` and ``@names``, filters (``lang:en``, follower counts)
and exclusions. The airline CSV has no follower counts: each author gets one, seeded.

Run it with `make bench`. It reports, it does not judge: the exit status is 0 whether the goal
is met or not."""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from enrichment_throughput import one_core
from import_throughput import find_data, machine, print_machine
from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Tag, Term, Within
from rumeur.query.document import Document, document
from rumeur.query.evaluate import matches
from rumeur.query.monitor import Frequencies, Monitor

GOAL_QUERIES = 1_000
GOAL_RATIO = 20.0  # times the naive baseline, matching only
GOAL_RATE = 5_000  # posts per second on one core
NAIVE_BUDGET = 1_000_000  # query evaluations per naive run: beyond it, a sample of the posts
SEED = 20150224
BRANDS = 6  # the airlines' names head the corpus's vocabulary
COMMON = 150  # ranks of the corpus's common words after them: too broad for a listening query
# Function words no analyst lists (the matcher's own list is not used, so as not to flatter it).
FUNCTION_WORDS = """
about after all also amp and any are been but can could did does don for from get got had has have
her his how its just like more not now off one only our out over she some than that the their them
then there they this was way were what when where which who why will with would you your
"""


@dataclass(frozen=True)
class Row:
    text: str
    author: str
    location: str
    retweets: int


@dataclass
class Result:
    queries: int
    build_s: float
    match_rate: float  # posts/s, documents already built
    full_rate: float  # posts/s, documents built in the timed run (tokenization included)
    naive_rate: float
    naive_posts: int
    verified: float  # evaluations per post
    hits: float  # matches per post
    agree: bool

    @property
    def ratio(self) -> float:
        return self.match_rate / self.naive_rate


def read_rows(path: Path, limit: int) -> list[Row]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = [
            Row(r["text"], r["name"], r["tweet_location"], int(r["retweet_count"] or 0))
            for r in csv.DictReader(f)
        ]
    random.Random(SEED).shuffle(rows)  # so that a naive sample is a fair sample
    return (rows * (limit // len(rows) + 1))[:limit]


def make_document(row: Row) -> Document:
    # Followers seeded by author: the CSV has none, and a follower filter should cut somewhere.
    followers = random.Random(row.author).choice([10, 150, 800, 3_000, 25_000])
    return document(
        text=row.text,
        location=row.location,
        lang="en",
        platform="twitter",
        author=row.author,
        followers=followers,
        engagement=row.retweets,
    )


class QueryMaker:
    """Seeded queries from the corpus: words weighted towards the middle of its vocabulary
    (brands and products are neither stop words nor hapaxes), phrases and pairs from its
    tweets."""

    def __init__(self, docs: Sequence[Document], seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.docs = docs
        counts: Counter[str] = Counter()
        for doc in docs:
            counts.update(doc.vocabulary())
        stop = set(FUNCTION_WORDS.split())
        ranked = [w for w, n in counts.most_common() if n >= 2 and len(w) > 2 and w not in stop]
        self.words = ranked
        self.known = set(ranked[BRANDS:])  # a phrase is about something, not the addressee
        tags: Counter[str] = Counter()
        for doc in docs:
            tags.update(("#", t) for t in doc.hashtags)
            tags.update(("@", m) for m in doc.mentions)
        self.tags = [t for t, n in tags.most_common() if n >= 2]

    def word(self) -> str:
        # Now and then one of the corpus's brands (its commonest words); otherwise log-uniform
        # over the ranks past the function words: a few common words, mostly rarer ones.
        if self.rng.random() < 0.01:
            return self.rng.choice(self.words[:BRANDS])
        common = min(COMMON, len(self.words) // 2)  # a tiny sample has few common words
        rank = int((len(self.words) - common) ** self.rng.random()) - 1 + common
        return self.words[min(rank, len(self.words) - 1)]

    def term(self) -> Term:
        w = self.word()
        roll = self.rng.random()
        if roll < 0.08 and len(w) > 5:
            return Term("prefix", w[: self.rng.randint(4, len(w) - 1)])
        if roll < 0.12 and len(w) > 4:
            at = self.rng.randint(3, len(w) - 1)
            return Term("wildcard", w[:at] + "?" + w[at + 1 :])
        return Term("word", w)

    def words_list(self, low: int, high: int) -> Node:
        children = tuple(Phrase((self.term(),)) for _ in range(self.rng.randint(low, high)))
        return children[0] if len(children) == 1 else Or(children)

    def tweet_words(self, size: int) -> tuple[str, ...]:
        for _ in range(100):
            norms = self.rng.choice(self.docs).text.norms
            if len(norms) >= size:
                at = self.rng.randrange(len(norms) - size + 1)
                found = norms[at : at + size]
                if found[0] in self.known and found[-1] in self.known:
                    return found
        return tuple(self.word() for _ in range(size))

    def phrase(self) -> Phrase:
        words = self.tweet_words(self.rng.randint(2, 3))
        return Phrase(tuple(Term("word", w) for w in words))

    def near(self) -> Near:
        first, *_, last = self.tweet_words(self.rng.randint(2, 5))
        left, right = (Phrase((Term("word", w),)) for w in (first, last))
        return Near((left,), (right,), self.rng.choice([3, 5, 10]), self.rng.random() < 0.3)

    def query(self) -> Node:
        rng = self.rng
        roll = rng.random()
        if roll < 0.25:  # a brand and its products
            return self.words_list(2, 5)
        if roll < 0.45:  # a brand about a topic, minus the noise
            parts: list[Node] = [self.words_list(1, 4), self.words_list(1, 4)]
            if rng.random() < 0.4:
                parts.append(Not(self.words_list(1, 3)))
            return And(tuple(parts))
        if roll < 0.55:
            return Or((self.phrase(), self.words_list(1, 3)))
        if roll < 0.65:
            return self.near()
        if roll < 0.72:
            return Within(And((self.words_list(1, 2), self.words_list(1, 2))), rng.choice([5, 10]))
        if roll < 0.80:  # tags and handles
            kind, tag = rng.choice(self.tags or [("#", self.word())])
            return Or((Tag(kind, Term("word", tag)), self.words_list(1, 2)))  # type: ignore[arg-type]
        if roll < 0.92:  # a segment: one language, a reach
            segment = rng.choice(
                [Filter("lang", "eq", "en"), Filter("followers", "gt", rng.choice([500, 10_000]))]
            )
            return And((self.words_list(1, 3), segment))
        return And((self.phrase(), Not(self.words_list(1, 2))))


def per_second(posts: int, run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return posts / (time.perf_counter() - start)


def naive(named: list[tuple[int, Node]], docs: Sequence[Document]) -> list[list[int]]:
    return [[key for key, node in named if matches(node, doc)] for doc in docs]


@dataclass
class Naive:
    rate: float
    posts: int
    found: list[list[int]]


def measure_naive(nodes: list[Node], rows: list[Row], budget: int) -> Naive:
    named = list(enumerate(nodes))
    sample = [make_document(r) for r in rows[: max(50, min(len(rows), budget // len(nodes)))]]
    found: list[list[int]] = []
    rate = per_second(len(sample), lambda: found.extend(naive(named, sample)))
    return Naive(rate, len(sample), found)


def measure(
    nodes: list[Node], rows: list[Row], frequencies: Frequencies | None, base: Naive
) -> Result:
    start = time.perf_counter()
    monitor = Monitor(frequencies=frequencies)
    for key, node in enumerate(nodes):
        monitor.add(key, node)
    build_s = time.perf_counter() - start
    # Fresh documents for each timed run: each builds its position maps as it goes.
    docs = [make_document(r) for r in rows]
    found: list[list[int]] = []
    match_rate = per_second(len(docs), lambda: found.extend(monitor.match_many(docs)))
    verified = monitor.verified / len(docs)
    full_rate = per_second(len(rows), lambda: [monitor.match(make_document(r)) for r in rows])
    return Result(
        queries=len(nodes),
        build_s=build_s,
        match_rate=match_rate,
        full_rate=full_rate,
        naive_rate=base.rate,
        naive_posts=base.posts,
        verified=verified,
        hits=sum(map(len, found)) / len(found),
        agree=found[: base.posts] == base.found,
    )


def print_results(title: str, results: list[Result]) -> None:
    print(f"\n{title}")
    print(
        f"{'queries':>8} {'build s':>8} {'posts/s':>9} {'+tokens':>9} {'naive':>9} "
        f"{'naive on':>9} {'speed-up':>9} {'verified':>9} {'matches':>8} {'agree':>6}"
    )
    for r in results:
        print(
            f"{r.queries:>8,} {r.build_s:>8.3f} {r.match_rate:>9,.0f} {r.full_rate:>9,.0f} "
            f"{r.naive_rate:>9,.0f} {r.naive_posts:>9,} {r.ratio:>8.1f}x "
            f"{r.verified:>9.1f} {r.hits:>8.2f} {'yes' if r.agree else 'NO':>6}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=14_640, help="posts per timed run")
    parser.add_argument("--queries", default="10,100,1000,10000", help="query counts, by commas")
    parser.add_argument("--naive-budget", type=int, default=NAIVE_BUDGET)
    parser.add_argument("--no-pin", action="store_true", help="leave the process on every core")
    args = parser.parse_args(argv)
    pinned = "not pinned (--no-pin)" if args.no_pin else one_core()
    rows = read_rows(find_data(), args.posts)
    docs = [make_document(r) for r in rows]
    maker = QueryMaker(docs)
    counts = [int(c) for c in args.queries.split(",")]
    pool = [maker.query() for _ in range(max(counts))]
    for doc in docs[:200]:  # warm up: caches of folded words and wildcard patterns filled
        naive(list(enumerate(pool[:100])), [doc])
    frequencies = Frequencies.of(docs[:2_000])
    print(f"stream matching of {len(rows):,} airline tweets, {pinned}")
    print(
        "posts/s: Monitor on built documents; +tokens: building each document included; "
        "naive: every query on every post,\nmeasured on the first 'naive on' posts when the "
        f"run would exceed {args.naive_budget:,} evaluations (the rate is per post, so it "
        "extrapolates);\nspeed-up: posts/s over naive; verified: queries evaluated per post; "
        "agree: Monitor's matches equal naive's on its posts"
    )
    runs = {
        "word rarity from length and stop words (default)": None,
        "word rarity measured on 2,000 of the posts (Frequencies)": frequencies,
    }
    bases = {n: measure_naive(pool[:n], rows, args.naive_budget) for n in counts}
    default: list[Result] = []
    for title, freq in runs.items():
        results = [measure(pool[:n], rows, freq, bases[n]) for n in counts]
        print_results(title, results)
        default = default or results
    print_machine(machine())
    print_goal(default)
    return 0


def print_goal(results: list[Result]) -> None:
    r = next((r for r in results if r.queries == GOAL_QUERIES), None)
    if r is None:
        return
    ok = r.ratio >= GOAL_RATIO and r.match_rate >= GOAL_RATE
    print(
        f"\ngoal at {GOAL_QUERIES:,} queries: >= {GOAL_RATIO:.0f}x naive and >= {GOAL_RATE:,} "
        f"posts/s on one core: {'PASS' if ok else 'MISS'} ({r.ratio:.1f}x, {r.match_rate:,.0f} "
        f"posts/s; {r.full_rate:,.0f} posts/s with tokenization)"
    )


if __name__ == "__main__":
    sys.exit(main())
