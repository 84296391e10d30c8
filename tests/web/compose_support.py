"""The composer's workspace for the web tests (tests/web/test_compose_*.py): three local
accounts (Lyon and Lille on Bluesky, each in its department with its local manager; Toulouse on
Mastodon), and a two-step workflow: the account's local manager, then Léa and Marc, both of
them ("all"). Ada writes at the centre; Lucie manages Lyon, Nadia Lille."""

from __future__ import annotations

import laposte_workspace as laposte

from rumeur.config import Settings, parse_settings
from rumeur.store import Store
from rumeur.web.accounts import add_user

PASSWORD = "correct horse battery staple"
WORKFLOW = """
[[workspaces.workflows]]
name = "regions"
departments = ["rhone", "nord"]

[[workspaces.workflows.steps]]
seniors = true

[[workspaces.workflows.steps]]
users = ["lea", "marc"]
need = "all"
"""
SETTINGS = laposte.settings(
    laposte.department("rhone", "lucie"),
    laposte.department("nord", "nadia"),
    laposte.account("lyon", department="rhone", horaires="9 h – 18 h"),
    laposte.account("lille", department="nord"),
    laposte.account("toulouse"),
    WORKFLOW,
)
USERS = {"ada": "admin", "lucie": "community_manager", "nadia": "community_manager",
         "lea": "community_manager", "marc": "community_manager"}  # fmt: skip


def compose_settings() -> Settings:
    return parse_settings(SETTINGS, "rumeur.toml")


def add_users(store: Store, settings: Settings) -> None:
    ws = settings.workspace()
    for name, role in USERS.items():
        add_user(store, name, role, PASSWORD, None, ws)
