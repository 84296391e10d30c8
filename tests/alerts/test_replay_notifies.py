"""End to end: `rumeur replay` of the airline week with a webhook target (signed, its URL from
the environment) that fails twice then recovers. Each (alert, revision) worth sending arrives
exactly once, every alert opened during the storm is notified, and a last `rumeur alerts
notify --once` finds nothing left pending. SQLite, no models."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from notify_support import TOKEN, receiving
from sqlalchemy import select
from test_alerts_notify_cli import demo_with_notify

from clirun import rumeur
from rumeur.alerts.notify import webhook
from rumeur.store import Store
from rumeur.store.schema import alert_deliveries, alerts

BASE = "https://rumeur.example.org"


def test_a_replayed_storm_notifies_each_revision_once(
    capsys: pytest.CaptureFixture[str],
    airline: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = str(tmp_path / "r.db")
    with receiving((503, {}), (503, {})) as receiver:
        monkeypatch.setenv("RUMEUR_TEST_HOOK_URL", f"{receiver.url}/hook")
        monkeypatch.setenv("RUMEUR_TEST_HOOK_SECRET", "shared-secret")
        config = demo_with_notify(
            tmp_path / "rumeur.toml",
            f'[workspaces.notify]\nbase_url = "{BASE}"\n\n'
            '[[workspaces.notify.targets]]\nname = "hook"\nkind = "webhook"\n'
            'url_env = "RUMEUR_TEST_HOOK_URL"\nsecret_env = "RUMEUR_TEST_HOOK_SECRET"\n',
        )
        ran = rumeur(
            capsys, "replay", str(airline), "--preset", "airline", "--speed", "max",
            "--no-enrich", "--db", db, "--config", str(config),
        )  # fmt: skip
        assert ran.code == 0, ran.err
        assert receiver.statuses[:3] == [503, 503, 200]
        sent_by_replay = len(receiver.seen)
        last = rumeur(capsys, "alerts", "notify", "--once", "--db", db, "--config", str(config))
        assert last.code == 0, last.err
        assert len(receiver.seen) == sent_by_replay  # the replay had sent everything
    assert TOKEN not in ran.out + ran.err + last.out + last.err

    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(select(alert_deliveries)).all()
            opened = conn.execute(select(alerts.c.id)).scalars().all()
    finally:
        store.close()
    assert len(opened) > 10 and all(r.target == "hook" for r in rows)
    assert Counter(r.status for r in rows) == {"delivered": len(rows)}  # none left pending
    delivered = {f"rumeur-alert-{r.alert_id}-{r.revision}" for r in rows}

    keys = Counter(s.headers["idempotency-key"] for s in receiver.ok())
    assert set(keys.values()) == {1} and set(keys) == delivered  # each exactly once
    assert {f"rumeur-alert-{i}-1" for i in opened} <= set(keys)  # every alert notified
    assert len(rows) > len(opened)  # and some grew enough to be sent again

    for seen in receiver.ok():
        body = seen.json()
        assert webhook.verify(seen.body, seen.headers["x-rumeur-signature"], "shared-secret")
        assert body["url"] == f"{BASE}/w/united/alerts/{body['id']}"
        assert body["escalated"] is False and body["workspace"] == "united"
