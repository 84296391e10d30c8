"""`rumeur serve` also runs the sender (commands/serving.py): a reply queued before the server
starts is sent once through the fake network while the web app answers, and SIGTERM stops the
sender with the server, between two replies, never between a try and its record. `--no-send`
leaves the outbox to a `rumeur send` elsewhere."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from network import SECRETS, STATUSES, Network, open_conversation, settings_toml

from rumeur.store import Store
from rumeur.store.inbox import outbox_row, queue_reply
from rumeur.web.server import free_port

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
WAIT = 60  # seconds: generous bounds, never a sleep


@pytest.fixture
def network() -> Iterator[Network]:
    with Network() as fake:
        yield fake


class Served:
    """A `rumeur serve` process whose output lines are read as they come."""

    def __init__(self, db: str, config: Path, *args: str) -> None:
        self.port = free_port()
        command = [sys.executable, "-m", "rumeur", "serve", "--port", str(self.port), *args]
        self.process = subprocess.Popen(
            [*command, "--db", db, "--config", str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **SECRETS, "RUMEUR_LANG": "en"},
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line_starting(self, prefix: str) -> str:
        """The first output line that starts with `prefix` (the test fails after WAIT s)."""
        deadline = time.monotonic() + WAIT
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no line {prefix!r} in {WAIT} s: {self.seen}"
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            assert line is not None, f"serve ended before {prefix!r}: {self.seen}"
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def answers(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.port}/signin"
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def wait_answering(self) -> None:
        deadline = time.monotonic() + WAIT
        while not self.answers():
            assert self.process.poll() is None, f"serve ended: {self.rest()}"
            assert time.monotonic() < deadline, "the web app never answered"
            time.sleep(0.1)

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then the exit status and the whole output."""
        self.process.send_signal(signal.SIGTERM)
        return self.finish()

    def finish(self) -> tuple[int, str]:
        try:
            self.process.wait(WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(WAIT)
        return self.process.returncode, self.rest()

    def rest(self) -> str:
        self.reader.join(WAIT)
        if self.process.stdout is not None and not self.reader.is_alive():
            self.process.stdout.close()
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.seen.append(line)
        return "\n".join(self.seen)


def config_for(tmp_path: Path, network: Network) -> Path:
    path = tmp_path / "rumeur.toml"
    path.write_text(settings_toml(network.base_url), encoding="utf-8")
    return path


def queue_one(store: Store) -> int:
    talk = open_conversation(store, "mastodon", 1, NOW)
    return queue_reply(store, talk, text="Nous regardons votre colis.", now=NOW)


def test_serve_sends_a_queued_reply_once_and_stops_cleanly(
    store: Store, db_url: str, tmp_path: Path, network: Network
) -> None:
    row = queue_one(store)
    served = Served(db_url, config_for(tmp_path, network))
    try:
        line = served.line_starting(f"reply {row} sent from mastodon:laposte")
        served.wait_answering()  # the web app answers beside the sender
    finally:
        code, out = served.stop()
    assert code in (0, -signal.SIGTERM), out
    assert "Traceback" not in out
    assert line in out
    sent = outbox_row(store, row)
    assert sent is not None and sent.state == "sent"
    # Exactly once: one request, one status made, the one the outbox recorded.
    posts = network.requests_to(STATUSES)
    assert len(posts) == 1
    assert posts[0].headers["idempotency-key"] == sent.idempotency_key
    assert [p["uri"] for p in network.posts()] == [sent.native_id]
    assert SECRETS["RUMEUR_TEST_SEND_MASTODON_TOKEN"] not in out


def test_sigterm_waits_for_the_reply_being_sent(
    store: Store, db_url: str, tmp_path: Path, network: Network
) -> None:
    """Stopped while a reply is at the network: the server ends once its try is recorded;
    the row is never left claimed by a process that is gone."""
    row = queue_one(store)
    network.plan(STATUSES, "hold-before")  # the request waits at the network, unmade
    served = Served(db_url, config_for(tmp_path, network))
    try:
        assert network.holding.wait(WAIT), "the sender never reached the network"
        served.process.send_signal(signal.SIGTERM)
        network.release()  # now the try ends: the sender records it, then stops
        code, out = served.finish()
    finally:
        network.release()
        if served.process.poll() is None:
            served.process.kill()
    assert code in (0, -signal.SIGTERM), out
    assert "Traceback" not in out
    # The try ended (the client may try the 503 again, with the same key) and was recorded:
    # never left claimed; at most one post, the one recorded.
    done = outbox_row(store, row)
    assert done is not None and done.state in ("sent", "unknown", "queued"), done.state
    made = [p["uri"] for p in network.posts()]
    assert made == ([done.native_id] if done.state == "sent" else made[:1])
    assert len(made) <= 1


def test_no_send_leaves_the_outbox_alone(
    store: Store, db_url: str, tmp_path: Path, network: Network
) -> None:
    row = queue_one(store)
    served = Served(db_url, config_for(tmp_path, network), "--no-send")
    try:
        served.wait_answering()
    finally:
        code, out = served.stop()
    assert code in (0, -signal.SIGTERM), out
    assert network.requests == []
    assert outbox_row(store, row).state == "queued"  # type: ignore[union-attr]
    assert "sent from" not in out
