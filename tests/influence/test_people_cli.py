"""`rumeur people add|list|show|set|note|export|erase`: the relationship file from the command
line, its `--json` field names (a contract), its refusals in one line, French and English."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clirun import rumeur
from factories import make_post
from rumeur.influence import relationships as rel
from rumeur.store import Store

SETTINGS = """
[[workspaces]]
slug = "laposte"
name = "La Poste"
[workspaces.brand]
name = "La Poste"
terms = ["laposte"]
[workspaces.influence]
contact_again_days = 10
"""
LIST_FIELDS = {
    "id", "author", "platform", "handle", "name", "kind", "status", "owner", "last_contact",
    "due",
}  # fmt: skip


@pytest.fixture
def where(tmp_path: Path) -> list[str]:
    config = tmp_path / "rumeur.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    db = str(tmp_path / "rumeur.db")
    store = Store.open(db)
    when = datetime(2026, 11, 2, tzinfo=UTC)
    store.write(
        "laposte", [make_post("1", "Merci laposte", platform="mastodon", handle="marie", when=when)]
    )
    # In the file as a partner since that day, never contacted since: due after 10 days.
    rel.add_person(store, "laposte", "mastodon:marie", status="partner", now=when)
    store.close()
    return ["--db", db, "--config", str(config)]


def test_a_person_goes_through_the_file_from_the_command_line(
    where: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    ran = rumeur(capsys, "people", "add", "marie", "--kind", "ambassador", *where)
    assert ran.code == 0 and "mastodon:marie is already in the file (1)." in ran.out
    ran = rumeur(capsys, "people", "add", "--name", "Jeanne", "--status", "partner", *where)
    assert ran.code == 0 and "Added Jeanne to the file (2)." in ran.out
    ran = rumeur(capsys, "people", "list", "--json", "--due", *where)
    due = [json.loads(line) for line in ran.out.splitlines()]
    assert [(d["author"], d["due"]) for d in due] == [("mastodon:marie", True)]
    assert set(due[0]) == LIST_FIELDS

    ran = rumeur(capsys, "people", "note", "mastodon:marie", "Appelée", "--contact", *where)
    assert ran.code == 0
    ran = rumeur(capsys, "people", "list", "--due", *where)
    assert "Nobody to contact again." in ran.out
    ran = rumeur(capsys, "people", "set", "1", "--email", "marie@", *where)
    assert ran.code == 1 and "--email: not an email address" in ran.err
    assert len(ran.err.strip().splitlines()) == 1

    ran = rumeur(capsys, "people", "export", "mastodon:marie", *where)
    exported = json.loads(ran.out)
    assert [item["kind"] for item in exported["history"]] == ["contact", "created", "post"]
    ran = rumeur(capsys, "people", "erase", "mastodon:marie", "--yes", *where)
    assert ran.code == 0
    ran = rumeur(capsys, "people", "show", "mastodon:marie", *where)
    assert ran.code == 1 and "not in the relationship file of laposte" in ran.err


def test_the_file_speaks_french(
    where: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    ran = rumeur(capsys, "people", "add", "--name", "Jeanne", "--kind", "customer", *where)
    assert "Jeanne ajouté au fichier (2)." in ran.out
    ran = rumeur(capsys, "people", "show", "2", *where)
    assert "client fidèle" in ran.out and "ajouté au fichier" in ran.out
    ran = rumeur(capsys, "people", "add", "zoe", *where)
    assert ran.code == 1 and "aucun auteur de ce nom dans l'écoute" in ran.err
