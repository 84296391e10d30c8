"""A time budget for the reads one request triggers (docs/architecture.md, "Time budget").

The web app reads through `Store.read()`, which holds its connection to a deadline: on SQLite a
progress handler interrupts a statement past it; on PostgreSQL each statement runs under a
`statement_timeout` of what is left of the budget; and the Python loops that check candidates
with the evaluator look at the clock between pages. Past the deadline the read raises
`QueryTooCostly`, so neither a costly query nor a client that left holds a core for longer than
the budget. `interrupt_all` ends the reads still running when the server stops.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.exc import DBAPIError

from rumeur.errors import ConfigError, QueryTooCostly
from rumeur.i18n import _

DEFAULT_SECONDS = 10.0
ENV = "RUMEUR_READ_BUDGET"
_STEPS = 10_000  # SQLite virtual-machine steps between two looks at the clock (~0.1 ms)
_KEY = "rumeur_budget"
_CANCELED = "57014"  # PostgreSQL's query_canceled, raised by statement_timeout and a cancel

_running: set[Budget] = set()
_lock = threading.Lock()


class Budget:
    """A deadline for one connection's reads."""

    def __init__(self, seconds: float, raw: Any, dialect: str) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.stopping = False
        self._raw, self._dialect = raw, dialect

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def spent(self) -> bool:
        return self.stopping or self.left() <= 0

    def check(self) -> None:
        if self.spent():
            raise self.refusal()

    def renew(self) -> None:
        """A new deadline, for a read that goes on in parts (an export, a batch at a time)."""
        self.deadline = time.monotonic() + self.seconds

    def refusal(self) -> QueryTooCostly:
        if self.stopping:
            return QueryTooCostly(_("query too costly: interrupted, the server is stopping"))
        return QueryTooCostly(
            _(
                "query too costly: it ran past its budget of {seconds} s; "
                "narrow it (a shorter period, rarer words)"
            ).format(seconds=f"{self.seconds:g}")
        )

    def interrupt(self) -> None:
        """End the statement running now, from any thread (both drivers allow it)."""
        self.stopping = True
        if self._dialect == "sqlite":
            self._raw.interrupt()
        else:
            self._raw.cancel()


def default_seconds() -> float:
    """The budget of a request: RUMEUR_READ_BUDGET seconds, else 10."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 86_400:
        raise ConfigError(
            _("{name}: a number of seconds above 0 is expected, not {value!r}").format(
                name=ENV, value=raw
            )
        )
    return seconds


@contextmanager
def bounded(conn: Connection, seconds: float | None = None) -> Iterator[Budget]:
    """Hold `conn`'s reads to `seconds` (default: `default_seconds()`) until the block ends."""
    raw = conn.connection.dbapi_connection
    budget = Budget(default_seconds() if seconds is None else seconds, raw, conn.dialect.name)
    conn.info[_KEY] = budget

    def before(*_args: Any) -> None:
        budget.check()
        if budget._dialect == "postgresql":
            ms = max(1, int(budget.left() * 1000))
            raw.execute("SELECT set_config('statement_timeout', %s, true)", (str(ms),))

    event.listen(conn, "before_cursor_execute", before)
    if budget._dialect == "sqlite":
        raw.set_progress_handler(lambda: 1 if budget.spent() else 0, _STEPS)
    with _lock:
        _running.add(budget)
    try:
        yield budget
    except DBAPIError as exc:
        if _interrupted(exc):
            raise budget.refusal() from None
        raise
    finally:
        with _lock:
            _running.discard(budget)
        event.remove(conn, "before_cursor_execute", before)
        conn.info.pop(_KEY, None)
        if budget._dialect == "sqlite":
            raw.set_progress_handler(None, 0)


def _interrupted(exc: DBAPIError) -> bool:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) == _CANCELED or str(orig).strip() == "interrupted"


def check(conn: Connection) -> None:
    """Raise QueryTooCostly when `conn` reads under a budget that is spent."""
    budget = conn.info.get(_KEY)
    if budget is not None:
        budget.check()


def renew(conn: Connection) -> None:
    budget = conn.info.get(_KEY)
    if budget is not None:
        budget.renew()


def interrupt_all() -> int:
    """Interrupt every read running under a budget (the server is stopping); how many."""
    with _lock:
        running = list(_running)
    for budget in running:
        budget.interrupt()
    return len(running)
