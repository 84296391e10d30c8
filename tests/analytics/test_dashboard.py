"""The dashboard read from the rollups equals the same figures computed by a scan of the posts,
on a slice of the real airline set (human sentiment labels and complaint reasons), in both
databases."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from rumeur.analytics.dashboard import Scope, dashboard, dashboard_by_scan, data_span
from rumeur.store import Store
from rumeur.store.schema import post_brands

CHICAGO = ZoneInfo("America/Chicago")
COMPETITORS = ("Delta", "American", "Southwest", "US Airways", "Virgin America", "Nowhere Air")
WEEK = (datetime(2015, 2, 17, 6, tzinfo=UTC), datetime(2015, 2, 24, 6, tzinfo=UTC))
LUGGAGE = ("Lost Luggage", "Damaged Luggage")


@pytest.fixture(scope="module")
def rows(airline: Path) -> list[dict[str, str]]:
    """Every third row of the set: all six airlines, every day."""
    with airline.open(encoding="utf-8", newline="") as fh:
        kept = list(csv.DictReader(fh))[::3]
    return list({r["tweet_id"]: r for r in kept}.values())


@pytest.fixture(scope="module")
def store(module_store_url: str) -> Iterator[Store]:
    """One store per database for the module: every test here only reads."""
    opened = Store.open(module_store_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def workspace(
    store: Store, module_store_url: str, airline: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    from rumeur.cli import main

    with airline.open(encoding="utf-8", newline="") as fh:
        kept = list(csv.DictReader(fh))[::3]
    path = tmp_path_factory.mktemp("slice") / "slice.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(kept[0]))
        writer.writeheader()
        writer.writerows(kept)
    argv = ["import", str(path), "--preset", "airline", "--db", module_store_url]
    try:
        main([*argv, "--no-enrich"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    with store.engine.connect() as conn:
        return conn.execute(select(post_brands.c.workspace).limit(1)).scalar_one()


def _when(row: dict[str, str]) -> datetime:
    return datetime.fromisoformat(row["tweet_created"]).astimezone(UTC)


def _scope(ws: str, since: datetime, until: datetime, reasons: tuple | None = None) -> Scope:
    return Scope(ws, since, until, CHICAGO, reasons)


@pytest.mark.parametrize(
    ("since", "until", "reasons"),
    [
        (*WEEK, None),
        (*WEEK, LUGGAGE),
        (datetime(2015, 2, 22, 12, tzinfo=UTC), datetime(2015, 2, 24, 12, tzinfo=UTC), None),
        (datetime(2015, 2, 23, 0, 30, tzinfo=UTC), datetime(2015, 2, 23, 9, 10, tzinfo=UTC), None),
    ],
)
def test_the_rollups_give_the_figures_of_a_full_scan(
    store: Store, workspace: str, since: datetime, until: datetime, reasons: tuple | None
) -> None:
    scope = _scope(workspace, since, until, reasons)
    with store.engine.connect() as conn:
        fast = dashboard(conn, scope, "United", COMPETITORS)
        slow = dashboard_by_scan(conn, scope, "United", COMPETITORS)
    assert fast == slow
    assert fast.posts > 0
    json.dumps(fast.as_dict())  # the REST API's answer


def test_day_buckets_summed_by_piece_give_the_figures_of_a_full_scan(
    store: Store, workspace: str
) -> None:
    """Day buckets are read a piece of hours each (`Span.pieces`), not an hour each: in a zone
    whose midnight falls on a half hour (a day's first piece begins at the first hour of its
    date), and over three years across changes of clock (pieces read a hundred at a time)."""
    cases = [
        ("Asia/Kolkata", *WEEK),
        ("America/Chicago", datetime(2014, 1, 1, tzinfo=UTC), datetime(2016, 12, 1, tzinfo=UTC)),
    ]
    with store.engine.connect() as conn:
        for zone, since, until in cases:
            scope = Scope(workspace, since, until, ZoneInfo(zone))
            fast = dashboard(conn, scope, "United", COMPETITORS)
            assert fast == dashboard_by_scan(conn, scope, "United", COMPETITORS), zone
            assert fast.posts > 0 and len(fast.buckets) > 6


def test_figures_a_reader_can_check_against_the_csv(
    store: Store, workspace: str, rows: list
) -> None:
    with store.engine.connect() as conn:
        d = dashboard(conn, _scope(workspace, *WEEK), "United", COMPETITORS, top=5)
        span = data_span(conn, workspace)
    in_week = [r for r in rows if WEEK[0] <= _when(r) < WEEK[1]]
    assert d.posts == len(in_week)
    assert d.engagement == sum(int(r["retweet_count"]) for r in in_week)
    # Seven local days (Chicago midnight to midnight), every one present.
    assert [b.isoformat() for b in d.buckets][:2] == [
        "2015-02-17T00:00:00-06:00",
        "2015-02-18T00:00:00-06:00",
    ]
    assert len(d.buckets) == 7
    assert [b.name for b in d.brands] == ["United", *COMPETITORS]
    united = d.brands[0]
    mine = [r for r in in_week if r["airline"] == "United"]
    assert united.posts == len(mine) == sum(united.series)
    negative = sum(r["airline_sentiment"] == "negative" for r in mine)
    assert united.negative == pytest.approx(negative / len(mine))
    assert d.brands[-1].posts == 0 and d.brands[-1].series == [0] * 7
    assert sum(b.share for b in d.brands) == pytest.approx(1.0)
    assert {s: sum(v) for s, v in d.sentiment.items() if sum(v)} == dict(
        Counter(r["airline_sentiment"] for r in in_week)
    )
    reasons = Counter(r["negativereason"] for r in in_week if r["negativereason"])
    assert d.reasons[:3] == reasons.most_common(3)
    week_before = [r for r in rows if WEEK[0] - (WEEK[1] - WEEK[0]) <= _when(r) < WEEK[0]]
    assert d.previous_posts == len(week_before)
    assert len(d.words) == len(d.hashtags) == 5
    assert "flight" in dict(d.words)
    first, last = min(map(_when, rows)), max(map(_when, rows))
    assert span == (first.replace(minute=0, second=0), last.replace(minute=0, second=0))
    assert d.leaders and d.leaders[0].why.startswith(f"{d.leaders[0].posts:,} post")


def test_a_department_sees_only_its_reasons(store: Store, workspace: str, rows: list) -> None:
    with store.engine.connect() as conn:
        d = dashboard(conn, _scope(workspace, *WEEK, LUGGAGE), "United", COMPETITORS)
    luggage = [r for r in rows if WEEK[0] <= _when(r) < WEEK[1] and r["negativereason"] in LUGGAGE]
    assert d.posts == len(luggage)
    assert dict(d.reasons) == dict(Counter(r["negativereason"] for r in luggage))
    assert "bag" in dict(d.words) or "luggage" in dict(d.words) or "bags" in dict(d.words)


def test_a_short_period_has_hourly_buckets(store: Store, workspace: str) -> None:
    since = datetime(2015, 2, 23, 0, tzinfo=UTC)
    with store.engine.connect() as conn:
        d = dashboard(conn, _scope(workspace, since, since + timedelta(hours=24)), "United", [])
    assert len(d.buckets) == 24
    assert d.buckets[0] == since.astimezone(CHICAGO)
    assert sum(d.sentiment["negative"]) + sum(d.sentiment["positive"]) <= d.posts


def test_an_empty_workspace_has_no_span(store: Store) -> None:
    with store.engine.connect() as conn:
        assert data_span(conn, "nobody") is None
        d = dashboard(conn, _scope("nobody", *WEEK), "United", ["Delta"])
    assert d.posts == 0 and d.leaders == [] and len(d.buckets) == 7
