"""Saved templates and the dialogue formats (docs/publish.md, "Templates", "Answers"): a poll
that Mastodon gets as a poll and the other networks as text, a "battle" whose votes are counted
from the replies naming A or B, an open question whose answers are grouped and counted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import laposte_workspace as laposte
import pytest

from clirun import rumeur
from rumeur.config import parse_settings
from rumeur.publishing import templates
from rumeur.publishing.answers import answers, count, fold, parents
from rumeur.publishing.bodies import mastodon_status
from rumeur.publishing.expand import expand
from rumeur.publishing.schedule import schedule
from rumeur.publishing.spec import SpecError, read
from rumeur.publishing.templates import TemplateError, read_template
from rumeur.store import Store
from rumeur.store.inbox import Message, receive
from rumeur.store.publish_answers import Reply
from rumeur.store.publishing import item as load
from rumeur.store.publishing import message as message_of
from rumeur.store.publishing import transition

NOW = datetime(2030, 6, 1, 6, tzinfo=UTC)
SETTINGS = laposte.settings(laposte.account("lyon"), laposte.account("toulouse"))
WS = parse_settings(SETTINGS, "rumeur.toml").workspace()
BATTLE = {"name": "battle", "kind": "battle", "type": "battle",
          "text": "À {ville}, plutôt calendrier chat ou chien ? Répondez A ou B",
          "options": ["Calendrier chat", "Calendrier chien"]}  # fmt: skip


def test_a_template_is_read_once_and_each_bad_field_named() -> None:
    battle = read_template(BATTLE)
    assert (battle.kind, battle.options, battle.content_type) == (
        "battle", ("Calendrier chat", "Calendrier chien"), "battle")  # fmt: skip
    question = {"name": "q", "kind": "question", "text": "Votre souvenir ?"}
    assert read_template(question).options == ()
    with pytest.raises(TemplateError, match="battle names two"):
        read_template(BATTLE | {"options": ["A", "B", "C"]})
    with pytest.raises(TemplateError, match="2 to 4"):
        read_template({"name": "p", "kind": "poll", "text": "?", "options": ["seul"]})
    with pytest.raises(TemplateError, match="has none"):
        read_template({"name": "q", "kind": "question", "text": "?", "options": ["a", "b"]})
    with pytest.raises(TemplateError, match="unknown key 'colour'"):
        read_template(BATTLE | {"colour": "red"})
    with pytest.raises(TemplateError, match="kind"):
        read_template(BATTLE | {"kind": "quiz"})


def test_a_poll_goes_to_mastodon_as_a_poll_and_elsewhere_as_text() -> None:
    message = templates.message_of(read_template(BATTLE), ["lyon", "toulouse"],
                                   "2030-06-01T09:00:00+02:00")  # fmt: skip
    lyon, toulouse = expand(read(message, WS.timezone), WS.owned_accounts)
    assert lyon.refusal is None and "poll" not in lyon.draft.extra
    assert lyon.draft.text.startswith("À Lyon, plutôt")
    assert toulouse.refusal is None
    assert toulouse.draft.extra["poll"] == {
        "options": ["Calendrier chat", "Calendrier chien"], "expires_in": 86400,
        "multiple": False}  # fmt: skip


def test_the_status_form_carries_the_poll_as_mastodon_reads_it(store: Store) -> None:
    message = templates.message_of(read_template(BATTLE), ["toulouse"], "2030-06-01T09:00:00Z")
    made = schedule(store, WS, read(message, WS.timezone), NOW)
    [item] = made.created
    form = mastodon_status(item)
    assert form["poll[options][]"] == ["Calendrier chat", "Calendrier chien"]
    assert form["poll[expires_in]"] == "86400"
    assert "poll[multiple]" not in form and form["status"].startswith("À Toulouse")


def test_mastodon_refuses_a_poll_it_cannot_hold() -> None:
    base = {"text": "?", "accounts": ["toulouse"], "at": "2030-06-01T09:00:00Z"}
    five = read(base | {"poll": {"options": list("abcde")}}, WS.timezone)
    [refused] = expand(five, WS.owned_accounts)
    assert "a poll of 5 answers: Mastodon takes 2 to 4" in (refused.refusal or "")
    long = read(base | {"poll": {"options": ["x" * 51, "y"], "expires_in": 60}}, WS.timezone)
    [refused] = expand(long, WS.owned_accounts)
    assert "1 to 50 characters" in (refused.refusal or "")
    assert "five minutes to a month" in (refused.refusal or "")
    with_media = base | {"poll": {"options": ["a", "b"]},
                         "media": [{"path": "a.png", "alt": "un chat"}]}  # fmt: skip
    [refused] = expand(read(with_media, WS.timezone), WS.owned_accounts)
    assert "a poll or media, not both" in (refused.refusal or "")
    with pytest.raises(SpecError, match=r"poll: unknown key 'hide'"):
        read(base | {"poll": {"options": ["a", "b"], "hide": True}}, WS.timezone)


def test_a_saved_template_is_started_from_and_the_message_wins(store: Store) -> None:
    templates.save(store, "laposte", read_template(BATTLE), "ada", NOW)
    again = read_template(BATTLE | {"text": "Chat ou chien à {ville} ? A ou B"})
    templates.save(store, "laposte", again, "ada", NOW)  # the same name: replaced
    assert [t.text for t in templates.listed(store, "laposte")] == [again.text]
    data = {"template": "battle", "accounts": ["toulouse"], "at": "2030-06-01T09:00:00Z"}
    spec = read(templates.started_from(store, "laposte", data), WS.timezone)
    assert spec.text == again.text and spec.content_type == "battle"
    assert spec.fields["poll"]["options"] == ["Calendrier chat", "Calendrier chien"]
    mine = read(templates.started_from(store, "laposte", data | {"text": "Le mien"}), "UTC")
    assert mine.text == "Le mien" and mine.template == "battle"
    with pytest.raises(TemplateError, match="no template named 'nope'"):
        templates.started_from(store, "laposte", data | {"template": "nope"})
    assert templates.listed(store, "other") == []


def _reply(text: str, minutes: int = 0) -> Reply:
    return Reply("client", text, NOW + timedelta(minutes=minutes))


def test_battle_votes_are_the_replies_naming_one_product() -> None:
    said = ["@laposte_toulouse Calendrier CHAT évidemment", "B", "b !", "calendrier chien",
            "Les deux : calendrier chat et calendrier chien", "bof", "A"]  # fmt: skip
    found = count(["Calendrier chat", "Calendrier chien"], [_reply(t) for t in said])
    assert found.counts == [("Calendrier chat", 2), ("Calendrier chien", 3)]
    assert (found.unclear, found.replies, found.kind) == (2, 7, "choice")


def test_open_answers_are_grouped_whatever_their_case_accents_and_punctuation() -> None:
    said = ["Le café !", "le cafe", "@laposte Le Café", "La gare", "https://x.example 🎉", "gare"]
    found = count([], [_reply(t, i) for i, t in enumerate(said)])
    assert found.counts == [("Le café !", 3), ("gare", 1), ("La gare", 1)]  # ties by what they say
    assert (found.unclear, found.kind) == (1, "open")
    assert fold("  Élan, VITAL!! ") == "elan vital"


def test_the_answers_are_the_inbox_replies_to_the_published_status(store: Store) -> None:
    spec = read({"text": "Votre meilleur souvenir de facteur ?", "accounts": ["toulouse"],
                 "at": "2030-06-01T09:00:00Z", "type": "question"}, WS.timezone)  # fmt: skip
    [item] = schedule(store, WS, spec, NOW).created
    uri = "https://mastodon.example/users/laposte_toulouse/statuses/1101"
    transition(store, item.id, ("scheduled",), "published", NOW, native_id=uri,
               native_url="https://mastodon.example/@laposte_toulouse/1101")  # fmt: skip
    route = {"department": None, "assignee": None}
    for n, (text, parent) in enumerate(
        [
            ("Le vélo jaune", "1101"),
            ("le velo jaune!", "1101"),
            ("Sa moustache", "1101"),
            ("hors sujet", "999"),
        ]
    ):
        message = Message("mastodon", f"https://m.example/s/{n}", f"c{n}@m.example", text,
                          NOW + timedelta(minutes=n), kind="reply", reply_to=parent)  # fmt: skip
        receive(store, "laposte", "laposte_toulouse", message, route, NOW)
    published = load(store, item.id)
    assert published is not None and parents(published) == {uri, "1101"}
    found = answers(store, published, message_of(store, published.message_id))
    assert found.counts == [("Le vélo jaune", 2), ("Sa moustache", 1)]
    assert found.replies == 3


def test_publish_answers_counts_a_battles_votes_on_the_command_line(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    config, db = tmp_path / "rumeur.toml", str(tmp_path / "r.db")
    config.write_text(SETTINGS, encoding="utf-8")
    store = Store.open(db)
    try:
        message = templates.message_of(read_template(BATTLE), ["lyon"], "2030-06-01T09:00:00Z")
        [item] = schedule(store, WS, read(message, WS.timezone), NOW).created
        uri = "at://did:plc:lyon/app.bsky.feed.post/3kabc"
        transition(store, item.id, ("scheduled",), "published", NOW, native_id=uri)
        for n, text in enumerate(["A", "calendrier chien !", "B", "les deux"]):
            said = Message("bluesky", f"at://did:plc:c{n}/app.bsky.feed.post/{n}", f"c{n}.bsky",
                           text, NOW, kind="reply", reply_to=uri)  # fmt: skip
            receive(store, "laposte", "laposte-lyon.bsky.social", said, {"department": None}, NOW)
    finally:
        store.close()
    where = ["--config", str(config), "--db", db]
    ran = rumeur(capsys, "publish", "answers", str(item.id), *where)
    assert ran.code == 0, ran.err
    assert ran.out == (
        f"item {item.id}: 4 replies\n"
        "     1  Calendrier chat\n"
        "     2  Calendrier chien\n"
        "     1  unclear (no answer named, or several)\n"
    )
    found = json.loads(rumeur(capsys, "publish", "answers", str(item.id), "--json", *where).out)
    assert found["answers"] == [{"answer": "Calendrier chat", "count": 1},
                                {"answer": "Calendrier chien", "count": 2}]  # fmt: skip
    assert (found["replies"], found["unclear"], found["kind"]) == (4, 1, "choice")
    missing = rumeur(capsys, "publish", "answers", "999", *where)
    assert missing.code != 0 and "no item 999 in this workspace" in missing.err
