"""SIGKILL a real `rumeur send` at the worst moments, start it again: the network has each reply
exactly once (docs/inbox.md, "Sending").

The fake network (network.py) holds a request where the test wants the kill: before making
the post (the sender dies before anything was kept), or after making it and before answering
(the network accepted the reply, the outbox never heard). The restarted sender knows the killed
one is gone (same host, its process has ended), takes its rows over at once, and reads the
network before it sends anything again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from network import (
    COMMENT,
    CREATE_RECORD,
    SECRETS,
    STATUSES,
    Network,
    open_conversation,
    settings_toml,
)

from rumeur.store import Store
from rumeur.store.inbox import outbox_in, outbox_row, queue_reply

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
WAIT = 60  # seconds: generous bounds, never a sleep
CREATE = {"mastodon": STATUSES, "bluesky": CREATE_RECORD, "reddit": COMMENT}


@pytest.fixture
def network() -> Iterator[Network]:
    with Network() as fake:
        yield fake


def start(db: str, config: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "rumeur", "send", *args, "--db", db, "--config", str(config)]
    env = {**os.environ, **SECRETS, "RUMEUR_LANG": "en"}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = process.communicate(timeout=WAIT)
    return process.returncode, out + err


def kill_while_held(process: subprocess.Popen[str], network: Network) -> None:
    """SIGKILL `process` once the network holds one of its requests, then let the network go."""
    if not network.holding.wait(WAIT):
        process.kill()
        pytest.fail(f"the network never held a request: {finish(process)[1]}")
    process.send_signal(signal.SIGKILL)
    process.wait(WAIT)
    assert process.returncode == -signal.SIGKILL
    network.release()
    for stream in (process.stdout, process.stderr):
        assert stream is not None
        stream.close()


def config_for(tmp_path: Path, network: Network) -> Path:
    path = tmp_path / "rumeur.toml"
    path.write_text(settings_toml(network.base_url), encoding="utf-8")
    return path


def queue(store: Store, platform: str, n: int, text: str = "Nous regardons.") -> int:
    talk = open_conversation(store, platform, n, NOW)
    return queue_reply(store, talk, text=f"{text} ({n})", now=NOW)


def assert_once_each(store: Store, network: Network, rows: list[int]) -> None:
    """Every row sent, each as one post the network holds, and no other post."""
    sent = [outbox_row(store, i) for i in rows]
    assert [r.state for r in sent if r is not None] == ["sent"] * len(rows)
    posts = network.posts()
    ids = sorted(str(p.get("uri") or p.get("name")) for p in posts)
    assert ids == sorted(str(r.native_id) for r in sent if r is not None)


def test_killed_before_sending(store: Store, db_url: str, tmp_path: Path, network: Network) -> None:
    rows = [queue(store, "mastodon", 1), queue(store, "bluesky", 2), queue(store, "reddit", 3)]
    config = config_for(tmp_path, network)
    network.plan(STATUSES, "hold-before")  # the first reply waits at the network, unmade

    kill_while_held(start(db_url, config, "--follow"), network)
    assert network.posts() == []
    assert {r.state for r in outbox_in(store, "claimed")} == {"claimed"}

    code, out = finish(start(db_url, config, "--once"))
    assert code == 0, out
    assert_once_each(store, network, rows)
    # The one that had left was sent again with its key; the network kept one.
    keys = {r.headers["idempotency-key"] for r in network.requests_to(STATUSES)}
    assert keys == {outbox_row(store, rows[0]).idempotency_key}  # type: ignore[union-attr]


@pytest.mark.parametrize("platform", ["mastodon", "bluesky", "reddit"])
def test_killed_after_the_network_accepted_before_the_outbox_recorded(
    store: Store, db_url: str, tmp_path: Path, network: Network, platform: str
) -> None:
    row = queue(store, platform, 1)
    config = config_for(tmp_path, network)
    network.plan(CREATE[platform], "hold-after")  # made, and its answer never comes

    kill_while_held(start(db_url, config, "--follow"), network)
    assert len(network.posts()) == 1
    assert outbox_row(store, row).state == "claimed"  # type: ignore[union-attr]

    code, out = finish(start(db_url, config, "--once"))
    assert code == 0, out
    assert "taken over" in out
    assert_once_each(store, network, [row])


def test_killed_between_two_replies_of_a_batch(
    store: Store, db_url: str, tmp_path: Path, network: Network
) -> None:
    rows = [queue(store, "bluesky", 1), queue(store, "bluesky", 2), queue(store, "mastodon", 3)]
    config = config_for(tmp_path, network)
    network.plan(CREATE_RECORD, "ok", "hold-before")  # the first sent, the second held

    kill_while_held(start(db_url, config, "--follow"), network)
    assert outbox_row(store, rows[0]).state == "sent"  # type: ignore[union-attr]
    assert len(network.posts()) == 1

    code, out = finish(start(db_url, config, "--once"))
    assert code == 0, out
    assert_once_each(store, network, rows)


@pytest.mark.parametrize("platform", ["mastodon", "bluesky"])
def test_a_lost_answer_ends_in_exactly_one_post(
    store: Store, db_url: str, tmp_path: Path, network: Network, platform: str
) -> None:
    row = queue(store, platform, 1)
    network.plan(CREATE[platform], "drop")  # made, then the connection is cut

    code, out = finish(start(db_url, config_for(tmp_path, network), "--once"))
    assert code == 0, out
    assert "outcome unknown" in out
    assert_once_each(store, network, [row])


def test_follow_stops_cleanly_on_sigterm(
    store: Store, db_url: str, tmp_path: Path, network: Network
) -> None:
    row = queue(store, "mastodon", 1)
    process = start(db_url, config_for(tmp_path, network), "--follow", "--every", "1s")
    assert process.stdout is not None
    first = process.stdout.readline()  # the reply's line: it was sent and recorded
    assert first.startswith(f"reply {row} sent from mastodon:laposte"), first
    process.send_signal(signal.SIGTERM)
    code, out = finish(process)
    assert code == 0, out
    assert "1 sent, 0 failed" in out


def test_once_exits_non_zero_when_a_reply_failed(
    store: Store, db_url: str, tmp_path: Path, network: Network
) -> None:
    failed, fine = queue(store, "mastodon", 1), queue(store, "bluesky", 2)
    network.plan(STATUSES, 422)
    code, out = finish(start(db_url, config_for(tmp_path, network), "--once"))
    assert code == 1, out
    assert f"reply {failed} failed: mastodon:piaille: /api/v1/statuses answered 422: " in out
    assert outbox_row(store, fine).state == "sent"  # type: ignore[union-attr]
    assert SECRETS["RUMEUR_TEST_SEND_MASTODON_TOKEN"] not in out
