"""Issue #18, must-show 1 (the composer's part): one master message published to three accounts
on two networks; what each network will be sent is checked against the recorded shapes
(Bluesky's facets in UTF-8 byte offsets on a French text with accents, an emoji, a hashtag, a
mention and a link; Mastodon's visibility and media ids), and an account whose variant is over
its limit is refused before it is scheduled, with the reason. (The HTTP sending through the
replayed APIs is the sender's: tests of sources/*/post.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from publishing_support import (
    recorded_blob,
    recorded_did,
    recorded_post_record,
    recorded_status_forms,
    workspace,
)

from rumeur.publishing.bodies import bluesky_record, headers, mastodon_status
from rumeur.publishing.schedule import schedule
from rumeur.publishing.spec import read
from rumeur.store import Store
from rumeur.store.publishing import items

NOW = datetime(2026, 12, 20, 12, tzinfo=UTC)
HANDLE = "bskyr.bsky.social"  # resolved in the recorded createRecord session
TEXT = (
    "À {ville}, le bureau de poste est ouvert {horaires|de 9 h à 17 h} le 24 décembre 🎄 "
    "#NoëlÀLaPoste @" + HANDLE + " https://www.laposte.fr/fêtes?ville={ville}"
)
MESSAGE = {
    "text": TEXT,
    "accounts": ["lyon", "lille", "toulouse"],
    "at": "2026-12-24T09:00:00+01:00",
    "type": "local",
    "media": [{"path": "sapin.png", "alt": "Le sapin du bureau de {ville}"}],
    "variants": {
        "mastodon": {"visibility": "unlisted", "spoiler": "Horaires de fêtes"},
        # Lille's own variant is over Bluesky's 300 graphemes: refused, the others go.
        "lille": {"text": "{ville} : " + "é" * 300},
    },
}


@pytest.fixture
def lite(tmp_path: Path) -> Iterator[Store]:
    """SQLite alone: the shapes below do not depend on the database (the first test runs on
    both)."""
    opened = Store.open(str(tmp_path / "composer.db"))
    yield opened
    opened.close()


def _scheduled(store: Store) -> tuple[dict[str, object], list[object]]:
    ws = workspace()
    did = recorded_did(HANDLE)
    outcome = schedule(store, ws, read(MESSAGE, ws.timezone), NOW, resolve={HANDLE: did}.get)
    return {i.account: i for i in outcome.created}, outcome.refused


def test_one_message_to_three_accounts_on_two_networks(store: Store) -> None:
    created, refused = _scheduled(store)
    assert sorted(created) == ["lyon", "toulouse"]
    [lille] = refused
    assert lille.account == "lille" and lille.platform == "bluesky"
    assert lille.line == "lille (bluesky): 308 characters: Bluesky takes at most 300"
    stored = items(store, "laposte")
    assert sorted(i.account for i in stored) == ["lyon", "toulouse"]  # refused: never stored
    assert {i.status for i in stored} == {"scheduled"}
    assert all(i.at == datetime(2026, 12, 24, 8, tzinfo=UTC) for i in stored)
    assert all(i.timezone == "+01:00" for i in stored)


def test_the_bluesky_record_has_the_recorded_shape_and_byte_offsets(lite: Store) -> None:
    created, _refused = _scheduled(lite)
    lyon = created["lyon"]
    record = bluesky_record(lyon, {"sapin.png": recorded_blob()})
    recorded = recorded_post_record()
    assert set(record) <= set(recorded)  # $type, text, facets, createdAt, embed
    assert record["createdAt"] == "2026-12-24T08:00:00.000Z"
    assert record["text"].startswith("À Lyon, le bureau de poste est ouvert 9 h – 18 h le 24")
    for facet, model in zip(record["facets"], recorded["facets"], strict=False):
        assert set(facet) == set(model) and set(facet["index"]) == set(model["index"])
    data = record["text"].encode("utf-8")
    spans = {
        f["features"][0]["$type"].rsplit("#", 1)[1]: (
            data[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"),
            f["features"][0],
        )
        for f in record["facets"]
    }
    assert spans["tag"] == ("#NoëlÀLaPoste", {"$type": "app.bsky.richtext.facet#tag",
                                              "tag": "NoëlÀLaPoste"})  # fmt: skip
    assert spans["mention"][0] == "@" + HANDLE
    assert spans["mention"][1]["did"] == recorded_did(HANDLE)
    link = "https://www.laposte.fr/fêtes?ville=Lyon"
    assert spans["link"] == (link, {"$type": "app.bsky.richtext.facet#link", "uri": link})
    # Byte offsets, not characters: À, é, è, – and 🎄 come before the tag.
    tag = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#tag"))
    assert tag["index"]["byteStart"] == len(record["text"].split("#")[0].encode("utf-8"))
    assert tag["index"]["byteStart"] > record["text"].index("#")
    image = record["embed"]["images"][0]
    assert set(image) == set(recorded["embed"]["images"][0]) == {"alt", "image"}
    assert image["alt"] == "Le sapin du bureau de Lyon"
    assert image["image"] == recorded_blob()


def test_the_recorded_facets_are_byte_offsets_too() -> None:
    """What the tests above assume about the lexicon, read from a recorded post."""
    recorded = recorded_post_record()
    data = recorded["text"].encode("utf-8")
    for facet in recorded["facets"]:
        uri = facet["features"][0]["uri"]
        shown = data[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode("utf-8")
        assert uri.endswith(shown)


def test_the_mastodon_status_has_visibility_warning_and_media_ids(lite: Store) -> None:
    created, _refused = _scheduled(lite)
    toulouse = created["toulouse"]
    form = mastodon_status(toulouse, ["117020585924712999"])
    recorded = recorded_status_forms("mastodon/status-reply.cassette.yaml")[-1]
    assert {"status", "visibility", "spoiler_text"} <= set(recorded)
    assert set(form) == {"status", "visibility", "spoiler_text", "media_ids[]"}
    assert form["visibility"] == "unlisted"
    assert form["spoiler_text"] == "Horaires de fêtes"
    assert form["media_ids[]"] == ["117020585924712999"]
    assert form["status"].startswith("À Toulouse, le bureau de poste est ouvert 8 h 30 – 19 h")
    assert toulouse.media == [{"path": "sapin.png", "alt": "Le sapin du bureau de Toulouse"}]
    assert headers(toulouse) == {"Idempotency-Key": toulouse.idempotency_key}
    public = recorded_status_forms("mastodon/status-post-public.cassette.yaml")[0]
    assert public["visibility"] == ["public"]  # the recorded default, as an item without one


def test_an_item_keeps_its_idempotency_key_and_is_not_made_twice(lite: Store) -> None:
    first, _ = _scheduled(lite)
    again, _ = _scheduled(lite)
    assert again == {}  # every item existed already
    assert sorted(i.idempotency_key for i in items(lite, "laposte")) == sorted(
        i.idempotency_key for i in first.values()
    )
