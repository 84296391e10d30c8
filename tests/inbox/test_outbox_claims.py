"""Two senders never claim the same outbox row: the claim is a conditional UPDATE
(`... WHERE state = 'queued'`), on SQLite and PostgreSQL, from threads and from processes."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from datetime import UTC, datetime

from rumeur.store import Store
from rumeur.store.engine import WRITE_OPTION
from rumeur.store.inbox import Message, _claim, claim_due, outbox_row, queue_reply, receive

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
ROWS = 60


def queue(store: Store, n: int = ROWS) -> list[int]:
    """`n` replies, each in its own conversation (so that none waits for another)."""
    ids = []
    for i in range(n):
        message = Message(
            platform="mastodon",
            native_id=f"https://piaille.fr/users/client{i}/statuses/{i}",
            author=f"client{i}",
            text="où est mon colis ?",
            at=NOW,
        )
        talk = receive(store, "ws", "laposte", message, None, NOW).conversation_id
        assert talk is not None
        ids.append(queue_reply(store, talk, text=f"réponse {i}", now=NOW))
    return ids


def drain(db_url: str, sender: str, start: threading.Barrier | None = None) -> list[int]:
    """Claim until nothing is left, a few rows at a time, through a store of its own."""
    store = Store.open(db_url)
    try:
        if start is not None:
            start.wait()
        got: list[int] = []
        while rows := claim_due(store, sender, 3, NOW):
            got.extend(r.id for r in rows)
        return got
    finally:
        store.close()


def test_two_claimers_in_threads_never_claim_the_same_row(store: Store, db_url: str) -> None:
    ids = queue(store)
    start = threading.Barrier(4)
    claimed: dict[str, list[int]] = {}

    def run(sender: str) -> None:
        claimed[sender] = drain(db_url, sender, start)

    threads = [threading.Thread(target=run, args=(f"sender-{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(claimed) == 4
    every = [row_id for got in claimed.values() for row_id in got]
    assert sorted(every) == ids  # each row claimed, by one sender only
    for sender, got in claimed.items():
        assert all(outbox_row(store, i).claimed_by == sender for i in got)  # type: ignore[union-attr]


def _drain_in_process(db_url: str, sender: str, out: multiprocessing.Queue) -> None:
    out.put((sender, drain(db_url, sender)))


def test_two_claimers_in_processes_never_claim_the_same_row(store: Store, db_url: str) -> None:
    ids = queue(store)
    spawn = multiprocessing.get_context("spawn")
    out = spawn.Queue()
    procs = [
        spawn.Process(target=_drain_in_process, args=(db_url, f"proc-{i}", out)) for i in range(2)
    ]
    for p in procs:
        p.start()
    results = dict(out.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    counts = Counter(row_id for got in results.values() for row_id in got)
    assert sorted(counts) == ids
    assert set(counts.values()) == {1}


def test_the_conditional_update_alone_refuses_a_claimed_row(store: Store) -> None:
    """Without the writers' lock: the second claimer's UPDATE waits for the first's commit,
    then finds the row no longer queued."""
    (row_id,) = queue(store, 1)
    first_holds = threading.Event()
    second: list[bool] = []

    def later() -> None:
        first_holds.wait()
        with store.engine.connect() as conn:
            conn.execution_options(**{WRITE_OPTION: True})
            with conn.begin():
                second.append(_claim(conn, row_id, "b", NOW))

    other = threading.Thread(target=later)
    other.start()
    with store.engine.connect() as conn:
        conn.execution_options(**{WRITE_OPTION: True})
        with conn.begin():
            assert _claim(conn, row_id, "a", NOW)
            first_holds.set()
            other.join(timeout=0.5)  # the second claimer is blocked on our row meanwhile
            assert other.is_alive()
    other.join(timeout=30)
    assert second == [False]
    assert outbox_row(store, row_id).claimed_by == "a"  # type: ignore[union-attr]
