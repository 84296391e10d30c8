"""The composer, for `make screenshots` (scripts/screenshots.py calls `compose_shots`): a La
Poste workspace with two local Bluesky accounts and a Mastodon one, seeded in a temporary
database; an admin writes one message with a variable chip, adapts Lille's variant, and the
page is shot once every preview has answered, in English and French, into
docs/images/compose.png and compose.fr.png."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import laposte_workspace as laposte
from shooting import PASSWORD, signed_in

from rumeur.config import parse_settings
from rumeur.store import Store
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from rumeur.web.server import CHROMIUM_ARGS, background

WORKFLOW = """
[[workspaces.workflows]]
name = "regions"
departments = ["rhone"]

[[workspaces.workflows.steps]]
seniors = true
"""
SETTINGS = laposte.settings(
    laposte.department("rhone", "lucie"),
    laposte.account("lyon", department="rhone", horaires="8 h 30 – 19 h"),
    laposte.account("lille", horaires="9 h – 18 h"),
    laposte.account("toulouse"),
    WORKFLOW,
    locale="fr",
)
MASTER = (
    " : le bureau est ouvert {horaires|de 9 h à 17 h} le 24 décembre #Noël "
    "https://www.laposte.fr/horaires-de-fetes"
)
LILLE = "À Lille, le bureau de la Grand-Place reste ouvert jusqu'à 19 h le 24 #Noël"


def compose_shots(out: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    settings = parse_settings(SETTINGS, "compose-screenshots.toml")
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(str(Path(folder) / "compose.db"))
        add_user(store, "camille", "admin", PASSWORD, None, settings.workspace())
        with background(create_app(settings, store)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for language in ("en", "fr"):
                page = signed_in(browser, base, language)
                suffix = "" if language == "en" else ".fr"
                write(page, base)
                page.screenshot(path=str(out / f"compose{suffix}.png"), full_page=True)
                print(f"{out}/compose{suffix}.png")
                page.context.close()
            browser.close()
        store.close()


def write(page: Any, base: str) -> None:
    """One message, as a person writes it: the chip, Lille's variant, the time."""
    page.goto(base + "/w/laposte/compose")
    text = page.locator("[data-testid=master-text]")
    text.click()
    text.type("À ")
    page.click("[data-testid=chip-ville]")
    text.press("End")
    text.type(MASTER)
    page.fill("[data-testid=variant-lille]", LILLE)
    with page.expect_response(lambda r: r.url.endswith("/compose/check")):
        page.fill("[data-testid=at]", "2026-12-24T09:00")
    page.locator("[data-testid=preview][data-account=toulouse]").wait_for()
    page.locator("h1").click()  # no field focused, the page at its top (the preview sticks)
    page.evaluate("window.scrollTo(0, 0)")
