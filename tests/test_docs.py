"""Docs that the tests keep true."""

from __future__ import annotations

import re
import sys

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from cli_reference import reference


def test_the_cli_reference_is_generated_from_the_code() -> None:
    written = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == reference(), "docs/cli.md is out of date: run `make docs`"


def test_the_readme_opens_with_the_two_commands() -> None:
    head = "\n".join((REPO / "README.md").read_text(encoding="utf-8").splitlines()[:40])
    assert "make demo" in head
    assert "make test" in head


def test_every_command_is_in_both_getting_started_guides() -> None:
    commands = re.findall(r"^## rumeur (\S+)", reference(), flags=re.M)
    assert commands
    for guide in ("getting-started.md", "getting-started.fr.md"):
        text = (REPO / "docs" / guide).read_text(encoding="utf-8")
        missing = [c for c in commands if f"rumeur {c}" not in text]
        assert missing == [], f"docs/{guide} does not mention: {missing}"
