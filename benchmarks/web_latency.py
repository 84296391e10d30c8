"""Web page latency: the dashboard and the mention stream, rendered whole by the web app, on a
store of a million posts, in SQLite and in PostgreSQL, against `dashboard_by_scan` (the same
figures from a scan of the period's posts) measured in the same run.

The posts are the airline set replayed: copy k of every tweet is shifted by k * 9 days (about
87 copies over two years), with its own id and one of 40 variants of its author, its airline
as the brand, its human labels and an emotion derived from its sentiment. They are written into
the demo workspace ("united") by the store's writer in big batches. The SQLite store is cached
under the cache folder, the PostgreSQL one in the database `rumeur_bench` (a `bench_meta` row
says what it holds); both are keyed by `VERSION`, the size and the schema's HEAD. The
PostgreSQL store is the SQLite one copied by `rumeur migrate-store`'s copy (store/transfer.py:
the same rows, each table through COPY), since the writer takes hours to build a million posts
on a loaded PostgreSQL server; `--pg-by-writer` builds it with the writer instead.

The dashboard is measured as people read it: every chart with its title and subtitle, the
change against the previous period with its rule, the links to the mentions. The stream is
measured with its filters, the `brand:` field and the brand filter among them.

Each case is reported by the wall clock (p50, p95) and in CPU: this process's at p50 (the app
and the test client), and on PostgreSQL the mean of the server's processes for this database,
read from /proc when the server runs here (a parallel query's workers end with it, and their
CPU is not counted). On a shared machine the wall clock counts others' work too; the CPU does
not, and the load average is printed with each table.

Run it with `make bench` (or `.venv/bin/python benchmarks/web_latency.py`). It reports, it does
not judge: the exit status is 0 whether the goal is met or not. `--posts` and `--pg-posts` make
smaller stores where a million posts take too long to write; `--no-sqlite` and `--no-postgres`
measure one database."""

from __future__ import annotations

import argparse
import contextlib
import csv
import html
import os
import re
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from import_throughput import find_data, load_average, machine
from rumeur import entities
from rumeur.analytics.dashboard import Scope, dashboard, dashboard_by_scan, data_span
from rumeur.config import Settings, Workspace, load_settings
from rumeur.model import Author, Label, Metrics, Post
from rumeur.store import Store
from rumeur.store.migrate import HEAD
from rumeur.store.schema import posts
from rumeur.store.transfer import transfer
from rumeur.web.accounts import AccountError, add_user
from rumeur.web.app import create_app
from rumeur.web.filters import local_midnight
from search_latency import cache_folder, percentile

VERSION = "2"  # bump when the generated posts or the tables' layout change
WORKSPACE = "united"  # the demo workspace, so that the demo settings serve it
BATCH = 10_000
COPY_BATCH = 50_000  # rows per COPY when the PostgreSQL store is copied from the SQLite one
SHIFT = timedelta(days=9)  # between two copies of the set (it spans about 7.5 days)
AUTHOR_VARIANTS = 40
PLATFORMS = ("x",) * 8 + ("bluesky", "mastodon")
EMOTIONS = {"positive": ("joy",), "neutral": ("optimism",), "negative": ("anger", "sadness")}
WINDOWS = 10  # different periods across the two years, requests cycle through them
WARMUP = 2
GOAL_P95_MS = 300.0
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/rumeur_bench"
USER, PASSWORD = "bench", "a long password 123"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
MORE = re.compile(r'data-testid="more" href="[^"]*before=([^"&]+)"')
COMMON, RARE, PHRASE = "luggage", "lavatory", '"late flight" OR delayed'
BRAND = "American"  # a competitor: the `brand:` field and the brand filter


@dataclass(slots=True)
class Row:
    name: str
    times: list[float]  # milliseconds, by the wall clock
    cpu: list[float]  # milliseconds of CPU of this process (every thread: the app's too)
    server: list[float]  # milliseconds of CPU of the database's server processes, when known

    @property
    def cpu_p50(self) -> float:
        return percentile(self.cpu, 0.5)

    @property
    def server_mean(self) -> float | None:
        # The mean, not a percentile: /proc counts in ticks of 10 ms, a request's share of
        # which only the mean of many requests tells.
        return sum(self.server) / len(self.server) if self.server else None

    @property
    def p50(self) -> float:
        return percentile(self.times, 0.5)

    @property
    def p95(self) -> float:
        return percentile(self.times, 0.95)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time the dashboard and stream pages.")
    parser.add_argument("--posts", type=int, default=1_000_000, help="size of the store")
    parser.add_argument("--runs", type=int, default=30, help="requests of each page")
    parser.add_argument("--baseline-runs", type=int, default=5, help="runs of the slow scan")
    parser.add_argument("--cache", type=Path, help="folder of the cached SQLite store")
    parser.add_argument("--postgres", default=PG_URL, help="URL of the PostgreSQL database")
    parser.add_argument("--no-postgres", action="store_true", help="measure SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="measure PostgreSQL only")
    parser.add_argument(
        "--pg-posts", type=int, help="size of the PostgreSQL store (default: --posts)"
    )
    parser.add_argument(
        "--pg-by-writer",
        action="store_true",
        help="build the PostgreSQL store with the writer, not as a copy of the SQLite store",
    )
    args = parser.parse_args(argv)
    args.pg_posts = args.pg_posts or args.posts
    if min(args.posts, args.pg_posts, args.runs, args.baseline_runs) < 1:
        parser.error("--posts, --pg-posts, --runs and --baseline-runs must be at least 1")
    return args


# ---------------------------------------------------------------------------------------------
# The posts


def read_tweets(source: Path) -> list[dict[str, str]]:
    """The tweets with a text, each id once (the set repeats a few)."""
    with source.open(newline="", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row["text"].strip()]
    return list({row["tweet_id"]: row for row in rows}.values())


def generate(tweets: list[dict[str, str]], count: int) -> Iterator[Post]:
    for i in range(count):
        copy, index = divmod(i, len(tweets))
        yield replayed(tweets[index], copy, i)


def replayed(tweet: dict[str, str], copy: int, i: int) -> Post:
    name, body = tweet["name"], tweet["text"]
    return Post(
        platform=PLATFORMS[i % len(PLATFORMS)],
        native_id=f"{tweet['tweet_id']}-{copy}",
        text=body,
        created_at=datetime.fromisoformat(tweet["tweet_created"]) + copy * SHIFT,
        author=Author(
            handle=f"{name}-{copy % AUTHOR_VARIANTS}",
            display_name=name,
            followers=zlib.crc32(name.encode()) % 100_000,
        ),
        language="en",
        metrics=Metrics(likes=(i * 7) % 6, reposts=int(tweet["retweet_count"] or 0)),
        mentions=entities.mentions(body),
        hashtags=entities.hashtags(body),
        links=entities.links(body),
        brands=[tweet["airline"]],
        labels=labels(tweet, i),
    )


def labels(tweet: dict[str, str], i: int) -> list[Label]:
    sentiment, reason = tweet["airline_sentiment"], tweet["negativereason"]
    found = [Label("sentiment", sentiment, origin="annotators")]
    if reason:
        found.append(Label("reason", reason, origin="annotators"))
    emotions = EMOTIONS[sentiment]
    found.append(Label("emotion", emotions[i % len(emotions)], origin="annotators"))
    return found


def fill(store: Store, tweets: list[dict[str, str]], count: int) -> float:
    """Write `count` posts in batches; the seconds it took."""
    started = time.perf_counter()
    batch: list[Post] = []
    for n, post in enumerate(generate(tweets, count), 1):
        batch.append(post)
        if len(batch) == BATCH or n == count:
            store.write(WORKSPACE, batch)
            batch = []
            rate = n / (time.perf_counter() - started)
            print(f"  wrote {n:,} posts ({rate:,.0f}/s)", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return time.perf_counter() - started


def build_key(count: int) -> str:
    return f"v{VERSION}-head{HEAD}-{count}"


# ---------------------------------------------------------------------------------------------
# The two databases


def sqlite_store(args: argparse.Namespace, tweets: list[dict[str, str]]) -> tuple[Store, str]:
    path = cache_folder(args.cache) / f"web-{build_key(args.posts)}.db"
    if path.exists():
        return Store.open(str(path)), f"{path} (cached)"
    tmp = path.with_suffix(".building")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    store = Store.open(str(tmp))
    seconds = fill(store, tweets, args.posts)
    store.close()
    tmp.rename(path)
    return Store.open(str(path)), f"{path} built in {seconds:.1f} s"


def postgres_store(args: argparse.Namespace, tweets: list[dict[str, str]]) -> tuple[Store, str]:
    key = build_key(args.pg_posts)
    if stored_key(args.postgres) == key:
        return Store.open(args.postgres), f"{redacted(args.postgres)} (cached)"
    recreate_database(args.postgres)
    store = Store.open(args.postgres)
    if args.pg_by_writer or args.pg_posts != args.posts:
        seconds = fill(store, tweets, args.pg_posts)
    else:
        seconds = copied(args, tweets, store)
    # What autovacuum does to a live database in its own time: statistics for the planner and
    # the visibility map for index-only scans; a benchmark run right after a bulk load lacks both.
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE bench_meta (key text PRIMARY KEY, value text)")
        conn.execute(text("INSERT INTO bench_meta VALUES ('build', :v)"), {"v": key})
    return store, f"{redacted(args.postgres)} built in {seconds:.1f} s"


def copied(args: argparse.Namespace, tweets: list[dict[str, str]], target: Store) -> float:
    """Copy the SQLite store of the same size (built first if it is not cached) into `target`;
    the seconds the copy took. Its counts must agree table by table."""
    source, where = sqlite_store(args, tweets)
    print(f"  copying {where} into PostgreSQL", file=sys.stderr)
    started = time.perf_counter()
    try:
        counts = transfer(source, target, batch_size=COPY_BATCH)
    finally:
        source.close()
    wrong = [c.table for c in counts if not c.equal]
    assert not wrong, f"the copy's counts differ in {', '.join(wrong)}"
    return time.perf_counter() - started


def redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def stored_key(url: str) -> str | None:
    """What the benchmark database holds, None when it is missing or was never finished."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.exec_driver_sql("SELECT to_regclass('bench_meta')").scalar() is None:
                return None
            return conn.exec_driver_sql("SELECT value FROM bench_meta").scalar()
    except OperationalError as exc:
        if "does not exist" in str(exc.orig):
            return None
        raise
    finally:
        engine.dispose()


def recreate_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    finally:
        admin.dispose()


def postgres_reachable(url: str) -> str | None:
    """None when the server answers, else why not."""
    admin = create_engine(make_url(url).set(database="postgres"))
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        admin.dispose()
    return None


# ---------------------------------------------------------------------------------------------
# Measuring


def signed_in(settings: Settings, store: Store) -> TestClient:
    with contextlib.suppress(AccountError):  # a cached store has the account already
        add_user(store, USER, "analyst", PASSWORD)
    client = TestClient(create_app(settings, store), follow_redirects=False)
    form = client.get("/signin")
    found = CSRF.search(form.text)
    assert found, "no CSRF field on the sign-in page"
    data = {"name": USER, "password": PASSWORD, "csrf": found.group(1), "next": "/"}
    answer = client.post("/signin", data=data)
    assert answer.status_code == 303, answer.text[:300]
    return client


def windows(first: date, last: date, days: int) -> list[tuple[date, date]]:
    """`WINDOWS` periods of `days` days spread from `first` to `last` (all within)."""
    room = max((last - first).days - days + 1, 0)
    starts = sorted(
        {first + timedelta(days=room * i // max(WINDOWS - 1, 1)) for i in range(WINDOWS)}
    )
    return [(s, s + timedelta(days=days - 1)) for s in starts]


def timed(
    name: str,
    calls: list[Callable[[], object]],
    runs: int,
    warmup: int = WARMUP,
    server: Callable[[], float | None] = lambda: None,
) -> Row:
    """Milliseconds of `runs` calls, taken in turn from `calls`, after `warmup` untimed ones, by
    the wall clock and in CPU (this process's, and the database server's that `server` reads):
    on a shared machine the wall clock also counts others' work."""
    for i in range(warmup):
        calls[i % len(calls)]()
    row = Row(name, [], [], [])
    for i in range(runs):
        served = server()
        started, cpu = time.perf_counter(), time.process_time()
        calls[i % len(calls)]()
        row.times.append((time.perf_counter() - started) * 1000)
        row.cpu.append((time.process_time() - cpu) * 1000)
        after = server()
        if served is not None and after is not None:
            row.server.append(after - served)
    return row


class ServerClock:
    """The CPU milliseconds that PostgreSQL's processes serving this benchmark's database have
    used, read from /proc: where the server runs on this machine and its processes can be
    read (None elsewhere, and on SQLite, whose work is this process's). It asks on a
    connection of its own, which it leaves out."""

    def __init__(self, store: Store) -> None:
        self.engine = create_engine(store.engine.url) if store.dialect == "postgresql" else None
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    def __call__(self) -> float | None:
        if self.engine is None:
            return None
        with self.engine.connect() as conn:
            pids = conn.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            ).scalars()
            try:
                return sum(self._cpu(pid) for pid in pids)
            except PermissionError:  # another user's processes
                return None

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()

    def _cpu(self, pid: int) -> float:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a parallel worker gone, or a server on another machine
            return 0.0
        return (int(fields[11]) + int(fields[12])) * 1000 / self.tick


def page(client: TestClient, path: str, params: dict[str, str]) -> Callable[[], str]:
    url = f"{path}?{urlencode(params)}" if params else path

    def get() -> str:
        answer = client.get(url)
        assert answer.status_code == 200, f"{url}: {answer.status_code}"
        return answer.text

    return get


def next_page(client: TestClient, stream: str, params: dict[str, str]) -> Callable[[], str]:
    found = MORE.search(page(client, stream, params)())
    assert found, f"no next page for {params}"
    return page(client, stream, {**params, "before": unquote(html.unescape(found.group(1)))})


def scopes(ws: Workspace, periods: list[tuple[date, date]]) -> list[Scope]:
    return [
        Scope(ws.slug, local_midnight(a, ws.zone), local_midnight(b + timedelta(days=1), ws.zone),
              ws.zone)
        for a, b in periods
    ]  # fmt: skip


def reader(store: Store, ws: Workspace, scope: Scope, scan: bool) -> Callable[[], object]:
    read = dashboard_by_scan if scan else dashboard
    competitors = [c.name for c in ws.competitors]

    def call() -> object:
        with store.engine.connect() as conn:
            return read(conn, scope, ws.brand.name, competitors, 10)

    return call


def measure(store: Store, settings: Settings, args: argparse.Namespace) -> list[Row]:
    ws = settings.workspace()
    with store.engine.connect() as conn:
        span = data_span(conn, ws.slug)
    assert span is not None, "the store holds no posts"
    first, last = (moment.astimezone(ws.zone).date() for moment in span)
    month, week = windows(first, last, 30), windows(first, last, 7)
    client = signed_in(settings, store)
    board, stream = f"/w/{ws.slug}/dashboard", f"/w/{ws.slug}/stream"

    def pages(periods: list[tuple[date, date]]) -> list[Callable[[], object]]:
        return [page(client, board, {"since": str(a), "until": str(b)}) for a, b in periods]

    cases: list[tuple[str, list[Callable[[], object]]]] = [
        ("dashboard page, 30 days", pages(month)),
        ("dashboard page, 7 days", pages(week)),
        (
            "dashboard() reader only, 30 days",
            [reader(store, ws, s, False) for s in scopes(ws, month)],
        ),
        ("stream page, newest", [page(client, stream, {})]),
        (f"stream page, q={COMMON}", [page(client, stream, {"q": COMMON})]),
        (f"stream page, q={PHRASE}", [page(client, stream, {"q": PHRASE})]),
        (f"stream page, q={RARE} (rare)", [page(client, stream, {"q": RARE})]),
        ("stream page, sentiment=negative", [page(client, stream, {"sentiment": "negative"})]),
        (f"stream page, q=brand:{BRAND}", [page(client, stream, {"q": f"brand:{BRAND}"})]),
        (
            f"stream page, brand={BRAND}, q={COMMON}",
            [page(client, stream, {"brand": BRAND, "q": COMMON})],
        ),
        (
            f"stream page, q={COMMON}, by engagement",
            [page(client, stream, {"q": COMMON, "sort": "engagement"})],
        ),
        (f"stream next page, q={COMMON}", [next_page(client, stream, {"q": COMMON})]),
    ]
    clock = ServerClock(store)
    rows = [timed(name, calls, args.runs, server=clock) for name, calls in cases]
    scans = [reader(store, ws, s, True) for s in scopes(ws, month)]
    baseline = "baseline: dashboard_by_scan, 30 days"
    rows.append(timed(baseline, scans, args.baseline_runs, 1, server=clock))
    client.close()
    clock.close()
    return rows


def count_posts(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(posts)).scalar_one())


# ---------------------------------------------------------------------------------------------
# Reporting


def report(title: str, where: str, total: int, rows: list[Row]) -> None:
    base = rows[-1]
    width = max(len(r.name) for r in rows)
    print(f"\n{title}: {where}, {total:,} posts")
    served = any(r.server for r in rows)
    head = f"{'p50 ms':>8}  {'p95 ms':>8}  {'cpu p50 ms':>10}"
    head += f"  {'server cpu mean':>15}" if served else ""
    print(f"{'case':<{width}}  {head}  {'runs':>4}  {'vs baseline':>11}")
    for r in rows:
        ratio = f"{base.p50 / r.p50:,.1f}x" if r.p50 else "-"
        figures = f"{r.p50:>8.1f}  {r.p95:>8.1f}  {r.cpu_p50:>10.1f}"
        if served:
            shown = r.server_mean
            figures += f"  {shown:>15.1f}" if shown is not None else f"  {'-':>15}"
        print(f"{r.name:<{width}}  {figures}  {len(r.times):>4}  {ratio:>11}")
    print("(vs baseline: the baseline's p50 over the case's p50; higher is faster;")
    print(" cpu: this process's CPU time per request, the app's thread included", end="")
    print("; server cpu: PostgreSQL's for this database, the mean)" if served else ")")
    print(f"load:    {load_average()}")
    p95 = rows[0].p95
    verdict = "met" if p95 < GOAL_P95_MS else "missed"
    print(f"goal: dashboard 30-day p95 < {GOAL_P95_MS:.0f} ms: {verdict} ({p95:.1f} ms)")


def run_database(
    title: str,
    opener: Callable[[argparse.Namespace, list[dict[str, str]]], tuple[Store, str]],
    args: argparse.Namespace,
    tweets: list[dict[str, str]],
) -> None:
    print(f"{title}: preparing the store", file=sys.stderr)
    store, where = opener(args, tweets)
    try:
        rows = measure(store, load_settings(), args)
        report(title, where, count_posts(store), rows)
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for key, value in machine().items():
        print(f"{key + ':':<8} {value}")
    tweets = read_tweets(find_data())
    if not args.no_sqlite:
        run_database("SQLite", sqlite_store, args, tweets)
    if args.no_postgres:
        return 0
    why = postgres_reachable(args.postgres)
    if why is not None:
        print(f"\nPostgreSQL: {redacted(args.postgres)} unreachable ({why}): skipped")
        return 0
    run_database("PostgreSQL", postgres_store, args, tweets)
    return 0


if __name__ == "__main__":
    sys.exit(main())
