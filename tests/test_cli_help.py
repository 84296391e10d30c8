"""`--help` in the language of the environment. The help texts are translated when rumeur.cli is
imported, so each case runs `python -m rumeur` in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO

LANGUAGE_VARIABLES = ("RUMEUR_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def rumeur_help(lang: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARIABLES}
    # Click wraps at 80 columns at most (fewer if COLUMNS says so), hence COLUMNS and the joined
    # whitespace below; UTF-8 output whatever the locale.
    env |= {"RUMEUR_LANG": lang, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    ran = subprocess.run(
        [sys.executable, "-m", "rumeur", *args, "--help"],
        cwd=REPO,
        env=env,
        capture_output=True,
        encoding="utf-8",
        check=True,
    )
    return " ".join(ran.stdout.split())


@pytest.mark.parametrize(
    ("lang", "expected", "not_expected"),
    [
        (
            "fr",
            [
                "Importer les publications d’un fichier, en reprenant là où s’est arrêté son "
                "import précédent.",
                "Trouver la langue, la tonalité, l’émotion et le motif de réclamation.",
                "Chemin d’un fichier SQLite ou URL postgresql://.",
            ],
            ["Find the language, sentiment, emotion and complaint reason."],
        ),
        (
            "en",
            [
                "Import posts from a file, resuming where a previous import of it stopped.",
                "Find the language, sentiment, emotion and complaint reason.",
                "SQLite file path or postgresql:// URL.",
            ],
            ["Trouver la langue, la tonalité, l’émotion et le motif de réclamation."],
        ),
    ],
)
def test_import_help_is_in_the_language_of_the_environment(
    lang: str, expected: list[str], not_expected: list[str]
) -> None:
    text = rumeur_help(lang, "import")
    for line in expected:
        assert line in text
    for line in not_expected:
        assert line not in text


def test_root_help_in_french() -> None:
    text = rumeur_help("fr")
    assert "Veille des réseaux sociaux et gestion de communauté, auto-hébergées." in text
    assert "Lister les lignes qui n’ont pas pu être importées" in text
