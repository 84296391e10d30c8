"""The inbox routing benchmark runs end to end on a few hundred conversations (`make bench`
routes the whole airline set with 200 rules), and stops with an error when the router and the
baseline do not give the same routes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from conftest import REPO


def load(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "inbox_routing", REPO / "benchmarks" / "inbox_routing.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)
    spec.loader.exec_module(bench)
    return bench


ARGS = ["--no-pin", "--conversations", "300", "--naive-budget", "20000"]


def test_the_benchmark_routes_against_each_rule_alone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, airline: Path
) -> None:
    bench = load(monkeypatch)
    assert bench.main([*ARGS, "--data", str(airline)]) == 0
    out = capsys.readouterr().out
    assert "inbox routing of 300 conversations" in out and "with 200 rules" in out
    assert "each rule's query alone (baseline)" in out and "Router (rules indexed)" in out
    assert "vs baseline" in out
    assert "same routes as the baseline on its 100 conversations: yes" in out
    assert "cores:" in out and "python:" in out


def test_the_rules_are_the_same_at_each_run_and_valid_queries(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bench = load(monkeypatch)
    first, again = bench.RuleMaker().rules(200), bench.RuleMaker().rules(200)
    assert first == again
    assert len({r.name for r in first}) == 200
    queries = " ".join(r.query for r in first)
    for part in ("sentiment:", "lang:", "reason:", "followers:", "AND NOT", " OR ", '"'):
        assert part in queries
    assert any(r.stop for r in first) and any(r.assignee for r in first)


def test_a_disagreement_stops_the_benchmark(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, airline: Path
) -> None:
    bench = load(monkeypatch)
    real = bench.NaiveRouter.matching
    monkeypatch.setattr(bench.NaiveRouter, "matching", lambda self, doc: real(self, doc)[1:])
    assert bench.main([*ARGS, "--data", str(airline)]) == 1
    assert "the router and the baseline disagree" in capsys.readouterr().err
