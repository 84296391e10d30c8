"""A workspace model whose stored bytes cannot be read (a damaged row, another program's) is
ignored: the posts get the shipped model's labels and the log says why, once; nothing stops."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from structlog.testing import capture_logs

from rumeur.config import load_settings
from rumeur.nlp.registry import model_for
from rumeur.pipeline import adapters
from rumeur.pipeline.adapters import own_models, workspace_models
from rumeur.store import Store
from rumeur.store.adapters import StoredModel, save


@pytest.mark.parametrize("blob", [b"\x80\x04junk", b"PK\x03\x04" + b"\x00" * 40])
def test_unreadable_bytes_leave_the_shipped_model_in_place(store: Store, blob: bytes) -> None:
    settings = load_settings()
    ws = settings.workspace()
    shipped = model_for("sentiment", settings, ws)
    made = datetime.now(UTC)
    save(store, StoredModel(ws.slug, "sentiment", 0, made, 40, shipped.model, shipped.version, {}),
         blob)  # fmt: skip
    adapters._refused.clear()
    with capture_logs() as logs:
        assert workspace_models(store, ws, [shipped]) == [shipped]
        assert workspace_models(store, ws, [shipped]) == [shipped]  # said once
        assert "sentiment" not in own_models(store, settings, ws)
    said = [e for e in logs if e["event"] == "workspace model ignored"]
    assert len(said) == 1 and said[0]["version"] == 1
    assert said[0]["error"].startswith("a stored adapter cannot be read: ")
