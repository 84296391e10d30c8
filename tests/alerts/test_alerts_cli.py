"""`rumeur alerts list|ack|mute` on a store with one alert."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alerting_support import store_with_one_alert
from clirun import rumeur

HOSTILE_POST = {"author": "jo", "text": "my flight :x: :smile: [bold]late[/bold]"}


@pytest.fixture
def db(tmp_path: Path) -> str:
    return store_with_one_alert(str(tmp_path / "a.db"))


def test_list_as_json_lines(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ran = rumeur(capsys, "alerts", "list", "--json", "--db", db)
    (line,) = ran.out.splitlines()
    alert = json.loads(line)
    assert alert["subject"] == "American" and alert["revision"] == 4
    assert alert["started_at"] == "2015-02-22T18:00:00+00:00"


def test_list_as_a_table(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: str
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    ran = rumeur(capsys, "alerts", "list", "--db", db)
    assert ran.code == 0 and "Volume spike · American" in ran.out and "open" in ran.out
    assert "volume_spike" not in ran.out
    assert "118 posts against about 3" in ran.out


@pytest.mark.parametrize("columns", ["80", "100"])
def test_the_id_stays_in_a_narrow_terminal_and_times_say_their_zone(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    columns: str,
) -> None:
    db = store_with_one_alert(str(tmp_path / "a.db"), viral=HOSTILE_POST)
    monkeypatch.setenv("COLUMNS", columns)
    ran = rumeur(capsys, "alerts", "list", "--db", db)
    lines = ran.out.splitlines()
    assert max(map(len, lines)) <= int(columns)
    # The id column comes first, whole: each alert's first line starts with its id.
    first_cells = [line[:3].strip() for line in lines if line[:3].strip()]
    assert first_cells == ["id", "2", "1"] or first_cells == ["id", "1", "2"]
    # 18:00 UTC in the demo workspace's zone, which the header names
    assert "America/Chicago" in ran.out and "2015-02-22" in ran.out and "12:00" in ran.out
    assert "18:00" not in ran.out


def test_strangers_text_is_never_an_emoji_nor_markup(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = store_with_one_alert(str(tmp_path / "a.db"), viral=HOSTILE_POST)
    monkeypatch.setenv("COLUMNS", "200")
    ran = rumeur(capsys, "alerts", "list", "--db", db)
    assert ran.code == 0
    assert "Viral post · @jo: “my flight :x: :smile: [bold]late[/bold]”" in ran.out
    assert "❌" not in ran.out and "😄" not in ran.out and "post:x:" not in ran.out


def test_the_table_in_french(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: str
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    monkeypatch.setenv("COLUMNS", "200")
    ran = rumeur(capsys, "alerts", "list", "--db", db)
    assert "Pic de volume · American" in ran.out and "ouverte" in ran.out
    assert "début" in ran.out and "(America/Chicago)" in ran.out and "derniers chiffres" in ran.out
    assert "118 publications contre environ 3" in ran.out


def test_ack_then_mute(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ran = rumeur(capsys, "alerts", "ack", "1", "--by", "alice", "--db", db)
    assert ran.code == 0 and "acknowledged by alice" in ran.out
    assert '"status": "acked"' in rumeur(capsys, "alerts", "list", "--json", "--db", db).out
    ran = rumeur(capsys, "alerts", "mute", "1", "--for", "2h", "--db", db)
    assert ran.code == 0 and "muted until" in ran.out and "(America/Chicago)" in ran.out


def test_errors_are_one_line(capsys: pytest.CaptureFixture[str], db: str) -> None:
    ran = rumeur(capsys, "alerts", "ack", "7", "--db", db)
    assert ran.code == 1 and ran.err.strip().splitlines() == [
        "rumeur: error: no alert 7 in workspace 'united' (rumeur alerts list)"
    ]
    ran = rumeur(capsys, "alerts", "mute", "1", "--for", "soon", "--db", db)
    assert ran.code == 1 and "--for soon" in ran.err
