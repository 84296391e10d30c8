"""The machine's Redis for the tests of the workers and the health figures: a key prefix of a
test's own, so that runs side by side never see each other's keys. Without a Redis the test is
skipped, and fails under CI=true, where every service must be there."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
REDIS = "redis://127.0.0.1:6379/0"


@contextmanager
def own_prefix() -> Iterator[str]:
    """A fresh key prefix on the machine's Redis, its keys deleted before and after."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError as exc:
        if IN_CI:
            pytest.fail(f"CI=true but Redis is not reachable at 127.0.0.1:6379: {exc}")
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS)
    prefix = f"rumeur-test-{uuid.uuid4().hex[:12]}:"

    def clear() -> None:
        for key in client.scan_iter(match=f"{prefix}*", count=1000):
            client.delete(key)

    try:
        clear()
        yield prefix
        clear()
    finally:
        client.close()
