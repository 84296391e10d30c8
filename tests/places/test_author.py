"""An author's place: typed location first, then biography, then their posts' agreed place."""

from __future__ import annotations

from rumeur.places import Place, locate_author, locate_in_text

LILLE = Place("Lille", "Hauts-de-France", "FR")
ANGERS = Place("Angers", "Pays de la Loire", "FR")


def test_the_typed_location_comes_first() -> None:
    assert locate_author("Lille 🇫🇷", "Community manager basée à Angers") == LILLE


def test_the_biography_fills_what_the_location_leaves_unknown() -> None:
    # "France" says the country; the biography says the city, in the same country.
    assert locate_author("France", "Lycéenne à Angers, fan de BD") == ANGERS
    assert locate_author(None, "📍 Lille | cyclisme") == LILLE
    assert locate_author("", "Based in Montréal, QC").city == "Montréal"


def test_a_biography_in_another_country_does_not_overrule_the_location() -> None:
    assert locate_author("France", "Born in London") == Place(country="FR")


def test_the_posts_count_only_when_they_agree() -> None:
    agreeing = ["Lille", "Lille 🇫🇷", LILLE, None]
    assert locate_author(None, None, agreeing) == LILLE
    split = ["Lille", "Angers", "Lille", "Angers"]
    assert locate_author(None, None, split) == Place(country="FR")  # they share the country
    assert locate_author(None, None, ["Lille"]) == Place()  # one post is not enough
    assert locate_author("Nord", None, agreeing) == LILLE  # same region: the city is added


def test_a_biography_is_read_cautiously() -> None:
    assert locate_in_text("I love Paris in the spring") == Place()  # no lead, no place
    assert locate_in_text("from the bottom of my heart") == Place()
    assert locate_in_text("Vit à Bordeaux depuis 2019").city == "Bordeaux"
    assert locate_in_text("Fière d'être 🇧🇪") == Place(country="BE")
    assert locate_in_text(None) == Place()
