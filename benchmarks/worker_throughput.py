"""Worker throughput: the airline set imported end to end (normalised, enriched, stored) by
`rumeur import --queue` with 1, 2 and 4 `rumeur worker` processes on Redis and PostgreSQL,
against the embedded single process (`rumeur import`) on SQLite and on PostgreSQL in the same
run, so that the cost of the distribution itself is visible (docs/workers.md).

Each queued run has a new PostgreSQL database and its own key prefix in Redis; the workers are
started and answer a ping before the clock starts (their start-up and model loading are not
the import's). What each batch's task said of itself (the time it spent preparing, i.e.
deduplicating, enriching and matching, and storing, and its CPU seconds) and the CPU seconds of
the importer (reading, normalising, sending, waiting) say where the next bottleneck is.

    .venv/bin/python benchmarks/worker_throughput.py [--posts 3000] [--workers 1,2,4]

It reports, it does not judge: the exit status is 1 only when the data set is missing or a
command fails. PostgreSQL or Redis unreachable: the runs that need them are skipped, said so."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from import_throughput import machine

ROOT = Path(__file__).resolve().parent.parent
DATA_FILE = Path("airline-tweets") / "tweets.csv"
PG = os.environ.get("RUMEUR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
REDIS = "redis://127.0.0.1:6379/0"
BATCH = 500  # the most per batch; fewer on a short run, so that every worker has several
READY_S = 300  # for the workers to start and load their models, on a loaded machine


@dataclass
class Run:
    name: str
    posts: int = 0
    seconds: float = 0.0
    importer_cpu: float = 0.0
    tasks: list[dict[str, float]] = field(default_factory=list)
    workers: int = 0
    skipped: str = ""

    @property
    def rate(self) -> float:
        return self.posts / self.seconds if self.seconds else 0.0


def data_file(posts: int | None, folder: Path) -> Path:
    base = Path(os.environ.get("RUMEUR_DATA") or ROOT.parent / "shared" / "data")
    source = base / DATA_FILE
    if not source.is_file():
        sys.exit(f"the airline data set is missing: {source}")
    if posts is None:
        return source
    # Rows may hold line breaks inside quotes: cut on the CSV's records, not its lines.
    out = io.StringIO()
    writer = csv.writer(out)
    with source.open(encoding="utf-8", newline="") as file:
        for i, row in enumerate(csv.reader(file)):
            if i > posts:  # the header, then `posts` rows
                break
            writer.writerow(row)
    cut = folder / "tweets.csv"
    cut.write_text(out.getvalue(), encoding="utf-8")
    return cut


def batch_size(posts: int | None, workers: int) -> int:
    """At least 8 batches per worker of the largest run, at most BATCH posts each."""
    total = posts or 11_694  # the airline set's rows
    return max(50, min(BATCH, total // (8 * workers)))


def reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


def new_pg_database() -> str:
    from sqlalchemy import create_engine, text

    name = f"rumeur_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = f"{PG}/{name}"
    from rumeur.store import Store

    Store.open(url).close()  # migrated before the clock starts
    return url


def drop_pg_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def count_posts(db: str) -> int:
    from rumeur.store import Store

    store = Store.open(db)
    try:
        return store.count_posts()
    finally:
        store.close()


def rumeur(*args: str) -> list[str]:
    return [sys.executable, "-m", "rumeur", *args]


def timed_import(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one command (its CPU from the kernel's accounting)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        argv, capture_output=True, text=True, env={**os.environ, "RUMEUR_LANG": "en"}
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed:\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu


def embedded(name: str, source: Path, db: str, config: Path, batch: int) -> Run:
    argv = rumeur("import", str(source), "--preset", "airline", "--config", str(config),
                  "--db", db, "--batch-size", str(batch))  # fmt: skip
    seconds, cpu = timed_import(argv)
    return Run(name, count_posts(db), seconds, cpu)


def queued(workers: int, source: Path, folder: Path, batch: int) -> Run:
    prefix = f"rumeur-bench-{uuid.uuid4().hex[:10]}:"
    config = folder / f"queued-{workers}.toml"
    config.write_text(
        f'[workers]\nbroker = "{REDIS}"\nprefix = "{prefix}"\n' + WORKSPACE, encoding="utf-8"
    )
    db = new_pg_database()
    env = {**os.environ, "RUMEUR_LANG": "en"}
    command = rumeur("worker", "--queues", "enrich", "--config", str(config), "--db", db)
    procs = [
        subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
        )
        for _ in range(workers)
    ]
    try:
        app = _app(config)
        _wait_ready(app, workers, procs)
        argv = rumeur("import", str(source), "--preset", "airline", "--queue", "--config",
                      str(config), "--db", db, "--batch-size", str(batch))  # fmt: skip
        seconds, cpu = timed_import(argv)
        run = Run(f"queued, {workers} worker{'s' if workers > 1 else ''} (PostgreSQL)",
                  count_posts(db), seconds, cpu, _task_timings(prefix), workers)  # fmt: skip
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.communicate()
        _clear(prefix)
        drop_pg_database(db)
    return run


def _app(config: Path) -> Any:
    """A Celery app of its own for this run's pings: rumeur's app keeps the broker connections
    (and their key prefix) of the first settings it was configured with."""
    from celery import Celery

    from rumeur.config import load_settings
    from rumeur.settings.workers import broker_url

    settings = load_settings(config)
    app = Celery(set_as_current=False)
    options = {"global_keyprefix": settings.workers.prefix}
    app.conf.update(broker_url=broker_url(settings), broker_transport_options=options)
    return app


def _wait_ready(app: object, workers: int, procs: list[subprocess.Popen[str]]) -> None:
    """Until every worker has answered a ping (each answers once it serves its queue; on a
    loaded machine they do not all answer the same ping)."""
    deadline = time.monotonic() + READY_S
    answered: set[str] = set()
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise RuntimeError(f"a worker ended at start: {p.communicate()[1][-2000:]}")
        for reply in app.control.ping(timeout=2.0):  # type: ignore[attr-defined]
            answered.update(reply)
        if len(answered) >= workers:
            return
    raise RuntimeError(f"{len(answered)} of {workers} workers answered within {READY_S} s")


def _task_timings(prefix: str) -> list[dict[str, float]]:
    import redis

    client = redis.Redis.from_url(REDIS)
    timings = []
    for key in client.scan_iter(match=f"{prefix}celery-task-meta-*", count=1000):
        meta = json.loads(client.get(key) or b"{}")
        if meta.get("status") == "SUCCESS" and isinstance(meta.get("result"), dict):
            timings.append(meta["result"])
    client.close()
    return timings


def _clear(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()


WORKSPACE = """
[[workspaces]]
slug = "demo"
name = "Airlines"
[workspaces.brand]
name = "United"
terms = ["united", "unitedairlines"]
handles = ["united"]
"""


def report(runs: list[Run]) -> None:
    base = next((r for r in runs if r.name.startswith("embedded, SQLite") and r.rate), None)
    print(f"\n{'run':<36} {'posts':>7} {'s':>7} {'posts/s':>8} {'vs embedded':>11}")
    for r in runs:
        if r.skipped:
            print(f"{r.name:<36} skipped: {r.skipped}")
            continue
        ratio = f"{r.rate / base.rate:.2f}x" if base else "-"
        print(f"{r.name:<36} {r.posts:>7,} {r.seconds:>7.1f} {r.rate:>8,.0f} {ratio:>11}")
    print("\nwhere the time goes (queued runs; task figures summed over the batches):")
    print(f"{'workers':>7} {'busy':>6} {'prepare s':>9} {'store s':>8} {'task cpu':>8} "
          f"{'importer cpu':>12}")  # fmt: skip
    for r in runs:
        if not r.workers or not r.tasks:
            continue
        busy = sum(t["seconds"] for t in r.tasks) / (r.workers * r.seconds)
        prep = sum(t.get("prepare_s", 0.0) for t in r.tasks)
        store = sum(t.get("store_s", 0.0) for t in r.tasks)
        cpu = sum(t["cpu"] for t in r.tasks)
        print(f"{r.workers:>7} {busy:>6.0%} {prep:>9.1f} {store:>8.1f} {cpu:>8.1f} "
              f"{r.importer_cpu:>12.1f}")  # fmt: skip
    print("\n" + verdict(runs))


def verdict(runs: list[Run]) -> str:
    """The next bottleneck, from the largest queued run."""
    queued_runs = [r for r in runs if r.workers and r.tasks]
    if not queued_runs:
        return "no queued run: no verdict"
    r = max(queued_runs, key=lambda q: q.workers)
    seconds = sum(t["seconds"] for t in r.tasks)
    busy = seconds / (r.workers * r.seconds)
    store = sum(t.get("store_s", 0.0) for t in r.tasks)
    cpu = sum(t["cpu"] for t in r.tasks) + r.importer_cpu
    cores = os.cpu_count() or 1
    share = sum(t["cpu"] for t in r.tasks) / seconds if seconds else 0.0
    lines = [f"with {r.workers} workers: CPU used by the importer and the workers "
             f"{cpu / (cores * r.seconds):.0%} of the {cores} cores' time (PostgreSQL's and "
             f"Redis's own CPU not counted); the workers busy {busy:.0%} of the time; storing "
             f"{store / seconds:.0%} of their task time; a task computed {share:.0%} of its "
             "time (the rest it waited: for a core, the database's lock, the disk)."]  # fmt: skip
    if r.importer_cpu / r.seconds > 0.8:
        lines.append("next bottleneck: the importer (reading and normalising in one process)")
    elif share < 0.5 and store / seconds < 0.5:
        lines.append(
            f"next bottleneck: the CPU: the tasks waited for one of the {cores} cores more than "
            "they computed, so more workers on this machine only queue for them"
        )
    elif busy < 0.6:
        lines.append("next bottleneck: feeding the workers (the importer or the broker)")
    elif cpu / (cores * r.seconds) > 0.7:
        lines.append("next bottleneck: the machine's CPU (enrichment): more cores, not workers")
    elif store / seconds > 0.5:
        lines.append("next bottleneck: the database's writes (one writer at a time)")
    else:
        lines.append("next bottleneck: the CPU of enrichment in the workers")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=None, help="the first N rows only")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, e.g. 1,2,4")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",") if n.strip()]
    print("worker throughput:", json.dumps(machine()))
    print(
        f"load average at start: {os.getloadavg()[0]:.1f} (other work on the machine counts)",
        flush=True,
    )
    pg = reachable("127.0.0.1", 5432)
    broker = reachable("127.0.0.1", 6379)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="rumeur-bench-") as tmp:
        folder = Path(tmp)
        source = data_file(args.posts, folder)
        batch = batch_size(args.posts, max(counts, default=1))
        print(f"batches of {batch} posts", flush=True)
        config = folder / "embedded.toml"
        config.write_text(WORKSPACE, encoding="utf-8")
        runs.append(embedded("embedded, SQLite", source, str(folder / "e.db"), config, batch))
        if pg:
            db = new_pg_database()
            try:
                runs.append(embedded("embedded, PostgreSQL", source, db, config, batch))
            finally:
                drop_pg_database(db)
        else:
            runs.append(Run("embedded, PostgreSQL", skipped="no PostgreSQL on 127.0.0.1:5432"))
        for n in counts:
            if pg and broker:
                try:
                    runs.append(queued(n, source, folder, batch))
                except RuntimeError as exc:
                    runs.append(Run(f"queued, {n} workers", skipped=str(exc)))
            else:
                runs.append(Run(f"queued, {n} workers", skipped="PostgreSQL or Redis missing"))
    report(runs)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
