"""Killing a real `rumeur` process half-way, for the tests that check nothing is lost or stored
twice when it starts again (imports and every network's collection)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from rumeur.store.schema import posts


def start(*args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen[str]:
    """`python -m rumeur ARGS` in English, its errors kept for the failure message."""
    command = [sys.executable, "-m", "rumeur", *args]
    environment = {**os.environ, "RUMEUR_LANG": "en", **(env or {})}
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=environment
    )


def stored(engine: Engine) -> tuple[int, int]:
    """Posts stored, and distinct native ids among them; (0, 0) before the tables exist."""
    try:
        with engine.connect() as conn:
            total = conn.execute(select(func.count()).select_from(posts)).scalar_one()
            distinct = conn.execute(select(func.count(posts.c.native_id.distinct()))).scalar_one()
            return total, distinct
    except SQLAlchemyError:
        return 0, 0


def kill_when_stored(
    process: subprocess.Popen[str], engine: Engine, at_least: int, timeout: float = 60
) -> int:
    """SIGKILL `process` once `at_least` posts are stored; returns how many were."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stored(engine)[0] >= at_least:
            process.send_signal(signal.SIGKILL)
            process.wait()
            assert process.stderr is not None
            process.stderr.close()
            return stored(engine)[0]
        if process.poll() is not None:
            assert process.stderr is not None
            pytest.fail(f"it ended before it could be killed: {process.stderr.read()}")
        time.sleep(0.01)
    process.kill()
    process.communicate()
    pytest.fail(f"it stored fewer than {at_least} posts in {timeout:.0f} s")
