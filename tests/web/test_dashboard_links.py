"""The dashboard's links to the stream are built from the values the stream accepts: every one
of them opens the stream (none answers 400), whatever platform names and handles the imports
brought, and each finds exactly the posts its figure counted: the stream's result count is
the figure's number (web/links.py)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from rumeur.model import Author, Metrics, Post
from website import Site, make_site

# What imports accept and the old links broke on: a platform with a space (refused by the
# stream's old platform filter), a handle with a space (read as two terms), odd tags.
ODD = [
    ("facebook page", "jean dupont", "Flight cancelled again #vol_annulé @United"),
    ("Forum-Voyageurs.fr", 'o"neil', "Lost my bag, thanks @United #lostbag #2015"),
    ("x", "ana.maria", "@United delayed, #retard ça suffit"),
]
_LINK = re.compile(r'<a href="(/w/united/stream\?[^"]*)">(.*?)</a>', re.S)
_NUMBER = re.compile(r"^[\d,]+$")


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
    return [html.unescape(h) for h, _text in _LINK.findall(page)]


def figure_links(page: str) -> list[tuple[str, int]]:
    """Each link to the stream in the page's tables with the number it stands for: its own
    text when it is a number, else the row's first number after it."""
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        for link in _LINK.finditer(row):
            text = link.group(2).strip()
            if not _NUMBER.match(text):
                after = re.search(r'<td class="num">(?:<a [^>]*>)?([\d,]+)<', row[link.end() :])
                if after is None:
                    continue
                text = after.group(1)
            found.append((html.unescape(link.group(1)), int(text.replace(",", ""))))
    return found


def stream_count(client: TestClient, link: str) -> int:
    page = client.get(link)
    assert page.status_code == 200, link
    shown = re.search(r'data-testid="count">([\d,]+) mentions?', page.text)
    assert shown is not None, link
    return int(shown.group(1).replace(",", ""))


def test_every_dashboard_link_opens_the_stream(odd_site: Site) -> None:
    client = odd_site.client("ana")
    links = _stream_links(client.get("/w/united/dashboard").text)
    assert len(links) >= 30
    refused = [link for link in links if client.get(link).status_code != 200]
    assert refused == []


@pytest.mark.parametrize("period", ["30d", "7d"])
def test_each_dashboard_link_finds_the_posts_its_figure_counted(site: Site, period: str) -> None:
    client = site.client("ana")
    links = figure_links(client.get("/w/united/dashboard", params={"period": period}).text)
    kinds = {_kind(link) for link, _n in links}
    assert kinds == {"brand", "platform", "author", "#", "brand+platform"}
    wrong = [(link, n, c) for link, n in links if (c := stream_count(client, link)) != n]
    assert wrong == []


def test_a_department_s_links_count_its_posts_only(site: Site) -> None:
    client = site.client("bea")
    links = figure_links(client.get("/w/united/dashboard").text)
    assert links
    assert [(link, n) for link, n in links if stream_count(client, link) != n] == []


def _kind(link: str) -> str:
    params = parse_qs(urlsplit(link).query)
    q = params.get("q", [""])[0]
    if "brand" in params:
        return "brand+platform" if "platform" in params else "brand"
    if "platform" in params or "author" in params:
        return "platform" if "platform" in params else "author"
    return q[:1] if q[:1] in "#@" else "site" if q.startswith("site:") else "word"


def test_the_links_of_odd_platforms_and_handles_find_their_posts(odd_site: Site) -> None:
    client = odd_site.client("ana")
    links = _stream_links(client.get("/w/united/dashboard").text)
    params = [parse_qs(urlsplit(link).query) for link in links]
    assert {"facebook page", "Forum-Voyageurs.fr"} <= {
        p["platform"][0] for p in params if "platform" in p
    }
    assert {"jean dupont", 'o"neil'} <= {p["author"][0] for p in params if "author" in p}
    for wanted, text in [
        ("platform=facebook+page", "Flight cancelled again"),
        ("author=jean+dupont", "Flight cancelled again"),
        ("platform=Forum-Voyageurs.fr", "Lost my bag, thanks"),
        ("author=o%22neil", "Lost my bag, thanks"),
    ]:
        [link] = [link for link in links if wanted in link and "brand" not in link]
        assert text in client.get(link).text, link
