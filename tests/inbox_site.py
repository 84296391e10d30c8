"""A small inbox for the web tests (tests/web/test_inbox_*.py): a workspace with three
departments, two saved replies and a one-hour target, a few conversations (one past its target,
one with a hostile text, one in another department, an earlier one of the same customer), and
one account per role that the inbox needs.

Also what the inbox tests (tests/inbox/) set up alike: the La Poste workspace's TOML in pieces,
a Mastodon status, an account row, the conversations as stored, and a browser page signed in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from rumeur.config import Settings, parse_settings
from rumeur.store import Store
from rumeur.store.accounts import insert_user
from rumeur.store.inbox import Message, receive, set_status
from rumeur.store.schema import conversations
from rumeur.web.accounts import User, add_user
from website import open_page

# The La Poste workspace, in pieces: LAPOSTE opens it (HANDLES may follow at once, the brand's
# own handle), then its tables.
LAPOSTE = """
[[workspaces]]
slug = "laposte"
name = "La Poste"
[workspaces.brand]
name = "La Poste"
"""
HANDLES = 'handles = ["laposte"]\n'
DEPARTMENTS = """
[[workspaces.departments]]
slug = "service-client"
name = "Service client"

[[workspaces.departments]]
slug = "colis"
name = "Colis et courrier"
"""
COLIS_RULE = """
[[workspaces.routing]]
name = "colis"
query = 'colis OR livraison'
department = "colis"
"""


def mastodon_account(department: str) -> str:
    """The brand's Mastodon account @laposte, answered by `department`."""
    return f"""
[[workspaces.owned_accounts]]
platform = "mastodon"
handle = "laposte"
department = "{department}"
"""


PASSWORD = "correct horse battery staple"
SETTINGS = """
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

[[workspaces.departments]]
slug = "service-client"
name = "Service client"
first_response = "1h"

[[workspaces.departments]]
slug = "colis"
name = "Colis et courrier"

[[workspaces.departments]]
slug = "baggage"
name = "Bagages"

[[workspaces.saved_replies]]
slug = "suivi"
title = "Suivi du colis"
text_fr = "Bonjour {customer}, je suis {agent} et je regarde votre dossier {case} tout de suite."
text_en = "Hello {customer}, I am {agent} and I am looking at your case {case} right away."

[[workspaces.saved_replies]]
slug = "merci"
title = "Merci"
text_fr = "Merci {customer} !"
text_en = "Thank you {customer}!"
"""
# name -> (role, department)
ACCOUNTS = {
    "ada": ("admin", None),
    "ana": ("analyst", None),
    "carla": ("care", None),
    "chloe": ("care", None),
    "cyril": ("community_manager", None),
    "colette": ("department", "colis"),
}
HOSTILE = "<script>window.__pwned = 1</script> \u202eenilno\u202c mon colis <b>perdu</b>"
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)  # a Monday in the past: a 1 h target has passed


@dataclass
class Inbox:
    settings: Settings
    store: Store
    users: dict[str, User]
    ids: dict[str, int]  # "marie" (overdue), "paul" (colis), "hostile", "earlier" (resolved)


def status(n: int, author: str, at: datetime, **more: object) -> Message:
    """Status `n` of `author` on piaille.fr at `at`: its URI as native id, its id on the
    account's instance as local id."""
    values: dict = {
        "platform": "mastodon",
        "native_id": f"https://piaille.fr/users/{author}/statuses/{n}",
        "local_id": str(n),
        "author": author,
        "text": f"message {n}",
        "at": at,
    }
    return Message(**(values | more))  # type: ignore[arg-type]


def toot(n: int, author: str, minutes: float, **more: object) -> Message:
    """Status `n` of `author` on piaille.fr, `minutes` after T0."""
    return status(n, author, T0 + timedelta(minutes=minutes), **more)


def add_account(store: Store, name: str, role: str, department: str | None = None) -> None:
    """An account row as the store holds it (no password that signs in), created at T0."""
    row = {
        "name": name, "name_key": name.casefold(), "role": role, "department": department,
        "password_hash": "not-a-hash", "api_token_hash": None, "created_at": T0,
        "updated_at": T0, "disabled": False,
    }  # fmt: skip
    insert_user(store, row)


def conversations_of(store: Store) -> list[dict[str, Any]]:
    """The stored conversations, in the order they were opened."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(conversations).order_by(conversations.c.id)).mappings()
        return [dict(row) for row in rows]


def signed_in(browser: Any, base: str, name: str) -> Iterator[Any]:
    """A fresh page (website.open_page) signed in as `name` (password PASSWORD) at `base`."""
    for page in open_page(browser, base):
        page.goto(base + "/signin")
        page.fill("input[name=name]", name)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/w/laposte/"))
        yield page


def _opened(store: Store, message: Message, department: str, **route: object) -> int:
    got = receive(
        store, "laposte", "laposte", message, {"department": department, **route}, message.at
    )
    assert got.opened and got.conversation_id is not None
    return got.conversation_id


def make_inbox(store: Store) -> Inbox:
    settings = parse_settings(SETTINGS, "inbox-test.toml")
    ws = settings.workspace()
    users = {
        name: add_user(store, name, role, PASSWORD, department, ws)
        for name, (role, department) in ACCOUNTS.items()
    }
    earlier = _opened(store, toot(1, "marie", -60 * 24 * 7, text="où est mon colis ?"),
                      "service-client")  # fmt: skip
    brand = toot(2, "laposte", -60 * 24 * 7 + 95, direction="out", reply_to="1", text="Bonjour !")
    receive(store, "laposte", "laposte", brand, None, brand.at)
    set_status(store, earlier, "resolved", T0 - timedelta(days=6))
    angry = toot(3, "marie", 0, text="toujours rien, inadmissible", sentiment="negative")
    marie = _opened(store, angry, "service-client", priority="high")
    paul = _opened(store, toot(4, "paul", 5, text="ma livraison ?"), "colis")
    hostile = _opened(store, toot(5, "eve", 10, text=HOSTILE), "service-client")
    ids = {"earlier": earlier, "marie": marie, "paul": paul, "hostile": hostile}
    return Inbox(settings, store, users, ids)
