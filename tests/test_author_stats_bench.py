"""The author statistics benchmark runs end to end on a small SQLite store (the real one has a
million posts and is built by `make bench` only), and leaves the cached store as it found it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from conftest import REPO
from rumeur.store import Store
from rumeur.store.schema import author_days, posts


def _load(name: str, monkeypatch: pytest.MonkeyPatch) -> object:
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its dataclasses look themselves up
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_times_the_refresh_against_a_recount(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    airline: Path,
) -> None:
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    bench = _load("author_stats", monkeypatch)
    argv = ["--posts", "1500", "--batch", "200", "--repeat", "1", "--cache", str(tmp_path)]
    assert bench.main(argv) == 0  # type: ignore[attr-defined]
    out = capsys.readouterr().out
    assert "1,500 posts; batch: 200 new posts" in out and "cores:" in out
    for row in ("refresh after the batch", "the batch write, hook included", "from scratch"):
        assert row in out
    assert "ratio, from scratch / incremental:" in out and "write path, CPU:" in out
    (cached,) = tmp_path.glob("web-*-1500.db")
    store = Store.open(str(cached))
    try:
        with store.read() as conn:  # every write was rolled back
            assert conn.execute(select(func.count()).select_from(posts)).scalar() == 1500
            stored = conn.execute(select(func.sum(author_days.c.posts))).scalar()
    finally:
        store.close()
    assert stored == 1500 * 2  # each post on its brand's row and on the workspace's
