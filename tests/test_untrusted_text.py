"""A stranger's text stays text: in the terminal, in exports, in the database."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from clirun import rumeur

HOSTILE = [
    ("1", "[bold red]pwned[/bold red] @united"),
    ("2", "\x1b[2J\x1b[31mscreen wiped @united"),
    ("3", '=HYPERLINK("http://evil","click") @united'),
    ("4", "'); DROP TABLE posts; -- @united"),
    ("5", "a stray [/x] and :thumbs_up: @united"),
]


@pytest.fixture
def hostile_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    source = tmp_path / "hostile.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["date", "author", "text", "url", "platform"])
        for ident, text in HOSTILE:
            writer.writerow(
                ["2024-01-01 10:00", f"user{ident}", text, f"https://x.com/{ident}", "x"]
            )
    db = str(tmp_path / "h.db")
    assert rumeur(capsys, "import", str(source), "--db", db, "--no-enrich").code == 0
    return db


def test_the_terminal_shows_markup_and_escapes_literally(
    hostile_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = rumeur(capsys, "search", "united", "--db", hostile_db, "--limit", "10").out
    flat = " ".join(out.split())
    assert "[bold red]pwned[/bold red]" in flat
    assert "\x1b" not in out
    assert "\\x1b[2J\\x1b[31mscreen" in flat
    assert "a stray [/x] and :thumbs_up: @united" in flat  # no markup, no emoji code


def test_the_sources_table_shows_a_network_error_literally(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from rumeur.commands.collecting import _print_sources
    from rumeur.config import load_settings

    row = {"name": "feed", "type": "rss", "cursor": None, "items": 0, "last_success": None}
    row |= {"last_error": "answered [/x] :fire: 500", "quota_remaining": None}
    _print_sources([row], load_settings().workspace(), as_json=False)
    out = capsys.readouterr().out  # the column wraps: look for each part
    assert "[/x]" in out and ":fire:" in out and "🔥" not in out


def test_exports_neutralise_formulas_and_keep_the_text(
    hostile_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = rumeur(capsys, "export", "--db", hostile_db).out
    texts = {r["native_id"]: r["text"] for r in csv.DictReader(io.StringIO(out))}
    assert texts["https://x.com/3"] == "'" + HOSTILE[2][1]
    assert texts["https://x.com/4"] == HOSTILE[3][1]
    assert texts["https://x.com/1"] == HOSTILE[0][1]


def test_sql_looking_text_is_stored_as_text(
    hostile_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    found = rumeur(capsys, "search", "DROP TABLE", "--db", hostile_db, "--json").out
    assert "DROP TABLE posts" in found
    summary = rumeur(capsys, "summary", "--db", hostile_db, "--json").out
    assert f'"posts": {len(HOSTILE)}' in summary
