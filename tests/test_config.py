"""A broken configuration fails at start with one line: the file, the key path, what was
expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import rumeur
from rumeur.config import load_settings, resolve_db
from rumeur.errors import ConfigError

GOOD = """
[[workspaces]]
slug = "laposte"
name = "La Poste"
timezone = "Europe/Paris"

[workspaces.brand]
name = "La Poste"
handles = ["laposte"]

[[workspaces.competitors]]
name = "Chronopost"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rumeur.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_built_in_demo_workspace_is_united_and_five_competitors() -> None:
    settings = load_settings(None)
    ws = settings.workspace()
    assert ws.slug == "united"
    assert ws.brand.name == "United"
    assert [c.name for c in ws.competitors] == [
        "American", "Delta", "Southwest", "US Airways", "Virgin America",
    ]  # fmt: skip
    assert [d.slug for d in ws.departments] == [
        "customer-care",
        "operations",
        "baggage",
        "bookings",
    ]


def test_a_good_file_loads(tmp_path: Path) -> None:
    ws = load_settings(write(tmp_path, GOOD)).workspace("laposte")
    assert ws.brand.match_terms() == ["@laposte"]
    assert ws.competitors[0].match_terms() == ["chronopost"]
    assert ws.locale == "fr"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('timezone = "Europe/Paris"', 'timezone = "Europe/Paaris"'),
            "workspaces[0].timezone: an IANA time zone such as 'Europe/Paris', not 'Europe/Paaris'",
        ),
        (('slug = "laposte"', 'slug = "La Poste!"'), "workspaces[0].slug: string should match"),
        (('name = "Chronopost"', "name = 3"), "workspaces[0].competitors[0].name: input should be"),
        (('name = "Chronopost"', 'nom = "x"'), "workspaces[0].competitors[0].name: required key"),
        (('handles = ["laposte"]', 'handle = ["x"]'), "workspaces[0].brand.handle: unknown key"),
        (
            ('timezone = "Europe/Paris"', "timezone = "),
            "not valid TOML: Invalid value (at line 5, column 12)",
        ),
    ],
)
def test_a_broken_file_is_refused_in_one_line(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_the_command_line_prints_one_line_and_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD.replace('name = "Chronopost"', "name = 3"))
    result = rumeur(capsys, "summary", "--config", str(path), "--db", str(tmp_path / "x.db"))
    assert result.code == 1
    assert result.err.strip().splitlines() == [
        f"rumeur: error: {path}: workspaces[0].competitors[0].name: input should be a valid "
        "string (got 3)"
    ]
    assert not (tmp_path / "x.db").exists()


def test_a_missing_file_and_an_unknown_workspace(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere.toml: no such file"):
        load_settings(tmp_path / "nowhere.toml")
    settings = load_settings(write(tmp_path, GOOD))
    with pytest.raises(ConfigError, match=r"no workspace 'edf' \(known: laposte\)"):
        settings.workspace("edf")


def test_the_database_flag_wins_over_environment_and_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(write(tmp_path, '[store]\ndb = "from-file.db"\n' + GOOD))
    monkeypatch.delenv("RUMEUR_DB", raising=False)
    assert resolve_db(None, settings) == "from-file.db"
    monkeypatch.setenv("RUMEUR_DB", "from-env.db")
    assert resolve_db(None, settings) == "from-env.db"
    assert resolve_db("flag.db", settings) == "flag.db"


def test_a_refused_value_is_shown_without_its_secret(tmp_path: Path) -> None:
    secret = "7d3f9a2c41e8b6d0a5f2c9e1b4a7"
    source = (
        '[[workspaces.sources]]\ntype = "rss"\nname = "private"\n'
        f'url = "forum.example/feeds/rss?token={secret}"\n'
    )
    path = write(tmp_path, GOOD + source)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "workspaces[0].sources[0]" in message and "token=[redacted]" in message
    assert secret not in message
