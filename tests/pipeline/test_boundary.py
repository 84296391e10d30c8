"""The one check at the boundary (`limits.check_post`) holds network payloads as it holds files:
a post from Bluesky, Mastodon, Reddit or RSS that breaks a store limit is rejected alone, and
the rest of its batch is stored on both stores; a bulk load ends with fresh statistics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select, text

from factories import make_post
from rumeur.config import load_settings
from rumeur.errors import RowError
from rumeur.limits import (
    BIGINT_MAX,
    COUNT_MAX,
    INT_MAX,
    SOURCE_LENGTH,
    check_post,
    storable,
)
from rumeur.model import Media, Post, RawItem, Rejected
from rumeur.pipeline import normalise, run
from rumeur.sources.base import Batch
from rumeur.store import Store
from rumeur.store.schema import posts
from rumeur.store.store import Growth

BREAKERS: dict[str, Callable[[Post], None]] = {
    "native_id": lambda p: setattr(p, "native_id", "a" * 129),
    "author": lambda p: setattr(p.author, "handle", "h" * 256),
    "platform": lambda p: setattr(p, "platform", "p" * 33),
    "language": lambda p: setattr(p, "language", "l" * 17),
    "reply_to": lambda p: setattr(p, "reply_to", "r" * 129),
    "brand": lambda p: setattr(p, "brands", ["b" * 256]),
    "text": lambda p: setattr(p, "text", "a\x00b"),
    "author_name": lambda p: setattr(p.author, "display_name", "\ud800"),
    "media": lambda p: setattr(p, "media", [Media("image", "https://x/\x00")]),
    "hashtags": lambda p: setattr(p, "hashtags", ["#a\udfff"]),
    "note": lambda p: setattr(p, "raw", {"record": {"note": "\ud83d"}}),
    "raw": lambda p: setattr(p, "raw", _nested(70)),
}


def _nested(depth: int) -> dict[str, Any]:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return {"raw": value}


@pytest.mark.parametrize("field", BREAKERS)
def test_a_payload_over_a_limit_is_rejected_alone_naming_its_field(field: str) -> None:
    def to_post(item: RawItem) -> Post:
        post = make_post(str(item.payload["n"]))
        if item.payload["n"] == 2:
            BREAKERS[field](post)
        return post

    items = [RawItem({"n": n, "x": "\ud800"}, "bluesky:laposte", None) for n in range(1, 4)]
    out = normalise(items, to_post)
    assert [p.native_id for p in out.posts] == ["1", "3"]
    [reject] = out.rejects
    assert (reject.field, reject.source) == (field, "bluesky:laposte")
    assert storable(reject.raw)[1]  # the payload's surrogate: the writer escapes it


def test_counts_are_clamped_to_their_columns() -> None:
    post = make_post("1", likes=2**40, reposts=-5)
    post.metrics.views = 10**30
    post.author.followers = 2**31
    check_post(post)
    m = post.metrics
    assert (m.likes, m.reposts, m.views, post.author.followers) == (
        COUNT_MAX,
        0,
        BIGINT_MAX,
        INT_MAX,
    )


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "12", None, True])
def test_a_count_that_is_no_number_rejects_its_post(value: Any) -> None:
    post = make_post("1")
    post.metrics.quotes = value
    with pytest.raises(RowError) as caught:
        check_post(post)
    assert caught.value.field == "quotes"


def test_limits_at_the_edge_pass() -> None:
    post = make_post("i" * 128, handle="h" * 255, brands=["b" * 255], language="l" * 16)
    post.platform = "p" * 32
    check_post(post)


class _Feed:
    """A network-like source: payloads in, posts out, the second one over a limit."""

    name = "mastodon:test"

    def __init__(self, count: int) -> None:
        self.count = count

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        items = [RawItem({"id": str(n), "bad": "\udc80"}, self.name) for n in range(self.count)]
        for start in range(0, len(items), size):
            yield Batch(items[start : start + size], {"at": start + size})

    def normalise(self, item: RawItem) -> Post:
        post = make_post(item.payload["id"], handle=f"user{item.payload['id']}", likes=10**25)
        if item.payload["id"] == "1":
            post.text = "nul \x00 here"
        return post


def test_a_bad_network_item_is_stored_aside_and_the_batch_goes_on(store: Store) -> None:
    report = run(_Feed(5), store, load_settings().workspace(), batch_size=5)
    assert report.written.inserted == 4
    with store.engine.connect() as conn:
        likes = set(conn.execute(select(posts.c.likes)).scalars())
    assert likes == {COUNT_MAX}
    [row] = store.rejected_rows()
    assert (row["field"], row["line"]) == ("text", 0)
    assert '"bad": "\\x80"' in row["raw"] and "raw text escaped" in row["reason"]


def test_a_bulk_load_ends_with_fresh_statistics(store: Store) -> None:
    run(_Feed(Growth().floor + 1), store, load_settings().workspace(), batch_size=500)
    with store.engine.connect() as conn:
        if store.dialect == "postgresql":
            query = "SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'posts'"
            assert conn.execute(text(query)).scalar_one() is not None
        else:
            stats = conn.execute(text("SELECT tbl, stat FROM sqlite_stat1")).all()
            assert {"posts", "authors", "rollups_hourly"} <= {tbl for tbl, _ in stats}


def test_rejected_items_with_long_or_unstorable_origins_are_kept(store: Store) -> None:
    long_a, long_b = "https://feed/" + "a" * 600, "https://feed/" + "a" * 599 + "b"
    rejects = [
        Rejected(long_a, 1, "text", "empty text", "{}"),
        Rejected(long_b, 1, "text", "empty text", "{}"),
        Rejected("mastodon:x#\x00\ud800", None, "f" * 200, "why", "raw"),
        Rejected("mastodon:x#\x00\ud800", None, "text", "twice", "raw"),  # the same key again
    ]
    assert store.write("default", [], rejects=rejects).rejected == 3
    rows = store.rejected_rows()
    assert len({r["source"] for r in rows}) == 3
    assert all(len(r["source"]) <= SOURCE_LENGTH and len(r["field"]) <= 128 for r in rows)
    assert {r["reason"] for r in rows} == {"empty text", "twice"}
