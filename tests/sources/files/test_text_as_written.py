"""A file's posts as their authors wrote them: X's `&amp;` decoded once, links cut cleanly, and
t.co links replaced by the addresses an X payload gives for them."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from clirun import rumeur
from rumeur.errors import RowError
from rumeur.sources.files.mapping import load_mapping, parse_mapping
from rumeur.sources.files.normalise import RowNormaliser

REPO = Path(__file__).resolve().parents[3]
X_FIXTURES = Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures") / "x"

TWEETS_V1 = """\
name = "tweets-v1"
format = "jsonl"
platform = "x"
[columns]
native_id = "id_str"
text = "full_text"
created_at = "created_at"
author = "user.screen_name"
"""

TWEETS_V2 = """\
name = "tweets-v2"
format = "jsonl"
platform = "x"
[columns]
native_id = "id"
text = "text"
created_at = "created_at"
"""


def airline_rows(airline: Path, wanted: int = 300) -> list[dict[str, str]]:
    """Rows of the real airline file whose text holds a reference or a link, the first
    `wanted` of them."""
    with airline.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if "&" in r["text"] or "http" in r["text"]]
    return rows[:wanted]


def test_the_airline_import_stores_what_the_authors_typed(
    airline: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = airline_rows(airline)
    assert any("&amp;" in r["text"] for r in rows)  # the file writes & as X exports it
    part = tmp_path / "tweets.csv"
    with part.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = tmp_path / "r.db"
    ran = rumeur(capsys, "import", str(part), "--preset", "airline", "--no-enrich", "--db", str(db))
    assert ran.code == 0, ran.err
    ran = rumeur(capsys, "export", "--format", "jsonl", "--db", str(db))
    stored = {p["native_id"]: p for p in map(json.loads, ran.out.splitlines())}

    for row in rows:
        post = stored[row["tweet_id"]]
        assert "&amp;" not in post["text"] and "&gt;" not in post["text"]
        if "&amp;" in row["text"] and "&amp;amp;" not in row["text"]:
            assert "&" in post["text"]
    one = stored["570301031407624196"]
    assert one["text"] == (
        '@VirginAmerica it\'s really aggressive to blast obnoxious "entertainment" in your '
        "guests' faces & they have little recourse"
    )
    links = [link for p in stored.values() for link in p["links"]]
    assert links and all(link[-1] not in '.,;:!?”")…»' for link in links)
    # The real file's: `“@JetBlue: ... http://t.co/H952rDKTqy”` kept the quote until now.
    assert any(link == "http://t.co/H952rDKTqy" for link in links)

    # Its links are all t.co: links, but no site for the dashboard's "Sites cited most".
    with sqlite3.connect(db) as conn:
        kinds = dict(conn.execute("SELECT kind, count(*) FROM facet_rollups GROUP BY kind"))
    assert kinds.get("link", 0) > 0
    assert kinds.get("site", 0) == 0


def test_an_id_derived_from_the_text_does_not_change_when_the_text_is_decoded() -> None:
    normalise = RowNormaliser(load_mapping("listening-export"))
    row = {"date": "2024-03-05 14:02", "author": "a", "text": "Q&amp;A", "url": "", "platform": ""}
    post = normalise(row)
    assert post.text == "Q&A"
    # The seed is the cell as it stands, as before texts were decoded: a file imported then
    # finds its posts again instead of storing them twice.
    seed = f"a\n{post.created_at.isoformat()}\nQ&amp;A".encode()
    assert post.native_id == hashlib.sha1(seed).hexdigest()


def test_a_title_is_decoded_and_a_text_of_references_only_is_empty() -> None:
    mapping = parse_mapping('[columns]\ntext = "t"\ncreated_at = "d"\ntitle = "h"\n', "m.toml")
    normalise = RowNormaliser(mapping)
    post = normalise({"t": "x", "d": "2024-03-05", "h": "Caf&eacute; &amp; cie"})
    assert post.title == "Café & cie"
    with pytest.raises(RowError, match="empty text"):
        normalise({"t": " &#32; ", "d": "2024-03-05", "h": ""})


def fixture(name: str) -> Any:
    path = X_FIXTURES / name
    if not path.is_file():
        pytest.skip(f"recorded fixture not present: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_v1_tweet_s_t_co_links_become_the_addresses_it_gives() -> None:
    # A real v1.1 search result (extended mode): a retweet, its text cut with "…", quoting a
    # tweet whose t.co link the payload expands.
    tweet = fixture("status.v1.1.search-extended.json")["retweeted_status"]
    post = RowNormaliser(parse_mapping(TWEETS_V1, "tweets-v1.toml"))(tweet)
    assert "https://t.co/IAH0lxFIr3" in tweet["full_text"]
    assert post.links == ["https://twitter.com/maximcombes/status/1552568929406664705"]
    assert post.text == tweet["full_text"].strip()  # the text itself stays as X wrote it


def test_a_v2_tweet_s_links_are_expanded_and_its_text_decoded() -> None:
    # A real v2 search with expansions: the tweets found and the tweets they refer to.
    found = fixture("tweets-search.v2.expansions.json")
    tweets = [*found["data"], *found["includes"]["tweets"]]
    normalise = RowNormaliser(parse_mapping(TWEETS_V2, "tweets-v2.toml"))
    checked = 0
    for tweet in tweets:
        post = normalise(tweet)
        assert "&amp;" not in post.text
        for entity in (tweet.get("entities") or {}).get("urls", []):
            assert entity["url"] in tweet["text"]  # the text shows the t.co address...
            assert entity["url"] not in post.links  # ...the post links where it leads
            assert (entity.get("unwound_url") or entity["expanded_url"]) in post.links
            checked += 1
    assert checked == 3
    decoded = [normalise(t).text for t in tweets if "&amp;" in t["text"]]
    assert decoded and all("Remdesivir & vaccine" in text for text in decoded)


def test_a_csv_row_keeps_its_links_as_written() -> None:
    normalise = RowNormaliser(load_mapping("listening-export"))
    row = {"date": "2024-03-05", "author": "a", "text": "vu http://t.co/abc.", "url": "",
           "platform": "x", "entities": "not a payload"}  # fmt: skip
    assert normalise(row).links == ["http://t.co/abc"]


def test_a_tweet_cut_short_keeps_its_links_but_not_its_read_more_link() -> None:
    # A real v1.1 stream status, quoted by the retweet: its `text` is cut ("se… https://t.co/…",
    # a link to the tweet itself); its `extended_tweet` holds the whole text and the photo.
    quoted = fixture("status.v1.1.stream.json")["quoted_status"]
    assert quoted["text"].endswith("se… https://t.co/6FuSnaUnvm")
    post = RowNormaliser(parse_mapping(TWEETS_V1.replace('"full_text"', '"text"'), "m"))(quoted)
    assert post.links == ["https://twitter.com/MaximCombes/status/1552568929406664705/photo/1"]
