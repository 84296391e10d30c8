"""The inbox's settings: owned accounts read through a source, departments and routing rules,
checked at load with one line that names the key that is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from inbox_site import LAPOSTE
from rumeur.config import load_settings, parse_settings
from rumeur.errors import ConfigError
from rumeur.settings.inbox import owned_account

# The example of issue #15, as written.
ISSUE_EXAMPLE = """
[[workspaces.sources]]
type = "mastodon"
name = "piaille"
instance = "https://piaille.fr"
token_env = "RUMEUR_MASTODON_PIAILLE_TOKEN"

[[workspaces.owned_accounts]]
platform = "mastodon"
handle = "laposte"
source = "piaille"
department = "service-client"

[[workspaces.departments]]
slug = "service-client"
name = "Service client"

[[workspaces.departments]]
slug = "colis"
name = "Colis et courrier"

[[workspaces.routing]]
name = "colis"
query = 'colis OR livraison'
department = "colis"

[[workspaces.routing]]
name = "urgent"
query = 'sentiment:negative AND (remboursement OR plainte OR inadmissible)'
priority = "high"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rumeur.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issues_example_loads_as_written(tmp_path: Path) -> None:
    ws = load_settings(write(tmp_path, LAPOSTE + ISSUE_EXAMPLE)).workspace()
    (account,) = ws.owned_accounts
    assert (account.platform, account.handle, account.source) == ("mastodon", "laposte", "piaille")
    assert account.department == "service-client"
    assert account.key == "mastodon:laposte"
    assert [(r.name, r.department, r.priority, r.stop) for r in ws.routing] == [
        ("colis", "colis", None, False),
        ("urgent", None, "high", False),
    ]
    assert owned_account(ws.owned_accounts, "mastodon", "@LaPoste") is account
    assert owned_account(ws.owned_accounts, "bluesky", "laposte") is None


def test_a_rule_sets_tags_an_assignee_and_stops(tmp_path: Path) -> None:
    extra = """
[[workspaces.routing]]
name = "spam"
query = 'crypto OR airdrop'
priority = "low"
tags = ["spam", "bot", "spam"]
assignee = "moderation"
stop = true
"""
    ws = load_settings(write(tmp_path, LAPOSTE + ISSUE_EXAMPLE + extra)).workspace()
    rule = ws.routing[-1]
    assert (rule.priority, rule.tags, rule.assignee, rule.stop) == (
        "low",
        ["spam", "bot"],
        "moderation",
        True,
    )


def test_the_demo_workspace_still_loads() -> None:
    ws = load_settings(None).workspace()
    assert ws.owned_accounts[0].source is None
    assert ws.routing == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('department = "colis"', 'department = "courrier"'),
            "workspaces[0].routing[0].department: no department 'courrier' in this workspace "
            "(known: 'service-client', 'colis')",
        ),
        (
            ('department = "service-client"', 'department = "sav"'),
            "workspaces[0].owned_accounts[0].department: no department 'sav' in this workspace",
        ),
        (
            ('source = "piaille"', 'source = "mastodon.social"'),
            "workspaces[0].owned_accounts[0].source: no source 'mastodon.social' in this "
            "workspace (known: 'piaille')",
        ),
        (
            ('platform = "mastodon"', 'platform = "bluesky"'),
            "workspaces[0].owned_accounts[0].source: source 'piaille' reads mastodon, not this "
            "account's platform 'bluesky'",
        ),
        (
            ("query = 'colis OR livraison'", "query = 'colis OR'"),
            "workspaces[0].routing[0].query: the query ends too early",
        ),
        (
            ("query = 'colis OR livraison'", "query = 'lang:'"),
            "workspaces[0].routing[0].query: ",
        ),
        (
            ('priority = "high"', 'priority = "hot"'),
            "workspaces[0].routing[1].priority: input should be 'low', 'normal', 'high' or "
            "'urgent' (got 'hot')",
        ),
        (
            ('priority = "high"', 'priorty = "high"'),
            "workspaces[0].routing[1].priorty: unknown key",
        ),
        (
            ('priority = "high"', ""),
            "workspaces[0].routing[1]: a routing rule must set a department, a priority, tags "
            "or an assignee, or stop = true",
        ),
        (
            ('name = "urgent"', 'name = "colis"'),
            "workspaces[0].routing[1].name: two routing rules are named 'colis'",
        ),
        (
            ('name = "urgent"', 'name = "Urgent!"'),
            "workspaces[0].routing[1].name: string should match",
        ),
    ],
)
def test_a_wrong_inbox_setting_is_refused_in_one_line(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    text = LAPOSTE + ISSUE_EXAMPLE
    assert change[0] in text
    path = write(tmp_path, text.replace(*change, 1))
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: {expected}")
    assert "\n" not in message


def test_an_owned_account_declared_twice_is_refused() -> None:
    twice = """
[[workspaces.owned_accounts]]
platform = "mastodon"
handle = "LaPoste"
"""
    with pytest.raises(ConfigError, match=r"owned_accounts\[1\]\.handle: the owned account"):
        parse_settings(LAPOSTE + ISSUE_EXAMPLE + twice, "t.toml")


@pytest.mark.parametrize("doc", ["inbox.md", "inbox.fr.md"])
def test_the_docs_settings_load(doc: str) -> None:
    text = (REPO / "docs" / doc).read_text(encoding="utf-8")
    blocks = re.findall(r"^```toml\n(.*?)^```", text, flags=re.M | re.S)
    assert blocks
    for block in blocks:
        ws = parse_settings(block, f"docs/{doc}").workspace()
        assert ws.routing
