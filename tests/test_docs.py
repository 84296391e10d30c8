"""Docs that the tests keep true."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from cli_reference import reference


def test_the_cli_reference_is_generated_from_the_code() -> None:
    # In a fresh process, as `make docs` runs it: the help texts are translated when rumeur.cli is
    # imported, so this test process (whatever language it imported it in) cannot make it.
    generated = subprocess.run(
        [sys.executable, "scripts/cli_reference.py"],
        cwd=REPO,
        env={**os.environ, "RUMEUR_LANG": "en"},
        capture_output=True,
        encoding="utf-8",
        check=True,
    ).stdout
    written = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert written == generated, "docs/cli.md is out of date: run `make docs`"


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


def test_every_test_a_doc_names_exists() -> None:
    """A promise in the docs names the test that keeps it (`tests/x.py::test_y`): that test must
    exist, so that a renamed or deleted test cannot leave a promise unbacked."""
    named = {
        (doc.name, path, test)
        for doc in sorted((REPO / "docs").glob("*.md"))
        for path, test in re.findall(
            r"(tests/[\w/]+\.py)::(test_\w+)", doc.read_text(encoding="utf-8")
        )
    }
    assert any(path == "tests/test_secrets.py" for _doc, path, _test in named)
    missing = [
        f"{doc}: {path}::{test}"
        for doc, path, test in sorted(named)
        if not (REPO / path).is_file()
        or not re.search(rf"^def {test}\(", (REPO / path).read_text(encoding="utf-8"), re.M)
    ]
    assert missing == []
