"""`benchmarks/publish_expand.py` runs (small), and its two ways agree on every variant."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def test_the_bench_runs_and_both_ways_give_the_same_variants(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    sys.modules.pop("publish_expand", None)
    import publish_expand

    assert publish_expand.main(["--accounts", "6", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "one master message -> 6 local variants (1 refused)" in out
    assert "same variants both ways: yes" in out
    assert "one by one through the API" in out and "cores:" in out
