"""The team's corrections outrank the models: `rumeur reenrich` puts them back over the new
answers (and records what the model says now), and so does a post imported again."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from test_reenrich import KeywordSentiment, rolled, sentiments

from factories import make_post
from rumeur.config import load_settings
from rumeur.model import EnrichmentResult
from rumeur.pipeline.reenrich import reenrich
from rumeur.store import Store
from rumeur.store.corrections import corrections_for, record_correction
from rumeur.store.schema import posts


@pytest.fixture
def seeded(store: Store) -> Store:
    """test_reenrich's posts, in SQLite and PostgreSQL."""
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


def _id(store: Store, native_id: str) -> int:
    with store.engine.connect() as conn:
        query = select(posts.c.id).where(posts.c.native_id == native_id)
        return conn.execute(query).scalar_one()


def test_reenrich_keeps_the_corrections(seeded: Store) -> None:
    store = seeded
    ws = load_settings().workspace()
    record_correction(store, "united", _id(store, "1"), None, "sentiment", "neutral", "léa")
    reenrich(store, ws, [KeywordSentiment("2")], batch_size=2)
    # "merci beaucoup" reads positive to the model; the analyst said neutral, which stays
    assert sentiments(store)["1"] == "neutral"
    assert rolled(store) == {"positive": 1, "neutral": 1, "negative": 3}
    [kept] = corrections_for(store, "united")
    assert (kept.value, kept.model_value) == ("neutral", "positive")


def test_a_post_imported_again_keeps_its_correction(seeded: Store) -> None:
    store = seeded
    record_correction(store, "united", _id(store, "2"), None, "sentiment", "positive", "léa")
    again = make_post("2", "vol annulé", brands=["United"])
    model = EnrichmentResult("sentiment", "keywords", "1", ["negative"], [0.9])
    store.write("united", [again], [model])
    assert sentiments(store)["2"] == "positive"
    assert rolled(store) == {"unknown": 3, "negative": 1, "positive": 1}
