"""The routing rules' page in a real headless Chromium (issue 15, "Routing"): an admin opens it
from the inbox, writes a rule, tries it on the last 30 days (the sentence swapped in by htmx,
without a reload), then saves it; the rule is listed after the file's. Under CI=true a missing
Chromium fails the run; elsewhere it skips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inbox_site import SETTINGS, Inbox, make_inbox, signed_in
from rumeur.config import parse_settings
from rumeur.store import Store
from rumeur.store import routing_rules as stored
from rumeur.store.inbox import Message, receive

pytestmark = pytest.mark.browser

FILE_RULE = """
[[workspaces.routing]]
name = "urgent"
query = 'sentiment:negative AND (remboursement OR plainte OR inadmissible)'
priority = "high"
"""


def seed_recent(store: Store, now: datetime) -> None:
    """Three conversations of the last days about Colissimo or a pick-up point: one already in
    colis, two in service-client; and one about something else. (make_inbox's own are of
    November 2026 and never say these words, whatever today is.)"""
    said = [
        ("lea", "mon Colissimo n'est jamais arrivé", "colis", 2),
        ("hugo", "le point relais est fermé", "service-client", 3),
        ("ines", "où est passé mon colissimo ?", "service-client", 5),
        ("omar", "question sur mon abonnement", "service-client", 1),
    ]
    for n, (author, text, department, days) in enumerate(said, start=100):
        at = now - timedelta(days=days)
        message = Message("mastodon", f"https://piaille.fr/users/{author}/statuses/{n}",
                          author, text, at)  # fmt: skip
        receive(store, "laposte", "laposte", message, {"department": department}, at)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Inbox, str]]:
    from rumeur.web.app import create_app
    from rumeur.web.server import background

    store = Store.open(str(tmp_path_factory.mktemp("rules") / "rules.db"))
    try:
        inbox = make_inbox(store)
        inbox = replace(inbox, settings=parse_settings(SETTINGS + FILE_RULE, "inbox-test.toml"))
        seed_recent(store, datetime.now(UTC))
        with background(create_app(inbox.settings, store)) as base:
            yield inbox, base
    finally:
        store.close()


@pytest.fixture
def ada(browser, live):  # type: ignore[no-untyped-def]
    yield from signed_in(browser, live[1], "ada")


def test_an_admin_tries_a_rule_sees_the_sentence_and_saves_it(
    ada: Any, live: tuple[Inbox, str]
) -> None:
    inbox, base = live
    ada.goto(base + "/w/laposte/inbox")
    ada.click("[data-testid=rules-link]")
    ada.wait_for_url(re.compile(r"/w/laposte/inbox/rules$"))
    assert ada.locator("[data-testid=rule][data-origin=file]").count() == 1
    assert "from the settings file" in ada.inner_text("[data-testid=rule][data-name=urgent]")

    ada.fill("[data-testid=rule-name]", "colis")
    ada.fill("[data-testid=rule-query]", 'colissimo OR "point relais"')
    ada.select_option("[data-testid=rule-department]", "colis")
    url = ada.url
    ada.click("[data-testid=try-rule]")
    sentence = ada.wait_for_selector("[data-testid=trial-sentence]")
    assert sentence.inner_text() == (
        "In the last 30 days, this rule would have caught 3 conversations, 2 of them now elsewhere."
    )
    assert ada.url == url  # swapped in place: the form keeps what was typed
    assert ada.input_value("[data-testid=rule-query]") == 'colissimo OR "point relais"'
    assert ada.locator("[data-testid=trial-example]").count() == 3
    assert ada.locator("[data-testid=elsewhere]").count() == 2
    assert stored.list_rules(inbox.store, "laposte") == []  # tried, not saved

    ada.click("[data-testid=save-rule]")
    ada.wait_for_selector("[data-testid=rule][data-name=colis][data-origin=web]")
    names = ada.locator("[data-testid=rule]").evaluate_all(
        "rows => rows.map(r => r.dataset.name + ':' + r.dataset.origin)"
    )
    assert names == ["urgent:file", "colis:web"]
    (rule,) = stored.list_rules(inbox.store, "laposte")
    assert (rule.name, rule.query, rule.department) == (
        "colis", 'colissimo OR "point relais"', "colis",
    )  # fmt: skip
    assert ada.errors == []
