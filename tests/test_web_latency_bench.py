"""The web latency benchmark runs end to end on a small SQLite store (the real one has a million
posts, and a PostgreSQL twin, and is built by `make bench` only)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from conftest import REPO


def test_the_benchmark_times_the_pages_of_a_small_store(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    airline: Path,
) -> None:
    spec = importlib.util.spec_from_file_location(
        "web_latency", REPO / "benchmarks" / "web_latency.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)  # its dataclasses look themselves up
    spec.loader.exec_module(bench)
    argv = ["--posts", "3000", "--runs", "2", "--baseline-runs", "1", "--no-postgres"]
    assert bench.main([*argv, "--cache", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "built in" in out and "3,000 posts" in out
    assert "p95 ms" in out and "cpu p50 ms" in out and "vs baseline" in out
    for row in ("dashboard page, 30 days", "stream page, newest", "stream next page", "baseline"):
        assert row in out
    assert "goal: dashboard 30-day p95 < 300 ms:" in out
    assert "cores:" in out
    assert (tmp_path / f"web-{bench.build_key(3000)}.db").is_file()
    assert bench.main([*argv, "--cache", str(tmp_path)]) == 0
    assert "(cached)" in capsys.readouterr().out
