"""SIGKILL `rumeur collect` while it pages through a subreddit, start it again: every thing served
is stored exactly once, and the second run resumes at the page the first one stopped at."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from reddit_replay import (
    CLIENT_ID,
    CLIENT_SECRET,
    name,
    newer,
    serve_pages,
    serve_token,
    submissions,
    workspace_toml,
)
from sqlalchemy import create_engine, select

from killing import kill_when_stored, start, stored
from replay import ReplayServer
from rumeur.store.engine import database_url
from rumeur.store.schema import source_cursors

pytestmark = pytest.mark.slow

PAGE = "/r/askreddit/new"
PAGES = 5  # of 100, the largest page Reddit serves and the batch `rumeur collect` stores


def collect(config: Path, db: str) -> subprocess.Popen[str]:
    env = {"RUMEUR_REDDIT_CLIENT_ID": CLIENT_ID, "RUMEUR_REDDIT_CLIENT_SECRET": CLIENT_SECRET}
    return start("collect", "--config", str(config), "--db", db, env=env)


def test_collection_killed_midway_resumes_without_loss_or_duplicate(tmp_path: Path) -> None:
    recorded = submissions()
    things = [newer(recorded[0], n) for n in range(100 * (PAGES - 1), 0, -1)] + recorded
    total = len(things)
    db = str(tmp_path / "x.db")
    engine = create_engine(database_url(db))
    with ReplayServer() as server:
        serve_token(server)
        serve_pages(server, PAGE, things, 100)
        # Slow pages, so the kill lands between two stored batches or in the middle of one.
        server.fail_next(f"GET {PAGE}", delay=0.4, times=2 * PAGES)
        config = workspace_toml(tmp_path, server)

        first = collect(config, db)
        at_kill = kill_when_stored(first, engine, 100)
        assert first.returncode == -signal.SIGKILL
        assert 0 < at_kill < total

        second = collect(config, db)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        asked = [r.param("after") for r in server.requests_to(PAGE) if r.status == 200]

    count, distinct = stored(engine)
    with engine.connect() as conn:
        cursor = conn.execute(select(source_cursors.c.cursor)).scalar_one()
    engine.dispose()
    assert count == distinct == total
    assert cursor == {"listings": {"r/askreddit/new": {"newest": name(things[0])}}}
    # The second run did not start over: the first page was asked for once, by the first run.
    assert asked.count(None) == 1
    assert len(asked) <= PAGES + 1  # at most the page in flight at the kill, asked again
