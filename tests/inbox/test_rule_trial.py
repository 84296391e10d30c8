"""Trying a rule before it is saved, on SQLite and PostgreSQL: over a seeded set of
conversations, exactly those opened in the last 30 days whose first message the rule matches are
caught, and exactly those of them now in another department are "elsewhere"; a follow-up or a
brand's reply is not what a conversation was routed on; the sentence says it in English and in
French, plurals included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inbox_site import DEPARTMENTS, LAPOSTE
from rumeur import i18n
from rumeur.config import parse_settings
from rumeur.inbox.rules import Trial, check_rule, try_rule
from rumeur.store import Store
from rumeur.store.inbox import Message, receive

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
SETTINGS = LAPOSTE + DEPARTMENTS


def ws():  # type: ignore[no-untyped-def]
    return parse_settings(SETTINGS, "trial-test.toml").workspace()


def _open(store: Store, n: int, text: str, days_ago: float, department: str, **more: object) -> int:
    at = NOW - timedelta(days=days_ago)
    message = Message(
        platform="mastodon",
        native_id=f"https://piaille.fr/users/c{n}/statuses/{n}",
        author=f"c{n}",
        text=text,
        at=at,
        **more,  # type: ignore[arg-type]
    )
    got = receive(store, "laposte", "laposte", message, {"department": department}, at)
    assert got.opened and got.conversation_id is not None
    return got.conversation_id


def seed(store: Store) -> dict[str, int]:
    """Twelve conversations; the rule `colis` (department colis) catches six of them in the
    last 30 days, two of which are now in service-client."""
    ids = {}
    # Caught, in colis already: four.
    for n in range(1, 5):
        ids[f"in{n}"] = _open(store, n, f"mon colis numéro {n} est perdu", n, "colis")
    # Caught, now elsewhere: two (one 29 days old, just inside the window).
    ids["else1"] = _open(store, 5, "où est mon colis ?", 2, "service-client")
    ids["else2"] = _open(store, 6, "Colis abîmé", 29.5, "service-client")
    # Not caught: other words, or too old, or another workspace.
    ids["other"] = _open(store, 7, "bonjour, une question sur mon compte", 1, "service-client")
    ids["old"] = _open(store, 8, "mon colis de l'an dernier", 31, "service-client")
    ids["older"] = _open(store, 9, "colis colis", 45, "colis")
    receive(store, "ailleurs", "laposte",
            Message("mastodon", "x-10", "c10", "mon colis", NOW - timedelta(days=1)),
            {"department": "service-client"}, NOW)  # fmt: skip
    # A conversation opened on another subject: its follow-up about a parcel is not what it
    # was routed on.
    ids["followup"] = _open(store, 11, "une question sur ma facture", 3, "service-client")
    first = "https://piaille.fr/users/c11/statuses/11"
    later = Message(
        "mastodon",
        "https://piaille.fr/users/c11/statuses/12",
        "c11",
        "et aussi mon colis",
        NOW - timedelta(days=2),
        reply_to=first,
    )
    assert receive(store, "laposte", "laposte", later, None, NOW).conversation_id == ids["followup"]
    # A negative one, caught only by a query on the sentiment.
    ids["angry"] = _open(store, 13, "inadmissible", 4, "service-client", sentiment="negative")
    return ids


def test_the_counts_are_exact_on_a_seeded_set(store: Store) -> None:
    ids = seed(store)
    rule = check_rule(ws(), {"name": "colis", "query": "colis", "department": "colis"})
    trial = try_rule(store, ws(), rule, NOW)
    assert (trial.looked, trial.caught, trial.elsewhere) == (9, 6, 2)
    assert [e.id for e in trial.examples] == [ids["else1"], ids["else2"], ids["in1"],
                                              ids["in2"], ids["in3"]]  # fmt: skip
    assert trial.examples[0].elsewhere and trial.examples[0].department == "service-client"
    assert trial.since == NOW - timedelta(days=30)


def test_a_rule_without_a_department_counts_nothing_elsewhere(store: Store) -> None:
    seed(store)
    rule = check_rule(ws(), {"name": "urgent", "query": "sentiment:negative", "priority": "high"})
    trial = try_rule(store, ws(), rule, NOW)
    assert (trial.caught, trial.elsewhere) == (1, None)
    rule = check_rule(ws(), {"name": "vide", "query": "remboursement", "priority": "high"})
    assert try_rule(store, ws(), rule, NOW).caught == 0


def _trial(caught: int, elsewhere: int | None) -> Trial:
    return Trial(30, NOW, caught, caught, elsewhere, "colis", ())


@pytest.mark.parametrize(
    ("caught", "elsewhere", "english", "french"),
    [
        (
            412, 37,
            "In the last 30 days, this rule would have caught 412 conversations, "
            "37 of them now elsewhere.",
            "Sur les 30 derniers jours, cette règle aurait pris 412 conversations, "
            "dont 37 sont aujourd’hui dans un autre service.",
        ),
        (
            1, 1,
            "In the last 30 days, this rule would have caught 1 conversation, "
            "one of them now elsewhere.",
            "Sur les 30 derniers jours, cette règle aurait pris 1 conversation, "
            "dont une est aujourd’hui dans un autre service.",
        ),
        (
            2, 0,
            "In the last 30 days, this rule would have caught 2 conversations, "
            "none of them now elsewhere.",
            "Sur les 30 derniers jours, cette règle aurait pris 2 conversations, "
            "dont aucune n’est aujourd’hui dans un autre service.",
        ),
        (
            0, 0,
            "In the last 30 days, this rule would have caught 0 conversations.",
            "Sur les 30 derniers jours, cette règle aurait pris 0 conversation.",
        ),
        (
            5, None,
            "In the last 30 days, this rule would have caught 5 conversations.",
            "Sur les 30 derniers jours, cette règle aurait pris 5 conversations.",
        ),
    ],
)  # fmt: skip
def test_the_sentence_in_english_and_french(
    caught: int, elsewhere: int | None, english: str, french: str
) -> None:
    trial = _trial(caught, elsewhere)
    with i18n.using("en"):
        assert trial.sentence() == english
    with i18n.using("fr"):
        assert trial.sentence() == french
