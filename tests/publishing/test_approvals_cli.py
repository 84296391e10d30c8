"""Approval workflows as a user types them (`rumeur publish approve|reject|edit|lock --as`, in
English and French) and through the REST API, and a broken workflow refused in one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_approvals import SETTINGS

from clirun import rumeur
from rumeur.config import parse_settings
from rumeur.errors import ConfigError
from rumeur.store import Store
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app

USERS = {"cyril": "community_manager", "lucie": "community_manager", "léa": "community_manager",
         "marc": "community_manager", "nadia": "community_manager", "ada": "admin"}  # fmt: skip
MESSAGE = {"text": "Bureau de {ville} 📮", "accounts": ["lyon"], "at": "2030-06-01T09:00+02:00"}


def _users(path: Path) -> dict[str, int]:
    store = Store.open(str(path))
    try:
        password = "correct horse battery staple"
        return {name: add_user(store, name, role, password).id for name, role in USERS.items()}
    finally:
        store.close()


@pytest.fixture
def where(tmp_path: Path) -> list[str]:
    config = tmp_path / "rumeur.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    _users(tmp_path / "r.db")
    (tmp_path / "m.json").write_text(json.dumps(MESSAGE), encoding="utf-8")
    return ["--config", str(config), "--db", str(tmp_path / "r.db")]


def test_approve_says_what_remains_reject_edit_and_lock(
    tmp_path: Path,
    where: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = rumeur(capsys, "publish", str(tmp_path / "m.json"), "--as", "cyril", *where)
    assert made.out == "item 1: lyon (bluesky) 2030-06-01T09:00+02:00 pending approval\n"
    assert rumeur(capsys, "publish", "list", *where).out.endswith(
        "pending approval — step 1 of 2: waiting for lucie\n"
    )
    assert rumeur(capsys, "publish", "approve", "1", "--as", "lucie", *where).out == (
        "item 1 approved by lucie; step 2 of 2: waiting for léa, marc\n"
    )
    refused = rumeur(capsys, "publish", "approve", "1", *where)  # the command line names no one
    assert (refused.code, refused.err) == (
        1, "rumeur: error: step 2 is approved by name: give --as USER\n"
    )  # fmt: skip
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    assert rumeur(capsys, "publish", "approve", "1", "--as", "léa", *where).out == (
        "élément 1 approuvé par léa ; étape 2 sur 2 : en attente de marc\n"
    )
    [row] = [json.loads(line) for line in rumeur(capsys, "publish", "list", "--json", *where)
             .out.splitlines()]  # fmt: skip
    assert row["approval"] == {"workflow": "regions", "step": 2, "steps": 2, "need": "all",
                               "approved": ["léa"], "waiting": ["marc"]}  # fmt: skip
    rejected = rumeur(capsys, "publish", "reject", "1", "--reason", "Trop tôt", "--as", "marc",
                      *where)  # fmt: skip
    assert rejected.out == "élément 1 refusé : retour au brouillon (Trop tôt)\n"
    monkeypatch.setenv("RUMEUR_LANG", "en")
    assert rumeur(capsys, "publish", "lock", "1", "--as", "cyril", *where).out == (
        "message 1: master text locked\n"
    )
    locked = rumeur(capsys, "publish", "edit", "1", "--text", "Autre", "--as", "lucie", *where)
    assert locked.code == 1 and locked.err.count("\n") == 1 and "is locked" in locked.err
    other = rumeur(capsys, "publish", "edit", "1", "--set", "ville=Lyon 3e", "--as", "nadia",
                   *where)  # fmt: skip
    assert other.err == "rumeur: error: nadia may not edit item 1: it is lyon's variant\n"
    edited = rumeur(capsys, "publish", "edit", "1", "--set", "ville=Lyon 3e", "--as", "lucie",
                    *where)  # fmt: skip
    assert edited.out == "item 1: lyon (bluesky) 2030-06-01T09:00+02:00 pending approval\n"


def test_a_workflow_naming_an_unknown_account_is_refused_in_one_line() -> None:
    broken = SETTINGS.replace('accounts = ["toulouse"]', 'accounts = ["paris"]')
    with pytest.raises(ConfigError, match=r"^flows\.toml: workspaces\[0\]\.workflows\[1\]\."
                       r"accounts\[0\]: no owned account named 'paris'$"):  # fmt: skip
        parse_settings(broken, "flows.toml")
    all_roles = SETTINGS.replace('need = "all"', 'need = "all"\nroles = ["admin"]')
    with pytest.raises(ConfigError, match=r"steps\[1\]: .*need = 'all' names its approvers"):
        parse_settings(all_roles, "flows.toml")


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    ids = _users(tmp_path / "api.db")
    store = Store.open(str(tmp_path / "api.db"))
    auth = {n: {"Authorization": f"Bearer {tokens.issue(store, i)}"} for n, i in ids.items()}
    yield TestClient(create_app(parse_settings(SETTINGS, "flows.toml"), store)), auth
    store.close()


def test_the_api_lets_only_the_steps_approvers_decide(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, auth = api
    made = client.post("/api/w/laposte/publish", json=MESSAGE, headers=auth["cyril"]).json()
    item = made["items"][0]["id"]
    assert made["items"][0]["approval"]["waiting"] == ["lucie"]
    url = f"/api/w/laposte/publish/{item}"
    stranger = client.post(f"{url}/approve", headers=auth["nadia"])
    assert stranger.status_code == 403
    assert stranger.json()["error"].startswith("nadia ne peut pas approuver l'élément")
    first = client.post(f"{url}/approve", headers=auth["lucie"]).json()
    assert (first["outcome"], first["approved"]) == ("advanced", False)
    assert first["item"]["approval"]["waiting"] == ["léa", "marc"]
    assert client.post(f"{url}/reject", json={}, headers=auth["marc"]).status_code == 400
    bad = client.post(f"{url}/edit", json={"text": "x" * 301}, headers=auth["lucie"])
    assert bad.status_code == 400 and "301" in bad.json()["error"]
    edited = client.post(f"{url}/edit", json={"variables": {"ville": "Vaise"}},
                         headers=auth["lucie"]).json()  # fmt: skip
    assert edited["item"]["text"] == "Bureau de Vaise 📮"
    assert edited["item"]["approval"]["step"] == 1  # back to the first step


def test_move_follows_the_calendar_s_rules_a_time_without_offset_read_in_paris(
    tmp_path: Path,
    where: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rumeur(capsys, "publish", str(tmp_path / "m.json"), "--as", "cyril", *where)
    # Winter in Paris: +01:00; the item keeps its pending step.
    moved = rumeur(capsys, "publish", "move", "1", "--at", "2030-12-02T10:30", "--as", "lucie",
                   *where)  # fmt: skip
    assert moved.out == "item 1: lyon (bluesky) 2030-12-02T10:30+01:00 pending approval\n"
    other = rumeur(capsys, "publish", "move", "1", "--at", "2030-12-03T10:30", "--as", "nadia",
                   *where)  # fmt: skip
    assert other.err == "rumeur: error: nadia may not move item 1: it is lyon's\n"
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    past = rumeur(capsys, "publish", "move", "1", "--at", "2020-01-01T09:00", *where)
    assert past.err == "rumeur: erreur: 2020-01-01T09:00:00+01:00 est passé\n", past.err
    garbled = rumeur(capsys, "publish", "move", "1", "--at", "demain", *where)
    assert garbled.code == 1 and garbled.err.count("\n") == 1 and "AAAA-MM-JJ" in garbled.err
    row = json.loads(rumeur(capsys, "publish", "list", "--json", *where).out)
    assert (row["at"], row["status"]) == ("2030-12-02T10:30:00+01:00", "pending_approval")
