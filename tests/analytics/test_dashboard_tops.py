"""The dashboard's top lists and opinion leaders read from `facet_days`, from only the values
that can reach them (store/dashboard.py, `contenders`), equal the plain count of
`facet_rollups` and a scan of the posts: days of skewed counts, windows that cut days, a second
workspace, posts written again with other words, reasons moved by a re-enrichment."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, func, select

from factories import make_post
from rumeur.analytics.dashboard import TOP_KINDS, Scope, dashboard, dashboard_by_scan
from rumeur.model import EnrichmentResult, Label, Post
from rumeur.store import Store
from rumeur.store.dashboard import Span, contenders, top_facets
from rumeur.store.schema import facet_rollups

START = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday
DAYS = 12
WORDS = [f"word{chr(97 + i)}{chr(97 + j)}" for i in range(5) for j in range(8)]  # 40 words
REASONS = ("Late Flight", "Lost Luggage", "Bad Service")
SPANS = [
    (START, START + DAYS * timedelta(days=1)),
    (START + timedelta(days=2, hours=10, minutes=30), START + timedelta(days=9, hours=3)),
    (START + timedelta(days=5, hours=7), START + timedelta(days=5, hours=8)),
    (START - timedelta(days=3), START + timedelta(days=1)),  # half before the data
    (START - timedelta(days=200), START + timedelta(days=150)),  # days read by the hundred
]


def _post(rng: random.Random, n: int) -> Post:
    # Word i is drawn with a weight 1 / (i + 1): a few words on every day, a long tail.
    words = rng.choices(WORDS, weights=[1 / (i + 1) for i in range(len(WORDS))], k=4)
    reason = rng.choice((None, *REASONS))
    post = make_post(
        str(n),
        " ".join(words),
        when=START + timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
        handle=f"user{rng.randrange(15)}",
        likes=rng.randrange(4),
        reposts=rng.choice((0, 0, 0, 7)),
        brands=rng.sample(["Acme", "Rival"], rng.randrange(3)),
        sentiment=rng.choice(("negative", "positive")),
    )
    tags = [rng.choice(("#fail", "#win", "#meh"))] if n % 3 else []
    labels = [*post.labels, *([Label("reason", reason)] if reason else [])]
    return replace(post, hashtags=tags, labels=labels)


@pytest.fixture
def workspace(store: Store) -> str:
    rng = random.Random(16)
    batch = [_post(rng, n) for n in range(360)]
    store.write("one", batch)
    store.write("two", batch[::3])
    # Written again with other words: the writer takes the old ones away, day by day.
    again = [replace(p, text=f"{p.text} {rng.choice(WORDS)} wordzz") for p in batch[:60]]
    store.write("one", [replace(p, text="wordaa wordab") for p in again[:30]] + again[30:])
    # A re-enrichment moves posts to other reasons: facet_rollups' rows move, the sums do not.
    ids = [pid for pid, _ in store.posts_after("one", 0, 1000)][::2]
    labels = [REASONS[i % 3] for i in range(len(ids))]
    store.relabel("one", ids, [EnrichmentResult("reason", "m", "2", labels, [0.9] * len(ids))])
    return "one"


def _plain(conn: Connection, span: Span, kind: str, top: int) -> list[tuple[str, int]]:
    """The top list as it was counted before facet_days: every reason's rows of the days."""
    f = facet_rollups.c
    n = func.sum(f.posts)
    where = [f.workspace == span.workspace, f.kind == kind, f.day >= span.lo, f.day < span.hi]
    query = select(f.value, n).where(*where).group_by(f.value).having(n > 0)
    return sorted(((v, int(c)) for v, c in conn.execute(query)), key=lambda x: (-x[1], x[0]))[:top]


def _days(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    lo = since.replace(hour=0, minute=0)
    hi = until.replace(hour=0, minute=0)
    return lo, hi if hi == until else hi + timedelta(days=1)


def test_top_lists_equal_the_plain_count(store: Store, workspace: str) -> None:
    with store.engine.connect() as conn:
        for since, until in SPANS:
            span = Span(workspace, *_days(since, until))
            for kind in (*TOP_KINDS, "author"):
                for top in (1, 3, 10, 50):
                    assert top_facets(conn, span, kind, top) == _plain(conn, span, kind, top)


def test_the_top_words_are_counted_from_few_values(store: Store, workspace: str) -> None:
    """Not every value is counted: the test above would pass by a plain count too."""
    span = Span(workspace, *_days(*SPANS[0]))
    with store.engine.connect() as conn:
        busy, candidates = contenders(conn, span, "word", 3)
        everything = _plain(conn, span, "word", 1000)
    assert len(busy) == DAYS
    assert candidates is not None and 3 <= len(candidates) < len(everything) / 3
    assert {v for v, _ in everything[:3]} <= set(candidates)


def test_the_dashboard_equals_a_scan(store: Store, workspace: str) -> None:
    counted = 0
    with store.engine.connect() as conn:
        for since, until in SPANS:
            for reasons in (None, ("Lost Luggage", "")):
                scope = Scope(workspace, since, until, ZoneInfo("Europe/Paris"), reasons)
                fast = dashboard(conn, scope, "Acme", ["Rival"], top=3)
                assert fast == dashboard_by_scan(conn, scope, "Acme", ["Rival"], top=3)
                counted += fast.posts > 0 and len(fast.words) == 3
    assert counted >= 5  # the spans of a day or more, in both views
