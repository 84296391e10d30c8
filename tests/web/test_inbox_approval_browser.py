"""Approval of replies in a real headless Chromium (docs/inbox.md, "Approval"): in a department
whose juniors' replies wait, a junior's reply waits and the sender does not send it; the list
counts it "to approve"; a senior approves it on the conversation's page; the sender sends it,
once, to a fake Mastodon that logs each request. A reply sent back is never sent. Under CI=true
a missing Chromium fails the run; elsewhere it skips."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from inbox.network import SECRETS, STATUSES, Network, customer_message, settings_toml
from inbox_site import PASSWORD, signed_in
from rumeur.config import parse_settings
from rumeur.inbox.sender import Repliers, Sender
from rumeur.net.retry import RetryPolicy
from rumeur.sources.context import SourceContext
from rumeur.store import Store
from rumeur.store.inbox import outbox_of, receive
from rumeur.web.accounts import add_user

pytestmark = pytest.mark.browser
# The last table of settings_toml is the service-client department: these keys extend it.
APPROVAL = """approval = "juniors"
seniors = ["sam"]
"""


@pytest.fixture
def live(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Store, Network, Any, str, int]]:
    from rumeur.web.app import create_app
    from rumeur.web.server import background

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    store = Store.open(str(tmp_path / "approval.db"))
    try:
        with Network() as network:
            settings = parse_settings(settings_toml(network.base_url) + APPROVAL, "rumeur.toml")
            ws = settings.workspace()
            for name in ("jules", "sam"):
                add_user(store, name, "care", PASSWORD, None, ws)
            at = datetime.now(UTC) - timedelta(minutes=5)
            message = customer_message("mastodon", 1, at)
            route = {"department": "service-client", "assignee": "jules"}
            got = receive(store, "laposte", "laposte", message, route, at)
            assert got.conversation_id is not None
            with background(create_app(settings, store)) as base:
                yield store, network, ws, base, got.conversation_id
    finally:
        store.close()


@pytest.fixture
def jules(browser, live):  # type: ignore[no-untyped-def]
    yield from signed_in(browser, live[3], "jules")


@pytest.fixture
def sam(browser, live):  # type: ignore[no-untyped-def]
    yield from signed_in(browser, live[3], "sam")


def _send_once(store: Store, ws: Any) -> int:
    quick = RetryPolicy(attempts=3, base=0.0, cap=0.0, rng=random.Random(1))
    context = SourceContext(store=store, sleep=lambda s: None)
    with Sender(store, Repliers([ws], context), retry=quick) as sender:
        return sender.once().sent


def _reply(page: Any, base: str, talk: int, text: str) -> None:
    page.goto(base + f"/w/laposte/inbox/{talk}")
    page.fill("[data-testid=reply-text]", text)
    page.wait_for_selector("[data-testid=lock-mine]")
    page.click("[data-testid=send]")
    page.wait_for_url(re.compile(rf"/inbox/{talk}$"))


def test_a_juniors_reply_waits_for_a_senior_then_goes_once(
    jules: Any, sam: Any, live: tuple[Store, Network, Any, str, int]
) -> None:
    store, network, ws, base, talk = live
    _reply(jules, base, talk, "Bonjour, nous regardons votre colis.")
    waiting = jules.locator("[data-testid=queued-reply]")
    assert waiting.count() == 1 and waiting.get_attribute("data-state") == "pending"
    assert "waiting for approval by a senior (sam) or an admin" in waiting.inner_text()
    assert jules.locator("[data-testid=approve]").count() == 0  # a junior does not approve
    [row] = outbox_of(store, talk)
    assert (row.state, row.author) == ("pending", "jules")

    assert _send_once(store, ws) == 0  # the sender does not send a reply that waits
    assert network.requests_to(STATUSES) == []

    sam.goto(base + "/w/laposte/inbox")
    assert sam.inner_text("[data-testid=to-approve-count]").split()[-1] == "1"
    sam.click("[data-testid=to-approve-count]")
    sam.wait_for_url(re.compile(r"/inbox/approvals$"))
    assert "Bonjour, nous regardons votre colis." in sam.inner_text("[data-testid=pending-reply]")
    sam.goto(base + f"/w/laposte/inbox/{talk}")
    sam.click("[data-testid=approve]")
    sam.wait_for_url(re.compile(rf"/inbox/{talk}$"))
    assert sam.locator("[data-testid=queued-reply]").get_attribute("data-state") == "queued"
    assert sam.locator("[data-testid=approve]").count() == 0

    assert _send_once(store, ws) == 1
    assert _send_once(store, ws) == 0
    [post] = network.requests_to(STATUSES)
    assert post.form()["status"][0].endswith("Bonjour, nous regardons votre colis.")
    assert post.headers["idempotency-key"] == row.idempotency_key
    [row] = outbox_of(store, talk)
    assert (row.state, row.request["approved_by"]) == ("sent", "sam")
    assert jules.errors == [] and sam.errors == []


def test_a_reply_sent_back_is_never_sent(
    jules: Any, sam: Any, live: tuple[Store, Network, Any, str, int]
) -> None:
    store, network, ws, base, talk = live
    _reply(jules, base, talk, "ok")
    sam.goto(base + "/w/laposte/inbox/approvals")
    sam.fill("[data-testid=reject-reason]", "Trop court : saluez le client.")
    sam.click("[data-testid=reject]")
    sam.wait_for_url(re.compile(r"/inbox/approvals$"))
    assert sam.locator("[data-testid=nothing-to-approve]").count() == 1
    jules.reload()
    assert "Sent back by sam: Trop court : saluez le client." in jules.inner_text(
        "[data-testid=returned]"
    )
    assert _send_once(store, ws) == 0
    assert network.requests_to(STATUSES) == []
    assert jules.errors == [] and sam.errors == []
