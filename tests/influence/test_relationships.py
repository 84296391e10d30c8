"""The relationship file (docs/influence.md): records, history from the listening and the inbox,
reminders, and the GDPR export and erasure, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from factories import make_post
from inbox_site import add_account, status
from rumeur.influence import campaigns
from rumeur.influence import relationships as rel
from rumeur.store import Store
from rumeur.store.inbox import receive
from rumeur.store.schema import people, people_erasures, person_events, posts

WS = "laposte"
T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ROUTE = {
    "department": None, "priority": "normal", "tags": [], "assignee": None,
    "route": {"matched": [], "stopped_by": None, "set_by": {}},
}  # fmt: skip


def _listening(store: Store) -> None:
    """Two posts by marie on Mastodon about the brand, one by paul; a post by another marie on
    Bluesky; and the brand's reply to marie in the inbox."""
    store.write(
        WS,
        [
            make_post(
                "m1", "J'adore @laposte", platform="mastodon", handle="marie", when=T0, likes=4
            ),
            make_post(
                "m2",
                "Encore merci",
                platform="mastodon",
                handle="marie",
                when=T0 + timedelta(days=1),
            ),
            make_post("p1", "Colis perdu", platform="mastodon", handle="paul", when=T0),
        ],
    )
    store.write(WS, [make_post("b1", "hello", platform="bluesky", handle="Marie", when=T0)])
    asked = status(1, "marie", T0 + timedelta(days=2), text="une question ?")
    receive(store, WS, "laposte", asked, ROUTE, T0 + timedelta(days=2))
    answer = status(
        2, "laposte", T0 + timedelta(days=3), direction="out", kind="reply",
        reply_to=asked.native_id, text="Bonjour Marie, on regarde",
    )  # fmt: skip
    receive(store, WS, "laposte", answer, ROUTE, T0 + timedelta(days=3))


def test_a_record_gathers_posts_replies_and_notes_and_is_found_again(store: Store) -> None:
    _listening(store)
    add_account(store, "Claire", "community_manager")
    person, made = rel.add_person(
        store,
        WS,
        "mastodon:marie",
        kind="ambassador",
        owner="claire",
        by="Claire",
        now=T0 + timedelta(hours=1),
    )
    assert made and person.owner == "Claire" and person.status == "spotted"
    again, made = rel.add_person(store, WS, "mastodon:@marie", now=T0)
    assert not made and again.id == person.id
    rel.note(store, WS, person, "Rencontrée au salon", by="Claire", now=T0 + timedelta(days=4))

    kinds = [(item.kind, item.text) for item in rel.history(store, WS, person)]
    assert kinds == [
        ("note", "Rencontrée au salon"),
        ("reply", "Bonjour Marie, on regarde"),
        ("post", "Encore merci"),
        ("created", None),
        ("post", "J'adore @laposte"),
    ]
    assert rel.find(store, WS, str(person.id)) == rel.find(store, WS, "mastodon:marie")
    with pytest.raises(rel.PeopleError, match="several authors"):
        rel.find(store, WS, "marie")  # Mastodon's marie and Bluesky's Marie


def test_values_are_checked_once_with_one_line(store: Store) -> None:
    _listening(store)
    with pytest.raises(rel.PeopleError, match="--status gone: one of spotted"):
        rel.add_person(store, WS, "mastodon:paul", status="gone")
    with pytest.raises(rel.PeopleError, match="--owner nobody: no such user"):
        rel.add_person(store, WS, "mastodon:paul", owner="nobody")
    with pytest.raises(rel.PeopleError, match="no such author"):
        rel.add_person(store, WS, "zoe")
    person, _ = rel.add_person(store, WS, "paul")  # one author has this handle
    assert (person.platform, person.handle) == ("mastodon", "paul")
    with pytest.raises(rel.PeopleError, match="--email"):
        rel.update(store, WS, person, email="paul@")
    with pytest.raises(rel.PeopleError, match="--phone"):
        rel.update(store, WS, person, phone="call me")
    with pytest.raises(rel.PeopleError, match="control character"):
        rel.note(store, WS, person, "bip\x07")
    changed = rel.update(store, WS, person, email=" paul@example.fr ", phone="+33 6 12 34 56 78")
    assert (changed.email, changed.phone) == ("paul@example.fr", "+33 6 12 34 56 78")


def test_partners_not_contacted_for_the_set_time_are_due(store: Store) -> None:
    _listening(store)
    marie, _ = rel.add_person(store, WS, "mastodon:marie", status="partner", now=T0)
    paul, _ = rel.add_person(store, WS, "mastodon:paul", status="partner", now=T0)
    jeanne, _ = rel.add_person(store, WS, None, name="Jeanne", status="partner", now=T0)
    rel.add_person(store, WS, "bluesky:Marie", status="spotted", now=T0)  # not a partner
    rel.note(store, WS, paul, "Appel", contact=True, now=T0 + timedelta(days=20))

    # Day 35: marie had the brand's reply on day 3, jeanne nothing since day 0, paul a call on 20.
    found = rel.due(store, WS, days=30, now=T0 + timedelta(days=35))
    assert [(d.person.id, d.last_contact) for d in found] == [
        (jeanne.id, None),
        (marie.id, T0 + timedelta(days=3)),
    ]
    assert [d.person.id for d in rel.due(store, WS, days=10, now=T0 + timedelta(days=35))] == [
        jeanne.id, marie.id, paul.id,
    ]  # fmt: skip


def test_export_holds_the_record_and_erase_leaves_only_the_posts(store: Store) -> None:
    _listening(store)
    person, _ = rel.add_person(store, WS, "mastodon:marie", now=T0)
    person = rel.update(store, WS, person, email="marie@example.fr", status="contacted", now=T0)
    rel.note(store, WS, person, "Préfère être tutoyée", now=T0)

    exported = json.loads(json.dumps(rel.export(store, WS, person)))
    assert exported["person"]["email"] == "marie@example.fr"
    assert {item["kind"] for item in exported["history"]} == {
        "created", "status", "note", "post", "reply",
    }  # fmt: skip

    made = campaigns.create_campaign(
        store,
        WS,
        "Noël",
        T0,
        T0 + timedelta(days=7),
        "laposte",
        ["mastodon:marie", "mastodon:paul"],
    )
    rel.erase(store, WS, person, by="Claire", now=T0 + timedelta(days=1))
    # The campaign keeps its other people; marie's place in it went with her record.
    assert campaigns.campaign(store, WS, made.id).people == (("mastodon", "paul"),)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(people)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(person_events)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(posts)).scalar() == 4
        logged = conn.execute(select(people_erasures)).mappings().one()
    assert (logged["person_id"], logged["by"]) == (person.id, "Claire")
    assert "marie" not in json.dumps({k: str(v) for k, v in logged.items()})
    with pytest.raises(rel.PeopleError, match="not in the relationship file"):
        rel.find(store, WS, "mastodon:marie")
