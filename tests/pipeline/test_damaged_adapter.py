"""A workspace model that cannot be used is ignored, the shipped model labelling: one whose
stored bytes cannot be read (a damaged row, another program's: the log says why, once, and
nothing stops), and one learnt over a shipped model since retrained."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from structlog.testing import capture_logs

from rumeur.config import load_settings
from rumeur.nlp.adapt import Adapter
from rumeur.nlp.registry import model_for
from rumeur.pipeline import adapters
from rumeur.pipeline.adapters import own_models, workspace_models
from rumeur.store import Store
from rumeur.store.adapters import StoredModel, save


@pytest.mark.parametrize(
    "blob", [b"\x80\x04junk", b"PK\x03\x04" + b"\x00" * 40], ids=["pickle", "zip-header"]
)
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


def test_an_adapter_of_an_older_shipped_model_is_not_used(store: Store) -> None:
    """Learnt over a shipped model since retrained: the new shipped model answers alone until
    `rumeur models adapt` runs again; over the same shipped model it is used."""
    settings = load_settings()
    ws = settings.workspace()
    shipped = model_for("sentiment", settings, ws)
    k = len(shipped.classes)
    made = datetime.now(UTC)
    for version in ("0.9.0", shipped.version):
        adapter = Adapter("sentiment", 0, tuple(shipped.classes), shipped.model, version,
                          np.array([1], dtype=np.int32), np.zeros((1, k), np.float32),
                          np.zeros(k, np.float32))  # fmt: skip
        stored = StoredModel(ws.slug, "sentiment", 0, made, 40, shipped.model, version, {})
        save(store, stored, adapter.to_bytes())
        [used] = workspace_models(store, ws, [shipped])
        if version == "0.9.0":
            assert used is shipped and "sentiment" not in own_models(store, settings, ws)
        else:
            assert used.model == f"{shipped.model}+adapter:{ws.slug}"
            assert used.version == f"2:{shipped.version}"
