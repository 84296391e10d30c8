"""`rumeur serve` as a user starts it, in a process of its own, and the demo's account."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from rumeur.commands.serving import demo_account
from rumeur.store import Store
from rumeur.web.accounts import authenticate
from rumeur.web.server import free_port


def test_rumeur_serve_answers_on_its_port(tmp_path: Path) -> None:
    port = free_port()
    db = tmp_path / "served.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "rumeur", "serve", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "RUMEUR_LANG": "en"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/signin", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "rumeur serve did not answer"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert "Sign in" in answer.text
        assert httpx.get(f"http://127.0.0.1:{port}/w/united/dashboard").status_code == 303
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=20)
    assert f"at http://127.0.0.1:{port}/" in output
    assert "rumeur users add NAME --role admin" in output


def test_the_demo_account_gets_a_new_password_each_time(tmp_path: Path) -> None:
    store = Store.open(str(tmp_path / "demo.db"))
    try:
        name, first = demo_account(store)
        assert authenticate(store, name, first) is not None
        again, second = demo_account(store)
        assert again == name and second != first
        assert authenticate(store, name, first) is None
        assert authenticate(store, name, second) is not None
    finally:
        store.close()


def test_rumeur_users_token_prints_a_token_that_opens_the_api(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from clirun import rumeur
    from rumeur.web.tokens import user_of

    db = str(tmp_path / "t.db")
    store = Store.open(db)
    from rumeur.web.accounts import add_user

    add_user(store, "robot", "analyst", "a long enough password")
    ran = rumeur(capsys, "users", "token", "ROBOT", "--db", db)
    assert ran.code == 0
    token = ran.out.strip()
    assert token.startswith("rmr_")
    user = user_of(store, token)
    assert user is not None and user.name == "robot"
    missing = rumeur(capsys, "users", "token", "nobody", "--db", db)
    assert missing.code == 1 and "no user named 'nobody'" in missing.err
    store.close()
