"""The CSV export of a listening tool: `date, author, text, url, platform`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from rumeur.errors import RowError
from rumeur.sources.files.mapping import load_mapping, parse_mapping
from rumeur.sources.files.normalise import RowNormaliser


@pytest.fixture
def normalise() -> RowNormaliser:
    return RowNormaliser(load_mapping("listening-export"))


def test_a_row_becomes_a_post(normalise: RowNormaliser) -> None:
    post = normalise(
        {
            "date": "2024-03-05 14:02:11",
            "author": "@lecteur75",
            "text": "Encore un #retard avec @SNCF https://sncf.com/x?y=1.",
            "url": "https://twitter.com/lecteur75/status/99",
            "platform": "Twitter",
        }
    )
    assert post.platform == "x"
    assert post.native_id == "https://twitter.com/lecteur75/status/99"
    assert post.author.handle == "lecteur75"
    assert post.created_at == datetime(2024, 3, 5, 14, 2, 11, tzinfo=UTC)
    assert post.hashtags == ["retard"]
    assert post.mentions == ["sncf"]
    assert post.links == ["https://sncf.com/x?y=1"]


def test_without_url_the_id_is_stable(normalise: RowNormaliser) -> None:
    row = {
        "date": "2024-03-05T14:02:11+01:00",
        "author": "a",
        "text": "t",
        "url": "",
        "platform": "",
    }
    first, second = normalise(row), normalise(dict(row))
    assert first.native_id == second.native_id
    assert first.platform == "web"
    assert first.created_at == datetime(2024, 3, 5, 13, 2, 11, tzinfo=UTC)


def test_french_dates_read_day_first_in_the_mapping_zone() -> None:
    mapping = parse_mapping(
        'dayfirst = true\ntimezone = "Europe/Paris"\n[columns]\ntext = "t"\ncreated_at = "d"\n',
        "m.toml",
    )
    post = RowNormaliser(mapping)({"t": "Bonjour", "d": "05/03/2024 14:02"})
    assert post.created_at == datetime(2024, 3, 5, 13, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("date", "reason"),
    [
        ("yesterday-ish", "bad date 'yesterday-ish'"),
        ("1970-01-01", "out of range"),
        ("2999-01-01", "out of range"),
        ("", "empty date"),
    ],
)
def test_bad_dates_are_row_errors(normalise: RowNormaliser, date: str, reason: str) -> None:
    row = {"date": date, "author": "a", "text": "t", "url": "", "platform": ""}
    with pytest.raises(RowError) as caught:
        normalise(row)
    assert caught.value.field == "date"
    assert reason in caught.value.reason


def test_a_broken_mapping_names_its_key(tmp_path: Path) -> None:
    from rumeur.errors import ConfigError

    with pytest.raises(ConfigError, match=r"m.toml: columns.text: required key is missing"):
        parse_mapping('[columns]\ncreated_at = "d"\n', "m.toml")
    with pytest.raises(ConfigError, match=r"unknown preset \(known: airline, listening-export\)"):
        load_mapping("brandwatch")


@pytest.mark.parametrize(
    ("written", "count"),
    [("12", 12), ("1 200", 1200), ("1\u202f200", 1200), ("1,200", 1200), ("1.2K", 1200),
     ("3M", 3_000_000), ("", 0)],
)  # fmt: skip
def test_counts_as_listening_tools_write_them(written: str, count: int) -> None:
    mapping = parse_mapping('[columns]\ntext = "t"\ncreated_at = "d"\nlikes = "n"\n', "m")
    post = RowNormaliser(mapping)({"t": "x", "d": "2024-01-01", "n": written})
    assert post.metrics.likes == count


@pytest.mark.parametrize("written", ["many", "nan", "-4", "1e400"])
def test_counts_that_are_not_counts_are_row_errors(written: str) -> None:
    mapping = parse_mapping('[columns]\ntext = "t"\ncreated_at = "d"\nlikes = "n"\n', "m")
    with pytest.raises(RowError) as caught:
        RowNormaliser(mapping)({"t": "x", "d": "2024-01-01", "n": written})
    assert caught.value.field == "n"


def test_dotted_thousands_and_score_ranges() -> None:
    mapping = parse_mapping(
        '[columns]\ntext = "t"\ncreated_at = "d"\nlikes = "n"\n'
        '[labels]\nsentiment = { column = "s", score = "c" }\n',
        "m",
    )
    normalise = RowNormaliser(mapping)
    row = {"t": "x", "d": "2024-01-01", "n": "1.234.567", "s": "negative", "c": "0,75"}
    post = normalise(row)
    assert post.metrics.likes == 1_234_567
    assert post.labels[0].score == 0.75
    with pytest.raises(RowError, match="not a score between 0 and 1: '1,5'"):
        normalise({**row, "c": "1,5"})
