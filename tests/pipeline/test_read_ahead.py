"""A file read and normalised in a second process gives the batches the runner reads itself,
and its errors where the runner raises them."""

from __future__ import annotations

import csv
import itertools
import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rumeur.config import Workspace
from rumeur.errors import InputError
from rumeur.model import Post, RawItem
from rumeur.pipeline import ahead
from rumeur.pipeline.ahead import read_ahead, read_batches, worth_reading_ahead
from rumeur.pipeline.runner import run
from rumeur.sources.base import Batch
from rumeur.sources.files.mapping import load_mapping
from rumeur.sources.files.source import FileSource
from rumeur.store import Store


def _sample(airline: Path, tmp_path: Path, rows: int = 240) -> Path:
    """The airline file's first rows, one of them with no date (rejected)."""
    with airline.open(encoding="utf-8", newline="") as fh:
        records = list(itertools.islice(csv.reader(fh), rows + 1))
    records[8][records[0].index("tweet_created")] = ""
    path = tmp_path / "sample.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(records)
    return path


def _source(path: Path) -> FileSource:
    return FileSource(path, load_mapping("airline"), {"united": "United"})


def _plain(reads: Iterator[ahead.Read]) -> list[tuple[Any, ...]]:
    return [
        (r.cursor, r.progress, r.items, r.rejects, r.normalised.posts, r.normalised.rejects)
        for r in reads
    ]


def test_the_child_reads_what_the_runner_reads(airline: Path, tmp_path: Path) -> None:
    path = _sample(airline, tmp_path)
    mine = _plain(read_batches(_source(path), None, 50))
    theirs = _plain(read_ahead(_source(path), None, 50))
    assert theirs == mine
    assert len(mine) == 5
    assert sum(len(r[5]) for r in mine) == 1  # the row without a date
    resumed = _plain(read_ahead(_source(path), mine[1][0], 50))  # from a stored cursor
    assert resumed == mine[2:]
    assert multiprocessing.active_children() == []


class Failing:
    """Three batches, then an error: as a file that cannot be read on."""

    name = "failing"
    path = None

    def batches(self, cursor: dict[str, Any] | None, size: int) -> Iterator[Batch]:
        start = (cursor or {}).get("n", 0)
        for n in range(start + 1, 6):
            if n == 4:
                raise InputError(f"unreadable after batch {n - 1}")
            yield Batch([RawItem({"n": n}, f"f:{n}", n)], {"n": n})

    def normalise(self, item: RawItem) -> Post:
        raise AssertionError("no row is normalised here")


def test_an_error_in_the_child_is_raised_here_after_the_batches_before_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ahead, "normalise", lambda items, to_post, column: ahead.Normalised())
    got = []
    with pytest.raises(InputError, match="unreadable after batch 3"):
        for read in read_ahead(Failing(), None, 1):  # type: ignore[arg-type]
            got.append(read.cursor["n"])
    assert got == [1, 2, 3]
    assert multiprocessing.active_children() == []


def test_the_child_leaves_when_no_more_batches_are_wanted(airline: Path, tmp_path: Path) -> None:
    reads = read_ahead(_source(_sample(airline, tmp_path)), None, 10)
    assert next(reads).items == 10
    reads.close()  # as when storing a batch fails
    assert multiprocessing.active_children() == []


def test_only_a_large_file_is_worth_a_second_process(
    airline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "spare_core", lambda: True)
    path = _sample(airline, tmp_path)
    assert not worth_reading_ahead(_source(path))
    assert worth_reading_ahead(_source(airline))
    assert not worth_reading_ahead(Failing())  # type: ignore[arg-type]
    monkeypatch.setattr(ahead, "MIN_BYTES", 0)
    assert worth_reading_ahead(_source(path))
    monkeypatch.setattr(ahead, "spare_core", lambda: False)
    assert not worth_reading_ahead(_source(airline))


@pytest.mark.parametrize(
    ("cores", "load", "spare"), [(2, 0.3, True), (2, 1.0, True), (2, 1.6, False), (1, 0.0, False)]
)
def test_a_second_process_only_with_a_core_to_spare(
    monkeypatch: pytest.MonkeyPatch, cores: int, load: float, spare: bool
) -> None:
    monkeypatch.setattr(ahead.os, "cpu_count", lambda: cores)
    monkeypatch.setattr(ahead.os, "getloadavg", lambda: (load, load, load))
    assert ahead.spare_core() is spare


def test_a_run_reading_ahead_stores_what_a_run_in_one_process_stores(
    airline: Path, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "MIN_BYTES", 0)
    monkeypatch.setattr(ahead, "spare_core", lambda: True)
    path = _sample(airline, tmp_path)
    ws = Workspace(slug="a", name="A", brand={"name": "United"})
    other = Workspace(slug="b", name="B", brand={"name": "United"})
    first = run(_source(path), store, ws, (), 50, ahead=True)
    second = run(_source(path), store, other, (), 50)
    assert (first.read, first.batches, len(first.rejects)) == (240, 5, 1)
    assert (second.read, second.batches, len(second.rejects)) == (240, 5, 1)
    with store.read() as conn:
        for table in ("rollups_hourly", "facet_rollups", "facet_days", "author_days"):
            rows = conn.exec_driver_sql(f"SELECT * FROM {table}").mappings().all()
            mine, theirs = (
                sorted(repr({**r, "workspace": ""}) for r in rows if r["workspace"] == ws)
                for ws in ("a", "b")
            )
            assert mine == theirs, table
            assert mine


def test_a_run_that_fails_midway_leaves_no_reading_process(
    airline: Path, tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ahead, "MIN_BYTES", 0)
    monkeypatch.setattr(ahead, "spare_core", lambda: True)
    ws = Workspace(slug="a", name="A", brand={"name": "United"})

    def fail(step: Any) -> None:
        raise RuntimeError("the progress bar broke")

    with pytest.raises(RuntimeError):
        run(_source(_sample(airline, tmp_path)), store, ws, (), 10, fail, ahead=True)
    assert multiprocessing.active_children() == []
