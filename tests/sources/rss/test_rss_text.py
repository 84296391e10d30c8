"""A feed's text as its reader sees it: each layer of references decoded once (the XML's, then
the HTML's when the field is HTML), and links cut cleanly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rumeur.sources.rss import types as rss

REPO = Path(__file__).resolve().parents[3]
FIXTURES = Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures") / "rss"

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="recorded fixtures not present")


def rss_item(title: str, description: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Blog</title>'
        "<link>https://blog.example/</link><item><guid>1</guid>"
        f"<pubDate>Tue, 05 Mar 2024 10:00:00 +0000</pubDate><title>{title}</title>"
        f"<description>{description}</description></item></channel></rss>"
    ).encode()


def test_hacker_news_title_escaped_twice_reads_as_typed() -> None:
    # The real feed writes `it&amp;#x27;s`: an HTML reference, itself escaped for the XML.
    posts, _ = rss.parse_feed((FIXTURES / "hacker-news.rss2.xml").read_bytes(), None)
    titles = [p.title for p in posts]
    assert "GPTZero case study discovers it's only accurate on less than 50% of text" in titles
    assert not any("&#x27;" in (t or "") or "&amp;" in (t or "") for t in titles)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Tom &amp; Jerry", "Tom & Jerry"),  # the XML's reference only
        ("Tom &amp;amp; Jerry", "Tom & Jerry"),  # an HTML title, escaped for the XML
        ("write &amp;amp;amp; for &amp;amp;", "write &amp; for &"),  # each layer once
    ],
)
def test_each_layer_is_decoded_once(written: str, shown: str) -> None:
    [post], problems = rss.parse_feed(rss_item(written, written), "application/rss+xml")
    assert problems == []
    assert post.title == shown
    assert post.text == shown


def test_links_of_the_text_are_cut_cleanly() -> None:
    body = rss_item(
        "Lien", "Voir «https://lemonde.fr/a». Ou (https://en.wikipedia.org/wiki/A_(b))."
    )
    [post], _ = rss.parse_feed(body, "application/rss+xml")
    assert post.links == ["https://lemonde.fr/a", "https://en.wikipedia.org/wiki/A_(b)"]


def test_a_json_feed_title_is_decoded_once() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "Blog", "items": [{"id": "1",'
        b' "title": "Q&amp;A &amp;amp; co", "content_text": "R&amp;D",'
        b' "date_published": "2024-03-05T10:00:00Z"}]}'
    )
    [post], _ = rss.parse_feed(body, "application/feed+json")
    assert post.title == "Q&A &amp; co"
    assert post.text == "R&D"
