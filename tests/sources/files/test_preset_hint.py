"""A CSV file whose header is the one a shipped preset reads, opened without that preset: the
one-line refusal of `rumeur import` and `rumeur replay` says which `--preset` to add (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import Ran, rumeur

AIRLINE_HINT = "; the header is the one the preset airline reads: add --preset airline"


def refused(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: str) -> str:
    ran: Ran = rumeur(capsys, *args, "--no-enrich", "--db", str(tmp_path / "x.db"))
    lines = ran.err.strip().splitlines()
    assert ran.code == 1 and len(lines) == 1, ran.err
    assert lines[0].startswith("rumeur: error: ") and "not in the header" in lines[0]
    return lines[0]


def head(source: Path, folder: Path, lines: int = 3) -> Path:
    path = folder / "some.csv"
    with source.open(encoding="utf-8") as fh:
        path.write_text("".join(next(fh) for _ in range(lines)), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["import", "replay"])
def test_the_airline_file_without_its_preset_says_to_add_it(
    command: str, airline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = refused(capsys, tmp_path, command, str(airline))
    assert "of mapping 'listening-export'" in line and line.endswith(AIRLINE_HINT)
    assert not (tmp_path / "x.db").exists()  # refused before the database is opened


@pytest.mark.parametrize("command", ["import", "replay"])
def test_a_listening_export_read_as_airline_names_the_other_preset(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "export.csv"
    path.write_text("date,author,text,url,platform\n2024-01-01,a,hello,https://x.org/1,x\n")
    line = refused(capsys, tmp_path, command, str(path), "--preset", "airline")
    assert line.endswith("reads: add --preset listening-export")


def test_a_mapping_file_on_the_airline_header_says_to_use_the_preset_instead(
    airline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.toml").write_text('[columns]\ntext = "body"\ncreated_at = "day"\n')
    path = head(airline, tmp_path)
    line = refused(capsys, tmp_path, "import", str(path), "--mapping", str(tmp_path / "m.toml"))
    assert line.endswith("reads: use --preset airline instead of --mapping")


def test_a_header_no_preset_reads_gets_no_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text("text,when\nhello,2024-01-01\n")
    line = refused(capsys, tmp_path, "replay", str(path))
    assert "--preset" not in line and line.endswith("(found: text, when)")


def test_the_hint_is_in_french_too(
    airline: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    ran = rumeur(capsys, "import", str(head(airline, tmp_path)), "--db", str(tmp_path / "x.db"))
    assert ran.code == 1 and len(ran.err.strip().splitlines()) == 1
    assert "absente de l’en-tête" in ran.err
    assert ran.err.strip().endswith(
        "lit la correspondance fournie airline : ajoutez --preset airline"
    )
