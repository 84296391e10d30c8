"""The dashboard's links to the stream are built from the values the stream accepts: every one
of them opens the stream (none answers 400), whatever platform names and handles the imports
brought, and each finds the posts it stands for."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from rumeur.model import Author, Metrics, Post
from website import Site, make_site

# What imports accept and the old links broke on: a platform with a space (refused by the
# stream's old platform filter), a handle with a space (read as two terms), odd tags.
ODD = [
    ("facebook page", "jean dupont", "Flight cancelled again #vol_annulé @United"),
    ("Forum-Voyageurs.fr", 'o"neil', "Lost my bag, thanks @United #lostbag #2015"),
    ("x", "ana.maria", "@United delayed, #retard ça suffit"),
]


@pytest.fixture(scope="module")
def odd_site(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for site in make_site(demo_db, tmp_path_factory.mktemp("links")):
        site.store.write("united", [_odd_post(n, *values) for n, values in enumerate(ODD)])
        yield site


def _odd_post(n: int, platform: str, handle: str, text: str) -> Post:
    return Post(
        platform=platform,
        native_id=f"odd-{n}",
        text=text,
        created_at=datetime(2015, 2, 24, 9, n, tzinfo=UTC),
        author=Author(handle=handle, followers=50_000_000),
        metrics=Metrics(likes=1_000_000, reposts=500_000),
        brands=["United"],
        raw={},
    )


def _stream_links(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="(/w/united/stream\?[^"]*)"', page)]


def test_every_dashboard_link_opens_the_stream(odd_site: Site) -> None:
    client = odd_site.client("ana")
    links = _stream_links(client.get("/w/united/dashboard").text)
    assert len(links) >= 40
    refused = [link for link in links if client.get(link).status_code != 200]
    assert refused == []


def test_the_links_of_odd_platforms_and_handles_find_their_posts(odd_site: Site) -> None:
    client = odd_site.client("ana")
    links = _stream_links(client.get("/w/united/dashboard").text)
    params = [parse_qs(urlsplit(link).query) for link in links]
    queries = {p["q"][0] for p in params if "q" in p}
    assert {"facebook page", "Forum-Voyageurs.fr"} <= {
        p["platform"][0] for p in params if "platform" in p
    }
    assert {'author:"jean dupont"', 'author:"oneil"'} <= queries  # no quote inside a quote
    for wanted, text in [
        ("platform=facebook+page", "Flight cancelled again"),
        ("jean+dupont", "Flight cancelled again"),
        ("platform=Forum-Voyageurs.fr", "Lost my bag, thanks"),
    ]:
        [link] = [link for link in links if wanted in link]
        assert text in client.get(link).text, link
