"""The write-rate benchmark runs end to end on a small SQLite store (the real run writes a million
posts, by `make bench` only), and its clock of the PostgreSQL server's CPU never runs backwards
when the pool replaces a connection."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REPO
from rumeur.store import Store


def _load(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    spec = importlib.util.spec_from_file_location("write_rate", REPO / "benchmarks/write_rate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look themselves up
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_reports_each_clock_and_the_load(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, airline: Path
) -> None:
    bench = _load(monkeypatch)
    argv = ["--posts", "1500", "--window", "500", "--batch", "250", "--no-postgres"]
    assert bench.main(argv) == 0
    out = capsys.readouterr().out
    assert "cores:" in out and "load:" in out
    rows = [line for line in out.splitlines() if line.startswith("SQLite")]
    assert len(rows) == 3  # posts per wall second, per CPU second, per CPU second of all
    wall, _cpu, both = rows
    for row in (wall, both):  # the goal is judged by the wall clock and by the CPU
        assert row.split()[3] in ("met", "missed")
    assert "load up to" in both and "judge by this line" in out


@pytest.mark.postgres
def test_the_server_clock_keeps_the_seconds_of_a_closed_connection(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = _load(monkeypatch)
    store = Store.open(pg_url)
    try:
        clock = bench.ServerClock(store)
        with store.engine.connect() as conn:  # some server CPU, in a pooled backend
            conn.exec_driver_sql("SELECT count(*) FROM generate_series(1, 3000000)").scalar()
        used = clock.used()
        assert used is not None and used > 0
        store.engine.dispose()  # the pool's backends exit; the next reading opens a new one
        again = clock.used()
        assert again is not None and again >= used
    finally:
        store.close()
