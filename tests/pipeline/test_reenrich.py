"""`reenrich`: newer model versions over stored posts, resumable, rollups kept true."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from factories import make_post
from rumeur.config import load_settings
from rumeur.model import EnrichmentResult
from rumeur.pipeline.reenrich import reenrich
from rumeur.store import Store
from rumeur.store.schema import enrichments, posts, rollups_hourly


class KeywordSentiment:
    """A tiny, real sentiment model for the test: 'merci' is positive, anything else negative."""

    task, model = "sentiment", "keywords"

    def __init__(self, version: str, fail_after: int | None = None) -> None:
        self.version = version
        self.fail_after = fail_after
        self.seen: list[str] = []

    def predict(self, texts: Sequence[str], meta: Sequence[str] | None = None) -> EnrichmentResult:
        if self.fail_after is not None and len(self.seen) >= self.fail_after:
            raise RuntimeError("killed")
        self.seen += texts
        labels = ["positive" if "merci" in t else "negative" for t in texts]
        return EnrichmentResult(self.task, self.model, self.version, labels, [0.9] * len(texts))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    store = Store.open(str(tmp_path / "re.db"))
    store.write(
        "united",
        [
            make_post("1", "merci beaucoup", brands=["United"]),
            make_post("2", "vol annulé", brands=["United"]),
            make_post("3", "merci quand même", brands=["United"], sentiment="negative"),
            make_post("4", "bagage perdu", brands=["United"]),
            make_post("5", "merci", brands=["Delta"]),
        ],
    )
    return store


def sentiments(store: Store) -> dict[str, str | None]:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(posts.c.native_id, posts.c.sentiment)).all())


def rolled(store: Store) -> dict[str, int]:
    r = rollups_hourly
    query = select(r.c.sentiment, func.sum(r.c.posts)).where(r.c.brand == "*")
    with store.engine.connect() as conn:
        return {s: int(n) for s, n in conn.execute(query.group_by(r.c.sentiment)) if n}


def test_a_new_model_relabels_posts_and_moves_the_rollups(store: Store) -> None:
    ws = load_settings().workspace()
    assert rolled(store) == {"unknown": 4, "negative": 1}
    report = reenrich(store, ws, [KeywordSentiment("1")], batch_size=2)
    assert (report.posts, report.changed) == (5, 4)
    # the annotator's label on post 3 outranks the model's "positive"
    assert sentiments(store) == {"1": "positive", "2": "negative", "3": "negative",
                                 "4": "negative", "5": "positive"}  # fmt: skip
    assert rolled(store) == {"positive": 2, "negative": 3}
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(enrichments.c.model, enrichments.c.version, func.count())
            .where(enrichments.c.task == "sentiment")
            .group_by(enrichments.c.model, enrichments.c.version)
        ).all()
    assert sorted(tuple(r) for r in rows) == [("keywords", "1", 5), ("source", "source", 1)]


def test_an_interrupted_run_resumes_after_the_last_stored_batch(store: Store) -> None:
    ws = load_settings().workspace()
    with pytest.raises(RuntimeError):
        reenrich(store, ws, [KeywordSentiment("2", fail_after=2)], batch_size=2)
    assert sentiments(store)["1"] == "positive" and sentiments(store)["4"] is None
    again = KeywordSentiment("2")
    report = reenrich(store, ws, [again], batch_size=2)
    assert report.resumed and report.posts == 3
    assert again.seen == ["merci quand même", "bagage perdu", "merci"]
    assert reenrich(store, ws, [again], batch_size=2).posts == 0
    assert reenrich(store, ws, [KeywordSentiment("3")], batch_size=2).posts == 5
