"""Publishing through the REST API (docs/publish.md, "The API"): schedule, check, list and
approve with a bearer token, in the account's language (French by default); the approval is
someone else's than the author's, a senior of the account's department or an admin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from publishing_support import SETTINGS

from rumeur.config import parse_settings
from rumeur.store import Store
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app

AT = "2030-06-01T09:00:00+02:00"
USERS = {"ada": "admin", "cyril": "community_manager", "sam": "community_manager",
         "ana": "analyst"}  # fmt: skip


@pytest.fixture
def api(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    settings = parse_settings(SETTINGS, "publishing.toml")
    store = Store.open(str(tmp_path / "api.db"))
    auth = {}
    for name, role in USERS.items():
        user = add_user(store, name, role, "correct horse battery staple")
        auth[name] = {"Authorization": f"Bearer {tokens.issue(store, user.id)}"}
    yield TestClient(create_app(settings, store)), auth
    store.close()


def test_schedule_list_and_approve_through_the_api(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, auth = api
    message = {"text": "Bureau de {ville} 📮", "accounts": ["lyon", "marseille", "nice"],
               "at": AT}  # fmt: skip
    answer = client.post("/api/w/laposte/publish", json=message, headers=auth["cyril"])
    assert answer.status_code == 201
    body = answer.json()
    assert [(i["account"], i["status"]) for i in body["items"]] == [
        ("lyon", "scheduled"),
        ("marseille", "pending_approval"),  # its department approves all
    ]
    assert body["refused"] == [{"account": "nice", "network": None,
        "reason": "aucun compte de la marque nommé nice dans cet espace de travail"}]  # fmt: skip
    waiting = body["items"][1]["id"]
    own = client.post(f"/api/w/laposte/publish/{waiting}/approve", headers=auth["cyril"])
    assert own.status_code == 403
    assert own.json() == {
        "error": f"cyril a écrit l'élément {waiting} : quelqu'un d'autre l'approuve"
    }
    approved = client.post(f"/api/w/laposte/publish/{waiting}/approve", headers=auth["sam"])
    assert approved.json()["approved"] is True
    assert approved.json()["item"]["status"] == "scheduled"
    assert approved.json()["item"]["approved_by"] == "sam"
    listed = client.get("/api/w/laposte/publish", headers=auth["ada"]).json()["items"]
    assert [(i["account"], i["status"], i["at"]) for i in listed] == [
        ("lyon", "scheduled", "2030-06-01T09:00:00+02:00"),
        ("marseille", "scheduled", "2030-06-01T09:00:00+02:00"),
    ]
    missing = client.post("/api/w/laposte/publish/999/approve", headers=auth["ada"])
    assert missing.status_code == 404
    assert client.get("/api/w/laposte/publish", headers=auth["ana"]).status_code == 403


def test_check_shows_each_variant_and_stores_nothing(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, auth = api
    message = {"text": "{ville} #Noël https://laposte.fr", "accounts": ["lyon", "toulouse"],
               "at": AT, "variants": {"toulouse": {"text": "x" * 501}}}  # fmt: skip
    answer = client.post("/api/w/laposte/publish/check", json=message, headers=auth["cyril"])
    lyon, toulouse = answer.json()["variants"]
    assert lyon["text"] == "Lyon #Noël https://laposte.fr" and lyon["refusal"] is None
    assert [f["index"] for f in lyon["extra"]["facets"]] == [
        {"byteStart": 5, "byteEnd": 11},  # '#Noël': ë is two bytes
        {"byteStart": 12, "byteEnd": 30},
    ]
    assert toulouse["refusal"] == "501 caractères : Mastodon en accepte au plus 500"
    assert client.get("/api/w/laposte/publish", headers=auth["ada"]).json() == {"items": []}


def test_a_body_that_does_not_read_is_one_line_and_schedules_nothing(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, auth = api
    good = {"text": "Bonjour", "accounts": ["lyon"], "at": AT}
    bad = {"text": "Bonjour", "accounts": ["lyon"], "at": AT, "colour": "red"}
    answer = client.post("/api/w/laposte/publish", json=[good, bad], headers=auth["ada"])
    assert answer.status_code == 400
    assert answer.json() == {"error": "[1] : clé inconnue 'colour'"}
    assert client.get("/api/w/laposte/publish", headers=auth["ada"]).json() == {"items": []}


@pytest.mark.parametrize(
    "body",
    [
        b"{",
        b'"x"',
        b"[]",
        b"[" * 5000 + b"]" * 5000,
        b'{"text": "x", "accounts": ["lyon"], "at": "9999-12-31T23:59:59-23:59"}',
        b'{"text": "x", "accounts": ["lyon"], "at": "0001-01-01T00:00:00+23:59"}',
        b'{"text": "x", "accounts": ["lyon"], "at": "2030-01-01", "media": [{"path": 5}]}',
        b'{"text": "x", "accounts": ["lyon"], "at": "2030-01-01", "media": ["a\\u0000.png"]}',
    ],
)
def test_hostile_bodies_are_refused_with_a_400(
    api: tuple[TestClient, dict[str, dict[str, str]]], body: bytes
) -> None:
    client, auth = api
    for path in ("/api/w/laposte/publish", "/api/w/laposte/publish/check"):
        headers = auth["ada"] | {"Content-Type": "application/json"}
        answer = client.post(path, content=body, headers=headers)
        assert answer.status_code == 400, (path, body[:40], answer.text[:200])
        assert set(answer.json()) == {"error"}


def test_a_template_is_saved_listed_and_started_from_through_the_api(
    api: tuple[TestClient, dict[str, dict[str, str]]],
) -> None:
    client, auth = api
    battle = {"name": "battle", "kind": "battle", "text": "À {ville} : chat ou chien ? A ou B",
              "options": ["Chat", "Chien"]}  # fmt: skip
    saved = client.post("/api/w/laposte/publish/templates", json=battle, headers=auth["cyril"])
    assert saved.status_code == 201 and saved.json()["template"]["type"] == "battle"
    bad = client.post("/api/w/laposte/publish/templates", json=battle | {"options": ["Chat"]},
                      headers=auth["cyril"])  # fmt: skip
    assert bad.status_code == 400 and "deux produits" in bad.json()["error"]
    listed = client.get("/api/w/laposte/publish/templates", headers=auth["ada"]).json()
    names = [(t["name"], t["options"]) for t in listed["templates"]]
    assert names == [("battle", ["Chat", "Chien"])]
    message = {"template": "battle", "accounts": ["lyon"], "at": AT}
    checked = client.post("/api/w/laposte/publish/check", json=message, headers=auth["cyril"])
    [variant] = checked.json()["variants"]
    assert variant["text"] == "À Lyon : chat ou chien ? A ou B" and variant["refusal"] is None
    unknown = client.post("/api/w/laposte/publish/check", json=message | {"template": "x"},
                          headers=auth["cyril"])  # fmt: skip
    assert unknown.status_code == 400 and "x" in unknown.json()["error"]
    assert client.get("/api/w/laposte/publish/templates", headers=auth["ana"]).status_code == 403
