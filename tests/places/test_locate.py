"""Typed places read into city, region and country, in French and English (issue 19)."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clirun import rumeur
from rumeur.places import MAX_LENGTH, Place, locate

IDF = "Île-de-France"
HDF = "Hauts-de-France"
PACA = "Provence-Alpes-Côte d'Azur"
ARA = "Auvergne-Rhône-Alpes"
NAQ = "Nouvelle-Aquitaine"
PDL = "Pays de la Loire"

CASES = [
    # The forms.
    ("Paris, France", "Paris", IDF, "FR"),
    ("75011", "Paris", IDF, "FR"),
    ("Lille 🇫🇷", "Lille", HDF, "FR"),
    ("Bordeaux, Nouvelle-Aquitaine", "Bordeaux", NAQ, "FR"),
    ("NYC", "New York City", "New York", "US"),
    ("Marseille / Aix", "Marseille", PACA, "FR"),
    ("Lyon 3e", "Lyon", ARA, "FR"),
    ("Angers (49)", "Angers", PDL, "FR"),
    # French forms.
    ("Île-de-France", None, IDF, "FR"),
    ("ile de france", None, IDF, "FR"),
    ("IDF", None, IDF, "FR"),
    ("paris", "Paris", IDF, "FR"),
    ("PARIS 15", "Paris", IDF, "FR"),
    ("Paris 15ème", "Paris", IDF, "FR"),
    ("Paris 1er", "Paris", IDF, "FR"),
    ("Lyon (69)", "Lyon", ARA, "FR"),
    ("69003", "Lyon", ARA, "FR"),
    ("13008 Marseille", "Marseille", PACA, "FR"),
    ("33000 Bordeaux", "Bordeaux", NAQ, "FR"),
    ("13100 Aix-en-Provence", "Aix-en-Provence", PACA, "FR"),
    ("49000", None, PDL, "FR"),
    ("Montpellier (34)", "Montpellier", "Occitanie", "FR"),
    ("St-Étienne", "Saint-Étienne", ARA, "FR"),
    ("Rennes, Bretagne", "Rennes", "Bretagne", "FR"),
    ("Bretagne", None, "Bretagne", "FR"),
    ("Gironde", None, NAQ, "FR"),
    ("Nord", None, HDF, "FR"),
    ("Corse", None, "Corse", "FR"),
    ("Ajaccio", "Ajaccio", "Corse", "FR"),
    ("Strasbourg", "Strasbourg", "Grand Est", "FR"),
    ("France", None, None, "FR"),
    ("🇫🇷", None, None, "FR"),
    ("Nantes 🇫🇷", "Nantes", PDL, "FR"),
    ("Basée à Toulouse", "Toulouse", "Occitanie", "FR"),
    ("Bruxelles", "Brussels", "Région de Bruxelles-Capitale", "BE"),
    ("Liège, Belgique", "Liège", "Région Wallonne", "BE"),
    ("Genève", "Geneva", "Genève", "CH"),
    ("Lausanne, Suisse", "Lausanne", "Vaud", "CH"),
    ("Montréal, QC", "Montréal", "Québec", "CA"),
    ("Montreal", "Montréal", "Québec", "CA"),
    ("Londres", "London", "England", "GB"),
    # English forms.
    ("London, UK", "London", "England", "GB"),
    ("London", "London", "England", "GB"),
    ("London, Ontario", "London", "Ontario", "CA"),
    ("Paris, TX", "Paris", "Texas", "US"),
    ("Paris, Texas", "Paris", "Texas", "US"),
    ("New York, NY 10001", "New York City", "New York", "US"),
    ("New York", "New York City", "New York", "US"),
    ("Los Angeles, CA", "Los Angeles", "Californie", "US"),
    ("Springfield, Illinois", "Springfield", "Illinois", "US"),
    ("Based in Nantes", "Nantes", PDL, "FR"),
    ("Tokyo, Japan", "Tokyo", None, "JP"),
    ("Berlin", "Berlin", None, "DE"),
    ("München", "Munich", None, "DE"),
    ("USA", None, None, "US"),
    # Ambiguous or unknown: unknown, not guessed.
    ("Springfield", None, None, "US"),
    ("Cambridge", None, None, None),
    ("somewhere over the rainbow", None, None, None),
    ("🌍", None, None, None),
    ("Worldwide", None, None, None),
    ("partout et nulle part", None, None, None),
    ("Paris / London", None, None, None),
    ("France, Canada", None, None, None),
    ("CA", None, None, None),
    ("Paris / Lyon", None, None, "FR"),
    ("", None, None, None),
    ("   ", None, None, None),
    ("06 12 34 56 78", None, None, None),
    ("she/her", None, None, None),  # GeoNames knows a Chinese city as "She"
    ("Lille | il/lui", "Lille", HDF, "FR"),
    ("Africa", None, None, None),  # and a Tunisian one as "Africa"
    ("Brest", None, None, None),  # Brest, France and Brest, Belarus: no city
]


@pytest.mark.parametrize(("text", "city", "region", "country"), CASES)
def test_a_typed_place_is_read_in_french_and_english(
    text: str, city: str | None, region: str | None, country: str | None
) -> None:
    assert locate(text) == Place(city, region, country)


def test_the_json_has_exactly_the_three_fields() -> None:
    assert locate("Lille 🇫🇷").to_json() == {
        "city": "Lille",
        "region": HDF,
        "country": "FR",
    }
    assert locate(None).to_json() == {"city": None, "region": None, "country": None}


def test_a_us_zip_is_no_french_department() -> None:
    # 10001 would be the Aube (10); the state says it is a ZIP code.
    assert locate("New York, NY 10001").country == "US"
    assert locate("Boston, MA 02108") == Place("Boston", "Massachusetts", "US")


def test_a_text_longer_than_the_cap_is_read_up_to_it() -> None:
    assert locate("Lille " + "x" * 300) == locate("Lille " + "x" * (MAX_LENGTH - 6))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=MAX_LENGTH + 50))
def test_any_text_gives_a_place_with_the_three_keys(text: str) -> None:
    place = locate(text)
    answer = place.to_json()
    assert list(answer) == ["city", "region", "country"]
    assert all(value is None or isinstance(value, str) for value in answer.values())
    # A city is never known without its country.
    assert place.city is None or place.country is not None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([c[0] for c in CASES] + ["/", ",", " ", "(75)", "🇧🇪"]), max_size=6))
def test_pieces_of_places_put_together_never_fail(pieces: list[str]) -> None:
    assert set(locate(" ".join(pieces)).to_json()) == {"city", "region", "country"}


def test_after_the_first_call_a_place_takes_well_under_a_millisecond() -> None:
    locate("Paris")  # builds the tables once
    texts = [c[0] for c in CASES] * 20
    started = time.process_time()
    for text in texts:
        locate(text)
    per_call = (time.process_time() - started) / len(texts)
    assert per_call < 0.002, f"{per_call * 1000:.2f} ms per call"


def test_rumeur_locate_prints_the_place_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    ran = rumeur(capsys, "locate", "Angers (49)")
    assert ran.code == 0, ran.err
    assert json.loads(ran.out) == {"city": "Angers", "region": PDL, "country": "FR"}
    ran = rumeur(capsys, "locate", "somewhere over the rainbow")
    assert json.loads(ran.out) == {"city": None, "region": None, "country": None}


def test_rumeur_locate_refuses_a_text_over_the_cap_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ran = rumeur(capsys, "locate", "x" * (MAX_LENGTH + 1))
    assert ran.code == 1
    assert ran.out == ""
    assert ran.err.strip() == (
        f"rumeur: error: a place is at most {MAX_LENGTH} characters long; "
        f"this text has {MAX_LENGTH + 1}"
    )
