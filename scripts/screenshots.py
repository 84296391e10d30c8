"""`make screenshots`: the demo's dashboard and a post's detail as a user sees them, shot in
Debian's headless Chromium into docs/images/ (English and French).

The demo data set is imported into a temporary database with the shipped models, an analyst
account is made, and the app is served on 127.0.0.1 for the time of the shots."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from sqlalchemy import select

from rumeur.commands.importing import file_source, find_demo_file, import_file
from rumeur.config import load_settings
from rumeur.store import Store
from rumeur.store.schema import posts
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from rumeur.web.server import CHROMIUM_ARGS, background

PASSWORD = "screenshots only, thrown away"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    settings = load_settings()
    ws = settings.workspace()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(str(Path(folder) / "demo.db"))
        data = find_demo_file(
            Path(os.environ["RUMEUR_DATA"]) if "RUMEUR_DATA" in os.environ else None
        )
        import_file(store, settings, ws, file_source(ws, data, "airline"), True, False, 1000)
        add_user(store, "analyst", "analyst", PASSWORD)
        with store.engine.connect() as conn:
            post_id = conn.execute(
                select(posts.c.id)
                .where(posts.c.reason == "Lost Luggage", posts.c.sentiment == "negative")
                .order_by(posts.c.created_at.desc())
                .limit(1)
            ).scalar_one()
        with background(create_app(settings, store)) as base:
            shoot(base, args.chromium, args.out, post_id)
        store.close()


def shoot(base: str, chromium: str, out: Path, post_id: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for language in ("en", "fr"):
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, locale=language, device_scale_factor=1
            )
            page = context.new_page()
            page.goto(base + "/signin")
            page.fill("input[name=name]", "analyst")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/dashboard")
            suffix = "" if language == "en" else ".fr"
            page.screenshot(path=str(out / f"dashboard{suffix}.png"), full_page=True)
            page.goto(f"{base}/w/united/posts/{post_id}")
            page.screenshot(path=str(out / f"post{suffix}.png"), full_page=True)
            print(f"{out}/dashboard{suffix}.png, {out}/post{suffix}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
