"""The web app over the real demo data, for tests/web: the airline set imported once per run
(with the shipped models), copied for each module that signs people in, one account per role."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rumeur.config import Settings, load_settings
from rumeur.store import Store
from rumeur.web.accounts import User, add_user
from rumeur.web.app import create_app

PASSWORD = "correct horse battery staple"
# name -> (role, department)
ACCOUNTS = {
    "ada": ("admin", None),
    "ana": ("analyst", None),
    "cyril": ("community_manager", None),
    "carla": ("care", None),
    "bea": ("department", "baggage"),
}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace with the whole airline set, enriched as `rumeur demo` does."""
    from conftest import AIRLINE
    from rumeur.commands.importing import file_source, import_file

    if not AIRLINE.is_file():
        pytest.fail(f"the airline data set is missing: {AIRLINE}")
    path = tmp_path_factory.mktemp("webdemo") / "demo.db"
    settings = load_settings()
    ws = settings.workspace()
    store = Store.open(str(path))
    try:
        import_file(store, settings, ws, file_source(ws, AIRLINE, "airline"), True, False, 1000)
    finally:
        store.close()
    return path


@dataclass
class Site:
    settings: Settings
    store: Store
    users: dict[str, User]
    db: Path

    def client(self, name: str | None = None) -> TestClient:
        """A browser-like client, signed in as `name` when given."""
        client = TestClient(create_app(self.settings, self.store), follow_redirects=False)
        if name is not None:
            sign_in(client, name)
        return client


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> None:
    form = client.get("/signin")
    assert form.status_code == 200
    answer = client.post(
        "/signin",
        data={"name": name, "password": password, "csrf": csrf_of(form.text), "next": "/"},
    )
    assert answer.status_code == 303, answer.text[:500]


def csrf_of(html: str) -> str:
    import re

    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field in the page"
    return found.group(1)


def make_site(demo_db: Path, folder: Path) -> Iterator[Site]:
    db = folder / "site.db"
    shutil.copy(demo_db, db)
    settings = load_settings()
    store = Store.open(str(db))
    ws = settings.workspace()
    users = {
        name: add_user(store, name, role, PASSWORD, department, ws)
        for name, (role, department) in ACCOUNTS.items()
    }
    try:
        yield Site(settings, store, users, db)
    finally:
        store.close()


@pytest.fixture(scope="module")
def site(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from make_site(demo_db, tmp_path_factory.mktemp("site"))
