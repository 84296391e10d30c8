"""The languages detected by default are every language the shipped model was trained on, so an
Arabic post is `ar`, not `unknown` (issue 14); `[nlp] languages` narrows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from clirun import rumeur
from rumeur.config import DEFAULT_LANGUAGES, NlpSettings, load_settings
from rumeur.nlp.registry import shipped

# Written for this test: airline complaints and thanks, as posted, mentions and links included.
ARABIC = [
    "تأخرت الرحلة ثلاث ساعات ولم يعتذر أحد من شركة الطيران",
    "@united فقدت حقيبتي في المطار وما زلت أنتظر الرد منذ أسبوع",
    "الخدمة ممتازة والطاقم لطيف جدا، شكرا لكم على الرحلة الجميلة",
    "لماذا لا يرد أحد على الهاتف؟ أريد تغيير موعد رحلتي https://t.co/abc",
]
HINDI = "मेरी उड़ान फिर से रद्द हो गई और किसी ने जवाब नहीं दिया"
FRENCH = "Le train a encore du retard ce matin, personne ne nous prévient"
WORKSPACE = '[[workspaces]]\nslug = "w"\nname = "W"\n[workspaces.brand]\nname = "W"\n'


def classify(capsys: pytest.CaptureFixture[str], tmp_path: Path, *options: str) -> list[dict]:
    texts = tmp_path / "texts.jsonl"
    lines = [json.dumps({"text": t}, ensure_ascii=False) for t in [*ARABIC, HINDI, FRENCH]]
    texts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ran = rumeur(capsys, "classify", "--task", "language", *options, str(texts))
    assert ran.code == 0, ran.err
    return [json.loads(line) for line in ran.out.splitlines()]


@pytest.fixture(autouse=True)
def _no_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUMEUR_CONFIG", raising=False)


def test_the_default_covers_every_language_of_the_shipped_model() -> None:
    trained = set(shipped("language").classes)
    assert {"ar", "hi"} <= trained <= set(DEFAULT_LANGUAGES)
    assert NlpSettings().languages == DEFAULT_LANGUAGES
    assert load_settings().nlp.languages == DEFAULT_LANGUAGES  # the built-in demo narrows nothing


@pytest.mark.parametrize("with_config", [False, True])
def test_arabic_and_hindi_get_their_language_through_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, with_config: bool
) -> None:
    options: list[str] = []
    if with_config:  # a settings file without [nlp]: the default applies
        (tmp_path / "w.toml").write_text(WORKSPACE, encoding="utf-8")
        options = ["--config", str(tmp_path / "w.toml")]
    answers = classify(capsys, tmp_path, *options)
    assert [a["label"] for a in answers] == ["ar"] * len(ARABIC) + ["hi", "fr"]
    assert all(a["score"] >= 0.5 for a in answers)
    assert set(answers[0]["scores"]) == set(DEFAULT_LANGUAGES)


def test_nlp_languages_narrows_the_default(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "narrow.toml"
    config.write_text(f'[nlp]\nlanguages = ["fr", "en"]\n\n{WORKSPACE}', encoding="utf-8")
    answers = classify(capsys, tmp_path, "--config", str(config))
    assert [a["label"] for a in answers] == ["unknown"] * (len(ARABIC) + 1) + ["fr"]
    assert all(set(a["scores"]) == {"en", "fr"} for a in answers)
    assert answers[0]["version"].endswith(":en,fr")
