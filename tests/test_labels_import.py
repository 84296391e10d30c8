"""`rumeur labels import FILE`: corrections as JSON lines, each bad line named by file, line and
field and skipped, the good ones recorded (posts relabelled, texts kept), a summary in English
or French."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from clirun import rumeur
from factories import make_post
from rumeur.store import Store
from rumeur.store.corrections import corrections_for
from rumeur.store.schema import posts


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "labels.db")
    store = Store.open(path)
    try:
        store.write(
            "united", [make_post(str(n), f"post {n}", sentiment="positive") for n in (1, 2)]
        )
        store.write("other", [make_post("3", "not united's")])
    finally:
        store.close()
    return path


def _ids(db: str) -> dict[str, int]:
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            return {n: i for i, n in conn.execute(select(posts.c.id, posts.c.native_id))}
    finally:
        store.close()


def _write(path: Path, lines: list[object]) -> Path:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def test_bad_lines_are_named_and_the_good_ones_kept(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = _ids(db)
    file = _write(
        tmp_path / "fixes.jsonl",
        [
            {"post_id": ids["1"], "sentiment": "negative", "reason": "Late Flight"},
            {"text": "Colis en retard, vraiment déçu", "sentiment": "negative", "emotion": "none"},
            "{not json",
            {"post_id": ids["2"], "sentiment": "happy\x1b[2J"},
            {"post_id": ids["3"], "sentiment": "neutral"},
            "",
            {"post_id": ids["2"], "text": "both", "emotion": "joy"},
            {"text": "no label at all"},
            {"post_id": ids["2"], "mood": "fine"},
        ],
    )
    ran = rumeur(capsys, "labels", "import", str(file), "--db", db, "--by", "léa")
    assert ran.code == 1
    lines = ran.err.splitlines()
    assert lines == [
        f"{file}, line 3: not valid JSON (Expecting property name enclosed in double quotes"
        " at column 2)",
        f'{file}, line 4: sentiment: "happy\\u001b[2J" is not one of negative, neutral, positive',
        f"{file}, line 5: post_id: post {ids['3']}: no such post in workspace united",
        f"{file}, line 7: post_id: give a post_id or a text, not both",
        f"{file}, line 8: no label: give sentiment, emotion or reason",
        f'{file}, line 9: "mood": not a field; expected post_id, text, sentiment, emotion, reason',
        f"{file}: lines read: 8; corrections recorded: 2 of posts, 2 of texts; lines refused: 6",
    ]
    store = Store.open(db)
    try:
        found = {
            (c.post_id, c.field): (c.value, c.author) for c in corrections_for(store, "united")
        }
        with store.engine.connect() as conn:
            label = conn.execute(select(posts.c.sentiment).where(posts.c.id == ids["1"]))
            assert label.scalar_one() == "negative"
    finally:
        store.close()
    assert found == {
        (ids["1"], "sentiment"): ("negative", "léa"),
        (ids["1"], "reason"): ("Late Flight", "léa"),
        (None, "sentiment"): ("negative", "léa"),
        (None, "emotion"): ("none", "léa"),
    }


def test_a_clean_file_says_so_in_french(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    file = _write(tmp_path / "ok.jsonl", [{"post_id": _ids(db)["2"], "emotion": "joy"}])
    ran = rumeur(capsys, "labels", "import", str(file), "--db", db, "-w", "united")
    assert ran.code == 0, ran.err
    assert ran.err.strip() == (
        f"{file} : lignes lues : 1 ; corrections enregistrées : 1 sur des publications, "
        "0 sur des textes seuls ; lignes refusées : 0"
    )


def test_a_missing_file_is_one_line(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    ran = rumeur(capsys, "labels", "import", "/nowhere/fixes.jsonl", "--db", db)
    assert ran.code != 0
    assert ran.err.strip().splitlines() == [
        "rumeur: error: /nowhere/fixes.jsonl: cannot be read (No such file or directory)"
    ]


def test_lines_that_cannot_be_stored_are_refused_and_the_rest_kept(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What JSON allows and the store does not: a number of thousands of digits, a post number
    past 64 bits, a NUL or a lone surrogate in a text, bytes that are not UTF-8, a line longer
    than any correction; each is one line, and the good line after them is recorded."""
    from rumeur.commands.labelling import MAX_LINE

    file = tmp_path / "odd.jsonl"
    lines = [
        b'{"post_id": ' + b"7" * 5000 + b', "sentiment": "neutral"}',
        b'{"post_id": 9223372036854775808, "sentiment": "neutral"}',
        b'{"text": "a\\u0000b", "sentiment": "neutral"}',
        b'{"text": "\\ud800 half", "sentiment": "neutral"}',
        b'{"text": "caf\xe9 froid", "sentiment": "negative"}',
        b'{"text": "' + b"x" * MAX_LINE + b'"}',
        json.dumps({"text": "Le colis est enfin arrivé", "sentiment": "positive"}).encode(),
    ]
    file.write_bytes(b"\n".join(lines) + b"\n")
    ran = rumeur(capsys, "labels", "import", str(file), "--db", db)
    assert ran.code == 1
    assert [line.split(": ", 1)[1] for line in ran.err.splitlines()] == [
        "a JSON object is expected",
        "post_id: a post's number is expected",
        "text: holds a NUL character or a lone surrogate",
        "text: holds a NUL character or a lone surrogate",
        "not UTF-8 (byte 14)",
        f"line longer than {MAX_LINE:,} bytes: not read",
        "lines read: 7; corrections recorded: 0 of posts, 1 of texts; lines refused: 6",
    ]
    store = Store.open(db)
    try:
        kept = [(c.text, c.value) for c in corrections_for(store, "united")]
    finally:
        store.close()
    assert kept == [("Le colis est enfin arrivé", "positive")]


def test_an_empty_file_is_an_error_not_a_success(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "empty.jsonl"
    file.write_text("\n\n", encoding="utf-8")
    ran = rumeur(capsys, "labels", "import", str(file), "--db", db)
    assert ran.code != 0
    assert ran.err.strip() == f"rumeur: error: {file}: no correction to import (the file is empty)"


def test_the_json_parsers_words_read_in_french(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    file = _write(tmp_path / "fr.jsonl", ["{not json", '{"text": "ouvert', '{"text" 1}', "{} x"])
    ran = rumeur(capsys, "labels", "import", str(file), "--db", db)
    assert [line.split(" : ", 1)[1] for line in ran.err.splitlines()[:4]] == [
        "JSON invalide (nom de clé entre guillemets droits attendu à la colonne 2)",
        "JSON invalide (chaîne non fermée, ouverte à la colonne 10)",
        "JSON invalide (séparateur « : » attendu à la colonne 9)",
        "JSON invalide (données en trop après l’objet à la colonne 4)",
    ]
