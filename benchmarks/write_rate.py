"""Write rate as the store grows: posts per second over the first `--window` posts written
into an empty store and over the last `--window` before `--posts`, in SQLite and PostgreSQL.

The posts are the airline set replayed by `web_latency.generate` (shifted ids, dates and
authors), written in batches of `--batch` by `Store.write`, as the runner writes them. The
PostgreSQL database is recreated with autovacuum off on every table, so that nothing but the
writer itself refreshes the planner's statistics (this machine's server runs without it).

Run it with `make bench` (or `.venv/bin/python benchmarks/write_rate.py --posts 200000`). A
million posts takes many minutes per store. It reports, it does not judge: the exit status is 0
whether the goal is met or not."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_throughput import find_data, machine
from rumeur.store import Store
from rumeur.store.store import ANALYZED
from web_latency import (
    WORKSPACE,
    generate,
    postgres_reachable,
    read_tweets,
    recreate_database,
    redacted,
)

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rumeur_write_bench"
GOAL_RATIO = 0.75  # the rate at the end within 25 % of the rate at the start
MARKS = (10_000, 100_000, 1_000_000)  # also printed, where the run reaches them


@dataclass(slots=True)
class Run:
    name: str
    ends: list[int] = field(default_factory=list)  # posts written after each batch
    times: list[float] = field(default_factory=list)  # seconds since the start, aligned
    # CPU seconds of this process since the start, aligned: on a machine shared with other
    # work the wall clock measures the others too; SQLite's work runs in this process, so
    # its CPU rate shows what the store's growth costs whatever the load (PostgreSQL's
    # server is another process: there it counts the client's share only).
    cpu: list[float] = field(default_factory=list)
    # ... and this process's CPU plus that of the PostgreSQL server's processes serving it,
    # where the server runs on this machine (read from /proc): a write's whole cost.
    both: list[float] = field(default_factory=list)
    load: float = 0.0  # the highest 1-minute load average read after a batch
    server_counted: bool = False  # whether `both` holds the PostgreSQL server's CPU

    def rate(self, upto: int, window: int, clock: str = "times") -> float:
        """Posts per second (of `clock`) over the last `window` posts written before `upto`."""
        seconds_at = getattr(self, clock)
        end = bisect_right(self.ends, upto) - 1
        start = bisect_right(self.ends, self.ends[end] - window) - 1
        posts = self.ends[end] - (self.ends[start] if start >= 0 else 0)
        seconds = seconds_at[end] - (seconds_at[start] if start >= 0 else 0.0)
        return posts / seconds


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time the writer as the store grows.")
    parser.add_argument("--posts", type=int, default=1_000_000, help="posts written in all")
    parser.add_argument("--window", type=int, default=10_000, help="posts each rate covers")
    parser.add_argument("--batch", type=int, default=1000, help="posts per write (the runner's)")
    parser.add_argument("--postgres", default=PG_URL, help="URL of a database to recreate")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    args = parser.parse_args(argv)
    if min(args.posts, args.window, args.batch) < 1 or args.posts < args.window:
        parser.error("--posts, --window and --batch must be positive, --posts >= --window")
    return args


class ServerClock:
    """CPU seconds used by the PostgreSQL processes serving this database since the clock was
    made, None where they cannot be read (another machine's server, or SQLite, which runs in
    this process). Each backend's last reading is kept: a connection the pool closes (its
    process gone from /proc) keeps what it had used, and one opened later counts from its
    start (only this benchmark connects to its database)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.seen: dict[int, float] = {}
        self.start = self._total() if store.dialect == "postgresql" else None

    def _total(self) -> float | None:
        with self.store.engine.connect() as conn:
            pids = conn.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            ).scalars()
            try:
                self.seen.update({pid: _cpu_of(pid) for pid in pids})
            except OSError:
                return None
        return sum(self.seen.values())

    def used(self) -> float | None:
        """Seconds since the start, None where the server's CPU cannot be read."""
        if self.start is None:
            return None
        total = self._total()
        return None if total is None else total - self.start


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def fill(store: Store, name: str, tweets: list[dict[str, str]], args: argparse.Namespace) -> Run:
    run = Run(name)
    started, cpu_started = time.perf_counter(), time.process_time()
    server = ServerClock(store)
    run.load = os.getloadavg()[0]
    batch = []
    for n, post in enumerate(generate(tweets, args.posts), 1):
        batch.append(post)
        if len(batch) == args.batch or n == args.posts:
            store.write(WORKSPACE, batch)
            batch = []
            run.ends.append(n)
            run.times.append(time.perf_counter() - started)
            run.cpu.append(time.process_time() - cpu_started)
            run.both.append(run.cpu[-1] + (server.used() or 0.0))
            run.load = max(run.load, os.getloadavg()[0])
            if n % 50_000 < args.batch or n == args.window:
                rate, cpu = run.rate(n, args.window), run.rate(n, args.window, "both")
                line = f"  {name}: {n:,} posts, {rate:,.0f}/s now ({cpu:,.0f} per CPU second)"
                print(f"{line}, load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    run.server_counted = server.start is not None
    return run


def sqlite_run(tweets: list[dict[str, str]], args: argparse.Namespace) -> Run:
    with tempfile.TemporaryDirectory(prefix="rumeur-write-") as tmp:
        store = Store.open(str(Path(tmp) / "write.db"))
        try:
            return fill(store, "SQLite", tweets, args)
        finally:
            store.close()


def postgres_run(tweets: list[dict[str, str]], args: argparse.Namespace) -> Run:
    recreate_database(args.postgres)
    store = Store.open(args.postgres)
    try:
        with store.engine.connect() as conn:
            version = conn.exec_driver_sql("SHOW server_version").scalar_one()
        print(f"{'postgres:':<8} {version} ({redacted(args.postgres)})")
        with store.engine.begin() as conn:
            for table in ANALYZED:  # the worst case: only the writer refreshes statistics
                conn.exec_driver_sql(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
        return fill(store, "PostgreSQL", tweets, args)
    finally:
        store.close()


def report(runs: list[Run], args: argparse.Namespace) -> None:
    marks = [m for m in MARKS if args.window <= m < args.posts] + [args.posts]
    head = "".join(f"{f'/s at {m:,}':>18}" for m in marks)
    print(f"\n{'store':<12}{head}{'ratio':>8}  goal (>= {GOAL_RATIO:.2f})")
    for run in runs:
        rates = [run.rate(m, args.window) for m in marks]
        ratio = rates[-1] / rates[0]
        verdict = "met" if ratio >= GOAL_RATIO else "missed"
        cells = "".join(f"{r:>18,.0f}" for r in rates)
        print(f"{run.name:<12}{cells}{ratio:>8.2f}  {verdict} ({run.times[-1]:,.0f} s in all)")
    print(f"(posts/s over the last {args.window:,} posts written before each mark, batches of")
    print(f" {args.batch:,}; ratio: the rate at {args.posts:,} over the rate at {marks[0]:,})")
    print(f"\n{'per CPU second':<16}{head}{'ratio':>8}")
    for run in runs:
        rates = [run.rate(m, args.window, "cpu") for m in marks]
        cells = "".join(f"{r:>18,.0f}" for r in rates)
        print(f"{run.name:<16}{cells}{rates[-1] / rates[0]:>8.2f}")
    print("(the same windows per CPU second of this process: what the growth costs whatever")
    print(" else the machine runs; PostgreSQL's server works in another process, not counted)")
    print(f"\n{'per CPU s, all':<16}{head}{'ratio':>8}  goal (>= {GOAL_RATIO:.2f})")
    for run in runs:
        rates = [run.rate(m, args.window, "both") for m in marks]
        ratio = rates[-1] / rates[0]
        verdict = "met" if ratio >= GOAL_RATIO else "missed"
        cells = "".join(f"{r:>18,.0f}" for r in rates)
        print(f"{run.name:<16}{cells}{ratio:>8.2f}  {verdict} (load up to {run.load:.1f})")
    print("(per CPU second of this process and of the PostgreSQL processes serving it, where")
    print(" the server runs on this machine: SQLite's figures are those of the line above;")
    print(f" where the load passed this machine's {os.cpu_count() or 1} cores, other work shared")
    print(" them and the wall clock measured it too: judge by this line)")
    for run in runs:
        if run.name == "PostgreSQL" and not run.server_counted:
            print(" PostgreSQL's server CPU could not be read (another machine): client only")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for key, value in machine().items():
        print(f"{key + ':':<8} {value}")
    print(f"{'load:':<8} {os.getloadavg()[0]:.1f} (1-minute average at the start)")
    tweets = read_tweets(find_data())
    runs = [] if args.no_sqlite else [sqlite_run(tweets, args)]
    if not args.no_postgres:
        why = postgres_reachable(args.postgres)
        if why is None:
            runs.append(postgres_run(tweets, args))
        else:
            print(f"\nPostgreSQL: {redacted(args.postgres)} unreachable ({why}): skipped")
    report(runs, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
