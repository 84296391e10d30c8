"""Whatever the sequence of writes and relabels, the rollups equal a full count of the stored
posts: `rollups_hourly` with every dimension of its key, and `facet_rollups`."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select

from factories import make_post
from rumeur.model import EnrichmentResult, Label
from rumeur.pipeline import deduplicate
from rumeur.store import Store
from rumeur.store.facets import facets
from rumeur.store.rollups import ALL
from rumeur.store.schema import facet_days, facet_rollups, post_brands, posts, rollups_hourly

START = datetime(2015, 2, 16, 22, tzinfo=UTC)
WORKSPACES = ("one", "two")
TEXTS = [
    "Mon colis est perdu, quel problème !",
    "Lost my luggage again @united #fail http://t.co/abc",
    "Great flight, thanks www.example.com/x 2015 ok",
    "Élève très déçu : problème de bagage",
    "",
]


def _labels(sentiment: str | None, emotion: str | None, reason: str | None) -> list[Label]:
    pairs = (("sentiment", sentiment), ("emotion", emotion), ("reason", reason))
    return [Label(task, value) for task, value in pairs if value]


a_post = st.builds(
    lambda n, hours, likes, brands, sentiment, emotion, reason, text, tags, links, ws: (
        ws,
        replace(
            make_post(str(n), text=text, when=START + timedelta(hours=hours), likes=likes,
                      brands=brands, handle=f"user{n % 3}"),
            labels=_labels(sentiment, emotion, reason),
            hashtags=tags,
            mentions=["United"] if "@united" in text else [],
            links=links,
        ),
    ),
    n=st.integers(0, 12),
    hours=st.integers(0, 72),
    likes=st.integers(0, 50),
    brands=st.lists(st.sampled_from(["A", "B", "C"]), max_size=2, unique=True),
    sentiment=st.sampled_from([None, "negative", "neutral", "positive"]),
    emotion=st.sampled_from([None, "anger", "joy"]),
    reason=st.sampled_from([None, "Lost Luggage", "Late Flight"]),
    text=st.sampled_from(TEXTS),
    tags=st.lists(st.sampled_from(["Fail", "fail", "LaPoste"]), max_size=2),
    links=st.lists(st.sampled_from(["https://www.Example.com/a", "http://t.co/abc"]), max_size=2),
    ws=st.sampled_from(WORKSPACES),
)  # fmt: skip

a_relabel = st.tuples(
    st.sampled_from(WORKSPACES),
    st.sampled_from(["sentiment", "emotion", "reason"]),
    st.sampled_from(["negative", "fear", "Damaged Luggage"]),
)


def _stored(conn: Connection) -> list[dict[str, Any]]:
    members: dict[int, set[tuple[str, str]]] = {}
    for m in conn.execute(select(post_brands)):
        members.setdefault(m.post_id, set()).add((m.workspace, m.brand))
    rows = [dict(r) for r in conn.execute(select(posts)).mappings()]
    for row in rows:
        row["memberships"] = members.get(row["id"], set())
    return rows


def recount(conn: Connection) -> tuple[Counter, Counter]:
    """Both rollups counted from scratch, the simple way: post by post."""
    hourly: Counter = Counter()
    facet: Counter = Counter()
    for p in _stored(conn):
        engagement = p["likes"] + p["reposts"] + p["replies"] + p["quotes"]
        hour = p["created_at"].replace(minute=0, second=0, microsecond=0)
        labels = (p["platform"], p["sentiment"] or "unknown", p["language"] or "unknown",
                  p["emotion"] or "unknown", p["reason"] or "")  # fmt: skip
        workspaces = {ws for ws, _ in p["memberships"]}
        for ws, brand in [*p["memberships"], *((ws, ALL) for ws in workspaces)]:
            hourly[(ws, hour, brand, *labels, "posts")] += 1
            hourly[(ws, hour, brand, *labels, "engagement")] += engagement
        post_facets = facets(p["text"], p["title"], p["hashtags"], p["mentions"], p["links"],
                             p["author_id"])  # fmt: skip
        day = hour.replace(hour=0)
        for ws in workspaces:
            for kind, value in post_facets:
                facet[(ws, kind, day, p["reason"] or "", value, "posts")] += 1
                facet[(ws, kind, day, p["reason"] or "", value, "engagement")] += engagement
    return +hourly, +facet


def by_day(facet: Counter) -> Counter:
    """`facet_days` as it must be: the recounted facets with their reasons summed."""
    days: Counter = Counter()
    for (ws, kind, day, _reason, value, what), n in facet.items():
        days[(ws, kind, day, value, what)] += n
    return +days


def rolled(conn: Connection) -> tuple[Counter, ...]:
    out = []
    for table in (rollups_hourly, facet_rollups, facet_days):
        counts: Counter = Counter()
        for row in conn.execute(select(table)).mappings():
            key = tuple(v for k, v in row.items() if k not in ("posts", "engagement"))
            counts[(*key, "posts")] += row["posts"]
            counts[(*key, "engagement")] += row["engagement"]
        out.append(+counts)
    return tuple(out)


def relabel_all(store: Store, workspace: str, task: str, label: str) -> None:
    """A newer model answer for every post of the workspace (`rumeur reenrich`)."""
    ids = [pid for pid, _ in store.posts_after(workspace, 0, 1000)]
    if ids:
        result = EnrichmentResult(task, "m", "2", [label] * len(ids), [0.9] * len(ids))
        store.relabel(workspace, ids, [result])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(st.lists(a_post, min_size=1, max_size=6), min_size=1, max_size=5),
    relabels=st.lists(a_relabel, max_size=2),
)
def test_rollups_always_equal_a_full_scan(store: Store, batches: list, relabels: list) -> None:
    with store.transaction() as conn:  # every example starts from an empty store
        # posts cascade to their brands
        for table in (posts, rollups_hourly, facet_rollups, facet_days):
            conn.execute(table.delete())
    for i, batch in enumerate(batches):
        for ws in WORKSPACES:
            mine = deduplicate([p for w, p in batch if w == ws])
            if mine:
                store.write(ws, mine)
        if i < len(relabels):
            relabel_all(store, *relabels[i])
    with store.engine.connect() as conn:
        hourly, facet = recount(conn)
        assert rolled(conn) == (hourly, facet, by_day(facet))
