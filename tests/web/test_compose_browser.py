"""The composer in a real headless Chromium (docs/publish.md, "The composer"; issue #18, what
it must show, 3): Ada composes one message for two local accounts with a variable chip, adapts
Lille's variant, sees it refused while it is over Bluesky's limit, uploads an image with its alt
text, sends both for approval and locks the master text; Lucie, Lyon's local manager, sees
Lyon's item only, edits its variables (not the locked text) and approves the first step; Léa
and Marc both approve the second, an "all" step; the item is scheduled with the image, and its
page keeps who approved what and when. Under CI=true a missing Chromium fails the run;
elsewhere it skips."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from compose_support import add_users, compose_settings

from rumeur.store import Store
from rumeur.store.publishing import items
from rumeur.web import sessions
from rumeur.web.accounts import list_users
from rumeur.web.auth import SESSION_COOKIE
from website import open_page

pytestmark = pytest.mark.browser
BASE = "/w/laposte"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # sniffed by its signature


@pytest.fixture
def live(tmp_path: Any) -> Iterator[tuple[Store, str]]:
    from rumeur.web.app import create_app
    from rumeur.web.server import background

    store = Store.open(str(tmp_path / "compose.db"))
    try:
        settings = compose_settings()
        add_users(store, settings)
        with background(create_app(settings, store)) as base:
            yield store, base
    finally:
        store.close()


def _page(browser: Any, live: tuple[Store, str], name: str) -> Iterator[Any]:
    """A page with a session of `name` made in the store (the sign-in form has tests of its
    own: four of them here would cost seconds of password hashing)."""
    store, base = live
    [user] = [u for u in list_users(store) if u.name == name]
    for page in open_page(browser, base):
        cookie = {"name": SESSION_COOKIE, "value": sessions.start(store, user.id), "url": base}
        page.context.add_cookies([cookie])
        yield page


@pytest.fixture
def ada(browser, live):  # type: ignore[no-untyped-def]
    yield from _page(browser, live, "ada")


@pytest.fixture
def lucie(browser, live):  # type: ignore[no-untyped-def]
    yield from _page(browser, live, "lucie")


@pytest.fixture
def lea(browser, live):  # type: ignore[no-untyped-def]
    yield from _page(browser, live, "lea")


@pytest.fixture
def marc(browser, live):  # type: ignore[no-untyped-def]
    yield from _page(browser, live, "marc")


def _preview(page: Any, account: str) -> Any:
    return page.locator(f"[data-testid=preview][data-account={account}]")


def _compose(ada: Any, base: str) -> tuple[str, str]:
    ada.goto(base + BASE + "/compose")
    ada.uncheck("[data-testid=account-toulouse]")
    text = ada.locator("[data-testid=master-text]")
    text.click()
    text.type("À ")
    ada.click("[data-testid=chip-ville]")  # written where the cursor is
    text.press("End")
    text.type(", le bureau ouvre à 9 h le 24 #Noël 🎄")
    lyon = _preview(ada, "lyon").locator("[data-testid=preview-text]")
    lyon.filter(has_text="À Lyon, le bureau ouvre à 9 h le 24 #Noël 🎄").wait_for()
    assert lyon.locator(".mark-tag").inner_text() == "#Noël"  # the facet Bluesky will get

    ada.fill("[data-testid=variant-lille]", "À Lille, " + "très " * 60)
    refusal = _preview(ada, "lille").locator("[data-testid=refusal]")
    refusal.filter(has_text="Bluesky takes at most 300").wait_for()
    ada.fill("[data-testid=variant-lille]", "À Lille, le bureau de la Grand-Place ouvre à 9 h")
    refusal.wait_for(state="detached")
    ada.click("summary:has-text('Images, each with its alt text')")
    ada.set_input_files("[data-testid=media-file-0]", files=[
        {"name": "sapin.png", "mimeType": "image/png", "buffer": PNG}])  # fmt: skip
    ada.fill("input[name=media_alt_0]", "Le sapin du bureau")
    with ada.expect_response(lambda r: r.url.endswith("/compose/check")):
        ada.fill("[data-testid=at]", "2030-12-24T09:00")  # its check answered before sending
    button = ada.locator("[data-testid=schedule]")
    assert button.inner_text() == "Send for approval"  # the workflow says so
    button.click()
    ada.locator("[data-testid=outcome]").wait_for()
    created = ada.locator("[data-testid=created]")
    assert created.count() == 2
    assert {created.nth(i).get_attribute("data-status") for i in range(2)} == {"pending_approval"}
    links = {
        created.nth(i).inner_text().split(": ")[1].split()[0]: created.nth(i)
        .locator("a").get_attribute("href")
        for i in range(2)
    }  # fmt: skip
    return links["lyon"], links["lille"]


def test_compose_adapt_approve_in_two_steps_and_a_local_manager_edits_their_own(
    ada: Any, lucie: Any, lea: Any, marc: Any, live: tuple[Store, str]
) -> None:
    store, base = live
    lyon, lille = _compose(ada, base)
    ada.goto(base + lyon)
    ada.click("[data-testid=lock]")  # the centre locks the master text
    ada.locator("[data-testid=locked]").wait_for()

    lucie.goto(base + BASE + "/publish/approvals")
    mine = lucie.locator("[data-testid=mine] [data-testid=pending-item]")
    assert mine.count() == 1 and mine.get_attribute("data-account") == "lyon"
    assert lucie.locator("[data-account=lille]").count() == 0  # Nadia's account, not hers
    assert lucie.goto(base + lille).status == 404
    lucie.errors.remove(
        "Failed to load resource: the server responded with a status of 404 (Not Found)"
    )
    lucie.goto(base + lyon)
    assert lucie.locator("[data-testid=edit-text]").is_disabled()  # locked by the centre
    lucie.fill("[data-testid=var-ville]", "Lyon Part-Dieu")
    lucie.click("[data-testid=save-edit]")
    lucie.locator("[data-testid=item-text]").filter(has_text="À Lyon Part-Dieu, le").wait_for()
    lucie.click("[data-testid=approve]")
    waiting = lucie.locator("[data-testid=waiting]")
    waiting.filter(has_text="step 2 of 2 (all of them): waiting for lea, marc").wait_for()

    lea.goto(base + BASE + "/publish/approvals")
    lea.locator("[data-testid=mine] [data-testid=approve]").first.click()
    lea.wait_for_url(re.compile(r"/publish/approvals$"))
    lea.goto(base + lyon)
    assert "waiting for marc" in lea.inner_text("[data-testid=waiting]")
    assert "approved by lea" in lea.inner_text("[data-testid=waiting]")
    assert lea.locator("[data-testid=approve]").count() == 0  # approved this step already

    marc.goto(base + lyon)
    marc.click("[data-testid=approve]")
    marc.locator("[data-testid=item-status][data-status=scheduled]").wait_for()
    history = marc.locator("[data-testid=decision]")
    assert [history.nth(i).inner_text().split("\t")[1] for i in range(3)] == [
        "lucie", "lea", "marc"]  # fmt: skip
    [item] = [i for i in items(store, "laposte") if i.account == "lyon"]
    assert (item.status, item.approved_by) == ("scheduled", "marc")
    assert item.text.startswith("À Lyon Part-Dieu, le bureau ouvre à 9 h")
    [image] = item.media  # uploaded from the page, kept by its content
    assert image["alt"] == "Le sapin du bureau" and Path(image["path"]).read_bytes() == PNG
    assert ada.errors == [] and lucie.errors == [] and lea.errors == [] and marc.errors == []
