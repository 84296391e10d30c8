"""The alert latency benchmark runs end to end on two days of quiet history and a few runs
(`make bench` runs it on three days, twenty times)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from conftest import REPO


def test_the_benchmark_times_a_post_to_its_notification(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, airline: Path
) -> None:
    spec = importlib.util.spec_from_file_location(
        "alert_latency", REPO / "benchmarks" / "alert_latency.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)
    spec.loader.exec_module(bench)
    assert bench.main(["--runs", "3", "--days", "2", "--data", str(airline)]) == 0
    out = capsys.readouterr().out
    assert "mode: embedded" in out and "p95 ms" in out
    for row in ("post in -> notification received", "detectors + dispatch alone",
                "hourly batch window"):  # fmt: skip
        assert row in out
    assert "goal: p95 < 5 s: met" in out or "goal: p95 < 5 s: missed" in out
    assert "cores:" in out and "3 runs" in out
