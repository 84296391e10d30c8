"""The dashboard's opinion leaders read by their score's bound (store/dashboard.py,
`top_authors`: the most followers of any author bounds every score, the period's authors are
read best bound first and looked up a few at a time) equal every author of the period joined
and ranked: exact ties broken by handle, authors without follower counts beside authors with
many, a department's view, a second workspace, lists of one to all."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, func, select

from factories import make_post
from rumeur.analytics.dashboard import Scope, dashboard, dashboard_by_scan
from rumeur.model import Author, Label, Post
from rumeur.store import Store
from rumeur.store import dashboard as reads
from rumeur.store.dashboard import Span, leader_score, top_authors
from rumeur.store.schema import authors, facet_rollups

START = datetime(2024, 5, 6, tzinfo=UTC)
DAYS = 6
REASONS = ("Late Flight", "Lost Luggage")
# 1 + log10(1 + f) is 1, 2, 3 or 6 exactly: scores tie across follower counts (one post with
# 9 followers scores as two posts without), and one author of 99,999 followers makes the bound
# loose for everyone else.
FOLLOWERS = (None, 0, 9, 99, 99_999)


def _author(i: int) -> Author:
    return Author(handle=f"h{(i * 7) % 40:02d}", followers=FOLLOWERS[i % 4] if i else 99_999)


def _post(rng: random.Random, n: int) -> Post:
    i = rng.randrange(40) if n % 5 else rng.randrange(6)  # a few prolific authors
    post = make_post(
        str(n),
        "hello",
        when=START + timedelta(minutes=rng.randrange(DAYS * 24 * 60)),
        likes=rng.choice((0, 0, 0, 1, 3)),
        brands=rng.sample(["Acme", "Rival", "Other"], rng.randrange(3)),
        sentiment=rng.choice(("negative", "positive")),
    )
    reason = rng.choice((None, *REASONS))
    labels = [*post.labels, *([Label("reason", reason)] if reason else [])]
    return replace(post, author=_author(i), labels=labels)


@pytest.fixture
def workspace(store: Store) -> str:
    rng = random.Random(1616)
    batch = [_post(rng, n) for n in range(400)]
    store.write("one", batch)
    store.write("two", batch[1::4])
    return "one"


def _ranked(conn: Connection, span: Span) -> list[tuple[float, str, int, int, int]]:
    """Every author of the span joined and ranked, as the leaders were read before:
    (-score, handle, id, posts, engagement)."""
    f = facet_rollups.c
    n, e = func.sum(f.posts), func.sum(f.engagement)
    where = [f.workspace == span.workspace, f.kind == "author", f.day >= span.lo, f.day < span.hi]
    if span.reasons is not None:
        where.append(f.reason.in_(span.reasons))
    rows = conn.execute(select(f.value, n, e).where(*where).group_by(f.value).having(n > 0))
    grouped = {int(v): (int(p), int(g)) for v, p, g in rows}
    people = {a.id: a for a in conn.execute(select(authors))}
    return sorted(
        (-leader_score(g, p, people[a].followers), people[a].handle, a, p, g)
        for a, (p, g) in grouped.items()
    )


def _all_joined(conn: Connection, span: Span, limit: int) -> list[tuple[int, int, int]]:
    return [(a, p, g) for _, _, a, p, g in _ranked(conn, span)[:limit]]


SPANS = [
    (START, START + DAYS * timedelta(days=1)),
    (START + timedelta(days=2), START + timedelta(days=3)),
    (START - timedelta(days=10), START - timedelta(days=2)),  # no posts
]


@pytest.mark.parametrize("ws", ["one", "two"])
def test_the_leaders_equal_every_author_joined(store: Store, workspace: str, ws: str) -> None:
    ties = 0
    with store.engine.connect() as conn:
        for lo, hi in SPANS:
            for reasons in (None, (REASONS[0], ""), (REASONS[1],)):
                span = Span(ws, lo, hi, reasons)
                for limit in (1, 3, 10, 100):
                    expected = _all_joined(conn, span, limit)
                    assert top_authors(conn, span, limit) == expected
                scores = [score for score, *_ in _ranked(conn, span)]
                ties += len(scores) - len(set(scores))
    assert ties > 0  # the handles did break ties


def test_few_authors_are_looked_up(
    store: Store, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The walk stops early: the test above would pass by looking up every author too."""
    looked_up: list[int] = []
    lookup = reads.authors_by_id

    def counted(conn: Connection, ids: list[int]) -> dict:
        looked_up.extend(ids)
        return lookup(conn, ids)

    monkeypatch.setattr(reads, "authors_by_id", counted)
    span = Span(workspace, START, START + DAYS * timedelta(days=1))
    with store.engine.connect() as conn:
        leaders = top_authors(conn, span, 1)
        everyone = len(_all_joined(conn, span, 1000))
    assert len(leaders) == 1
    assert everyone == 40 and len(looked_up) < everyone


def test_the_dashboards_leaders_equal_a_scan(store: Store, workspace: str) -> None:
    with store.engine.connect() as conn:
        for ws in ("one", "two"):
            for reasons in (None, (REASONS[1],)):
                scope = Scope(ws, START, START + timedelta(days=4), ZoneInfo("UTC"), reasons)
                for brand, rivals in (("Acme", ["Rival"]), ("Other", [])):
                    fast = dashboard(conn, scope, brand, rivals, top=4)
                    assert fast == dashboard_by_scan(conn, scope, brand, rivals, top=4)
                    assert len(fast.leaders) == 4


def test_an_author_far_down_the_bound_is_found(store: Store) -> None:
    """Thirty authors of five posts each come first by the bound (5 * 6 = 30, for one author
    of 99,999 followers makes it loose) but score 5; one post with 23 likes scores 24 and
    comes 31st by the bound: the walk must read past its first rows to find it."""
    when = START + timedelta(hours=5)
    batch = [
        make_post(f"p{a}-{n}", "hello", handle=f"p{a:02d}", when=when)
        for a in range(30)
        for n in range(5)
    ]
    big = Author("big", followers=99_999)
    batch.append(replace(make_post("big", "hello", when=when), author=big))
    batch.append(make_post("liked", "hello", handle="liked", when=when, likes=23))
    store.write("three", batch)
    span = Span("three", START, START + timedelta(days=1))
    with store.engine.connect() as conn:
        assert top_authors(conn, span, 2) == _all_joined(conn, span, 2)
        assert [p for _, p, _ in top_authors(conn, span, 2)] == [1, 1]  # liked, then big
