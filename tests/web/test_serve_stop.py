"""`rumeur serve`, in a process of its own, stops within seconds on SIGTERM while a request is
reading the store: the read is interrupted (the client gets its one-line 400) instead of holding
the process until its statement ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from rumeur.store import Store
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.server import free_port

# `rumeur serve` whose stream reads with a statement that never ends by itself; it leaves a mark
# when that statement starts.
LAUNCHER = """
import pathlib, sys
from sqlalchemy import text
import rumeur.web.views as views
from rumeur.cli import main

FOREVER = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
MARK = pathlib.Path(sys.argv.pop(1))

def endless(conn, *args, **kwargs):
    MARK.write_text("reading")
    conn.execute(text(FOREVER)).all()
    return []

views.latest = endless
main(sys.argv[1:])
"""


def wait_for(check, what: str, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_rumeur_serve_stops_on_sigterm_while_a_request_reads(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    store = Store.open(str(db))
    token = tokens.issue(store, add_user(store, "robot", "analyst", "a long enough password").id)
    store.close()
    launcher, mark, port = tmp_path / "serve.py", tmp_path / "reading", free_port()
    launcher.write_text(LAUNCHER)
    command = [sys.executable, str(launcher), str(mark), "serve", "--db", str(db)]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "RUMEUR_LANG": "en", "RUMEUR_READ_BUDGET": "300"},
    )
    base = f"http://127.0.0.1:{port}"
    answers: list[httpx.Response] = []

    def ask() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        answers.append(httpx.get(f"{base}/api/w/united/posts", headers=headers, timeout=120))

    try:
        wait_for(lambda: _answers(f"{base}/signin") or process.poll() is not None, "no answer")
        client = threading.Thread(target=ask, daemon=True)
        client.start()
        wait_for(mark.exists, "the request never started reading")
        time.sleep(0.5)  # well inside the endless statement
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
        took = time.monotonic() - asked
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert took < 15, f"stopped {took:.1f} s after SIGTERM (the budget was 300 s)"
    assert process.returncode in (0, -signal.SIGTERM), output
    client.join(10)
    assert len(answers) == 1, "the running request got no answer"
    assert answers[0].status_code == 400
    assert answers[0].json()["error"] == "query too costly: interrupted, the server is stopping"
    assert "Traceback" not in output


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_a_wrong_read_budget_stops_rumeur_serve_at_its_start(tmp_path: Path) -> None:
    started = subprocess.run(
        [sys.executable, "-m", "rumeur", "serve", "--db", str(tmp_path / "s.db")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "RUMEUR_LANG": "en", "RUMEUR_READ_BUDGET": "soon"},
    )
    assert started.returncode == 1
    assert started.stderr.strip().splitlines() == [
        "rumeur: error: RUMEUR_READ_BUDGET: a number of seconds above 0 is expected, not 'soon'"
    ]
