"""Corrected labels (issue #17): recorded with who and when, the post's label and the rollups
moved in the same transaction, replaced by a newer correction, read back for the adapter."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from factories import make_post
from rumeur.config import load_settings
from rumeur.model import Label
from rumeur.store import Store
from rumeur.store.corrections import (
    CorrectionError,
    Wanted,
    check_value,
    corrections_for,
    label_choices,
    record_correction,
    record_corrections,
)
from rumeur.store.rebuild import rebuild_rollups
from rumeur.store.schema import facet_rollups, label_correction_log, posts, rollups_hourly


def _rows(store: Store) -> tuple[set, set]:
    """The rollups' rows that count something."""
    with store.engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            {tuple(r) for r in conn.execute(select(t)) if r.posts or r.engagement}
            for t in (rollups_hourly, facet_rollups)
        )


def _ids(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {n: i for i, n in conn.execute(select(posts.c.id, posts.c.native_id))}


def _sentiments(store: Store, workspace: str = "one") -> dict[str, int]:
    r = rollups_hourly.c
    query = (
        select(r.sentiment, func.sum(r.posts))
        .where(r.workspace == workspace, r.brand == "*")
        .group_by(r.sentiment)
    )
    with store.engine.connect() as conn:
        return {s: n for s, n in conn.execute(query) if n}


@pytest.fixture
def written(store: Store) -> dict[str, int]:
    batch = [
        replace(make_post(str(n), f"post {n} #tag"), labels=[Label("sentiment", "positive")])
        for n in range(4)
    ]
    store.write("one", batch)
    store.write("two", batch[3:])  # post 3 in both workspaces
    return _ids(store)


def test_a_correction_moves_the_label_and_the_counts(store: Store, written: dict) -> None:
    assert _sentiments(store) == {"positive": 4}
    found = record_correction(store, "one", written["1"], None, "sentiment", "negative", "léa")
    assert (found.value, found.model_value, found.author) == ("negative", "positive", "léa")
    assert found.text == "post 1 #tag"
    assert _sentiments(store) == {"positive": 3, "negative": 1}
    with store.engine.connect() as conn:
        label = conn.execute(select(posts.c.sentiment).where(posts.c.id == written["1"]))
        assert label.scalar_one() == "negative"
    record_correction(store, "one", written["3"], None, "reason", "Lost Luggage", "léa")
    kept = _rows(store)
    with store.transaction() as conn:
        rebuild_rollups(conn)
    assert _rows(store) == kept  # the deltas (facets moved to the reason too) equal a recount


def test_a_newer_correction_replaces_the_older_and_both_are_logged(
    store: Store, written: dict
) -> None:
    record_correction(store.engine, "one", written["2"], None, "sentiment", "negative", "léa")
    record_correction(store.engine, "one", written["2"], None, "sentiment", "neutral", "marc")
    [only] = corrections_for(store, "one")
    assert (only.value, only.model_value, only.author) == ("neutral", "positive", "marc")
    assert _sentiments(store) == {"positive": 3, "neutral": 1}
    with store.engine.connect() as conn:
        log = conn.execute(select(label_correction_log.c.value).order_by(label_correction_log.c.id))
        assert log.scalars().all() == ["negative", "neutral"]


def test_a_shared_post_moves_in_every_workspace_it_belongs_to(store: Store, written: dict) -> None:
    record_correction(store, "one", written["3"], None, "sentiment", "negative", "léa")
    assert _sentiments(store, "two") == {"negative": 1}
    assert corrections_for(store, "two") == []  # the correction is one's


def test_a_reason_set_to_none_empties_it(store: Store, written: dict) -> None:
    record_correction(store, "one", written["0"], None, "reason", "Late Flight", "léa")
    record_correction(store, "one", written["0"], None, "reason", "none", "léa")
    with store.engine.connect() as conn:
        label = conn.execute(select(posts.c.reason).where(posts.c.id == written["0"]))
        assert label.scalar_one() is None


def test_texts_alone_are_kept_for_the_adapter(store: Store, written: dict) -> None:
    wanted = [
        Wanted(None, " Colis en retard, déçu ", "sentiment", "negative"),
        Wanted(None, "Colis en retard, déçu", "sentiment", "negative"),  # the same text again
        Wanted(written["0"], None, "emotion", "anger"),
    ]
    record_corrections(store, "one", wanted, "import")
    found = corrections_for(store, "one", "sentiment")
    assert [(c.post_id, c.text) for c in found] == [(None, "Colis en retard, déçu")]
    assert [c.text for c in corrections_for(store, "one", "emotion")] == ["post 0 #tag"]


def test_a_post_of_another_workspace_is_refused_and_nothing_is_kept(
    store: Store, written: dict
) -> None:
    store.write("two", [make_post("9", "only in two")])
    wanted = [
        Wanted(written["0"], None, "sentiment", "negative"),
        Wanted(_ids(store)["9"], None, "sentiment", "negative"),
    ]
    with pytest.raises(CorrectionError, match=r"^post \d+: no such post in workspace one$"):
        record_corrections(store, "one", wanted, "léa")
    assert corrections_for(store, "one") == []
    assert _sentiments(store) == {"positive": 4}


def test_the_choices_are_the_models_and_the_workspaces() -> None:
    ws = load_settings().workspace()
    choices = label_choices(ws)
    assert choices["sentiment"] == ("negative", "neutral", "positive")
    assert "none" in choices["emotion"] and "anger" in choices["emotion"]
    assert "Lost Luggage" in choices["reason"] and "none" in choices["reason"]
    other = load_settings().workspace()
    other = other.model_copy(update={"nlp": other.nlp.model_copy(update={"reason_model": None})})
    assert label_choices(other)["reason"] == ("none",)  # never the demo's airline reasons
    assert check_value("sentiment", "neutral", choices) == "neutral"
    with pytest.raises(CorrectionError, match=r"^sentiment: \"happy\" is not one of negative, "):
        check_value("sentiment", "happy", choices)
    with pytest.raises(CorrectionError, match=r'^"language": not a label field'):
        check_value("language", "fr", choices)


def test_concurrent_corrections_keep_the_counts_true(store: Store, written: dict) -> None:
    """Analysts correcting the same posts at once: each correction runs alone among writers
    (Store.transaction), so the rollups end as a recount gives them, one correction a post and
    field stays, and the log has every one."""
    from concurrent.futures import ThreadPoolExecutor

    values = ("negative", "neutral", "positive")

    def analyst(n: int) -> None:
        for i in range(6):
            post = written[str((n + i) % 4)]
            record_correction(store, "one", post, None, "sentiment", values[(n * i) % 3], f"a{n}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(analyst, range(4)))
    kept = _rows(store)
    with store.transaction() as conn:
        rebuild_rollups(conn)
    assert _rows(store) == kept
    assert len(corrections_for(store, "one")) == 4
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(label_correction_log)).scalar() == 24
