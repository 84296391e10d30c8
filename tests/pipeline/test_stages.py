"""The stages, each a plain function over a batch."""

from __future__ import annotations

import json

from factories import make_post
from rumeur.config import load_settings
from rumeur.errors import RowError
from rumeur.model import EnrichmentResult, Label, RawItem
from rumeur.pipeline import attribute_brands, deduplicate, normalise
from rumeur.pipeline.stages import enrich
from rumeur.store import Store


def test_a_later_copy_wins_but_keeps_the_labels_it_lacks() -> None:
    first = make_post("1", likes=1)
    first.labels = [Label("sentiment", "negative"), Label("reason", "Late Flight")]
    second = make_post("1", likes=5)
    second.labels = [Label("sentiment", "neutral")]
    [merged] = deduplicate([first, make_post("2"), second])[1:]
    assert merged.metrics.likes == 5
    assert {(x.task, x.label) for x in merged.labels} == {
        ("sentiment", "neutral"),
        ("reason", "Late Flight"),
    }


def test_brands_are_found_by_handle_term_and_hashtag() -> None:
    ws = load_settings().workspace()
    posts = [
        make_post("1", "@united lost my bag"),
        make_post("2", "Flying #UnitedAirlines then @Delta tomorrow"),
        make_post("3", "The united nations met today"),  # a word, not the brand's terms
        make_post("4", "thanks @SouthwestAir", brands=["Southwest"]),
    ]
    found = [p.brands for p in attribute_brands(posts, ws)]
    assert found == [["United"], ["United", "Delta"], [], ["Southwest"]]


def test_a_row_error_becomes_a_rejected_row_with_the_json_payload() -> None:
    def to_post(item: RawItem):
        raise RowError("record.text", "empty text")

    item = RawItem(payload={"uri": "u1", "record": {"text": ""}}, origin="posts.jsonl", line=7)
    out = normalise([item], to_post)
    assert out.posts == []
    [reject] = out.rejects
    assert (reject.source, reject.line, reject.field) == ("posts.jsonl", 7, "record.text")
    assert json.loads(reject.raw) == {"uri": "u1", "record": {"text": ""}}
    assert reject.message() == "posts.jsonl:7: field 'record.text': empty text"


def test_the_language_a_network_gives_outranks_the_detector(tmp_path) -> None:
    store = Store.open(str(tmp_path / "l.db"))
    post = make_post("1", "Ceci est un texte", language="fr")
    detected = EnrichmentResult("language", "lingua", "1", ["it"], [0.6])
    store.write("ws", [post], [detected])
    with store.engine.connect() as conn:
        from sqlalchemy import select

        from rumeur.store.schema import posts

        assert conn.execute(select(posts.c.language)).scalar_one() == "fr"


def test_language_detection_is_asked_only_of_posts_whose_network_said_nothing() -> None:
    class Detector:
        task = "language"

        def __init__(self) -> None:
            self.asked: list[list[str]] = []

        def predict(self, texts, meta=None):  # type: ignore[no-untyped-def]
            self.asked.append(list(texts))
            return EnrichmentResult(
                "language", "detector", "1", ["en"] * len(texts), [0.9] * len(texts)
            )

    detector = Detector()
    declared = make_post("1", "Bonjour à tous", language="fr")
    silent = make_post("2", "Hello everyone")
    [result] = enrich([declared, silent], [detector])
    assert detector.asked == [["Hello everyone"]]
    assert list(result.labels) == ["", "en"]  # "" is no answer: the network's "fr" stands
    assert result.model == "detector"
    [result] = enrich([declared], [detector])
    assert list(result.labels) == [""] and detector.asked[-1] == []
