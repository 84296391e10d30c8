"""`GET /api/locate?q=TEXT`: the place as `rumeur locate` prints it, for a bearer token."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rumeur.config import load_settings
from rumeur.places import MAX_LENGTH
from rumeur.store import Store
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app


@pytest.fixture(scope="module")
def api(_sqlite_migrated: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    path = tmp_path_factory.mktemp("places") / "places.db"
    shutil.copyfile(_sqlite_migrated, path)
    settings = load_settings()
    store = Store.open(str(path))
    try:
        user = add_user(store, "dept", "department", "a long enough password", "baggage")
        client = TestClient(create_app(settings, store))
        client.headers["Authorization"] = f"Bearer {tokens.issue(store, user.id)}"
        yield client
    finally:
        store.close()


def test_the_api_locates_a_text_for_any_account(api: TestClient) -> None:
    answer = api.get("/api/locate", params={"q": "Montréal, QC"})
    assert answer.status_code == 200
    assert answer.json() == {"city": "Montréal", "region": "Québec", "country": "CA"}
    unknown = api.get("/api/locate", params={"q": "somewhere over the rainbow"})
    assert unknown.json() == {"city": None, "region": None, "country": None}


def test_the_api_refuses_a_text_over_the_cap_in_one_line(api: TestClient) -> None:
    answer = api.get("/api/locate", params={"q": "x" * (MAX_LENGTH + 1)})
    assert answer.status_code == 400
    assert answer.json() == {"error": f"q: longer than {MAX_LENGTH} characters"}
    control = api.get("/api/locate", params={"q": "Lille\x00"})
    assert control.status_code == 400


def test_the_api_needs_a_token(api: TestClient) -> None:
    assert (
        api.get("/api/locate", params={"q": "Lille"}, headers={"Authorization": ""}).status_code
        == 401
    )
