"""The La Poste workspace of the publishing screenshots (scripts/compose_shots.py,
scripts/publishing_shots.py) and tests (tests/web/compose_support.py,
tests/publishing/*): its departments and local accounts, written as rumeur.toml, each caller
choosing the ones it needs and their variations. Tests import it too (pytest's `pythonpath`
holds scripts/).

    settings(
        department("rhone", "lucie"),
        account("lyon", department="rhone", horaires="9 h – 18 h"),
        account("toulouse"),
        WORKFLOWS,  # any further TOML, as it is
    )
"""

from __future__ import annotations

import json

# name: (platform, handle, the town its `ville` variable names; None for a national account)
ACCOUNTS: dict[str, tuple[str, str, str | None]] = {
    "national-bsky": ("bluesky", "laposte.bsky.social", None),
    "national-masto": ("mastodon", "laposte", None),
    "lyon": ("bluesky", "laposte-lyon.bsky.social", "Lyon"),
    "villeurbanne": ("mastodon", "laposte_villeurbanne", "Villeurbanne"),
    "lille": ("bluesky", "laposte-lille.bsky.social", "Lille"),
    "toulouse": ("mastodon", "laposte_toulouse", "Toulouse"),
    "marseille": ("mastodon", "laposte_marseille", "Marseille"),
}
DEPARTMENTS = {"rhone": "Rhône", "nord": "Nord", "marseille": "Marseille"}


def settings(*sections: str, locale: str | None = None) -> str:
    """The workspace's settings file: its header, then `sections` (departments, accounts and
    any other TOML) in order. `locale`: the workspace's language, when it is set."""
    head = [
        'default_workspace = "laposte"',
        "",
        "[[workspaces]]",
        'slug = "laposte"',
        'name = "La Poste"',
        'timezone = "Europe/Paris"',
        *([f"locale = {_text(locale)}"] if locale else []),
        "",
        "[workspaces.brand]",
        'name = "La Poste"',
        "",
    ]
    return "\n".join(head) + "".join("\n" + section.strip("\n") + "\n" for section in sections)


def department(slug: str, *seniors: str, approval: str | None = None) -> str:
    """A department by its slug (`DEPARTMENTS` names it), with its seniors."""
    lines = [
        "[[workspaces.departments]]",
        f"slug = {_text(slug)}",
        f"name = {_text(DEPARTMENTS[slug])}",
        *([f"approval = {_text(approval)}"] if approval else []),
        f"seniors = [{', '.join(map(_text, seniors))}]",
    ]
    return "\n".join(lines)


def account(name: str, department: str | None = None, **variables: str) -> str:
    """An owned account of `ACCOUNTS`, in `department` if given; a local one's variables are
    its town (`ville`) and then `variables`."""
    platform, handle, town = ACCOUNTS[name]
    shown = ({"ville": town} if town else {}) | variables
    lines = [
        "[[workspaces.owned_accounts]]",
        f"name = {_text(name)}",
        f"platform = {_text(platform)}",
        f"handle = {_text(handle)}",
        *([f"department = {_text(department)}"] if department else []),
    ]
    if shown:
        pairs = ", ".join(f"{key} = {_text(value)}" for key, value in shown.items())
        lines.append(f"variables = {{ {pairs} }}")
    return "\n".join(lines)


def handles(*names: str) -> dict[str, tuple[str, str]]:
    """The platform and handle of each account of `names`, in that order."""
    return {name: ACCOUNTS[name][:2] for name in names}


def _text(value: str) -> str:
    # A JSON string is a TOML basic string: quotes and backslashes escaped alike.
    return json.dumps(value, ensure_ascii=False)
