"""The publishing calendar and the results page, for `make screenshots` (scripts/screenshots.py
calls `publishing_shots`): a La Poste workspace with national and local accounts on Bluesky and
Mastodon seeded in a temporary database with a week of items around now (published ones read
back with their counts, one failed, one late, one waiting for approval, scheduled ones, a
Mastodon account over its media quota one morning) and three weeks of published items before
it, shot as an admin in English and French into docs/images/calendar*.png and
publish-results*.png."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import laposte_workspace as laposte
from shooting import PASSWORD, signed_in

from rumeur.config import parse_settings
from rumeur.model import Author, Metrics, Post
from rumeur.store import Store
from rumeur.store import publishing as rows
from rumeur.store.publishing import NewItem
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from rumeur.web.server import CHROMIUM_ARGS, background

SETTINGS = laposte.settings(
    laposte.department("rhone", "lucie"),
    laposte.department("nord", "malik"),
    laposte.account("national-bsky"),
    laposte.account("national-masto"),
    laposte.account("lyon", department="rhone"),
    laposte.account("villeurbanne", department="rhone"),
    laposte.account("lille", department="nord"),
    locale="fr",
)
HANDLES = laposte.handles("national-bsky", "national-masto", "lyon", "villeurbanne", "lille")
# (day of the week, hour, account, content type, text)
WEEK = [
    (0, 9, "national-bsky", "newsjacking", "Le timbre de Noël 2026 est arrivé #Noël"),
    (0, 11, "lyon", "local", "À Lyon, le bureau de la Part-Dieu ouvre dès 8 h cette semaine"),
    (1, 10, "national-masto", "question", "Et vous, vous écrivez encore des cartes de vœux ?"),
    (1, 14, "lille", "local", "À Lille, venez déposer vos colis de fin d'année avant 18 h"),
    (2, 9, "national-bsky", "battle", "Battle : timbre sapin ou timbre renne ? Votez !"),
    (2, 16, "villeurbanne", "local", "À Villeurbanne, horaires de fêtes affichés en bureau"),
    (3, 9, "lyon", "local", "À Lyon, le Père Noël répond à vos lettres jusqu'au 20 décembre"),
    (3, 12, "national-masto", "newsjacking", "Neige annoncée : vos colis restent suivis en ligne"),
    (4, 10, "lille", "local", "À Lille, la boîte aux lettres du Père Noël est place du Théâtre"),
    (4, 15, "national-bsky", "question", "Quel est le plus beau timbre de l'année ?"),
    (5, 10, "national-bsky", "local", "Samedi, les bureaux de poste restent ouverts"),
    (5, 11, "villeurbanne", "local", "À Villeurbanne, ouverture exceptionnelle dimanche"),
    (6, 10, "lyon", "local", "À Lyon, dernier jour pour les colis de Noël en Colissimo"),
    (6, 17, "national-masto", "newsjacking", "Derniers délais d'envoi pour Noël"),
]


def publishing_shots(out: Path, chromium: str) -> None:
    from playwright.sync_api import sync_playwright

    settings = parse_settings(SETTINGS, "publishing-screenshots.toml")
    ws = settings.workspace()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(str(Path(folder) / "publishing.db"))
        add_user(store, "camille", "admin", PASSWORD, None, ws)
        now = datetime.now(UTC).replace(second=0, microsecond=0)
        seed(store, ws, now)
        with background(create_app(settings, store)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for language in ("en", "fr"):
                page = signed_in(browser, base, language)
                suffix = "" if language == "en" else ".fr"
                page.goto(f"{base}/w/laposte/calendar")
                page.screenshot(path=str(out / f"calendar{suffix}.png"), full_page=True)
                page.goto(f"{base}/w/laposte/publish/results?days=30")
                page.screenshot(path=str(out / f"publish-results{suffix}.png"), full_page=True)
                print(f"{out}/calendar{suffix}.png, {out}/publish-results{suffix}.png")
                page.context.close()
            browser.close()
        store.close()


def seed(store: Store, ws: Any, now: datetime) -> None:
    """This week's items around `now`, and three weeks of published ones before it."""
    today = now.astimezone(ws.zone).date()
    monday = today - timedelta(days=today.weekday())
    pending = False
    for made, (day, hour, account, kind, text) in enumerate(WEEK, start=1):
        at = datetime.combine(monday + timedelta(days=day), time(hour), tzinfo=ws.zone)
        item_id = add(store, account, at.astimezone(UTC), kind, text, now)
        if at >= now and not pending:  # the first item to come waits for its approval
            rows.transition(store, item_id, ("scheduled",), "pending_approval", now, step=1)
            pending = True
        elif at < now and made == 4:
            refused = "422: Validation failed: Text character limit exceeded"
            rows.transition(store, item_id, ("scheduled",), "failed", now, error=refused)
        elif at < now and made == 6:
            late = "late: 40 min past its time, more than the 15 min allowed"
            rows.transition(store, item_id, ("scheduled",), "late", now, error=late)
        elif at < now:  # the last one published is not read back yet
            published(store, item_id, account, at, text, made, read=made != 12)
    # A busy Tuesday morning for one Mastodon account: 8 statuses of 4 photos in half an hour,
    # 32 uploads where Mastodon allows 30 (published or still to come, they count alike).
    for n in range(8):
        at = datetime.combine(monday + timedelta(days=1), time(8, 2 * n), tzinfo=ws.zone)
        text = f"Photos du bureau ({n + 1}/8)"
        item_id = add(store, "villeurbanne", at.astimezone(UTC), "local", text, now, media=4)
        if at < now:
            published(store, item_id, "villeurbanne", at, text, n)
    for back in range(1, 15):
        day = today - timedelta(days=back + 7)
        account = list(HANDLES)[back % len(HANDLES)]
        kind = ("newsjacking", "question", "local", "battle")[back % 4]
        at = datetime.combine(day, time(9 + back % 8), tzinfo=ws.zone)
        text = f"Message {kind} du {day.isoformat()}"
        item_id = add(store, account, at.astimezone(UTC), kind, text, now)
        published(store, item_id, account, at, text, back * 7)


def add(store: Store, account: str, at: datetime, kind: str, text: str, now: datetime,
        media: int = 0) -> int:  # fmt: skip
    platform, handle = HANDLES[account]
    item = NewItem(
        account=account, platform=platform, handle=handle, text=text, at=at,
        timezone="Europe/Paris",
        media=[{"path": f"photo{n}.jpg", "alt": "Le bureau décoré"} for n in range(media)],
        visibility="public" if platform == "mastodon" else None,
    )  # fmt: skip
    made = rows.create(store, "laposte", text=text, items=[item], now=now - timedelta(days=30),
                       author="camille", content_type=kind)  # fmt: skip
    return made.items[0][0]


def published(
    store: Store, item_id: int, account: str, at: datetime, text: str, n: int, read: bool = True
) -> None:
    """The item published, and its post read back by the collectors with its counts (`read`)."""
    platform, handle = HANDLES[account]
    if platform == "bluesky":
        native = f"at://did:plc:{account}/app.bsky.feed.post/3lcal{item_id:05d}"
        url = f"https://bsky.app/profile/{handle}/post/3lcal{item_id:05d}"
    else:
        native = f"https://mastodon.social/users/{handle}/statuses/11{item_id:05d}"
        url = f"https://mastodon.social/@{handle}/11{item_id:05d}"
    rows.transition(store, item_id, ("scheduled",), "published", at, native_id=native,
                    native_url=url)  # fmt: skip
    if not read:
        return
    likes = (n * 37) % 140 + (60 if account.startswith("national") else 5)
    post = Post(
        platform=platform, native_id=native, text=text, created_at=at.astimezone(UTC),
        author=Author(handle=handle), url=url,
        metrics=Metrics(likes=likes, reposts=likes // 5, replies=likes // 9, quotes=likes // 30),
        raw={"id": native},
    )  # fmt: skip
    store.write("laposte", [post])
