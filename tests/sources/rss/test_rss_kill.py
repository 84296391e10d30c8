"""SIGKILL `rumeur collect` while it reads a paged feed (RFC 5005 `next` links, served slowly),
run it again: every entry is stored exactly once."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from killing import kill_when_stored, start, stored
from replay import ReplayServer
from rumeur.store.engine import database_url

pytestmark = pytest.mark.slow  # two `rumeur collect` processes, ~20 s on 2 cores

PAGES, PER_PAGE = 6, 40


def page(number: int, base: str) -> bytes:
    items = "".join(
        f"<item><title>Billet {number}-{i}</title><link>https://blog.example.fr/{number}/{i}</link>"
        f"<guid>urn:billet:{number}-{i}</guid><pubDate>Mon, 02 Mar 2026 10:{i:02d}:00 +0100"
        f"</pubDate><description>Un avis sur Acme, numéro {number}-{i}.</description></item>"
        for i in range(PER_PAGE)
    )
    more = f'<atom:link rel="next" href="{base}/feed?page={number + 1}"/>' if number < PAGES else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Blog</title>'
        f"<link>https://blog.example.fr/</link><language>fr</language>{more}{items}"
        "</channel></rss>"
    ).encode()


def config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "rumeur.toml"
    path.write_text(
        '[[workspaces]]\nslug = "acme"\nname = "Acme"\n[workspaces.brand]\nname = "Acme"\n'
        f'[[workspaces.sources]]\ntype = "rss"\nname = "blog"\nurl = "{url}"\n',
        encoding="utf-8",
    )
    return path


def collect(config_path: Path, db: str) -> subprocess.Popen[str]:
    return start("collect", "--config", str(config_path), "--db", db, "--once")


def test_collection_killed_midway_resumes_without_loss_or_duplicate(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    engine = create_engine(database_url(db))
    with ReplayServer() as server:
        server.serve(
            "GET", "/feed", body=page(1, server.base_url), content_type="application/rss+xml"
        )
        for n in range(2, PAGES + 1):
            server.serve("GET", "/feed", body=page(n, server.base_url), query={"page": str(n)},
                         content_type="application/rss+xml")  # fmt: skip
        server.fail_next("GET /feed", delay=0.2, times=2 * PAGES)
        first = collect(config(tmp_path, server.url("/feed")), db)
        at_kill = kill_when_stored(first, engine, PER_PAGE)
        assert 0 < at_kill < PAGES * PER_PAGE

        second = collect(config(tmp_path, server.url("/feed")), db)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        pages_asked = [r.param("page") for r in server.requests_to("/feed")]
    total, distinct = stored(engine)
    engine.dispose()
    assert total == distinct == PAGES * PER_PAGE
    # The second run went on from the page it was on, not from the first page down.
    assert len(pages_asked) <= PAGES + 2 and set(pages_asked) == {None, *map(str, range(2, 7))}
