"""The archive search benchmark runs end to end on a small store (the real one has a million
posts and is built by `make bench` only)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from conftest import AIRLINE, REPO


def test_the_benchmark_builds_a_small_store_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], airline: Path
) -> None:
    spec = importlib.util.spec_from_file_location(
        "search_latency", REPO / "benchmarks" / "search_latency.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert AIRLINE.is_file()
    assert bench.main(["--posts", "300", "--runs", "2", "--cache", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "built in" in out
    assert "p95 ms" in out and "baseline" in out
    assert (tmp_path / f"search-v{bench.VERSION}-300.db").is_file()
    assert bench.main(["--posts", "300", "--runs", "1", "--cache", str(tmp_path)]) == 0
    assert "(cached)" in capsys.readouterr().out
