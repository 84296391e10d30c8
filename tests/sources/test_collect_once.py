"""`--once` on `rumeur collect rss|mastodon|bluesky|reddit`: the default (stop once caught up),
given with the group's `--follow` it is refused with the group's own one-line error; without it,
the group's `--follow` follows. And the library's collection reports its progress by callbacks."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clirun import rumeur
from fake_time import FakeTime
from replay import ReplayServer
from rumeur.config import load_settings
from rumeur.net.retry import RetryPolicy
from rumeur.pipeline.collection import collect
from rumeur.sources.adhoc import rss
from rumeur.sources.context import SourceContext
from rumeur.store import Store

FEED = "rss/le-cercle-psy.fr.iso-8859-1.no-xml-decl.rss2.xml"
LATIN1 = "application/rss+xml; charset=ISO-8859-1"
NOWHERE = "http://127.0.0.1:9/feed"
REFUSED = "rumeur: error: --once and --follow: choose one"


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as started:
        started.serve_body("/feed", FEED, LATIN1)
        yield started


@pytest.mark.parametrize(
    "args",
    [
        ["--follow", "rss", NOWHERE, "--once"],
        ["--once", "--follow", "rss", NOWHERE],
        ["--follow", "mastodon", "--instance", NOWHERE, "--tag", "x", "--once"],
        ["--follow", "bluesky", "--search", "x", "--once"],
        ["--follow", "reddit", "--search", "x", "--once"],
    ],
)
def test_once_with_follow_is_refused_in_one_line(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "o.db"
    ran = rumeur(capsys, "collect", "--db", str(db), *args)
    assert ran.code == 1
    assert ran.err.strip() == REFUSED
    assert not db.exists()  # refused before the store is opened


def test_once_given_or_not_stops_once_caught_up(
    server: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "o.db")
    ran = rumeur(capsys, "collect", "--no-enrich", "--db", db, "rss", server.url("/feed"), "--once")
    assert ran.code == 0, ran.err
    assert "rss-127.0.0.1: 10 items read, 9 new, 1 rejected" in ran.err
    ran = rumeur(capsys, "collect", "--no-enrich", "--db", db, "rss", server.url("/feed"))
    assert ran.code == 0, ran.err
    assert "rss-127.0.0.1: " in ran.err and " items read, 0 new" in ran.err  # it stopped


@pytest.mark.parametrize(("group", "follow"), [([], False), (["--follow"], True)])
def test_the_group_follow_reaches_the_adhoc_source(
    group: list[str],
    follow: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[bool] = []

    def collecting(*args: Any, **kwargs: Any) -> list[Any]:
        asked.append(args[4])  # collect(store, ws, chosen, models, follow, ...)
        return []

    monkeypatch.setattr("rumeur.commands.collecting.collect", collecting)
    ran = rumeur(capsys, "collect", *group, "--db", str(tmp_path / "f.db"), "rss", NOWHERE)
    assert ran.code == 0, ran.err
    assert asked == [follow]


def test_collection_reports_each_step_by_callback(
    server: ReplayServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The source that does not answer is retried with waits of up to 1, 2, 4, 8 and 16 s drawn
    # at random: recorded by the fake clock instead of slept (15 s on average, 31 at most).
    clock = FakeTime()
    contexts = functools.partial(SourceContext, sleep=clock.sleep)
    monkeypatch.setattr("rumeur.pipeline.collection.SourceContext", contexts)
    ws = load_settings().workspace()
    steps: list[tuple[str, int]] = []
    [outcome] = collect(
        store, ws, [rss(server.url("/feed"))], on_step=lambda n, s: steps.append((n, s.report.read))
    )
    assert outcome.error is None and outcome.report is not None
    assert outcome.name == "rss-127.0.0.1" and outcome.report.written.inserted == 9
    assert steps and steps[-1] == ("rss-127.0.0.1", 10)
    [failed] = collect(store, ws, [rss(NOWHERE)])
    assert failed.name == "rss-127.0.0.1" and failed.error  # one line, no traceback
    assert len(clock.sleeps) == RetryPolicy().attempts - 1  # given up after its retries
