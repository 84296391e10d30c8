"""Jetstream throughput: how many events per second rumeur's Bluesky stream turns into stored,
enriched posts, against a plain parse-and-insert of the same events in the same run.

The events are the recorded production Jetstream lines (`bluesky/jetstream-v1.152-events.jsonl`)
that a `wantedCollections=app.bsky.feed.post` subscription receives (post creations and
deletions, identity and account events), repeated with fresh `time_us` and record keys up to
`--events`, and sent at full speed by a websocket server on 127.0.0.1. rumeur reads them with its
Jetstream source and the pipeline (`run`, with the shipped enrichers) into a fresh SQLite store;
the baseline parses each line with `json` and inserts it with `sqlite3.executemany` into a plain
table. Goal: 2,000 events per second, more than the whole Bluesky network posts.

Run it with `make bench`. It reports, it does not judge: the exit status is 0 either way."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_throughput import machine, print_machine

ROOT = Path(__file__).resolve().parent.parent
RECORDING = "bluesky/jetstream-v1.152-events.jsonl"
POST = "app.bsky.feed.post"
GOAL = 2_000  # events per second, stored and enriched
BATCH = 1_000  # events per stored batch, the runner's default


@dataclass
class Measure:
    name: str
    seconds: float
    events: int
    posts: int

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def find_recording() -> Path:
    folder = Path(os.environ.get("RUMEUR_FIXTURES") or ROOT.parent / "shared" / "fixtures")
    path = folder / RECORDING
    if not path.is_file():
        sys.exit(f"jetstream_throughput: {path} not found: set RUMEUR_FIXTURES to the fixtures")
    return path


def subscribed(path: Path) -> list[dict]:
    """The recorded events a post-only subscription gets: post commits, identity, account."""
    events = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    kept = [e for e in events if e.get("kind") != "commit" or e["commit"]["collection"] == POST]
    return sorted(kept, key=lambda e: e["time_us"])


def replayed(events: list[dict], total: int) -> list[str]:
    """`total` events cycled from `events`, each copy with a later time_us and its own rkey."""
    start = events[0]["time_us"]
    span = events[-1]["time_us"] - start + 1
    lines = []
    for n in range(total):
        lap, index = divmod(n, len(events))
        event = events[index]
        copy = dict(event)
        copy["time_us"] = event["time_us"] + lap * span
        if "commit" in event:
            copy["commit"] = dict(event["commit"], rkey=f"{event['commit']['rkey']}x{lap}")
        lines.append(json.dumps(copy, ensure_ascii=False, separators=(",", ":")))
    return lines


@contextmanager
def websocket(lines: list[str]) -> Iterator[str]:
    """A local Jetstream: every connection gets all `lines` as fast as it reads, then a close."""
    from websockets.sync.server import ServerConnection, serve

    def handle(connection: ServerConnection) -> None:
        for line in lines:
            connection.send(line)
        connection.close()

    server = serve(handle, "127.0.0.1", 0, compression=None, ping_interval=None)
    thread = threading.Thread(target=server.serve_forever, name="jetstream")
    thread.start()
    try:
        host, port = server.socket.getsockname()[:2]
        yield f"ws://{host}:{port}/subscribe"
    finally:
        server.shutdown()
        thread.join()


def rumeur_run(lines: list[str], folder: Path, batch: int) -> Measure:
    from rumeur.config import load_settings
    from rumeur.nlp.registry import enrichers
    from rumeur.pipeline.runner import run
    from rumeur.settings.sources import BlueskySettings
    from rumeur.sources.bluesky.source import JetstreamSource
    from rumeur.sources.context import SourceContext
    from rumeur.store import Store

    settings = load_settings(None)
    workspace = settings.workspace()
    models = enrichers(settings, workspace)
    store = Store.open(str(folder / "rumeur.db"))
    try:
        with websocket(lines) as url:
            config = BlueskySettings(type="bluesky", name="bench", jetstream=url)
            source = JetstreamSource(config, SourceContext(store=store))
            start = time.perf_counter()
            run(source, store, workspace, models, batch)
            seconds = time.perf_counter() - start
        posts = store.count_posts()
    finally:
        store.close()
    return Measure("rumeur (Jetstream source + pipeline, enriched)", seconds, len(lines), posts)


def baseline_run(lines: list[str], folder: Path, batch: int) -> Measure:
    """json.loads and an executemany into a plain table: the least a stream store can do."""
    db = sqlite3.connect(folder / "baseline.db")
    db.execute("CREATE TABLE posts (uri TEXT PRIMARY KEY, did TEXT, time_us INTEGER, text TEXT)")
    start = time.perf_counter()
    rows = []
    for line in lines:
        event = json.loads(line)
        commit = event.get("commit") or {}
        if commit.get("operation") == "create":
            uri = f"at://{event['did']}/{POST}/{commit['rkey']}"
            rows.append((uri, event["did"], event["time_us"], commit["record"].get("text")))
        if len(rows) >= batch:
            db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?)", rows)
            db.commit()
            rows = []
    db.executemany("INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?)", rows)
    db.commit()
    seconds = time.perf_counter() - start
    posts = db.execute("SELECT count(*) FROM posts").fetchone()[0]
    db.close()
    return Measure("baseline (json + sqlite3 executemany)", seconds, len(lines), posts)


def print_results(results: list[Measure], baseline: Measure) -> None:
    width = max(len(r.name) for r in results)
    print(f"{'':<{width}}  {'events':>7}  {'posts':>7}  {'seconds':>8}  {'events/s':>9}  ratio")
    for r in results:
        ratio = baseline.rate / r.rate if r.rate else float("inf")
        print(
            f"{r.name:<{width}}  {r.events:>7,}  {r.posts:>7,}  {r.seconds:>8.2f}  "
            f"{r.rate:>9,.0f}  {ratio:.1f}x"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=BATCH)
    args = parser.parse_args(argv)
    from rumeur.logs import configure

    configure()  # as the command line does: warnings only, not a line per stored batch
    recorded = subscribed(find_recording())
    lines = replayed(recorded, args.events)
    print(
        f"jetstream_throughput: {args.events:,} events cycled from {len(recorded)} recorded "
        f"({sum('commit' in e and e['commit']['operation'] == 'create' for e in recorded)} "
        f"post creations), batches of {args.batch:,}"
    )
    with tempfile.TemporaryDirectory(prefix="rumeur-jetstream-") as tmp:
        folder = Path(tmp)
        baseline = baseline_run(lines, folder, args.batch)
        ours = rumeur_run(lines, folder, args.batch)
    print_results([baseline, ours], baseline)
    met = "met" if ours.rate >= GOAL else "missed"
    print(f"goal: {GOAL:,} events/s stored and enriched: {met} ({ours.rate:,.0f} events/s)")
    print_machine(machine())
    return 0


if __name__ == "__main__":
    sys.exit(main())
