"""The influence score's sentences name a platform as people do ("X", "Bluesky"), in both
languages, from the one table of names (`rumeur.model.platform_name`) that the pages read too."""

from __future__ import annotations

import pytest

from rumeur.i18n import using
from rumeur.influence import sentences
from rumeur.influence.scores import Part
from rumeur.model import PLATFORM_NAMES, platform_name
from rumeur.web import labels

RATE = {"rate": 0.05, "per_post": 12.0, "followers": 24000, "percentile": 0.75, "tier": "micro"}


def engagement(platform: str, **figures: object) -> Part:
    return Part(
        "engagement", 0.75, 0.4, 30.0, "engagement_rate", {**RATE, **figures, "platform": platform}
    )


def unknown_followers(platform: str) -> Part:
    figures = {"per_post": 3.5, "percentile": 0.5, "platform": platform}
    return Part("engagement", 0.5, 0.4, 20.0, "engagement_followers_unknown", figures)


@pytest.mark.parametrize(
    ("language", "code", "expected"),
    [
        ("en", "x", "above 75.0% of micro accounts on X."),
        ("en", "bluesky", "above 75.0% of micro accounts on Bluesky."),
        ("fr", "x", "des comptes micro sur X."),
        ("fr", "mastodon", "des comptes micro sur Mastodon."),
    ],
)
def test_the_engagement_sentence_names_the_network(language: str, code: str, expected: str) -> None:
    with using(language):
        assert expected in sentences.sentence(engagement(code))


def test_the_followers_unknown_sentence_names_the_network() -> None:
    with using("en"):
        line = sentences.sentence(unknown_followers("reddit"))
    assert "above 50.0% of the authors on Reddit whose followers are unknown" in line
    with using("fr"):
        line = sentences.sentence(unknown_followers("x"))
    assert "des auteurs de X dont les abonnés sont inconnus" in line


def test_posts_from_a_file_and_unknown_codes() -> None:
    with using("fr"):
        assert "sur fichier importé" in sentences.sentence(engagement("file"))
    with using("en"):
        assert platform_name("file") == "imported file"
        # A network rumeur has no name for is shown by its code rather than hidden.
        assert "accounts on threads." in sentences.sentence(engagement("threads"))


def test_the_pages_read_the_same_names() -> None:
    with using("en"):
        choices = labels.platform_choices()
    assert {code: choices[code] for code in PLATFORM_NAMES} == PLATFORM_NAMES
    assert choices["file"] == "imported file" and choices["x"] == "X"
