"""SIGKILL `rumeur collect` while it reads a Mastodon timeline page by page, run it again: every
status is stored exactly once, and the second run goes on from the stored cursor."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_mastodon import serve_timeline, statuses, workspace_toml
from sqlalchemy import create_engine, func, select

from replay.server import ReplayServer
from rumeur.store.engine import database_url
from rumeur.store.schema import posts

# Two processes that each start and load the language models: most of its ~9 s.
pytestmark = pytest.mark.slow
TAG_PATH = "/api/v1/timelines/tag/rumeur"
TOTAL = 120  # three pages of 40


def start(config: Path, db: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "rumeur", "collect", "--config", str(config), "--db", db]
    env = {**os.environ, "RUMEUR_LANG": "en"}
    return subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
    )


def count(engine) -> tuple[int, int]:
    try:
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(posts)).scalar_one()
            distinct = conn.execute(select(func.count(posts.c.native_id.distinct()))).scalar_one()
            return total, distinct
    except Exception:  # the schema may not exist yet
        return 0, 0


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

        first = start(config, db)
        deadline = time.monotonic() + 60
        while count(engine)[0] < 40:
            if first.poll() is not None:
                pytest.fail(f"collection ended before it could be killed: {first.stderr.read()}")
            if time.monotonic() > deadline:
                first.kill()
                first.communicate()
                pytest.fail("collection stored nothing in 60 s")
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)
        first.wait()
        first.stderr.close()
        at_kill = count(engine)[0]
        assert first.returncode == -signal.SIGKILL
        assert 0 < at_kill < TOTAL
        asked_before = len(server.requests)

        second = start(config, db)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
        log = server.requests

    total, distinct = count(engine)
    engine.dispose()
    assert total == distinct == TOTAL
    # The second run asked for older pages from where the first stopped, not the newest again.
    again = log[asked_before:]
    assert again[0].param("max_id") is not None
    assert sum(1 for r in log if not r.param("max_id") and not r.param("min_id")) == 1
