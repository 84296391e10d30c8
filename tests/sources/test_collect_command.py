"""`rumeur collect` and `rumeur sources` from the command line: configured sources, the ad-hoc
form, the state of each source, and the one-line refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clirun import rumeur
from replay import ReplayServer

FEED = "rss/le-cercle-psy.fr.iso-8859-1.no-xml-decl.rss2.xml"
LATIN1 = "application/rss+xml; charset=ISO-8859-1"
CONFIG = """
[nlp]
languages = ["fr", "en"]

[[workspaces]]
slug = "cercle"
name = "Le Cercle Psy"
[workspaces.brand]
name = "Cercle Psy"
[[workspaces.sources]]
type = "rss"
name = "cercle"
url = "{url}"
"""


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as started:
        started.serve_body("/feed", FEED, LATIN1, etag='"v1"')
        yield started


def test_collect_runs_the_configured_sources_and_sources_shows_their_state(
    server: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "rumeur.toml"
    config.write_text(CONFIG.format(url=server.url("/feed")), encoding="utf-8")
    options = ["--db", str(tmp_path / "c.db"), "--config", str(config)]
    ran = rumeur(capsys, "collect", "--once", *options)
    assert ran.code == 0, ran.err
    assert "cercle: 10 items read, 9 new, 1 rejected" in ran.err
    ran = rumeur(capsys, "sources", "--json", *options)
    [state] = [json.loads(line) for line in ran.out.splitlines()]
    assert state["name"] == "cercle" and state["type"] == "rss"
    assert state["items"] == 9 and state["last_success"] and state["last_error"] is None
    assert state["cursor"]["etag"] == '"v1"'
    ran = rumeur(capsys, "collect", "--source", "cercle", *options)
    assert "cercle: 0 items read, 0 new" in ran.err  # a 304: nothing new
    assert server.requests[-1].headers["if-none-match"] == '"v1"'
    assert "Cercle" in rumeur(capsys, "sources", *options).out


def test_an_adhoc_feed_goes_into_the_workspace(
    server: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "a.db")
    ran = rumeur(capsys, "collect", "--db", db, "rss", server.url("/feed"))
    assert ran.code == 0, ran.err
    assert "rss-127.0.0.1: 10 items read, 9 new, 1 rejected" in ran.err
    found = rumeur(capsys, "search", "psychologie*", "--db", db, "--json", "--limit", "100")
    assert found.code == 0 and len(found.out.splitlines()) >= 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "nope"], "no source named nope in workspace cercle (it has: cercle)"),
        (["--once", "--follow"], "--once and --follow: choose one"),
    ],
)
def test_refusals_are_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "rumeur.toml"
    config.write_text(CONFIG.format(url="http://127.0.0.1:9/feed"), encoding="utf-8")
    ran = rumeur(capsys, "collect", *args, "--db", str(tmp_path / "r.db"), "--config", str(config))
    assert ran.code == 1
    assert ran.err.strip() == f"rumeur: error: {message}"


def test_a_workspace_without_sources_says_how_to_add_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ran = rumeur(capsys, "collect", "--db", str(tmp_path / "n.db"))
    assert ran.code == 1
    assert "workspace united has no sources: add [[workspaces.sources]]" in ran.err


def test_no_enrich_stores_the_posts_without_model_labels(
    server: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "e.db")
    ran = rumeur(capsys, "collect", "--no-enrich", "--db", db, "rss", server.url("/feed"))
    assert ran.code == 0, ran.err
    exported = rumeur(capsys, "export", "--format", "jsonl", "--db", db).out.splitlines()
    rows = [json.loads(line) for line in exported]
    assert len(rows) == 9
    assert [r["enrichments"] for r in rows] == [[]] * 9  # no model ran
