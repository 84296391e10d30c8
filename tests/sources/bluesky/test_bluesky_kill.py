"""SIGKILL `rumeur collect` in the middle of a Bluesky search, run it again: every post served is
stored exactly once, and the second run resumed at the page the first one stopped on."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from bluesky_replay import SEARCH, made_posts, serve_search, write_workspace
from sqlalchemy import create_engine

from killing import kill_when_stored, start, stored
from replay import ReplayServer
from rumeur.store.engine import database_url

TOTAL, PER_PAGE = 400, 100


def collect(config: Path, db: Path) -> subprocess.Popen[str]:
    return start("collect", "--config", str(config), "--db", str(db))


def test_a_collection_killed_midway_resumes_and_stores_every_post_once(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with ReplayServer() as server:
        pages = serve_search(server, made_posts(TOTAL), PER_PAGE)
        # Slow pages, so that the kill lands in the middle.
        server.fail_next(f"GET {SEARCH}", delay=0.3, times=2 * pages)
        config = write_workspace(tmp_path, server)
        engine = create_engine(database_url(str(db)))
        try:
            first = collect(config, db)
            at_kill = kill_when_stored(first, engine, PER_PAGE)
            assert first.returncode == -signal.SIGKILL
            assert 0 < at_kill < TOTAL
            asked_before = len(server.requests_to(SEARCH))

            second = collect(config, db)
            _, err = second.communicate(timeout=60)
            assert second.returncode == 0, err
            total, distinct = stored(engine)
        finally:
            engine.dispose()
    assert total == distinct == TOTAL
    resumed = server.requests_to(SEARCH)[asked_before]
    assert resumed.param("cursor") is not None  # not from the first page again
    assert int(resumed.param("cursor")) <= at_kill  # nothing skipped either
    assert len(server.requests_to(SEARCH)) < 2 * pages
