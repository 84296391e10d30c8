"""Locks with a lease, in Redis, shared by every worker and beat: one collector per source at a
time, at most N tasks of a network at once (`[workers.concurrency]`), one beat leader.

A lease is a key set only if absent, holding its holder's token, with an expiry: a holder that
dies (SIGKILL, a lost machine) lets go by itself when the lease runs out, and one that lives
renews it (`Held`, a thread, every third of the lease). Renewing and letting go check the token
in one script, so a holder whose lease lapsed never frees a lease someone else took since."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from rumeur.config import Settings
from rumeur.errors import ConfigError
from rumeur.settings.workers import backend_url, broker_url

LEASE_S = 30  # a dead holder's lease lapses within this; a live one renews it every 10 s

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


def redis_url(settings: Settings) -> str:
    """The Redis that holds the leases: the broker's, else the result backend's."""
    for url in (broker_url(settings), backend_url(settings)):
        if url.startswith(("redis://", "rediss://")):
            return url
    raise ConfigError(
        "[workers]: the workers' leases need Redis: give a redis:// broker or backend"
    )


class Leases:
    def __init__(self, client: redis.Redis, prefix: str = "") -> None:
        self.client = client
        self.prefix = f"{prefix}rumeur:lease:"
        self._renew = client.register_script(_RENEW)
        self._release = client.register_script(_RELEASE)

    @classmethod
    def of(cls, settings: Settings) -> Leases:
        return cls(redis.Redis.from_url(redis_url(settings)), settings.workers.prefix)

    def take(self, name: str, token: str, seconds: float = LEASE_S) -> bool:
        """Take the lease `name` for `token`, unless someone holds it."""
        return bool(self.client.set(self.prefix + name, token, nx=True, px=int(seconds * 1000)))

    def renew(self, name: str, token: str, seconds: float = LEASE_S) -> bool:
        """Extend `token`'s lease; False when it lapsed (and maybe someone else holds it)."""
        return bool(self._renew(keys=[self.prefix + name], args=[token, int(seconds * 1000)]))

    def release(self, name: str, token: str) -> bool:
        return bool(self._release(keys=[self.prefix + name], args=[token]))

    def holder(self, name: str) -> str | None:
        value = self.client.get(self.prefix + name)
        return None if value is None else value.decode()

    def take_slot(self, name: str, cap: int, token: str, seconds: float = LEASE_S) -> str | None:
        """One of `cap` leases `name:0` .. `name:cap-1` (a semaphore whose holders may die);
        the one taken, or None when all are held."""
        for slot in range(cap):
            if self.take(f"{name}:{slot}", token, seconds):
                return f"{name}:{slot}"
        return None

    @contextmanager
    def held(self, name: str, cap: int = 1, seconds: float = LEASE_S) -> Iterator[bool]:
        """Hold `name` (one of its `cap` slots when cap > 1) while the block runs, renewed as
        it runs; yields False, holding nothing, when it is taken."""
        token = secrets.token_hex(8)
        taken = self.take(name, token, seconds) if cap == 1 else self.take_slot(name, cap, token)
        if not taken:
            yield False
            return
        key = name if cap == 1 else str(taken)
        stop = threading.Event()
        renewer = threading.Thread(
            target=self._keep, args=(key, token, seconds, stop), daemon=True, name="lease"
        )
        renewer.start()
        try:
            yield True
        finally:
            stop.set()
            renewer.join()
            self.release(key, token)

    def _keep(self, key: str, token: str, seconds: float, stop: threading.Event) -> None:
        while not stop.wait(seconds / 3):
            if not self.renew(key, token, seconds):
                return  # lapsed: whoever holds it now, it is not ours to renew
