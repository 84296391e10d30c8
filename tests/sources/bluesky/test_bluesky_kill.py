"""SIGKILL `rumeur collect` in the middle of a Bluesky search, run it again: every post served is
stored exactly once, and the second run resumed at the page the first one stopped on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bluesky_replay import SEARCH, made_posts, serve_search, write_workspace
from sqlalchemy import create_engine, func, select

from replay import ReplayServer
from rumeur.store.engine import database_url
from rumeur.store.schema import posts

TOTAL, PER_PAGE = 400, 100


def start(config: Path, db: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "rumeur", "collect", "--config", str(config), "--db", str(db)]
    env = {**os.environ, "RUMEUR_LANG": "en"}
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )


def counts(engine) -> tuple[int, int]:
    try:
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(posts)).scalar_one()
            distinct = conn.execute(select(func.count(posts.c.native_id.distinct()))).scalar_one()
            return total, distinct
    except Exception:  # the schema may not exist yet
        return 0, 0


def kill_midway(process: subprocess.Popen[str], engine) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        stored, _ = counts(engine)
        if stored >= PER_PAGE:
            process.send_signal(signal.SIGKILL)
            process.wait()
            assert process.stderr is not None
            process.stderr.close()
            return counts(engine)[0]
        if process.poll() is not None:
            assert process.stderr is not None
            pytest.fail(f"collection ended before it could be killed: {process.stderr.read()}")
        time.sleep(0.01)
    process.kill()
    process.communicate()
    pytest.fail("collection stored nothing in 60 s")


def test_a_collection_killed_midway_resumes_and_stores_every_post_once(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with ReplayServer() as server:
        pages = serve_search(server, made_posts(TOTAL), PER_PAGE)
        # Slow pages, so that the kill lands in the middle.
        server.fail_next(f"GET {SEARCH}", delay=0.3, times=2 * pages)
        config = write_workspace(tmp_path, server)
        engine = create_engine(database_url(str(db)))
        try:
            first = start(config, db)
            at_kill = kill_midway(first, engine)
            assert first.returncode == -signal.SIGKILL
            assert 0 < at_kill < TOTAL
            asked_before = len(server.requests_to(SEARCH))

            second = start(config, db)
            _, err = second.communicate(timeout=60)
            assert second.returncode == 0, err
            stored, distinct = counts(engine)
        finally:
            engine.dispose()
    assert stored == distinct == TOTAL
    resumed = server.requests_to(SEARCH)[asked_before]
    assert resumed.param("cursor") is not None  # not from the first page again
    assert int(resumed.param("cursor")) <= at_kill  # nothing skipped either
    assert len(server.requests_to(SEARCH)) < 2 * pages
