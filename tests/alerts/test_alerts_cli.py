"""`rumeur alerts list|ack|mute` on a store with one alert."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alerting_support import store_with_one_alert
from clirun import rumeur


@pytest.fixture
def db(tmp_path: Path) -> str:
    return store_with_one_alert(str(tmp_path / "a.db"))


def test_list_as_json_lines(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ran = rumeur(capsys, "alerts", "list", "--json", "--db", db)
    (line,) = ran.out.splitlines()
    alert = json.loads(line)
    assert alert["subject"] == "American" and alert["revision"] == 4
    assert alert["started_at"] == "2015-02-22T18:00:00+00:00"


def test_list_as_a_table(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ran = rumeur(capsys, "alerts", "list", "--db", db)
    assert ran.code == 0 and "American" in ran.out and "volume_spike" in ran.out


def test_ack_then_mute(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ran = rumeur(capsys, "alerts", "ack", "1", "--by", "alice", "--db", db)
    assert ran.code == 0 and "acknowledged by alice" in ran.out
    assert '"status": "acked"' in rumeur(capsys, "alerts", "list", "--json", "--db", db).out
    ran = rumeur(capsys, "alerts", "mute", "1", "--for", "2h", "--db", db)
    assert ran.code == 0 and "muted until" in ran.out


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ran = rumeur(capsys, "alerts", "ack", "7", "--db", db)
    assert ran.code == 1 and ran.err.strip().splitlines() == [
        "rumeur: error: no alert 7 in workspace 'united' (rumeur alerts list)"
    ]
    ran = rumeur(capsys, "alerts", "mute", "1", "--for", "soon", "--db", db)
    assert ran.code == 1 and "--for soon" in ran.err
