"""`rumeur query check`, `rumeur match`, and queries saved in a workspace file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import rumeur
from rumeur.config import load_settings
from rumeur.errors import ConfigError

POSTS = [
    {"id": "a1", "text": "Grève à La Poste : colis en retard", "lang": "fr", "followers": 120},
    {"id": "a2", "text": "Les postes de travail", "lang": "fr", "followers": 50000},
    {"id": "a3", "text": "La Poste delivers late", "lang": "en", "followers": 20000},
    {"id": "a4", "text": "Merci #LaPoste !", "lang": "fr", "author": "@Marie"},
]


def lines(tmp_path: Path, rows: list[object]) -> Path:
    path = tmp_path / "posts.jsonl"
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def test_match_prints_the_ids_of_matching_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = lines(tmp_path, POSTS)
    ran = rumeur(capsys, "match", "--query", '"la poste" AND lang:fr', str(path))
    assert (ran.code, ran.out.split()) == (0, ["a1"])
    ran = rumeur(capsys, "match", "-q", "poste* AND followers:>=20000", str(path))
    assert ran.out.split() == ["a2", "a3"]
    ran = rumeur(capsys, "match", "-q", "#laposte OR author:marie", str(path))
    assert ran.out.split() == ["a4"]


def test_match_names_bad_lines_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows: list[object] = [
        POSTS[0],
        "{not json",
        {"text": "no id"},
        {"id": 9, "text": "la poste", "followers": "many"},
        POSTS[2],
    ]
    ran = rumeur(capsys, "match", "-q", '"la poste"', str(lines(tmp_path, rows)))
    assert ran.code == 0
    assert ran.out.split() == ["a1", "a3"]
    errors = ran.err.strip().splitlines()
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 3", "line 4"]
    assert "'followers' must be a whole number" in errors[2]


def test_match_refuses_a_malformed_query_with_a_caret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = rumeur(capsys, "match", "-q", "poste AND (colis", str(lines(tmp_path, POSTS)))
    assert ran.code == 1 and ran.out == ""
    first, shown, caret = ran.err.rstrip("\n").split("\n")
    assert first == (
        "rumeur: error: query: a parenthesis is not closed (column 11); add the missing ')'"
    )
    assert shown == "  poste AND (colis" and caret == "            ^"
    assert "Traceback" not in ran.err


def test_query_check_shows_the_tree_and_the_warnings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = rumeur(capsys, "query", "check", '(laposte OR "la poste") AND NOT timbre* AND ap*')
    assert ran.code == 0
    assert ran.out.splitlines() == [
        "AND",
        "  OR",
        "    word laposte",
        "    phrase la poste",
        "  NOT",
        "    word timbre (prefix)",
        "  word ap (prefix)",
    ]
    assert "short" in ran.err
    bwq = tmp_path / "q.bwq"
    bwq.write_text("<<<brand>>>\n(laposte OR colissimo)\nAND retard", encoding="utf-8")
    ran = rumeur(capsys, "query", "check", "--query-file", str(bwq))
    assert ran.out.splitlines()[0] == "AND"


def test_query_check_refuses_a_brandwatch_only_field(capsys: pytest.CaptureFixture[str]) -> None:
    ran = rumeur(capsys, "query", "check", "laposte AND authorGender:F")
    assert ran.code == 1
    assert "authorGender: is a Brandwatch field that rumeur does not support" in ran.err


WORKSPACE = """
[[workspaces]]
slug = "laposte"
name = "La Poste"
[workspaces.brand]
name = "La Poste"
[[workspaces.queries]]
name = "greve"
query = '(grève OR grevistes) AND "la poste"'
"""


def test_workspace_queries_are_checked_when_the_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "rumeur.toml"
    path.write_text(WORKSPACE, encoding="utf-8")
    assert load_settings(path).workspaces[0].queries[0].name == "greve"
    path.write_text(WORKSPACE.replace("(grève OR", "(grève OR OR"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: workspaces[0].queries[0].query: OR needs a word")
    assert "\n" not in message


def test_errors_are_in_the_users_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    ran = rumeur(capsys, "query", "check", "pomme AND jus OR orange")
    assert ran.err.splitlines()[0] == (
        "rumeur: erreur: requête : AND et OR côte à côte sans parenthèses (colonne 15) ; "
        "ajoutez des parenthèses : (pomme AND jus) OR orange"
    )
