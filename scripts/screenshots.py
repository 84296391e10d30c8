"""`make screenshots`: the demo's dashboard, the mentions, a post's detail, the alerts list and a
crisis room (the detectors run over every hour of the set, as `rumeur replay` does), the shared
inbox's list and a conversation, as a user sees them, shot in Debian's headless Chromium
into docs/images/ (English and French).

The demo data set is imported into a temporary database with the shipped models, an analyst
account is made, and the app is served on 127.0.0.1 for the time of the shots. The post shot
has its emotion corrected by another analyst (lea), so that its Labels section shows the label
in effect beside the model's. The inbox is a La Poste workspace seeded in another temporary
database (docs/inbox.md's settings: two departments, a response target, a saved reply,
juniors' replies approved by a senior; docs/reasons.md's two complaint reasons), with a few
conversations on three networks, one past its target and one whose junior's reply waits for
approval; it is shot as an admin, with its complaint reasons' settings page."""

from __future__ import annotations

import argparse
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from shooting import PASSWORD, signed_in
from sqlalchemy import func, select

from rumeur.commands.importing import file_source, find_demo_file, import_file
from rumeur.config import load_settings, parse_settings
from rumeur.store import Store
from rumeur.store.conversations import add_note
from rumeur.store.corrections import Wanted, record_corrections
from rumeur.store.inbox import Message, queue_reply, receive, set_status
from rumeur.store.schema import posts
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from rumeur.web.server import CHROMIUM_ARGS, background


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument(
        "--only",
        choices=("dashboard", "inbox", "settings", "publishing", "influence", "compose"),
        help="shoot these pages alone (default: all)",
    )
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "settings"):
        settings_shots(args.out, args.chromium)
    if args.only in (None, "inbox"):
        inbox_shots(args.out, args.chromium)
    if args.only in (None, "publishing"):
        from publishing_shots import publishing_shots  # scripts/, beside this script

        publishing_shots(args.out, args.chromium)
    if args.only in (None, "influence"):
        from influence_shots import influence_shots  # scripts/, beside this script

        influence_shots(args.out, args.chromium)
    if args.only in (None, "compose"):
        from compose_shots import compose_shots  # scripts/, beside this script

        compose_shots(args.out, args.chromium)
    if args.only in ("inbox", "settings", "publishing", "influence", "compose"):
        return
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
        add_user(store, "lea", "analyst", PASSWORD)
        correct_emotion(store, ws, post_id, "lea")
        alert_id = open_alerts(store, ws)
        with background(create_app(settings, store)) as base:
            shoot(base, args.chromium, args.out, post_id, alert_id)
        store.close()


def correct_emotion(store: Store, ws: Any, post_id: int, name: str) -> None:
    """The post's emotion corrected by `name`, as the post page's form records it, so that its
    Labels section shows a corrected label beside the model's."""
    with store.engine.connect() as conn:
        emotion = conn.execute(select(posts.c.emotion).where(posts.c.id == post_id)).scalar_one()
    value = "sadness" if emotion == "anger" else "anger"
    record_corrections(store, ws.slug, [Wanted(post_id, None, "emotion", value)], name)


def open_alerts(store: Store, ws: Any) -> int:
    """The detectors at the end of every hour of the data set, as `rumeur replay` runs them;
    the id of the alert updated most (the storm's), for the crisis room's shot."""
    from rumeur.alerts.engine import run_detectors
    from rumeur.store.schema import alerts

    with store.engine.connect() as conn:
        first, last = conn.execute(
            select(func.min(posts.c.created_at), func.max(posts.c.created_at))
        ).one()
    hour = first.replace(minute=0, second=0, microsecond=0, tzinfo=UTC) + timedelta(hours=1)
    while hour <= last.replace(tzinfo=UTC) + timedelta(hours=1):
        run_detectors(store, ws, hour)
        hour += timedelta(hours=1)
    with store.engine.connect() as conn:
        query = select(alerts.c.id).order_by(alerts.c.revision.desc(), alerts.c.id).limit(1)
        return conn.execute(query).scalar_one()


def shoot(base: str, chromium: str, out: Path, post_id: int, alert_id: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for language in ("en", "fr"):
            page = signed_in(browser, base, language, name="analyst", width=1280)
            suffix = "" if language == "en" else ".fr"
            page.screenshot(path=str(out / f"dashboard{suffix}.png"), full_page=True)
            page.goto(f"{base}/w/united/posts/{post_id}")
            page.screenshot(path=str(out / f"post{suffix}.png"), full_page=True)
            # The Labels section alone, for the documentation of corrections.
            page.locator("[data-testid=labels]").screenshot(path=str(out / f"labels{suffix}.png"))
            print(f"{out}/dashboard{suffix}.png, {out}/post{suffix}.png, labels{suffix}.png")
            # The mentions as an analyst searches them: a brand, its negative posts, words marked.
            query = urlencode(
                {"q": "brand:American AND (delayed OR cancelled)", "sort": "engagement"}
            )
            page.goto(f"{base}/w/united/stream?{query}")
            page.screenshot(path=str(out / f"stream{suffix}.png"), full_page=False)
            print(f"{out}/stream{suffix}.png")
            page.goto(f"{base}/w/united/alerts")
            page.screenshot(path=str(out / f"alerts{suffix}.png"), full_page=True)
            page.goto(f"{base}/w/united/alerts/{alert_id}")
            page.screenshot(path=str(out / f"crisis{suffix}.png"), full_page=True)
            print(f"{out}/alerts{suffix}.png, {out}/crisis{suffix}.png")
            page.context.close()
        browser.close()


# The shared inbox ------------------------------------------------------------------------------

INBOX_SETTINGS = """
default_workspace = "laposte"

[[workspaces]]
slug = "laposte"
name = "La Poste"
timezone = "Europe/Paris"
locale = "fr"

[workspaces.brand]
name = "La Poste"
handles = ["laposte"]

[[workspaces.owned_accounts]]
platform = "mastodon"
handle = "laposte"
department = "service-client"

[[workspaces.owned_accounts]]
platform = "bluesky"
handle = "laposte.bsky.social"
department = "service-client"

[[workspaces.owned_accounts]]
platform = "reddit"
handle = "laposte"
department = "service-client"

[[workspaces.departments]]
slug = "service-client"
name = "Service client"
first_response = "1h"
next_response = "30m"

[[workspaces.departments]]
slug = "colis"
name = "Colis et courrier"
first_response = "2h"
approval = "juniors"
seniors = ["sam"]

[[workspaces.reasons]]
name = "Livraison"
examples = [
    "Mon colis n'est toujours pas arrivé, livraison en retard",
    "Colis perdu par le transporteur, personne ne répond",
]
query = '(colis OR livraison) NEAR/3 (retard* OR perdu* OR bloqu*)'

[[workspaces.reasons]]
name = "Facturation"
examples = ["Prélevé deux fois ce mois-ci", "Remboursement jamais reçu après annulation"]

[[workspaces.routing]]
name = "colis"
query = 'colis OR livraison'
department = "colis"

[[workspaces.saved_replies]]
slug = "suivi"
title = "Suivi du colis"
text_fr = "Bonjour {customer}, je suis {agent} et je regarde votre dossier {case} tout de suite."
text_en = "Hello {customer}, I am {agent} and I am looking at your case {case} right away."
"""
INBOX_USERS = {"ada": "admin", "sam": "care", "jules": "care", "camille": "care"}


def seed_inbox(store: Store, now: datetime) -> int:
    """The inbox's conversations; the id of the one shot (marie's, whose junior's reply waits)."""
    n = iter(range(1, 100))

    def message(platform: str, author: str, minutes: int, text: str, **more: object) -> Message:
        i = next(n)
        return Message(
            platform=platform,
            native_id=f"{platform}:{author}:{i}",
            local_id=str(i),
            author=author,
            text=text,
            at=now - timedelta(minutes=minutes),
            **more,  # type: ignore[arg-type]
        )

    def opened(first: Message, account: str, **route: object) -> int:
        got = receive(store, "laposte", account, first, route, first.at)
        assert got.conversation_id is not None
        return got.conversation_id

    def answered(talk: int, reply: Message, account: str) -> None:
        receive(store, "laposte", account, reply, None, reply.at)

    # Marie's earlier conversation, answered in 40 minutes and resolved.
    old = message("mastodon", "marie", 60 * 24 * 9, "Mon colis n'est jamais arrivé.",
                  sentiment="negative")  # fmt: skip
    earlier = opened(old, "laposte", department="colis")
    answered(earlier, message("mastodon", "laposte", 60 * 24 * 9 - 40,
             "Bonjour Marie, le colis est retrouvé : il part demain.", direction="out",
             reply_to=old.local_id), "laposte")  # fmt: skip
    set_status(store, earlier, "resolved", now - timedelta(days=8))
    # A thank-you on Reddit, answered: the customer's turn.
    thanks = message("reddit", "lea_b", 300, "Merci au facteur de ce matin, super sympa !",
                     sentiment="positive")  # fmt: skip
    talk = opened(thanks, "laposte", department="service-client", assignee="camille")
    answered(talk, message("reddit", "laposte", 280, "Merci à vous, nous transmettons !",
             direction="out", reply_to=thanks.local_id), "laposte")  # fmt: skip
    # A private message on Mastodon, urgent, held by the senior.
    private = message("mastodon", "nadia", 95, "Je n'ai toujours pas reçu mon remboursement.",
                      kind="direct", thread="c-nadia", sentiment="negative")  # fmt: skip
    opened(private, "laposte", department="colis", priority="urgent", assignee="sam")
    # A question on Bluesky, new, its target not passed yet.
    question = message("bluesky", "paul.bsky.social", 20,
                       "Bonjour, comment faire une procuration pour retirer un recommandé ?",
                       sentiment="neutral")  # fmt: skip
    opened(question, "laposte.bsky.social", department="service-client")
    delivery = message("bluesky", "thomas.bsky.social", 50,
                       "La livraison est prévue quand pour le 6A123456789 ?")  # fmt: skip
    opened(delivery, "laposte.bsky.social", department="colis", tags=["suivi"])
    # Marie again: past its two-hour target, a junior's reply waiting for the senior.
    angry = message("mastodon", "marie", 150,
                    "Mon colis 8R0012345678 est bloqué depuis une semaine, c'est inadmissible.",
                    sentiment="negative")  # fmt: skip
    marie = opened(angry, "laposte", department="colis", priority="high", assignee="jules")
    add_note(store, "laposte", marie, "sam", "Cliente fidèle : déjà un colis perdu en octobre.",
             now - timedelta(minutes=30))  # fmt: skip
    queue_reply(
        store,
        marie,
        text="@marie Bonjour, je suis Jules : j'ouvre une enquête sur le colis 8R0012345678 et "
        "je reviens vers vous avant 18 h.",
        now=now - timedelta(minutes=5),
        author="jules",
        pending=True,
    )
    return marie


def rules_shot(page: Any, base: str, path: Path) -> None:
    """The routing rules' page, a rule being tried on the last 30 days (nothing saved)."""
    page.goto(base + "/w/laposte/inbox/rules")
    page.fill("[data-testid=rule-name]", "reclamations")
    page.fill("[data-testid=rule-query]", "remboursement OR inadmissible")
    page.select_option("[data-testid=rule-department]", "service-client")
    page.select_option("[data-testid=rule-priority]", "high")
    page.click("[data-testid=try-rule]")
    page.wait_for_selector("[data-testid=trial-sentence]")
    page.screenshot(path=str(path), full_page=True)


def inbox_shots(out: Path, chromium: str) -> None:
    """inbox.png, conversation.png, rules.png and reasons.png (and their .fr), as an admin sees
    them."""
    settings = parse_settings(INBOX_SETTINGS, "screenshots-inbox.toml")
    ws = settings.workspace()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(str(Path(folder) / "inbox.db"))
        for name, role in INBOX_USERS.items():
            add_user(store, name, role, PASSWORD, None, ws)
        marie = seed_inbox(store, datetime.now(UTC))
        with background(create_app(settings, store)) as base:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                for language in ("en", "fr"):
                    page = signed_in(browser, base, language, name="ada", width=1280)
                    suffix = "" if language == "en" else ".fr"
                    page.goto(base + "/w/laposte/inbox")
                    page.screenshot(path=str(out / f"inbox{suffix}.png"), full_page=True)
                    page.goto(f"{base}/w/laposte/inbox/{marie}")
                    page.screenshot(path=str(out / f"conversation{suffix}.png"), full_page=True)
                    rules_shot(page, base, out / f"rules{suffix}.png")
                    # The workspace's own complaint reasons (the demo's are the airline ones).
                    page.goto(base + "/w/laposte/settings/reasons")
                    page.screenshot(path=str(out / f"reasons{suffix}.png"), full_page=True)
                    print(f"{out}/inbox{suffix}.png, conversation{suffix}.png, rules{suffix}.png")
                    print(f"{out}/reasons{suffix}.png")
                    page.context.close()
                browser.close()
        store.close()


# The settings area -------------------------------------------------------------------------------


def settings_shots(out: Path, chromium: str) -> None:
    """settings.png (and .fr): the demo workspace's settings overview as an admin sees it, after
    two changes saved in the app (a brand's terms, an alert threshold), listed as its history."""
    from playwright.sync_api import sync_playwright

    from rumeur.settings.sections import with_section
    from rumeur.store.workspace_settings import save

    settings = load_settings()
    ws = settings.workspace()
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(str(Path(folder) / "settings.db"))
        add_user(store, "ada", "admin", PASSWORD)
        delta = [b.model_dump() for b in ws.competitors]
        delta[1]["terms"] = [*delta[1]["terms"], "skymiles"]
        first = with_section(ws, "competitors", delta)
        save(store, first, "ada", base=ws)
        alerts = {**ws.alerts.model_dump(), "volume_min_posts": 40}
        save(store, with_section(first, "alerts", alerts), "ada")
        with background(create_app(settings, store)) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            for language in ("en", "fr"):
                page = signed_in(browser, base, language, name="ada", width=1280)
                suffix = "" if language == "en" else ".fr"
                page.goto(base + "/w/united/settings")
                page.screenshot(path=str(out / f"settings{suffix}.png"), full_page=True)
                print(f"{out}/settings{suffix}.png")
                page.context.close()
            browser.close()
        store.close()


if __name__ == "__main__":
    main()
