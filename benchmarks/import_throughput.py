"""Import throughput: whole `rumeur import` commands against a plain `sqlite-utils insert` of
the same airline CSV, each timed as a subprocess in a fresh folder with a new database.

Run it with `make bench` (or `.venv/bin/python benchmarks/import_throughput.py`). It reports,
it does not judge: the exit status is 0 whether the goal is met or not, and 1 only when the
data set is missing or a command fails."""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_FILE = Path("airline-tweets") / "tweets.csv"
BIN = Path(sys.executable).parent
GOAL_RATIO = 2.00
GOAL_CASE = "rumeur import --no-enrich"
STDERR_TAIL = 2000  # characters of a failed command's stderr to show


@dataclass(frozen=True)
class Case:
    name: str
    argv: Callable[[Path, Path], list[str]]  # (source, db) -> command line
    count_sql: str  # what it stored, for the rows-per-second column


@dataclass
class Result:
    name: str
    seconds: list[float]
    rows: int
    median_s: float = 0.0
    rows_per_s: float = 0.0
    ratio: float = 0.0
    command: list[str] = field(default_factory=list)


class CommandFailed(Exception):
    pass


def baseline_cmd(source: Path, db: Path) -> list[str]:
    return [str(BIN / "sqlite-utils"), "insert", str(db), "tweets", str(source), "--csv"]


def rumeur_cmd(source: Path, db: Path) -> list[str]:
    return [str(BIN / "rumeur"), "import", str(source), "--preset", "airline", "--db", str(db)]


def rumeur_no_enrich_cmd(source: Path, db: Path) -> list[str]:
    return [*rumeur_cmd(source, db), "--no-enrich"]


CASES = [
    Case("sqlite-utils insert (baseline)", baseline_cmd, "SELECT count(*) FROM tweets"),
    Case(GOAL_CASE, rumeur_no_enrich_cmd, "SELECT count(*) FROM posts"),
    Case("rumeur import (enrich)", rumeur_cmd, "SELECT count(*) FROM posts"),
]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time whole imports of the airline CSV.")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each command (median)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def find_data() -> Path:
    folder = Path(os.environ.get("RUMEUR_DATA") or ROOT.parent / "shared" / "data")
    path = folder / DATA_FILE
    if not path.is_file():
        sys.exit(f"import_throughput: {path} not found: set RUMEUR_DATA to the data folder")
    return path


def child_env() -> dict[str, str]:
    """The caller's environment without rumeur's own settings: the built-in demo workspace."""
    return {k: v for k, v in os.environ.items() if k not in ("RUMEUR_CONFIG", "RUMEUR_DB")}


def run_once(case: Case, source: Path) -> tuple[float, int, list[str]]:
    with tempfile.TemporaryDirectory(prefix="rumeur-bench-") as tmp:
        db = Path(tmp) / "bench.db"
        argv = case.argv(source, db)
        start = time.perf_counter()
        try:
            done = subprocess.run(argv, cwd=tmp, env=child_env(), capture_output=True, text=True)
        except OSError as exc:
            raise CommandFailed(f"{' '.join(argv)}\ncould not start: {exc}") from None
        seconds = time.perf_counter() - start
        if done.returncode != 0:
            tail = done.stderr[-STDERR_TAIL:].rstrip()
            raise CommandFailed(f"{' '.join(argv)}\nexited with {done.returncode}:\n{tail}")
        return seconds, count_rows(db, case.count_sql), argv


def count_rows(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        (n,) = conn.execute(sql).fetchone()
    conn.close()
    return int(n)


def measure(cases: list[Case], source: Path, repeat: int) -> list[Result]:
    """Every case once per round, round after round: on a shared machine whose load comes and
    goes, each case meets the same load (all the baseline's runs first, then all of rumeur's,
    compared the baseline at one load with rumeur at another)."""
    runs: dict[str, list[tuple[float, int, list[str]]]] = {case.name: [] for case in cases}
    for i in range(repeat):
        for case in cases:
            secs, rows, argv = run_once(case, source)
            runs[case.name].append((secs, rows, argv))
            print(f"  {case.name}: run {i + 1}/{repeat}: {secs:.2f} s", file=sys.stderr)
    results = []
    for case in cases:
        seconds = [secs for secs, _, _ in runs[case.name]]
        _, rows, argv = runs[case.name][-1]
        median = statistics.median(seconds)
        results.append(Result(case.name, seconds, rows, median, rows / median, command=argv))
    return results


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return "unknown"
    return f"{pages / 2**30:.1f} GiB"


def machine() -> dict[str, str]:
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count() or "unknown"),
        "memory": memory_total(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "os": platform.platform(),
        "load": load_average(),
    }


def load_average() -> str:
    """The machine's load when the runs end: on a shared machine, what the figures met."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"


def print_table(results: list[Result], rows_total: int, repeat: int) -> None:
    width = max(len(r.name) for r in results)
    print(f"\n{'name':<{width}}  {'median s':>9}  {'rows/s':>9}  {'rows':>7}  {'vs base':>7}")
    for r in results:
        print(
            f"{r.name:<{width}}  {r.median_s:>9.2f}  {r.rows_per_s:>9,.0f}  "
            f"{r.rows:>7,}  {r.ratio:>6.2f}x"
        )
    print(f"({repeat} runs each; rows/s: stored posts, or table rows for the baseline;")
    print(f" file: {rows_total:,} data rows)")


def print_machine(info: dict[str, str]) -> None:
    print()
    for key, value in info.items():
        print(f"{key + ':':<8} {value}")


def goal_met(results: list[Result]) -> bool:
    full = next(r for r in results if r.name == GOAL_CASE)
    return full.ratio <= GOAL_RATIO


def stale_snapshot() -> str | None:
    """A line when a new store's schema snapshot lags the migrations: every new store (this
    benchmark's among them) then runs the migrations after it through Alembic."""
    from rumeur.store.migrate import HEAD
    from rumeur.store.snapshot import parse, snapshot_path

    revision = parse(snapshot_path().read_text(encoding="utf-8"))[0]
    if revision == HEAD:
        return None
    return (
        f"the schema snapshot stands at {revision}, the migrations at {HEAD}: "
        "write it again with `python -m rumeur.store.snapshot`"
    )


def data_rows(source: Path) -> int:
    with source.open(newline="", encoding="utf-8") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    source = find_data()
    try:
        results = measure(CASES, source, args.repeat)
    except CommandFailed as exc:
        print(f"import_throughput: command failed: {exc}", file=sys.stderr)
        return 1
    for r in results:
        r.ratio = r.median_s / results[0].median_s
    met = goal_met(results)
    info = machine()
    print_table(results, data_rows(source), args.repeat)
    print_machine(info)
    stale = stale_snapshot()
    if stale:
        print(f"\nnote: {stale}")
    verdict = "PASS" if met else "MISS"
    print(
        f"\ngoal: full import (enrichment off) within {GOAL_RATIO:.2f}x of the baseline: {verdict}"
    )
    if args.json:
        write_json(args.json, source, results, info, met)
    return 0


def write_json(
    path: Path, source: Path, results: list[Result], info: dict[str, str], met: bool
) -> None:
    data = {
        "file": str(source),
        "machine": info,
        "results": [asdict(r) for r in results],
        "goal": {"case": GOAL_CASE, "max_ratio": GOAL_RATIO, "met": met},
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
