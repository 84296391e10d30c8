"""The influence pages, for `make screenshots` (scripts/screenshots.py calls `influence_shots`):
the demo's airline set imported into a temporary database with the shipped models, two authors
in the relationship file (a partner not contacted for months, so the reminder shows, with a
note and a brand reply history), a campaign with them, shot as a community manager in English
and French into docs/images/influence*.png.

`RUMEUR_SHOTS_DB` names an already imported demo database to copy instead of importing again
(the import takes a minute or two)."""

from __future__ import annotations

import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shooting import PASSWORD, signed_in

from rumeur.commands.importing import file_source, find_demo_file, import_file
from rumeur.config import load_settings
from rumeur.influence import campaigns, ranking
from rumeur.influence import relationships as rel
from rumeur.store import Store
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from rumeur.web.server import CHROMIUM_ARGS, background

# The demo's February 2015: the file's notes are dated then, as if the team worked at the time.
FEBRUARY = datetime(2015, 2, 20, 10, 0, tzinfo=UTC)


def influence_shots(out: Path, chromium: str) -> None:
    settings = load_settings()
    ws = settings.workspace()
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "demo.db"
        if "RUMEUR_SHOTS_DB" in os.environ:
            shutil.copy(os.environ["RUMEUR_SHOTS_DB"], db)
        store = Store.open(str(db))
        if "RUMEUR_SHOTS_DB" not in os.environ:
            data = find_demo_file(
                Path(os.environ["RUMEUR_DATA"]) if "RUMEUR_DATA" in os.environ else None
            )
            import_file(store, settings, ws, file_source(ws, data, "airline"), True, False, 1000)
        add_user(store, "camille", "community_manager", PASSWORD)
        add_user(store, "sam", "analyst", PASSWORD)
        shown = seed(store, ws)
        with background(create_app(settings, store)) as base:
            shoot(base, chromium, out, shown)
        store.close()


def seed(store: Store, ws: Any) -> dict[str, int]:
    """The relationship file and a campaign: the ids the shots open."""
    best = ranking.ranked(store, ws, brand="United", limit=2)
    first, second = best[0], best[1]
    marie, _made = rel.add_person(
        store, ws.slug, first.key, kind="ambassador", status="partner", owner="camille",
        by="camille", now=FEBRUARY,
    )  # fmt: skip
    rel.note(
        store, ws.slug, marie, "Loves the new lounge; open to a spring story.", contact=True,
        by="camille", now=FEBRUARY,
    )  # fmt: skip
    rel.update(store, ws.slug, marie, email="press@example.com", by="camille", now=FEBRUARY)
    rel.consent(store, ws.slug, marie, True, "email of 20 Feb", by="camille", now=FEBRUARY)
    rel.add_person(store, ws.slug, second.key, owner="sam", by="sam", now=FEBRUARY)
    rel.add_person(store, ws.slug, None, name="Gate agent, ORD", kind="employee", by="sam")
    made = campaigns.create_campaign(
        store, ws.slug, "Spring fares", datetime(2015, 2, 16, tzinfo=ws.zone),
        datetime(2015, 2, 25, tzinfo=ws.zone), "united OR #unitedairlines",
        [first.key, second.key], by="camille",
    )  # fmt: skip
    return {"author": first.id, "person": marie.id, "campaign": made.id}


def shoot(base: str, chromium: str, out: Path, shown: dict[str, int]) -> None:
    from playwright.sync_api import sync_playwright

    pages = {
        "influence": "/w/united/influence?brand=United",
        "influence-author": f"/w/united/influence/authors/{shown['author']}?brand=United",
        "influence-rising": "/w/united/influence/rising",
        "influence-people": "/w/united/people",
        "influence-person": f"/w/united/people/{shown['person']}",
        "influence-campaign": f"/w/united/campaigns/{shown['campaign']}",
    }
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for language in ("en", "fr"):
            page = signed_in(browser, base, language, width=1280, timeout_ms=120_000)
            suffix = "" if language == "en" else ".fr"
            for name, path in pages.items():
                page.goto(base + path)
                if name == "influence":  # the first author's explanation, opened
                    page.locator("[data-testid=explanation] summary").first.click()
                # The rising voices run long (twenty, each with three posts): the first screen.
                whole = name != "influence-rising"
                page.screenshot(path=str(out / f"{name}{suffix}.png"), full_page=whole)
                print(f"{out}/{name}{suffix}.png")
            page.context.close()
        browser.close()
