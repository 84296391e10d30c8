"""`rumeur classify`: one JSON answer per input line, in order, whatever the line holds."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ODD_INPUTS = [
    b'{"text": "Mon colis est perdu depuis une semaine, service nul"}',
    b'{"text": ""}',
    b'{"text": "\xf0\x9f\x98\xa1\xf0\x9f\x98\xa1\xf0\x9f\x98\xa1"}',
    b'{"text": "https://t.co/abc @united"}',
    b'{"text": "' + b"tr\xc3\xa8s d\xc3\xa9\xc3\xa7u " * 2500 + b'"}',  # 25,000 characters
    b'{"text": "caf\xe9 cass\xe9 \xff\xfe vraiment"}',  # broken UTF-8
    b"not json at all",
    b'{"texte": "wrong field"}',
]


def classify(task: str, lines: list[bytes], *options: str) -> list[dict]:
    command = [sys.executable, "-m", "rumeur", "classify", "--task", task, *options, "-"]
    done = subprocess.run(
        command, input=b"\n".join(lines) + b"\n", capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line) for line in done.stdout.decode().splitlines()]


@pytest.mark.parametrize("task", ["language", "sentiment", "emotion", "reason"])
def test_every_odd_input_gets_a_defined_answer_in_order(task: str) -> None:
    answers = classify(task, ODD_INPUTS, "--explain")
    assert len(answers) == len(ODD_INPUTS)
    assert answers[6] == {"error": "line 7: not valid JSON: Expecting value at column 1"}
    assert answers[7] == {"error": "line 8: a JSON object with a string 'text' was expected"}
    for answer in answers[:6]:
        assert set(answer) == {"label", "score", "scores", "model", "version", "explain"}
    assert answers[1]["label"] == "unknown" and answers[1]["score"] is None
    assert answers[3]["label"] == "unknown" and answers[3]["explain"] is None
    for answer in (answers[0], answers[4], answers[5]):
        assert answer["label"] != "unknown"
        assert answer["score"] == max(answer["scores"].values())
        assert sum(answer["scores"].values()) == pytest.approx(1.0, abs=0.02)


def test_language_answers_with_iso_codes_and_explains_by_words() -> None:
    [fr, en] = classify(
        "language",
        [b'{"text": "Le train a encore du retard ce matin"}',
         b'{"text": "@united my bag was lost again, thanks for nothing"}'],
        "--explain",
    )  # fmt: skip
    assert (fr["label"], en["label"]) == ("fr", "en")
    assert fr["model"] == "rumeur-language-linear+lingua"
    assert "retard" in [word for word, _ in fr["explain"]["for"]]


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rumeur", "classify", str(tmp_path / "none.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        == f"rumeur: error: {tmp_path / 'none.jsonl'}: cannot be read (No such file or directory)"
    )


def test_classify_answers_as_the_pipeline_does_with_the_language_it_finds() -> None:
    from factories import make_post
    from rumeur.config import load_settings
    from rumeur.nlp.registry import enrichers
    from rumeur.pipeline.stages import enrich

    text = "Colis perdu, livraison en retard, service client nul et incompétent"
    [answer] = classify("sentiment", [json.dumps({"text": text}).encode()])
    settings = load_settings(None)
    results = enrich([make_post("1", text)], enrichers(settings, settings.workspaces[0]))
    [sentiment] = [r for r in results if r.task == "sentiment"]
    assert answer["label"] == sentiment.label(0) == "negative"
    assert answer["score"] == pytest.approx(sentiment.score(0), abs=1e-4)
