"""SIGKILL an import in the middle of the airline file, run it again: every valid row is stored
exactly once, and the rollups agree.

Each test imports the last few thousand rows of the file (tests/airline_slice.py), not all of
it: the ids the file repeats are all there, the kill still lands with a score of batches to go,
and two imports at once still race over dozens of batches."""

from __future__ import annotations

import csv
import re
import signal
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from airline_slice import airline_tail
from killing import kill_when_stored, start, stored
from rumeur.store.engine import database_url
from rumeur.store.schema import posts, rollups_hourly, source_cursors

pytestmark = pytest.mark.slow

# The file's last rows, every id it repeats among them.
KILLED_ROWS = 3_000  # 2,876 posts: the kill at 500 leaves some 25 batches of 100 to go
RACED_ROWS = 4_000  # 3,876 posts: each import writes its 40 batches of 100 over the other


def expected_from_csv(path: Path) -> tuple[int, Counter[str]]:
    """Distinct tweet ids and, per airline, the posts that name it (the last copy wins)."""
    with path.open(encoding="utf-8", newline="") as fh:
        latest = {row["tweet_id"]: row["airline"] for row in csv.DictReader(fh)}
    return len(latest), Counter(latest.values())


def start_import(airline: Path, db: str, enrich: bool = True) -> subprocess.Popen[str]:
    return start(
        "import", str(airline), "--preset", "airline", "--db", db, "--batch-size", "100",
        "--enrich" if enrich else "--no-enrich",
    )  # fmt: skip


def test_an_import_killed_midway_resumes_without_loss_or_duplicate(
    airline: Path, db_url: str, tmp_path: Path
) -> None:
    airline = airline_tail(airline, tmp_path / "tweets.csv", KILLED_ROWS)
    total, per_brand = expected_from_csv(airline)
    engine = create_engine(database_url(db_url))
    first = start_import(airline, db_url)
    at_kill = kill_when_stored(first, engine, 500, timeout=120)
    assert first.returncode == -signal.SIGKILL
    assert 0 < at_kill < total

    second = start_import(airline, db_url)
    _, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    read = int(re.search(r"([\d,]+) rows read", err).group(1).replace(",", ""))
    assert read < KILLED_ROWS  # it resumed from the stored cursor instead of starting over

    r = rollups_hourly
    with engine.connect() as conn:
        brands = dict(
            conn.execute(
                select(r.c.brand, func.sum(r.c.posts)).where(r.c.brand != "*").group_by(r.c.brand)
            ).all()
        )
        whole = conn.execute(select(func.sum(r.c.posts)).where(r.c.brand == "*")).scalar_one()
        cursor = conn.execute(select(source_cursors.c.cursor)).scalar_one()
    count, distinct = stored(engine)
    engine.dispose()
    assert count == distinct == total < KILLED_ROWS  # the repeated ids stored once
    assert whole == total
    assert {b: int(n) for b, n in brands.items()} == dict(per_brand)
    assert cursor["offset"] == airline.stat().st_size


def test_two_imports_at_once_store_each_post_once(
    airline: Path, db_url: str, tmp_path: Path
) -> None:
    airline = airline_tail(airline, tmp_path / "tweets.csv", RACED_ROWS)
    total, _ = expected_from_csv(airline)
    imports = [start_import(airline, db_url, enrich=False) for _ in range(2)]
    for process in imports:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    engine = create_engine(database_url(db_url))
    r = rollups_hourly
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(posts)).scalar_one()
        whole = conn.execute(select(func.sum(r.c.posts)).where(r.c.brand == "*")).scalar_one()
        engagement = conn.execute(
            select(func.sum(r.c.engagement)).where(r.c.brand == "*")
        ).scalar_one()
        retweets = conn.execute(select(func.sum(posts.c.reposts))).scalar_one()
    engine.dispose()
    assert count == whole == total
    assert engagement == retweets
