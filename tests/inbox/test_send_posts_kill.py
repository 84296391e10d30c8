"""SIGKILL a real `rumeur send` half-way through a batch of 50 scheduled posts, start it again:
every post exists exactly once on the networks, on time or flagged late (docs/publish.md,
"Sending"; issue #18, what it must show, point 2).

The fake network (network.py) keeps what it made. It holds the Bluesky request that the test
wants the kill at, after making the post and before answering: the network has the post, the
outbox never heard of it, and the sender had more rows claimed behind it. The kill waits on that
hold, never on a sleep. The restarted sender sees the killed one is gone (same host, no such
process), takes its rows over and reads each network before sending anything again."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from network import CREATE_RECORD, SECRETS, STATUSES, SUBMIT, Network, settings_toml

from rumeur.store import Store
from rumeur.store.publishing import Item, NewItem, create, items

WAIT = 60  # seconds: a bound on each wait, never a sleep
HANDLES = {"mastodon": "laposte", "bluesky": "laposte.bsky.social", "reddit": "laposte"}
PLATFORMS = ("bluesky", "mastodon", "bluesky", "reddit", "mastodon")  # in turn, 50 items
LATE = {7, 23, 41}  # these items are 20 minutes past their time when the sender starts


@pytest.fixture
def network() -> Iterator[Network]:
    with Network() as fake:
        yield fake


def schedule(store: Store, now: datetime) -> list[Item]:
    """50 items over the three networks, due a minute ago (three of them 20 minutes ago)."""
    new = []
    for n in range(50):
        platform = PLATFORMS[n % len(PLATFORMS)]
        at = now - timedelta(minutes=20 if n in LATE else 1)
        extra = {"subreddit": "laposte"} if platform == "reddit" else {"facets": []}
        new.append(NewItem(
            account=f"{platform}-{n}", platform=platform, handle=HANDLES[platform],
            text=f"Message programmé n° {n} 📮", title=f"Annonce n° {n}", at=at,
            timezone="Europe/Paris", visibility="public" if platform == "mastodon" else None,
            extra=extra,
        ))  # fmt: skip
    create(store, "laposte", text="Message programmé", items=new, now=now - timedelta(hours=1))
    return items(store, "laposte")


def start(db: str, config: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "rumeur", "send", *args, "--db", db, "--config", str(config)]
    env = {**os.environ, **SECRETS, "RUMEUR_LANG": "en"}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )


# SQLite alone: the outbox's claims on PostgreSQL are tested by test_send_kill.py, and this test's
# two processes cost twice as much there.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_killed_mid_batch_every_post_exists_once(
    store: Store, db_url: str, tmp_path: Path, network: Network
) -> None:
    now = datetime.now(UTC)
    scheduled = schedule(store, now)
    config = tmp_path / "rumeur.toml"
    config.write_text(settings_toml(network.base_url), encoding="utf-8")
    # The 9th Bluesky post is made, and its answer held: the sender dies right there.
    network.plan(CREATE_RECORD, *["ok"] * 8, "hold-after")

    first = start(db_url, str(config), "--follow")
    if not network.holding.wait(WAIT):
        first.kill()
        pytest.fail(f"the network never held a request: {first.communicate()}")
    first.send_signal(signal.SIGKILL)
    first.wait(WAIT)
    network.release()
    for stream in (first.stdout, first.stderr):
        assert stream is not None
        stream.close()
    made_before = len(network.posts())
    assert 9 <= made_before < 47, made_before  # killed half-way

    second = start(db_url, str(config), "--once")
    out, err = second.communicate(timeout=WAIT)
    assert second.returncode == 0, out + err
    assert "taken over" in out
    assert re.search(r"^post \d+ published from (bluesky|mastodon|reddit):", out, re.M), out

    final = {i.id: i for i in items(store, "laposte")}
    late = {item.id for item in scheduled if item.at < now - timedelta(minutes=15)}
    assert len(late) == len(LATE)
    assert {i for i, item in final.items() if item.status == "late"} == late
    published = [item for item in final.values() if item.status == "published"]
    assert len(published) == 50 - len(LATE), {i.status for i in final.values()}
    # Exactly once: the network holds one post per published item, and no other.
    posts = network.posts()
    held = sorted(str(p.get("uri") or p.get("name")) for p in posts)
    assert held == sorted(str(item.native_id) for item in published)
    assert len(set(held)) == len(held) == 50 - len(LATE)
    # Retries reused their guards: one Idempotency-Key per Mastodon item, one key per record.
    keys = [r.headers["idempotency-key"] for r in network.requests_to(STATUSES)]
    mastodon = {item.idempotency_key for item in published if item.platform == "mastodon"}
    assert set(keys) == mastodon
    assert len(network.requests_to(SUBMIT)) == len(
        [item for item in published if item.platform == "reddit"]
    )
