"""From alerts to notifications: each revision worth sending arrives once, through a receiver
that fails then recovers and across a restart; email through aiosmtpd; escalation; muting.
On both databases."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from notify_support import TOKEN, Receiver, receiving, smtp_server

from factories import make_post
from rumeur.alerts import deliveries
from rumeur.alerts.actions import ack, events, list_alerts, mute
from rumeur.alerts.dispatch import Dispatcher
from rumeur.alerts.engine import run_detectors
from rumeur.config import Workspace
from rumeur.store import Store

HOUR = timedelta(hours=1)
START = datetime(2015, 2, 17, tzinfo=UTC)
STORM = START + HOUR * 30
FAIL = (503, {})


def workspace(targets: list[dict[str, Any]], **notify: Any) -> Workspace:
    return Workspace.model_validate(
        {
            "slug": "acme",
            "name": "Acme",
            "brand": {"name": "Acme"},
            "locale": "en",
            "alerts": {"window_hours": 1, "volume_min_posts": 10, "cooldown_hours": 3},
            "notify": {"targets": targets, "base_url": "https://rumeur.example", **notify},
        }
    )


def hook(receiver: Receiver, name: str = "hook") -> dict[str, Any]:
    return {"name": name, "kind": "webhook", "url": f"{receiver.url}/{name}"}


def storm(store: Store, sizes: tuple[int, ...] = (40, 80, 90)) -> None:
    """A calm day and a half, then hours of `sizes` posts: opened, grown ×2, grown a little."""
    posts = [
        make_post(f"c{h}-{i}", "Acme is fine", when=START + HOUR * h, brands=["Acme"])
        for h in range(30)
        for i in range(2)
    ]
    posts += [
        make_post(f"s{h}-{i}", "Acme outage again", when=STORM + HOUR * h, brands=["Acme"],
                  handle=f"u{i}")
        for h, size in enumerate(sizes)
        for i in range(size)
    ]  # fmt: skip
    store.write("acme", posts)


def dispatcher(store: Store, ws: Workspace, **changes: Any) -> Dispatcher:
    return Dispatcher(store, ws, sleep=lambda _s: None, **changes)


def keys(receiver: Receiver) -> Counter[str]:
    return Counter(s.headers["idempotency-key"] for s in receiver.ok())


def volume_alert(store: Store) -> dict[str, Any]:
    alerts = list_alerts(store, "acme", True)
    (alert,) = [a for a in alerts if a["kind"] == "volume_spike" and a["subject"] == "Acme"]
    return alert


def of(alert: dict[str, Any], counted: Counter[str]) -> Counter[str]:
    prefix = f"rumeur-alert-{alert['id']}-"
    return Counter({k: n for k, n in counted.items() if k.startswith(prefix)})


def test_each_revision_worth_sending_arrives_once_through_a_failing_receiver(
    store: Store,
) -> None:
    storm(store)
    with receiving(FAIL, FAIL) as receiver:
        ws = workspace([hook(receiver)])
        send = dispatcher(store, ws)
        for hour in (1, 2, 3):
            run_detectors(store, ws, STORM + HOUR * hour)
            send.run(STORM + HOUR * hour)
    alert = volume_alert(store)
    assert alert["revision"] == 3
    assert set(keys(receiver).values()) == {1}  # every revision sent arrived once
    assert of(alert, keys(receiver)) == {
        f"rumeur-alert-{alert['id']}-1": 1,  # new
        f"rumeur-alert-{alert['id']}-2": 1,  # 80 posts: at least 1.5 times 40
    }  # revision 3 (90 posts) is only in the crisis room
    assert receiver.statuses[:3] == [503, 503, 200]
    (body,) = [s.json() for s in receiver.ok() if s.json()["id"] == alert["id"]][:1]
    assert body["url"] == f"https://rumeur.example/w/acme/alerts/{alert['id']}"
    assert body["subject"] == "Acme" and "outage" in body["top_terms"]
    rows = deliveries.rows_of(store, alert["id"])
    assert [(r["revision"], r["reason"], r["status"]) for r in rows] == [
        (1, "new", "delivered"),
        (2, "grew", "delivered"),
    ]
    every = [
        r for a in list_alerts(store, "acme", True) for r in deliveries.rows_of(store, a["id"])
    ]
    assert sum(r["attempts"] for r in every) == len(receiver.seen)  # the two 503s counted


def test_pending_deliveries_survive_a_restart(store: Store) -> None:
    storm(store, (40,))
    with receiving(*[FAIL] * 6) as receiver:  # two alerts (Acme and the whole volume), 3 tries
        ws = workspace([hook(receiver)])
        run_detectors(store, ws, STORM + HOUR)
        report = dispatcher(store, ws).run(STORM + HOUR)
        assert (report.pending, report.delivered) == (2, 0)
        row_alert = volume_alert(store)["id"]
        (row,) = deliveries.rows_of(store, row_alert)
        assert row["status"] == "pending" and row["attempts"] == 3
        assert "503" in row["last_error"] and TOKEN not in row["last_error"]
        # Not due yet: the backoff holds it.
        assert dispatcher(store, ws).sweep().delivered == 0
        later = datetime.now(UTC) + HOUR
        restarted = dispatcher(store, ws, clock=lambda: later)  # a new process, same store
        assert restarted.sweep().delivered == report.pending
        assert restarted.sweep().delivered == 0
    assert set(keys(receiver).values()) == {1}
    assert of(volume_alert(store), keys(receiver)) == {f"rumeur-alert-{row_alert}-1": 1}


def test_a_crash_after_sending_resends_the_one_in_flight_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    storm(store, (40,))
    real = deliveries.StoreDeliveryLog.record

    def crash(self: Any, key: str, target: str, outcome: Any) -> None:
        raise KeyboardInterrupt  # the process dies between the 200 and the UPDATE

    with receiving() as receiver:
        ws = workspace([hook(receiver)])
        run_detectors(store, ws, STORM + HOUR)
        monkeypatch.setattr(deliveries.StoreDeliveryLog, "record", crash)
        with pytest.raises(KeyboardInterrupt):
            dispatcher(store, ws).run(STORM + HOUR)
        monkeypatch.setattr(deliveries.StoreDeliveryLog, "record", real)
        # Two alerts (Acme and the whole volume): the one in flight stays claimed for the lease.
        assert dispatcher(store, ws).sweep().delivered == 1
        after_lease = datetime.now(UTC) + deliveries.LEASE + timedelta(seconds=1)
        assert dispatcher(store, ws, clock=lambda: after_lease).sweep().delivered == 1
    seen = Counter(s.headers["idempotency-key"] for s in receiver.seen)
    assert sorted(seen.values()) == [1, 2]  # the receiver drops the resend by its key


def test_an_email_target_gets_the_first_alert(store: Store) -> None:
    storm(store, (40,))
    with smtp_server() as mailbox:
        mail = {"name": "mail", "kind": "email", "host": "127.0.0.1", "port": mailbox.port,
                "sender": "rumeur@example.org", "to": ["veille@example.org"]}  # fmt: skip
        ws = workspace([mail])
        run_detectors(store, ws, STORM + HOUR)
        assert dispatcher(store, ws).run(STORM + HOUR).delivered == 2  # Acme, the whole volume
    assert len(mailbox.messages) == 2
    for sender, to, raw in mailbox.messages:
        assert sender == "rumeur@example.org" and to == ["veille@example.org"]
        assert b"Volume spike" in raw and b"Acme" in raw


def escalating(receiver: Receiver) -> Workspace:
    targets = [hook(receiver, "team"), hook(receiver, "boss")]
    return workspace(targets, escalation=["boss"], escalate_after="30m")


def paths(receiver: Receiver, store: Store) -> list[str]:
    """Who was told about the Acme volume alert, in order."""
    wanted = volume_alert(store)["id"]
    return [s.path.rsplit("/", 1)[1] for s in receiver.ok() if s.json()["id"] == wanted]


def test_an_alert_nobody_acks_escalates_once(store: Store) -> None:
    storm(store)
    with receiving() as receiver:
        ws = escalating(receiver)
        send = dispatcher(store, ws)
        run_detectors(store, ws, STORM + HOUR)
        assert send.run(STORM + HOUR).escalated == 0
        assert send.run(STORM + HOUR + timedelta(minutes=20)).escalated == 0
        assert paths(receiver, store) == ["team"]
        assert send.run(STORM + HOUR + timedelta(minutes=31)).escalated == 2  # and the volume
        assert send.run(STORM + HOUR + timedelta(minutes=50)).escalated == 0
        assert paths(receiver, store) == ["team", "boss"]
        run_detectors(store, ws, STORM + 2 * HOUR)  # grown: now both are told
        send.run(STORM + 2 * HOUR)
        assert paths(receiver, store)[2:] == ["team", "boss"]
    alert = volume_alert(store)
    assert [e["what"] for e in events(store, alert["id"])].count("escalated") == 1


def test_an_acked_alert_does_not_escalate(store: Store) -> None:
    storm(store, (40,))
    with receiving() as receiver:
        ws = escalating(receiver)
        run_detectors(store, ws, STORM + HOUR)
        send = dispatcher(store, ws)
        send.run(STORM + HOUR)
        ack(store, "acme", volume_alert(store)["id"], "alice", STORM + HOUR)
        send.run(STORM + 3 * HOUR)  # the whole volume's alert escalates; Acme's does not
        assert paths(receiver, store) == ["team"]


def test_a_muted_alert_sends_nothing(store: Store) -> None:
    storm(store)
    with receiving() as receiver:
        ws = workspace([hook(receiver)])
        run_detectors(store, ws, STORM + HOUR)
        for alert in list_alerts(store, "acme"):  # Acme's and the whole volume's
            mute(store, "acme", alert["id"], timedelta(hours=10), "bob", STORM + HOUR)
        send = dispatcher(store, ws)
        for hour in (1, 2, 3):
            run_detectors(store, ws, STORM + HOUR * hour)
            assert send.run(STORM + HOUR * hour).enqueued == 0
    assert receiver.seen == []


def test_no_targets_no_rows(store: Store) -> None:
    storm(store, (40,))
    ws = workspace([])
    run_detectors(store, ws, STORM + HOUR)
    assert dispatcher(store, ws).run(STORM + HOUR).enqueued == 0
    assert deliveries.rows_of(store, volume_alert(store)["id"]) == []
