"""The Jetstream throughput benchmark runs end to end on a few hundred events."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from conftest import REPO


def test_the_jetstream_benchmark_stores_the_replayed_posts_and_reports(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location(
        "jetstream_throughput", REPO / "benchmarks" / "jetstream_throughput.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)  # its dataclasses look themselves up
    spec.loader.exec_module(bench)
    assert bench.main(["--events", "200", "--batch", "100"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("baseline", "rumeur"))]
    assert len(rows) == 2
    # Both stored the same posts: 17 of every 20 recorded events are post creations.
    assert rows[0].split()[-4] == rows[1].split()[-4] == "170"
    assert "events/s" in out and "goal: 2,000" in out and "cores:" in out
