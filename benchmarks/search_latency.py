"""Archive search latency: `search(..., limit=50)` on a SQLite store of a million posts, for a
few typical queries, against a `LIKE '%word%'` scan of the same store in the same run.

The store is derived from the airline tweets (texts recombined, dates spread over a year,
several platforms, languages and authors), written by the store's own writer in big batches,
and cached under the cache folder, keyed by `VERSION` and the size: the first run builds it
(minutes), later runs reuse it. `--posts 2000` makes a small one (the tests' smoke run).

Run it with `make bench` (or `.venv/bin/python benchmarks/search_latency.py`). It reports, it
does not judge: the exit status is 0 whether the goal is met or not."""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_throughput import find_data, machine
from rumeur.model import Author, Label, Metrics, Post
from rumeur.query.parser import parse
from rumeur.store import Store
from rumeur.store.search import search

VERSION = "1"  # bump when the generated store or the schema changes
WORKSPACE = "bench"
BATCH = 10_000
LIMIT = 50
GOAL_P95_MS = 200.0
QUERIES = [
    "united",
    "(united OR delta OR jetblue OR southwest) AND lang:en",
    '"customer service"',
    "flight NEAR/3 delayed",
    "#fail",
    "(united OR american) NOT cancelled AND followers:>1000",
    '"lost luggage"',  # rarer: the newest posts do not hold 50, the index drives
]
BASELINE_WORD = "united"
PLATFORMS = ("x", "x", "x", "bluesky", "mastodon", "reddit")
LANGUAGES = ("en", "en", "en", "fr", "es")
SITES = ("https://www.nytimes.com/", "https://edition.cnn.com/", "https://news.bbc.co.uk/")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time archive searches on a large store.")
    parser.add_argument("--posts", type=int, default=1_000_000, help="size of the store")
    parser.add_argument("--runs", type=int, default=30, help="runs of each query")
    parser.add_argument("--cache", type=Path, help="folder of the cached store")
    args = parser.parse_args(argv)
    if args.posts < 1 or args.runs < 1:
        parser.error("--posts and --runs must be at least 1")
    return args


def cache_folder(given: Path | None) -> Path:
    base = given or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "rumeur-bench" if given is None else base
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def read_tweets(source: Path) -> list[dict[str, str]]:
    with source.open(newline="", encoding="utf-8") as f:
        return [row for row in csv.DictReader(f) if row["text"].strip()]


def generate(tweets: list[dict[str, str]], count: int, seed: int = 7) -> Iterator[Post]:
    """`count` posts: each text is the start of one tweet and the end of another, so that
    words recur in new neighbourhoods; a tenth are the tweet as it was."""
    rng = random.Random(seed)
    words = [t["text"].split() for t in tweets]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(count):
        a, b = rng.randrange(len(words)), rng.randrange(len(words))
        if i % 10 == 0:
            text = " ".join(words[a])
        else:
            cut_a, cut_b = len(words[a]) // 2 + 1, len(words[b]) // 2
            text = " ".join(words[a][:cut_a] + words[b][cut_b:])
        author = rng.randrange(50_000)
        sentiment = tweets[a]["airline_sentiment"]
        yield Post(
            platform=PLATFORMS[i % len(PLATFORMS)],
            native_id=str(i),
            text=text,
            created_at=start + timedelta(seconds=rng.randrange(365 * 86_400)),
            author=Author(
                handle=f"user{author}",
                followers=(author * 7919) % 200_000,
                verified=author % 97 == 0,
            ),
            url=SITES[i % len(SITES)] + str(i) if i % 7 == 0 else None,
            language=LANGUAGES[rng.randrange(len(LANGUAGES))],
            metrics=Metrics(likes=rng.randrange(20), reposts=rng.randrange(5)),
            labels=[Label("sentiment", sentiment)] if sentiment else [],
        )


def build(path: Path, source: Path, count: int) -> float:
    """Write the store through the writer; the seconds it took."""
    tmp = path.with_suffix(".building")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    store = Store.open(str(tmp))
    tweets = read_tweets(source)
    started = time.perf_counter()
    batch: list[Post] = []
    for post in generate(tweets, count):
        batch.append(post)
        if len(batch) == BATCH:
            store.write(WORKSPACE, batch)
            batch = []
            print(f"  built {int(post.native_id) + 1:,} posts", file=sys.stderr, end="\r")
    if batch:
        store.write(WORKSPACE, batch)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    seconds = time.perf_counter() - started
    store.close()
    tmp.rename(path)
    return seconds


def timed(call: Callable[[], object], runs: int) -> list[float]:
    call()  # warm the page cache and the statement cache
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        out.append((time.perf_counter() - started) * 1000)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def baseline_sql() -> str:
    return (
        "SELECT p.id FROM posts p NOT INDEXED WHERE EXISTS (SELECT 1 FROM post_brands b WHERE "
        "b.post_id = p.id AND b.workspace = ?) AND p.text LIKE ? "
        "ORDER BY p.created_at DESC LIMIT ?"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    source = find_data()
    path = cache_folder(args.cache) / f"search-v{VERSION}-{args.posts}.db"
    if path.exists():
        print(f"store: {path} (cached)")
    else:
        seconds = build(path, source, args.posts)
        print(f"store: {path} built in {seconds:.1f} s ({args.posts / seconds:,.0f} posts/s)")
    store = Store.open(str(path))
    rows: list[tuple[str, float, float, int]] = []
    with store.engine.connect() as conn:
        for text in QUERIES:
            query = parse(text)
            found = len(search(conn, WORKSPACE, query, limit=LIMIT))
            times = timed(lambda q=query: search(conn, WORKSPACE, q, limit=LIMIT), args.runs)
            rows.append((text, percentile(times, 0.5), percentile(times, 0.95), found))
        raw = conn.connection.driver_connection
        assert raw is not None
        params = (WORKSPACE, f"%{BASELINE_WORD}%", LIMIT)
        base = timed(lambda: raw.execute(baseline_sql(), params).fetchall(), args.runs)
    store.close()
    report(rows, base, args)
    return 0


def report(
    rows: list[tuple[str, float, float, int]], base: list[float], args: argparse.Namespace
) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{'query':<{width}}  {'p50 ms':>8}  {'p95 ms':>8}  {'found':>5}")
    for text, p50, p95, found in rows:
        print(f"{text:<{width}}  {p50:>8.1f}  {p95:>8.1f}  {found:>5}")
    b50, b95 = percentile(base, 0.5), percentile(base, 0.95)
    label = f"baseline: text LIKE '%{BASELINE_WORD}%', full scan"
    print(f"{label:<{width}}  {b50:>8.1f}  {b95:>8.1f}")
    first = rows[0]
    print(
        f"({args.runs} runs each, limit {LIMIT}, {args.posts:,} posts; "
        f"'{first[0]}' vs baseline: p50 {b50 / first[1]:.1f}x, p95 {b95 / first[2]:.1f}x faster)"
    )
    print()
    for key, value in machine().items():
        print(f"{key + ':':<8} {value}")
    worst = max(r[2] for r in rows)
    verdict = "PASS" if worst < GOAL_P95_MS else "MISS"
    print(
        f"\ngoal: p95 under {GOAL_P95_MS:.0f} ms for every query: {verdict} (worst {worst:.1f} ms)"
    )


if __name__ == "__main__":
    sys.exit(main())
