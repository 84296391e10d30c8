"""Recorded RSS, Atom and JSON feeds (French, Italian, German, broken ones), mapped to `Post`."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rumeur.model import Media, Post, Rejected
from rumeur.sources.rss import types as rss

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures") / "rss"
RSS = "application/rss+xml"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="recorded fixtures not present")


def feed(name: str, content_type: str | None = RSS, **kwargs: object) -> tuple[list[Post], list]:
    return rss.parse_feed((FIXTURES / name).read_bytes(), content_type, source=name, **kwargs)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_every_well_formed_fixture_maps_without_problems() -> None:
    broken = ("malformed", "truncated", "le-cercle-psy", "jsonfeed")
    for path in sorted(FIXTURES.iterdir()):
        if not any(word in path.name for word in broken):
            posts, problems = feed(path.name, None)
            assert posts and not problems, path.name
            assert all(p.created_at.tzinfo == UTC for p in posts)


def test_french_iso_8859_1_without_declaration_needs_the_http_charset() -> None:
    posts, problems = feed(
        "le-cercle-psy.fr.iso-8859-1.no-xml-decl.rss2.xml", "text/xml; charset=ISO-8859-1"
    )
    first = posts[0]
    assert first.title == "Perturbateurs endocriniens : quels effets sur le cerveau ?"
    assert first.text.startswith("Si leur impact semble discret au premier abord, nombre d'études")
    assert (
        first.native_id
        == first.url
        == (
            "https://le-cercle-psy.scienceshumaines.com/"
            "perturbateurs-endocriniens-quels-effets-sur-le-cerveau_sh_39995"
        )
    )
    assert first.created_at == utc(2018, 10, 17, 10, 30)
    assert first.author.handle == "le-cercle-psy.scienceshumaines.com"
    assert first.author.display_name == "Flux RSS du magazine de psychologie Le Cercle Psy"
    # the feed's fourth item is empty (no title, link or text): rejected, the rest goes on
    assert len(posts) == 9
    assert [(p.line, p.field) for p in problems] == [(3, "summary")]


def test_german_iso_8859_1_declared_in_the_document() -> None:
    posts, problems = feed("golem-de.iso-8859-1.rss2.xml", "application/rss+xml")
    assert not problems and len(posts) == 40
    first = posts[0]
    assert first.title.startswith("Red Dead Redemption 2: Hinweise auf PC-Umsetzung")
    assert "Viele Spieler wünschen sich eine PC-Version" in first.text
    assert first.created_at == utc(2018, 10, 28, 12, 48)  # Sun, 28 Oct 2018 13:48:00 +0100
    assert first.language == "de"
    rdf, _ = feed("rss1.0-iso8859-1.rdf.xml")
    assert rdf[0].title.startswith("Digitalministerium: Neue Glasfaserförderung")
    assert rdf[0].created_at == utc(2023, 1, 25, 18, 3, 2)
    assert rdf[0].author.handle == "Achim Sawall"


def test_google_actualites_french_html_description() -> None:
    [post], _ = feed("google-actualites.fr.rss2.xml")
    assert post.native_id == "52782335008021"
    assert post.language == "fr"
    assert post.title.startswith("Coronavirus en Belgique: 200 cas détectés au total")
    assert post.text.startswith("Coronavirus en Belgique: 200 cas détectés au total")
    assert "<" not in post.text
    assert post.author.handle == "news.google.com"
    assert post.author.display_name == "À la une - Google Actualités"
    assert post.created_at == utc(2020, 3, 8, 10, 32, 7)
    assert len(post.links) > 1 and post.url not in post.links


def test_reporterre_dc_date_and_numeric_entities() -> None:
    [post], _ = feed("reporterre.fr.rss2.xml")
    assert post.created_at == utc(2025, 2, 26, 16, 42, 45)  # dc:date, no pubDate
    assert post.language == "fr"
    assert post.title.startswith("Europe\xa0: vers un «\xa0affaiblissement historique\xa0»")
    assert post.text.startswith("Le 26 février, la Commission européenne a présenté")
    assert post.media[0].kind == "image"


def test_italian_day_and_month_names() -> None:
    [post], _ = feed("ilmessaggero.it.rss2.xml")
    assert post.created_at == utc(2022, 11, 15, 23, 38, 15)  # mer, 16 nov 2022 00:38:15 +0100
    assert post.language == "it"  # IT-it
    assert rss.parse_date("mar., 3 déc. 2024 08:00:00 +0100") == utc(2024, 12, 3, 7)
    assert rss.parse_date("Do, 01 Mär 2018 10:00:00 GMT") == utc(2018, 3, 1, 10)
    assert rss.parse_date("not a date") is None


def test_atom_dates_with_offsets_are_utc() -> None:
    [verge], _ = feed("the-verge.atom.xml", "application/atom+xml")
    assert verge.created_at == utc(2023, 5, 26, 21, 30, 31)  # 17:30:31-04:00
    assert verge.author.handle == "Chris Welch"
    [dday], _ = feed("dday.it.atom.xml", "application/atom+xml")
    assert dday.created_at == utc(2025, 2, 26, 19)  # 20:00:00+01:00
    assert dday.language == "it"


def test_media_enclosures_content_and_thumbnails() -> None:
    [podcast], _ = feed("spiegel-podcast.de.rss2.xml")
    assert podcast.media[0].kind == "audio"
    assert podcast.media[0].url.startswith("https://traffic.omny.fm/d/clips/")
    assert podcast.links == ["https://omnystudio.com/listener"]
    [video], _ = feed("youtube-channel-feed.atom.xml")
    assert video.native_id == "yt:video:0A1ouV7iD8o"
    assert Media("image", "https://i1.ytimg.com/vi/0A1ouV7iD8o/hqdefault.jpg") in video.media
    [blog], _ = feed("cloudflare-blog.rss2.xml")
    assert blog.media == [
        Media("image", "https://blog.cloudflare.com/content/images/2021/10/image6-15.png")
    ]
    assert blog.author.handle == "Luke Valenta"


def test_malformed_feeds_keep_what_was_read() -> None:
    posts, problems = feed("android-authority.leading-blank-lines.malformed.rss2.xml")
    assert [p.native_id for p in posts] == ["https://www.androidauthority.com/?p=986823"]
    assert [(p.line, p.field) for p in problems] == [(None, "feed")]
    posts, problems = feed("reuters-most-read.truncated-invalid.rss2.xml")
    assert posts == [] and problems[0].field == "feed"
    posts, problems = feed("malformed-incomplete-cdata.handwritten.xml")
    assert posts == []
    assert [(p.line, p.field) for p in problems] == [(None, "feed"), (0, "summary")]
    for name in (
        "malformed-generic.handwritten.xml",
        "malformed-undeclared-namespace.handwritten.xml",
    ):
        posts, problems = feed(name)
        assert posts == [] and isinstance(problems[0], Rejected)


def test_an_entry_without_a_date_takes_the_feed_date_or_the_fetch_time() -> None:
    body = (FIXTURES / "hacker-news.rss2.xml").read_bytes()
    undated = body.replace(b"<pubDate>Sun, 19 Feb 2023 15:22:39 +0000</pubDate>", b"")
    assert undated != body
    posts, problems = rss.parse_feed(undated, RSS)
    assert posts == [] and [p.field for p in problems] == ["published"]
    fetched = utc(2024, 1, 2, 3, 4, 5)
    [post], _ = rss.parse_feed(undated, RSS, fetched_at=fetched)
    assert post.created_at == fetched
    [original], _ = rss.parse_feed(body, RSS)
    assert original.created_at == utc(2023, 2, 19, 15, 22, 39)
    assert original.native_id == "https://gonzoknows.com/posts/GPTZero-Case-Study/"  # no guid


def test_json_feed() -> None:
    posts, problems = feed("elastic-blog.jsonfeed.json", "application/feed+json")
    assert [p.title for p in posts] == [
        "InfluxDB vs. Graphite for Time Series Data & Metrics Benchmark",
        "InfluxDB vs. Elasticsearch for Time Series Data & Metrics Benchmark",
    ]
    first = posts[0]
    assert first.native_id == first.url  # no id: the url
    assert first.created_at == utc(2019, 5, 31, 19, 17, 58)  # RFC 822 in a JSON Feed
    assert first.author.handle == "Chris Churilo"  # `authors` (1.1) before `author` (1.0)
    assert first.language == "en"
    assert posts[1].language == "en"  # en-AU
    assert [(p.line, p.field) for p in problems] == [(2, "date_published")]
    assert rss.parse_feed(b"{not json", "application/feed+json")[1][0].field == "feed"
