"""A holding statement published from the crisis room goes out with the next `rumeur send`
(docs/alerts.md, "Publishing a holding statement"): its items skip the department's approval,
the approvals log names the statement, and the same preview published twice makes one post per
account on the replayed networks (SQLite and PostgreSQL: the store's part)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from network import CREATE_RECORD, SECRETS, STATUSES, Network, settings_toml
from sqlalchemy import select

from rumeur.config import parse_settings
from rumeur.inbox.sender import Repliers, Sender
from rumeur.net.retry import RetryPolicy
from rumeur.publishing import holding
from rumeur.sources.context import SourceContext
from rumeur.store import Store
from rumeur.store.publishing import items
from rumeur.store.schema import publish_approvals

AT = datetime(2026, 12, 24, 8, tzinfo=UTC)  # the minute the room showed the preview
TEXT = "Une panne touche nos services ce matin ; nous vous tenons informés ici. #panne"
# Every account of the department waits for an approval; the statement skips it.
STATEMENT = f"""approval = "all"

[[workspaces.statements]]
slug = "panne"
title = "Outage"
title_fr = "Panne"
text_fr = "{TEXT}"
text_en = "An outage hits our services this morning; we keep you posted here. #outage"
"""


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def network() -> Iterator[Network]:
    with Network() as fake:
        yield fake


def test_published_twice_pre_approved_and_sent_once(store: Store, network: Network) -> None:
    ws = parse_settings(settings_toml(network.base_url) + STATEMENT, "rumeur.toml").workspace()
    [statement] = ws.statements
    minute = holding.read_minute(AT.isoformat(), AT + timedelta(minutes=3))
    for _try in range(2):  # the double submit: the same form, a few seconds later
        outcome = holding.publish(store, ws, statement, "fr", minute, AT + timedelta(minutes=3),
                                  author="cyril", role="community_manager")  # fmt: skip
    assert outcome.created == [] and len(outcome.existing) == 2
    assert [v.platform for v in outcome.refused] == ["reddit"]  # no subreddit: said, not sent
    made = items(store, "laposte")
    assert {(i.platform, i.status, i.approved_by, i.author) for i in made} == {
        ("mastodon", "scheduled", "statement:panne", "cyril"),
        ("bluesky", "scheduled", "statement:panne", "cyril"),
    }
    a = publish_approvals.c
    with store.read() as conn:
        log = conn.execute(select(a.item_id, a.approver, a.decision).order_by(a.item_id)).all()
    assert log == [(i.id, "statement:panne", "approved") for i in sorted(made, key=lambda i: i.id)]
    quick = RetryPolicy(attempts=3, base=0.0, cap=0.0, sleep=lambda s: None, rng=random.Random(1))
    repliers = Repliers([ws], SourceContext(sleep=lambda s: None))
    with Sender(store, repliers, retry=quick, now=lambda: AT + timedelta(minutes=4)) as sender:
        assert sender.once().sent == 2
    assert len(network.requests_to(STATUSES)) == len(network.requests_to(CREATE_RECORD)) == 1
    assert {i.status for i in items(store, "laposte")} == {"published"}


def test_an_old_or_forged_minute_is_refused() -> None:
    now = AT + timedelta(minutes=11)
    with pytest.raises(holding.HoldingError, match="more than 10 minutes old"):
        holding.read_minute(AT.isoformat(), now)
    for forged in ("demain", "2026-12-24T08:00:00", "2026-12-24T08:00:30+00:00"):
        with pytest.raises(holding.HoldingError, match="open it again"):
            holding.read_minute(forged, now)
    assert holding.read_minute("2026-12-24T09:01:00+01:00", now) == AT + timedelta(minutes=1)
