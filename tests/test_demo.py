"""`rumeur demo` on the real airline set, checked against figures computed straight from the CSV
with the standard library (an independent count, not the store's)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clirun import rumeur

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory, airline: Path) -> str:
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RUMEUR_LANG", "en")
        from rumeur.cli import main

        try:
            main(["demo", "--db", str(db), "--data", str(airline.parent.parent)])
        except SystemExit as exc:
            assert exc.code in (0, None)
    return str(db)


@pytest.fixture(scope="module")
def airline() -> Path:  # module scope for the shared demo database
    from conftest import AIRLINE

    return AIRLINE


@pytest.fixture(scope="module")
def truth(airline: Path) -> dict:
    with airline.open(encoding="utf-8", newline="") as fh:
        rows = {row["tweet_id"]: row for row in csv.DictReader(fh)}
    per_brand = Counter(r["airline"] for r in rows.values())
    negative = Counter(r["airline"] for r in rows.values() if r["airline_sentiment"] == "negative")
    days = Counter(
        datetime.fromisoformat(r["tweet_created"]).astimezone(CHICAGO).date().isoformat()
        for r in rows.values()
    )
    authors = Counter(r["name"] for r in rows.values())
    retweets = sum(int(r["retweet_count"]) for r in rows.values())
    return {
        "posts": len(rows),
        "brands": per_brand,
        "negative": negative,
        "days": days,
        "authors": authors,
        "retweets": retweets,
    }


def test_the_summary_matches_the_csv(
    demo_db: str, truth: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    result = rumeur(capsys, "summary", "--db", demo_db, "--json")
    assert result.code == 0, result.err
    s = json.loads(result.out)
    assert s["posts"] == truth["posts"] == 11_570
    assert s["engagement"] == truth["retweets"]
    brands = {b["name"]: b for b in s["brands"]}
    assert {n: b["posts"] for n, b in brands.items()} == dict(truth["brands"])
    assert brands["United"]["posts"] == 3_054
    assert brands["United"]["share"] == pytest.approx(3_054 / 11_570)
    for name, figures in brands.items():
        assert figures["negative"] == pytest.approx(truth["negative"][name] / truth["brands"][name])
    assert {d: n for d, n in s["days"]} == dict(truth["days"])
    top = s["authors"][0]
    assert (
        (top["handle"], top["posts"]) == truth["authors"].most_common(1)[0] == ("JetBlueNews", 55)
    )
    assert s["rejected"] == 0
    languages = dict(s["languages"])
    assert languages["en"] > 0.9 * s["posts"]  # an English data set, a few too short to tell
    assert sum(languages.values()) == s["posts"]


def test_the_summary_reads_as_a_table_in_french(
    demo_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    result = rumeur(capsys, "summary", "--db", demo_db)
    assert result.code == 0
    assert "Part de voix" in result.out
    assert "11\u202f570 publications" in result.out
    assert "3\u202f054" in result.out


def test_search_finds_posts_by_words_newest_first(
    demo_db: str, truth: dict, capsys: pytest.CaptureFixture[str], airline: Path
) -> None:
    result = rumeur(capsys, "search", "lost luggage", "--db", demo_db, "--json", "--limit", "1000")
    found = [json.loads(line) for line in result.out.splitlines()]
    with airline.open(encoding="utf-8", newline="") as fh:
        expected = {
            r["tweet_id"]
            for r in csv.DictReader(fh)
            if {"lost", "luggage"} <= set(_words(r["text"]))
        }
    assert {f["native_id"] for f in found} == expected
    assert len(expected) > 10
    dates = [f["created_at"] for f in found]
    assert dates == sorted(dates, reverse=True)


def test_hostile_searches_are_refused_or_read_as_text(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = json.loads(rumeur(capsys, "summary", "--db", demo_db, "--json").out)["posts"]
    refused = ['"unbalanced', "text:x OR *", "'; DROP TABLE posts; --", "a AND (b"]
    for hostile in refused:
        result = rumeur(capsys, "search", hostile, "--db", demo_db, "--json")
        assert result.code == 1 and result.out == ""
        assert result.err.startswith("rumeur: error: query: ") and "Traceback" not in result.err
    for quoted in ['"\'; DROP TABLE posts; --"', '"NEAR(a b)" OR "text:x"']:
        result = rumeur(capsys, "search", quoted, "--db", demo_db, "--json")
        assert result.code == 0, result.err
    after = json.loads(rumeur(capsys, "summary", "--db", demo_db, "--json").out)["posts"]
    assert after == before == 11_570


def test_export_writes_every_post_and_neutralises_formulas(
    demo_db: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "posts.csv"
    period = ["--since", "2015-02-22", "--until", "2015-02-22"]
    result = rumeur(capsys, "export", "--db", demo_db, "--output", str(out), *period)
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 2_431  # 22 February in Chicago, the storm's first day
    assert {r["brands"] for r in rows} >= {"United", "US Airways"}
    assert all(r["sentiment"] in ("negative", "neutral", "positive") for r in rows)
    assert not any(r["text"].startswith(("=", "+", "-", "@")) for r in rows)
    assert sum(r["text"].startswith("'@") for r in rows) > 1_000


def test_export_jsonl_carries_enrichments_with_model_and_version(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = rumeur(capsys, "export", "--db", demo_db, "--format", "jsonl", "--until", "2015-02-17")
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert rows and all(r["created_at"] < "2015-02-18T06:00:00" for r in rows)
    models = {(e["task"], e["model"]) for r in rows for e in r["enrichments"]}
    assert ("sentiment", "annotators") in models
    assert ("language", "rumeur-language-linear+lingua") in models
    assert ("emotion", "rumeur-emotion-linear") in models


def _words(text: str) -> list[str]:
    import re

    return re.findall(r"\w+", text.lower())
