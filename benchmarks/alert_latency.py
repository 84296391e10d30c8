"""Alert latency in the embedded mode: from the moment a batch of posts that tips the volume
detector enters the pipeline to the moment a local webhook receiver has the notification.

The quiet history is the airline set's first `--days` days (calm days: docs/alerts.md), stored
in a SQLite file as the replay stores them (`Store.write`, no models: the set carries its own
sentiment). Each run takes a fresh copy of that file (so the alert is new), then, timed:
`Store.write` of a burst of United posts in the next hour, the detectors at that hour's end
(`run_detectors`), and `Dispatcher.run` (enqueue the delivery rows, send them), the path the
replay takes after each hour. The clock stops when the receiver (a threaded http.server on
127.0.0.1) has read the POST of the United volume alert.

The named baseline is the detection delay of a tool that compares hourly batch windows: a post
waits for its window to close, up to 3,600 s (1,800 s on average). The detectors and the
dispatch alone are also shown, the part of the latency the alerting adds to the write.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import structlog

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_throughput import find_data, machine
from rumeur.alerts.dispatch import Dispatcher
from rumeur.alerts.engine import run_detectors
from rumeur.commands.importing import file_source
from rumeur.config import NotifySettings, Workspace, load_settings
from rumeur.model import Post
from rumeur.pipeline.replay import _hour, _read
from rumeur.settings.notify import WebhookTarget
from rumeur.store import Store

HOUR = timedelta(hours=1)
BURST = 150  # United posts in one hour: its calm hours have about 15
GOAL_S = 5.0
HOURLY_WINDOW_S = 3600.0


class Receiver:
    """Records when the first POST of the United volume alert arrived (time.perf_counter)."""

    def __init__(self) -> None:
        self.got: dict[str, float] = {}
        self.event = threading.Event()
        self.lock = threading.Lock()

    def seen(self, body: bytes) -> None:
        import json

        data = json.loads(body)
        key = f"{data['kind']}:{data['subject']}"
        with self.lock:
            self.got.setdefault(key, time.perf_counter())
        if key == "volume_spike:United":
            self.event.set()


@contextmanager
def receiving(receiver: Receiver) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.seen(body)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def quiet_history(path: Path, ws: Workspace, days: int, folder: Path) -> tuple[Path, datetime]:
    """The first `days` days of the set in a SQLite file; the hour after them."""
    posts, _rejects = _read(file_source(ws, path, "airline"))
    end = _hour(posts[0].created_at) + timedelta(days=days)
    calm = [p for p in posts if p.created_at < end]
    db = folder / "quiet.db"
    store = Store.open(str(db))
    for i in range(0, len(calm), 500):
        store.write(ws.slug, calm[i : i + 500])
    store.close()
    print(f"quiet history: {len(calm):,} posts, {days} days from {posts[0].created_at:%Y-%m-%d}")
    return db, end


def burst(hour: datetime, run: int) -> list[Post]:
    from rumeur.model import Author

    return [
        Post(
            platform="x",
            native_id=f"burst-{run}-{i}",
            created_at=hour + timedelta(seconds=i * 20),
            text=f"@united flight cancelled again, stuck at the gate #{i}",
            author=Author(handle=f"traveller{i}"),
            brands=["United"],
        )
        for i in range(BURST)
    ]


def one_run(base: Path, folder: Path, ws: Workspace, hour: datetime, run: int) -> dict[str, float]:
    db = folder / f"run-{run}.db"
    shutil.copyfile(base, db)
    store = Store.open(str(db))
    receiver = Receiver()
    try:
        with receiving(receiver) as url:
            target = WebhookTarget(name="bench", kind="webhook", url=url)
            live = ws.model_copy(update={"notify": NotifySettings(targets=[target])})
            posts = burst(hour, run)
            dispatcher = Dispatcher(store, live)
            start = time.perf_counter()
            store.write(live.slug, posts)
            written = time.perf_counter()
            run_detectors(store, live, hour + HOUR)
            detected = time.perf_counter()
            dispatcher.run(hour + HOUR)
            dispatched = time.perf_counter()
            if not receiver.event.wait(10):
                raise SystemExit(f"alert_latency: run {run}: no United volume alert received")
            got = receiver.got["volume_spike:United"]
    finally:
        store.close()
        db.unlink(missing_ok=True)
    return {
        "total": got - start,
        "write": written - start,
        "detect": detected - written,
        "dispatch": dispatched - detected,
        "alerting": dispatched - written,
    }


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def report(results: list[dict[str, float]]) -> None:
    rows = [
        ("post in -> notification received", "total"),
        ("  store write", "write"),
        ("  detectors", "detect"),
        ("  dispatch (enqueue + send)", "dispatch"),
        ("baseline: detectors + dispatch alone", "alerting"),
    ]
    print(f"\n{'':<38}{'p50 ms':>10}{'p95 ms':>10}")
    for name, key in rows:
        values = [r[key] * 1000 for r in results]
        print(f"{name:<38}{pct(values, 50):>10,.1f}{pct(values, 95):>10,.1f}")
    total = [r["total"] for r in results]
    p50, p95 = pct(total, 50), pct(total, 95)
    print(
        f"baseline: hourly batch window: up to {HOURLY_WINDOW_S:,.0f} s, "
        f"{HOURLY_WINDOW_S / 2:,.0f} s on average: {HOURLY_WINDOW_S / 2 / p50:,.0f}x the p50 here"
    )
    alerting = pct([r["alerting"] for r in results], 50)
    print(f"detectors + dispatch are {alerting / statistics.median(total):.0%} of the p50 latency")
    print(f"({len(results)} runs, each on a fresh copy of the quiet history: a new alert)")
    print(f"goal: p95 < {GOAL_S:.0f} s: {'met' if p95 < GOAL_S else 'missed'} ({p95:.2f} s)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--days", type=int, default=3, help="days of quiet history")
    parser.add_argument("--data", type=Path, default=None, help="the airline set's tweets.csv")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for key, value in machine().items():
        print(f"{key + ':':<8} {value}")
    ws = load_settings().workspace()
    with tempfile.TemporaryDirectory(prefix="rumeur-alert-latency-") as tmp:
        folder = Path(tmp)
        base, hour = quiet_history(args.data or find_data(), ws, args.days, folder)
        print("mode: embedded (SQLite file, in-process pipeline, webhook on 127.0.0.1)")
        results = [one_run(base, folder, ws, hour, run) for run in range(args.runs)]
    report(results)
    return 0


if __name__ == "__main__":
    # One line per alert delivered would bury the figures.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    sys.exit(main())
