"""The airline week replayed at full speed: the storm of 22-23 February fires volume and
negative-surge alerts for the airlines it hit (American, US Airways, United: their posts per
UTC day went from about 0, 240 and 330 to 1,156, 488 and 545), while the calm days of 17-20
February fire at most a few. Days are UTC days of the alerts' start. SQLite, no models (the
set carries human sentiment)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from clirun import rumeur
from rumeur.alerts.actions import list_alerts
from rumeur.alerts.engine import run_detectors
from rumeur.commands.importing import file_source
from rumeur.config import load_settings
from rumeur.pipeline.replay import ReplayClock, replay
from rumeur.store import Store

HIT = ("American", "US Airways", "United")
STORM = (date(2015, 2, 22), date(2015, 2, 23))
CALM = tuple(date(2015, 2, d) for d in range(17, 21))


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory):
    from conftest import AIRLINE

    ws = load_settings().workspace()
    store = Store.open(str(tmp_path_factory.mktemp("storm") / "r.db"))
    hours = []

    def on_hour(end):  # the detectors on the replayed clock
        hours.append(end)
        return run_detectors(store, ws, end)

    report = replay(file_source(ws, AIRLINE, "airline"), store, ws, [], None, on_hour)
    yield store, report, hours
    store.close()


def started(store: Store) -> list[tuple[date, str, str]]:
    rows = list_alerts(store, "united", everything=True)
    return [(date.fromisoformat(a["started_at"][:10]), a["kind"], a["subject"]) for a in rows]


def test_the_storm_fires_volume_and_negative_alerts_for_the_airlines_it_hit(replayed) -> None:
    store, _report, _ = replayed
    storm = {(kind, subject) for day, kind, subject in started(store) if day in STORM}
    for airline in HIT:
        assert ("volume_spike", airline) in storm
        assert ("negative_surge", airline) in storm


def test_the_calm_days_fire_at_most_a_few(replayed) -> None:
    store, _, _ = replayed
    calm = [a for a in started(store) if a[0] in CALM]
    assert len(calm) <= 3, calm


def test_the_replay_runs_in_time_order_on_its_own_clock(replayed) -> None:
    _, report, hours = replayed
    assert report.run.read == 11_694 and report.run.rejects == []
    assert hours == sorted(hours) and report.hours == len(hours) > 150
    assert report.first is not None and report.first.date() == date(2015, 2, 17)
    opened = sum(r.opened for r in report.notes)
    assert opened == len(started(replayed[0]))


def test_a_replay_again_changes_no_post(replayed, tmp_path: Path) -> None:
    from conftest import AIRLINE

    store, _, _ = replayed
    ws = load_settings().workspace()
    again = replay(file_source(ws, AIRLINE, "airline"), store, ws, [], None, None)
    assert again.run.written.inserted == 0 and again.run.written.updated == 0


def test_the_clock_runs_n_times_faster_than_real_time() -> None:
    from datetime import UTC, datetime, timedelta

    slept: list[float] = []
    clock = ReplayClock(3600, sleep=slept.append, monotonic=lambda: 0.0)
    t0 = datetime(2015, 2, 22, tzinfo=UTC)
    clock.wait_until(t0)
    clock.wait_until(t0 + timedelta(hours=2))
    assert slept == [2.0] and clock.now() == t0 + timedelta(hours=2)


def test_the_replay_command_and_alerts_list(capsys, tmp_path: Path, airline: Path) -> None:
    import json

    db = str(tmp_path / "cli.db")
    # A one-day slice keeps the command's test short; the full week is replayed above.
    head = tmp_path / "head.csv"
    lines = airline.read_text(encoding="utf-8").splitlines(keepends=True)
    head.write_text("".join(lines[:400]), encoding="utf-8")
    ran = rumeur(capsys, "replay", str(head), "--preset", "airline", "--no-enrich", "--db", db)
    assert ran.code == 0, ran.err
    assert "posts replayed from" in ran.err
    listed = rumeur(capsys, "alerts", "list", "--json", "--all", "--db", db)
    assert listed.code == 0
    for line in listed.out.splitlines():
        assert set(json.loads(line)) == {
            "id", "kind", "workspace", "subject", "started_at", "updated_at", "observed",
            "expected", "explanation", "status", "revision",
        }  # fmt: skip
    bad = rumeur(capsys, "replay", str(head), "--preset", "airline", "--speed", "0", "--db", db)
    assert bad.code == 1 and "--speed 0" in bad.err


def test_the_alert_timeline_by_day(replayed) -> None:
    """The table of docs/alerts.md: alerts opened per UTC day and kind."""
    store, _, _ = replayed
    per_day = Counter((day.isoformat(), kind) for day, kind, _ in started(store))
    assert sum(n for (day, _), n in per_day.items() if day in ("2015-02-22", "2015-02-23")) >= 6
