"""`rumeur publish FILE|list|approve` as a user types them (docs/publish.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from publishing_support import SETTINGS

from clirun import rumeur

AT = "2030-06-01T09:00:00+02:00"


@pytest.fixture
def where(tmp_path: Path) -> list[str]:
    config = tmp_path / "rumeur.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    return ["--config", str(config), "--db", str(tmp_path / "r.db")]


def _file(tmp_path: Path, messages: object, name: str = "messages.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(messages, ensure_ascii=False), encoding="utf-8")
    return path


def test_publish_schedules_refuses_lists_and_approves(
    tmp_path: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    message = {
        "text": "Le bureau de {ville} ouvre {horaires} 📮",
        "accounts": ["lyon", "lille", "toulouse", "marseille"],
        "at": AT,
        "variants": {"marseille": {"text": "{ville} {horaires|de 8 h à 12 h}"}},
    }
    ran = rumeur(capsys, "publish", str(_file(tmp_path, message)), *where)
    assert ran.code == 1  # one account refused
    lines = ran.out.splitlines()
    assert lines[:3] == [
        "item 1: lyon (bluesky) 2030-06-01T09:00+02:00 scheduled",
        "item 2: toulouse (mastodon) 2030-06-01T09:00+02:00 scheduled",
        "item 3: marseille (mastodon) 2030-06-01T09:00+02:00 pending approval",
    ]
    assert lines[3] == (
        "refused: lille (bluesky): no value for {horaires} (add it to the account's variables,"
        " or write {horaires|…})"
    )
    listed = rumeur(capsys, "publish", "list", "--json", *where)
    rows = [json.loads(line) for line in listed.out.splitlines()]
    assert [(r["id"], r["account"], r["network"], r["status"]) for r in rows] == [
        (1, "lyon", "bluesky", "scheduled"),
        (2, "toulouse", "mastodon", "scheduled"),
        (3, "marseille", "mastodon", "pending_approval"),
    ]
    assert {r["at"] for r in rows} == {"2030-06-01T09:00:00+02:00"}
    assert all(r["native_id"] is None for r in rows)
    assert rows[2]["text"] == "Marseille de 8 h à 12 h"
    assert rumeur(capsys, "publish", "approve", "1", *where).out == (
        "item 1 needs no approval (it is scheduled): nothing to do\n"
    )
    assert rumeur(capsys, "publish", "approve", "3", *where).out == "item 3 approved: scheduled\n"
    assert "3  marseille (mastodon)" in rumeur(capsys, "publish", "list", *where).out
    again = rumeur(capsys, "publish", str(tmp_path / "messages.json"), *where)
    assert "item 1: lyon (bluesky) 2030-06-01T09:00+02:00 scheduled (scheduled before)" in again.out


def test_a_file_that_does_not_read_schedules_nothing(
    tmp_path: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    good = {"text": "Bonjour", "accounts": ["lyon"], "at": AT}
    ran = rumeur(capsys, "publish", str(_file(tmp_path, [good, {"text": "x"}])), *where)
    assert ran.code == 1
    assert ran.err == "rumeur: error: messages.json[1].accounts: a list of account names\n"
    bad_time = {"text": "x", "accounts": ["lyon"], "at": "demain"}
    ran = rumeur(capsys, "publish", str(_file(tmp_path, bad_time)), *where)
    assert ran.err.startswith("rumeur: error: messages.json[0].at: 'demain' is not a time")
    assert rumeur(capsys, "publish", "list", *where).out == (
        "no item: rumeur publish FILE schedules some\n"
    )
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    ran = rumeur(capsys, "publish", str(broken), *where)
    assert ran.code == 1 and ran.err.count("\n") == 1 and "not JSON" in ran.err


def test_a_file_named_list_is_given_as_a_path(
    tmp_path: Path,
    where: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _file(tmp_path, {"text": "Bonjour", "accounts": ["lyon"], "at": AT}, name="list")
    monkeypatch.chdir(tmp_path)
    ran = rumeur(capsys, "publish", "./list", *where)
    assert ran.code == 0 and ran.out.startswith("item 1: lyon (bluesky)")
    assert rumeur(capsys, "publish", "list", *where).out.startswith("1  lyon (bluesky)")


def test_the_refusals_read_in_french(
    tmp_path: Path,
    where: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    message = {"text": "x" * 301, "accounts": ["lyon", "paris"], "at": AT}
    ran = rumeur(capsys, "publish", str(_file(tmp_path, message)), *where)
    assert ran.out.splitlines() == [
        "refusé : lyon (bluesky) : 301 caractères : Bluesky en accepte au plus 300",
        "refusé : paris (-) : aucun compte de la marque nommé paris dans cet espace de travail",
    ]


def test_a_strangers_control_characters_are_shown_not_obeyed(
    tmp_path: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    message = {"text": "x", "accounts": ["\x1b[2Jparis"], "at": AT}
    ran = rumeur(capsys, "publish", str(_file(tmp_path, message)), *where)
    assert "\x1b" not in ran.out
    assert ran.out.startswith("refused: \\x1b[2Jparis (-): no owned account named \\x1b[2Jparis")


def test_text_that_no_database_takes_is_refused_in_one_line(
    tmp_path: Path, where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "surrogate.json"
    path.write_text('{"text": "a\\ud800", "accounts": ["lyon"], "at": "2030-06-01T09:00"}')
    ran = rumeur(capsys, "publish", str(path), *where)
    assert ran.code == 1
    assert ran.err == (
        "rumeur: error: surrogate.json[0].text: at most 100000 characters of text"
        " (no NUL, no lone surrogate)\n"
    )
    nested = tmp_path / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000)
    ran = rumeur(capsys, "publish", str(nested), *where)
    assert ran.code == 1 and "not JSON" in ran.err and ran.err.count("\n") == 1
