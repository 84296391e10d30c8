"""Language detection: ISO 639-1 labels, "unknown" when a text is too short to tell."""

from __future__ import annotations

import math

import pytest

from rumeur.errors import ConfigError
from rumeur.nlp.language import LanguageDetector


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(["fr", "en", "de", "es", "it"])


def test_short_social_texts_get_their_language(detector: LanguageDetector) -> None:
    texts = [
        "@laposte mon colis n'est toujours pas arrivé, c'est inadmissible",
        "@united my flight was cancelled again and nobody answers the phone",
        "Der Zug hat schon wieder eine Stunde Verspätung, unglaublich",
        "El vuelo salió con tres horas de retraso y perdieron mi maleta",
        "Il treno è in ritardo di nuovo, che vergogna",
    ]
    result = detector.predict(texts)
    assert list(result.labels) == ["fr", "en", "de", "es", "it"]
    assert all(0.5 <= result.score(i) <= 1.0 for i in range(len(texts)))
    assert (result.task, result.model) == ("language", "lingua")
    assert result.version.endswith(":de,en,es,fr,it")


def test_texts_too_short_or_without_words_are_unknown(detector: LanguageDetector) -> None:
    texts = ["", "ok", "😡😡😡", "@united https://t.co/abc #fail", "\x00\ufffd", "a" * 20_000]
    result = detector.predict(texts)
    assert list(result.labels[:5]) == ["unknown"] * 5
    assert math.isnan(result.scores[0]) and result.score(0) is None
    assert len(result.labels) == len(texts)


def test_mentions_and_links_do_not_decide_the_language(detector: LanguageDetector) -> None:
    text = "@AmericanAir @united @SouthwestAir merci beaucoup pour votre aide aujourd'hui"
    assert detector.predict([text]).label(0) == "fr"


def test_an_unknown_language_code_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'xx' is not a language lingua knows"):
        LanguageDetector(["fr", "xx"])
