"""The settings area in a real headless Chromium: an admin changes a brand's terms and an alert
threshold in the app, and the next `rumeur import` and `rumeur replay` on the same database use
them (the command line reads the settings in effect, the file's workspace replaced by the newest
version stored); a query typed with an error shows its one line and its caret as it is typed,
in English and in French. Under CI=true a missing Chromium fails the run; elsewhere these tests
skip."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from alerts.notify_support import TOKEN, receiving
from clirun import rumeur
from rumeur.alerts.actions import list_alerts
from rumeur.config import load_settings
from rumeur.settings.sections import with_section
from rumeur.store import Store
from rumeur.store import workspace_settings as versions
from rumeur.store.schema import post_brands, posts
from rumeur.web.accounts import add_user
from website import PASSWORD, open_page

pytestmark = pytest.mark.browser
MAPPING = """name = "settings-test"
format = "csv"
platform = "x"

[columns]
native_id = "id"
text = "text"
created_at = "date"
author = "author"
author_followers = "followers"
"""


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """An empty demo database with an admin, served on 127.0.0.1."""
    from rumeur.web.app import create_app
    from rumeur.web.server import background

    folder = tmp_path_factory.mktemp("settings-live")
    db = folder / "live.db"
    store = Store.open(str(db))
    add_user(store, "ada", "admin", PASSWORD)
    try:
        with background(create_app(load_settings(), store)) as base:
            yield db, base
    finally:
        store.close()


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    yield from open_page(browser, live[1])


def sign_in(page: Any, base: str) -> None:
    page.goto(base + "/signin")
    page.fill("input[name=name]", "ada")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/w/united/"))


def one_post(folder: Path, native_id: str, text: str, when: str) -> Path:
    """A file of one post, by an author of 500 followers (`flyer_<id>`)."""
    path = folder / f"post-{native_id}.csv"
    row = f"{native_id},{text},{when},flyer_{native_id},500"
    path.write_text(f"id,text,date,author,followers\n{row}\n", encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], command: str, file: Path, db: Path) -> None:
    """`rumeur import|replay FILE` on the served database, with MAPPING, without models."""
    mapping = file.parent / "mapping.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    args = (command, str(file), "--mapping", str(mapping), "--no-enrich", "--db", str(db))
    ran = rumeur(capsys, *args)
    assert ran.code == 0, ran.err


def brands_of(db: Path, native_id: str) -> list[str]:
    store = Store.open(str(db))
    try:
        with store.engine.connect() as conn:
            found = conn.execute(
                select(post_brands.c.brand)
                .join(posts, posts.c.id == post_brands.c.post_id)
                .where(posts.c.native_id == native_id, post_brands.c.workspace == "united")
            ).scalars()
            return sorted(found)
    finally:
        store.close()


def influencer_alerts(db: Path) -> list[str]:
    store = Store.open(str(db))
    try:
        rows = list_alerts(store, "united", everything=True)
    finally:
        store.close()
    return [a["subject"] for a in rows if a["kind"] == "influencer"]


def version_of(db: Path) -> int:
    store = Store.open(str(db))
    try:
        return versions.current_version(store, "united")
    finally:
        store.close()


def save_form(page: Any) -> None:
    page.click("[data-testid=save-settings]")
    page.wait_for_selector("[data-testid=saved]")


def test_terms_and_a_threshold_changed_in_the_app_are_used_by_import_and_replay(
    page: Any, live: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, base = live
    before = version_of(db)
    sign_in(page, base)
    page.click("[data-testid=nav-settings]")
    page.click("[data-testid=settings-brands]")

    # The brand's terms: Delta is also the posts that name its loyalty programme.
    delta = page.locator("fieldset[data-testid=competitor]", has_text="Delta").first
    terms = delta.locator("textarea[name$='.terms']")
    terms.fill(terms.input_value() + "\nskymiles")
    save_form(page)
    assert (
        page.locator("fieldset[data-testid=competitor]", has_text="Delta")
        .first.locator("textarea[name$='.terms']")
        .input_value()
        .splitlines()[-1]
        == "skymiles"
    )

    run(
        capsys,
        "import",
        one_post(tmp_path, "1", "my skymiles vanished again", "2026-03-02T10:05:00Z"),
        db,
    )
    assert brands_of(db, "1") == ["Delta"]

    # With the default threshold (10,000 followers), 500 followers are no influencer.
    second = one_post(
        tmp_path, "2", "skymiles expiring, thanks for nothing", "2026-03-03T09:10:00Z"
    )
    run(capsys, "replay", second, db)
    assert influencer_alerts(db) == []

    # The threshold lowered in the app: the next replay's detectors read it.
    page.click("[data-testid=settings-alerts]")
    page.fill("[data-testid=threshold-influencer_followers]", "100")
    save_form(page)
    assert version_of(db) == before + 2
    run(
        capsys, "replay", one_post(tmp_path, "3", "skymiles are a joke", "2026-03-04T15:20:00Z"), db
    )
    assert influencer_alerts(db) == ["Delta"]

    page.click("[data-testid=settings-history]")
    rows = page.locator("[data-testid=version]")
    assert rows.count() == before + 2
    assert "influencer_followers" in rows.nth(0).inner_text()
    assert "skymiles" in rows.nth(1).inner_text()
    assert page.errors == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_query_typed_with_an_error_shows_its_caret(
    page: Any, live: tuple[Path, str], language: str
) -> None:
    _db, base = live
    sign_in(page, base)
    if language == "fr":
        page.click("[data-testid=lang-fr]")
        page.wait_for_load_state()
    page.goto(base + "/w/united/settings/queries")
    field = page.locator("[data-testid=query-text]").first
    check = page.locator("[data-testid=query-check]").first
    check.locator("[data-testid=query-ok]").wait_for()  # checked once on load
    field.fill("delay AND (late")
    caret = check.locator("[data-testid=rule-caret]")
    caret.wait_for()
    assert caret.inner_text().splitlines() == ["  delay AND (late", "            ^"]
    line = check.locator("[data-testid=rule-error]").inner_text()
    assert ("parenthèse" if language == "fr" else "parenthesis is not closed") in line
    field.fill("delay AND (late OR lost)")
    check.locator("[data-testid=query-ok]").wait_for()
    assert caret.count() == 0
    assert page.errors == []


def test_send_a_test_shows_its_outcome_beside_the_target(
    page: Any, live: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, base = live
    with receiving() as receiver:
        monkeypatch.setenv("RUMEUR_TEST_BROWSER_HOOK", receiver.url)
        store = Store.open(str(db))
        try:
            ws = versions.current(store, "united") or load_settings().workspace("united")
            target = {"name": "duty-hook", "kind": "webhook", "url_env": "RUMEUR_TEST_BROWSER_HOOK"}
            versions.save(store, with_section(ws, "notify", {"targets": [target]}), "ada")
        finally:
            store.close()
        sign_in(page, base)
        page.goto(base + "/w/united/settings/notify")
        row = page.locator("fieldset[data-testid=target][data-name=duty-hook]")
        assert "RUMEUR_TEST_BROWSER_HOOK" in row.locator("input[name$='.url_env']").input_value()
        row.locator("[data-testid=send-test]").click()
        line = row.locator("[data-testid=test-line]")
        line.wait_for()
        assert line.get_attribute("data-delivered") == "yes"
        assert "duty-hook" in line.inner_text()
        assert page.url.endswith("/w/united/settings/notify")  # answered in place, by htmx
        assert len(receiver.ok()) == 1 and receiver.ok()[0].json()["kind"] == "test"
        assert TOKEN not in page.content()
        assert page.errors == []
