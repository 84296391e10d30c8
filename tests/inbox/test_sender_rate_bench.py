"""The sender benchmark runs end to end on a few replies per network (`make bench` sends 500
on each), and checks that each reply was made exactly once."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest
from network import SECRETS

from conftest import REPO


def load(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script adds tests/ to it
    spec = importlib.util.spec_from_file_location(
        "sender_rate", REPO / "benchmarks" / "sender_rate.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, bench)
    spec.loader.exec_module(bench)
    return bench


def test_the_benchmark_drains_the_outbox_against_bare_posts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)  # the script sets them: put back after the test
    bench = load(monkeypatch)
    assert bench.main(["--replies", "12"]) == 0
    out = capsys.readouterr().out
    assert "12 queued replies per network" in out
    assert "Every reply made exactly once: checked." in out
    assert "replies/s" in out and "bare POSTs/s" in out and "sender/bare" in out
    for platform in ("mastodon", "bluesky", "reddit"):
        assert f"\n{platform} " in out
    assert "cores:" in out and "python:" in out
    assert SECRETS["RUMEUR_TEST_SEND_MASTODON_TOKEN"] not in out


def test_a_wrong_platform_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bench = load(monkeypatch)
    with pytest.raises(SystemExit) as exited:
        bench.main(["--platforms", "twitter"])
    assert exited.value.code == 2
    assert "--platforms: one of mastodon, bluesky, reddit" in capsys.readouterr().err
