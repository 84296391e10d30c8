"""The web app over the real demo data, for tests/web: the airline set imported once per run
(with the shipped models), copied for each module that signs people in, one account per role."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# --- the browser tests' Chromium (Debian's, driven by Playwright) ------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the run; under CI=true a missing one fails, elsewhere skips."""
    from conftest import IN_CI
    from rumeur.web.server import CHROMIUM_ARGS

    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"CI=true but {CHROMIUM} is missing (make test installs Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def open_page(browser: Any, base: str, clipboard: bool = False) -> Iterator[Any]:
    """A page in a fresh context (English, downloads allowed); its script errors and console
    errors collect in `page.errors`."""
    context = browser.new_context(accept_downloads=True, locale="en-US")
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.errors = errors
    yield opened
    context.close()


def sign_in_page(page: Any, base: str, name: str) -> None:
    """Sign in through the form, as a person does; lands on the dashboard."""
    import re

    page.goto(base + "/")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/w/united/dashboard"))


def serve_site(
    demo_db: Path, folder: Path, prepare: Callable[[Site], object]
) -> Iterator[tuple[Site, str]]:
    """A copy of the demo site, `prepare`d (alerts opened...), served on 127.0.0.1 for a browser
    suite: (site, base address)."""
    from rumeur.web.server import background

    for site in make_site(demo_db, folder):
        prepare(site)
        with background(create_app(site.settings, site.store)) as base:
            yield site, base


def in_language(page: Any, language: str) -> None:
    """Switch with the top bar's button, as a person does (the page reloads in it)."""
    button = page.locator(f"[data-testid=lang-{language}]")
    if button.count():
        button.click()
        page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == language
