"""SIGKILL `rumeur collect` while it reads a Mastodon timeline page by page, run it again: every
status is stored exactly once, and the second run goes on from the stored cursor."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from fake_mastodon import serve_timeline, statuses, workspace_toml
from sqlalchemy import create_engine

from killing import kill_when_stored, start, stored
from replay.server import ReplayServer
from rumeur.store.engine import database_url

# Two processes that each start and load the language models: most of its ~9 s.
pytestmark = pytest.mark.slow
TAG_PATH = "/api/v1/timelines/tag/rumeur"
TOTAL = 120  # three pages of 40


def collect(config: Path, db: str) -> subprocess.Popen[str]:
    return start("collect", "--config", str(config), "--db", db)


def test_a_collection_killed_midway_resumes_without_loss_or_duplicate(tmp_path: Path) -> None:
    db = str(tmp_path / "x.db")
    engine = create_engine(database_url(db))
    served = statuses(TOTAL)
    with ReplayServer() as server:
        serve_timeline(server, TAG_PATH, served, page=40)
        # Each page takes a while, so that the kill lands between two stored pages.
        server.fail_next(f"GET {TAG_PATH}", delay=0.3, times=100)
        extra = "backfill = 1000"
        source = f'type = "mastodon"\nname = "test"\ninstance = "{server.base_url}"\n'
        config = workspace_toml(tmp_path, source + 'tags = ["rumeur"]\n' + extra)

        first = collect(config, db)
        at_kill = kill_when_stored(first, engine, 40)
        assert first.returncode == -signal.SIGKILL
        assert 0 < at_kill < TOTAL
        asked_before = len(server.requests)

        second = collect(config, db)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        log = server.requests

    total, distinct = stored(engine)
    engine.dispose()
    assert total == distinct == TOTAL
    # The second run asked for older pages from where the first stopped, not the newest again.
    again = log[asked_before:]
    assert again[0].param("max_id") is not None
    assert sum(1 for r in log if not r.param("max_id") and not r.param("min_id")) == 1
