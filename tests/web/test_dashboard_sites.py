"""The dashboard's "Sites cited most" counts the sites links lead to: on the airline demo, whose
links are all t.co, it says that no site is known instead of listing `t.co`; posts linking to
real sites are listed under their site, `www.` and `m.` folded, shorteners left out."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rumeur.model import Author, Metrics, Post
from website import Site, make_site

DASHBOARD = "/w/united/dashboard"


def sites_table(page: str) -> list[tuple[str, str]]:
    found = re.search(r"<caption>[^<]*</caption><tbody>(.*?)</tbody>", _sites_part(page), re.S)
    cells = re.findall(r"<tr><td>([^<]*)</td><td[^>]*>([^<]*)</td></tr>", found.group(1))
    return [(site, count) for site, count in cells]


def _sites_part(page: str) -> str:
    start = page.index('data-testid="platforms"')
    return page[start : page.index('data-testid="leaders"')]


def test_the_airline_demo_says_no_site_is_known(site: Site) -> None:
    for language, sentence in [
        ("en", "No site known: the links of this period are shortened"),
        ("fr", "Aucun site connu : les liens de la période sont raccourcis"),
    ]:
        client = site.client("ana")
        page = client.get(DASHBOARD, headers={"Accept-Language": language}).text
        part = _sites_part(page)
        assert 'data-testid="no-sites"' in part
        assert sentence in part
        assert "<td>t.co</td>" not in part and "<caption>" not in part.split("no-sites")[1]


@pytest.fixture(scope="module")
def linked_site(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    for site in make_site(demo_db, tmp_path_factory.mktemp("sites")):
        links = [
            ["https://www.lemonde.fr/a", "http://t.co/x1"],
            ["https://m.lemonde.fr/b"],
            ["https://lemonde.fr/c", "https://m.lemonde.fr/c"],  # one post: lemonde.fr once
            ["https://bit.ly/3abc"],
            ["https://www.liberation.fr/d"],
        ]
        site.store.write("united", [_post(n, post_links) for n, post_links in enumerate(links)])
        yield site


def _post(n: int, links: list[str]) -> Post:
    return Post(
        platform="x",
        native_id=f"sites-{n}",
        text=f"Retard encore {' '.join(links)}",
        created_at=datetime(2015, 2, 24, 9, n, tzinfo=UTC),
        author=Author(handle=f"lecteur{n}"),
        metrics=Metrics(),
        links=links,
        brands=["United"],
        raw={},
    )


def test_real_sites_are_listed_under_their_site_and_shorteners_left_out(
    linked_site: Site,
) -> None:
    page = linked_site.client("ana").get(DASHBOARD).text
    assert 'data-testid="no-sites"' not in page
    assert sites_table(page) == [("lemonde.fr", "3"), ("liberation.fr", "1")]
