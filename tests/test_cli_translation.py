"""The command line in one language: every command's --help, and what the main commands print,
with RUMEUR_LANG=fr hold no English (and in English no French), by the method of the web app's
translation walk (tests/page_text.py): a text that is a message of the catalogue in the other
language, or that holds the other language's function words.

What is not a sentence is left out before the check: option names (`--since`), metavariables
(`<str>`, `FILE`), the posts' own text in the search results."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys

import pytest

from clirun import rumeur
from conftest import AIRLINE, REPO
from page_text import Leftovers
from rumeur.store import Store
from rumeur.web.accounts import add_user

LANGUAGE_VARIABLES = ("RUMEUR_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
# Every command and group's --help, from one process: the help is translated at import.
HELPS = """
import json, sys
from typer.main import get_command
from typer.testing import CliRunner
from rumeur.cli import app

def paths(command, prefix):
    yield prefix
    if hasattr(command, "list_commands"):
        context = command.context_class(command)
        for name in command.list_commands(context):
            sub = command.get_command(context, name)
            if sub is not None and not sub.hidden:
                yield from paths(sub, [*prefix, name])

runner = CliRunner()
found = {" ".join(p): runner.invoke(app, [*p, "--help"]).output
         for p in paths(get_command(app), [])}
json.dump(found, sys.stdout, ensure_ascii=False)
"""
NOT_WORDS = re.compile(r"(?<!\w)--?[\w-]+|<[^>]*>|\b[A-Z][A-Z_]+\b|\[[a-z_]+\]")
# Typer's own words, which rumeur translates (commands/helpwords.py).
TYPER_WORDS = ("Show this message and exit.", "[required]", "[default:", "env var:", "Commands:")


def helps(language: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    env |= {"RUMEUR_LANG": language, "PYTHONIOENCODING": "utf-8"}
    ran = subprocess.run(
        [sys.executable, "-c", HELPS], cwd=REPO, env=env, capture_output=True, check=True
    )
    return json.loads(ran.stdout.decode("utf-8"))


def wrong_language(
    output: str, language: str, leftovers: Leftovers, names: frozenset[str] = frozenset()
) -> list[str]:
    """Each piece of `output` (a line, a table's cell) in the other language, and why; a cell
    that is one of the commands' `names` (`status` in `rumeur workers --help`) is a name to
    type, the same in both languages, like an option."""
    found = []
    for line in output.splitlines():
        for cell in re.split(r"\s{2,}|[│┃|]", line.strip(" │┃─━┌┐└┘├┤┬┴┼╭╮╰╯")):
            if cell in names:
                continue
            text = " ".join(NOT_WORDS.sub(" ", cell).split())
            why = leftovers.check(text, language) if text else None
            if why:
                found.append(f"{why}: {cell!r}")
    return found


@pytest.fixture(scope="module")
def leftovers() -> Leftovers:
    return Leftovers()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_help_is_in_one_language(language: str, leftovers: Leftovers) -> None:
    found = helps(language)
    assert {"", "import", "alerts list", "inbox list", "users add"} <= set(found)
    names = frozenset(word for command in found for word in command.split())
    wrong = {
        command or "rumeur": problems
        for command, text in found.items()
        if (problems := wrong_language(text, language, leftovers, names))
    }
    assert not wrong, json.dumps(wrong, indent=1, ensure_ascii=False)
    if language == "fr":
        typer = {c: [w for w in TYPER_WORDS if w in t] for c, t in found.items()}
        assert not any(typer.values()), {c: w for c, w in typer.items() if w}


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The first 300 tweets of the airline set, imported with the models, and one account.

    No broken row: a rejected row's reason is stored as the source wrote it, in English."""
    folder = tmp_path_factory.mktemp("cli-fr")
    source = folder / "tweets.csv"
    with AIRLINE.open(encoding="utf-8", newline="") as fh, source.open("w", newline="") as out:
        reader, writer = csv.reader(fh), csv.writer(out)
        for i, row in enumerate(reader):
            if i > 300:
                break
            writer.writerow(row)
    db = str(folder / "small.db")
    ran = subprocess.run(
        [sys.executable, "-m", "rumeur", "import", str(source), "--preset", "airline", "--db", db],
        cwd=REPO,
        env={**os.environ, "RUMEUR_LANG": "en"},
        capture_output=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr.decode()
    store = Store.open(db)
    try:
        add_user(store, "lea", "analyst", "correct horse battery staple")
    finally:
        store.close()
    return db


# The main commands, as a team runs them, on the database or not; the posts' text in `search`
# is theirs, not ours.
COMMANDS = [
    (["summary"], True),
    (["search", "bag", "--limit", "3"], True),
    (["search", "(bag AND"], True),  # a refused query: the one-line error with its caret
    (["sources"], True),
    (["alerts", "list"], True),
    (["users", "list"], True),
    (["inbox", "list"], True),
    (["query", "check", "bag NEAR/2 lost"], False),
    (["query", "check", "(bag NEAR lost"], False),
]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_what_the_main_commands_print_is_in_one_language(
    small_db: str,
    language: str,
    leftovers: Leftovers,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", language)
    monkeypatch.setenv("COLUMNS", "200")
    wrong = {}
    for args, on_db in COMMANDS:
        ran = rumeur(capsys, *args, *(["--db", small_db] if on_db else []))
        shown = ran.out + ran.err
        assert shown.strip(), f"rumeur {' '.join(args)} printed nothing"
        if args[0] == "search" and ran.code == 0:
            shown = "\n".join(line for line in shown.splitlines() if not _post_line(line))
        problems = wrong_language(shown, language, leftovers)
        if problems:
            wrong[" ".join(args)] = problems
    assert not wrong, json.dumps(wrong, indent=1, ensure_ascii=False)


def _post_line(line: str) -> bool:
    """A line of a post's text or author in `search`'s table (the posts mention their brand)."""
    return "@" in line or "http" in line
