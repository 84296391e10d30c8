"""From fires to alerts: one alert per storm, updated as it grows, closed after a quiet
cooldown; mute, ack and watch words. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from factories import make_post
from rumeur.alerts.actions import ack, events, list_alerts, mute
from rumeur.alerts.engine import run_detectors
from rumeur.alerts.errors import NoSuchAlert
from rumeur.config import Workspace
from rumeur.store import Store
from rumeur.store.schema import alerts

HOUR = timedelta(hours=1)
START = datetime(2015, 2, 17, tzinfo=UTC)
STORM = START + HOUR * 30  # after a full day of history: the trailing baseline answers


def workspace(**alerting: object) -> Workspace:
    return Workspace.model_validate(
        {
            "slug": "acme",
            "name": "Acme",
            "brand": {"name": "Acme"},
            "queries": [{"name": "ceo", "query": "ceo", "watch": True}],
            "alerts": {"window_hours": 1, "volume_min_posts": 10, "cooldown_hours": 3,
                       **alerting},
        }
    )  # fmt: skip


def calm_then_storm(store: Store, storm_hours: int = 2) -> None:
    posts = [
        make_post(f"c{h}-{i}", "Acme is fine", when=START + HOUR * h, brands=["Acme"])
        for h in range(30)
        for i in range(2)
    ]
    posts += [
        make_post(f"s{h}-{i}", "Acme outage again", when=STORM + HOUR * h, brands=["Acme"],
                  sentiment="negative", handle=f"u{i}")
        for h in range(storm_hours)
        for i in range(40)
    ]  # fmt: skip
    store.write("acme", posts)


def live(store: Store, kind: str = "volume_spike") -> list[dict]:
    return [
        a for a in list_alerts(store, "acme", True) if a["kind"] == kind and a["subject"] == "Acme"
    ]


def test_one_storm_is_one_alert_with_a_rising_revision(store: Store) -> None:
    calm_then_storm(store)
    ws = workspace()
    assert run_detectors(store, ws, STORM).opened == 0  # nothing yet: the storm is ahead
    assert run_detectors(store, ws, STORM + HOUR).opened >= 1
    report = run_detectors(store, ws, STORM + 2 * HOUR)
    assert report.opened == 0 and report.updated >= 1
    (alert,) = live(store)
    assert alert["status"] == "open" and alert["revision"] == 2
    assert alert["observed"] == 40 and alert["expected"] == 2
    why = alert["explanation"]
    assert why["method"] == "trailing" and "outage" in why["terms"]
    assert len(why["posts"]) == 5 and why["authors"]
    assert [e["what"] for e in events(store, alert["id"])] == ["opened", "updated"]


def test_quiet_for_the_cooldown_closes_it_and_a_new_fire_opens_another(store: Store) -> None:
    calm_then_storm(store, storm_hours=1)
    ws = workspace()
    run_detectors(store, ws, STORM + HOUR)
    assert run_detectors(store, ws, STORM + 3 * HOUR).closed == 0  # quiet, within the cooldown
    assert run_detectors(store, ws, STORM + 4 * HOUR).closed >= 1
    (first,) = live(store)
    assert first["status"] == "closed"
    later = STORM + 10 * HOUR
    store.write("acme", [make_post(f"n{i}", "Acme again", when=later, brands=["Acme"])
                         for i in range(40)])  # fmt: skip
    run_detectors(store, ws, later + HOUR)
    assert [a["status"] for a in live(store)] == ["open", "closed"]


def test_a_muted_alert_stays_muted_and_open_past_the_cooldown(store: Store) -> None:
    calm_then_storm(store, storm_hours=1)
    ws = workspace()
    run_detectors(store, ws, STORM + HOUR)
    (alert,) = live(store)
    mute(store, "acme", alert["id"], timedelta(hours=10), "bob", STORM + HOUR)
    run_detectors(store, ws, STORM + 6 * HOUR)
    assert live(store)[0]["status"] == "muted"
    run_detectors(store, ws, STORM + 12 * HOUR)  # muting over, quiet for long: closed
    assert live(store)[0]["status"] == "closed"


def test_an_acked_alert_keeps_growing(store: Store) -> None:
    calm_then_storm(store)
    ws = workspace()
    run_detectors(store, ws, STORM + HOUR)
    (alert,) = live(store)
    ack(store, "acme", alert["id"], "alice", STORM + HOUR)
    run_detectors(store, ws, STORM + 2 * HOUR)
    (alert,) = live(store)
    assert (alert["status"], alert["revision"]) == ("acked", 2)
    with store.engine.connect() as conn:
        by = select(alerts.c.acked_by).where(alerts.c.id == alert["id"])
        assert conn.execute(by).scalar_one() == "alice"
    with pytest.raises(NoSuchAlert, match="no alert 999"):
        ack(store, "acme", 999, "alice", STORM)


def test_a_watch_word_alerts_on_its_first_match(store: Store) -> None:
    ws = workspace()
    first = START + HOUR * 5
    match = make_post("w1", "the Acme CEO resigns", when=first, brands=["Acme"])
    match.queries = ["ceo"]
    store.write("acme", [match])
    assert run_detectors(store, ws, first + HOUR).opened == 1
    (alert,) = live(store, "watch_word") or [
        a for a in list_alerts(store, "acme") if a["kind"] == "watch_word"
    ]
    assert alert["subject"] == "ceo" and alert["observed"] == 1
    assert alert["started_at"] == first.isoformat()
    assert run_detectors(store, ws, first + 2 * HOUR).updated == 0  # no new match, no update
    again = make_post("w2", "CEO of Acme speaks", when=first + 2.5 * HOUR, brands=["Acme"])
    again.queries = ["ceo"]
    store.write("acme", [again])
    run_detectors(store, ws, first + 3 * HOUR)
    (alert,) = [a for a in list_alerts(store, "acme") if a["kind"] == "watch_word"]
    assert (alert["observed"], alert["revision"]) == (2, 2)
