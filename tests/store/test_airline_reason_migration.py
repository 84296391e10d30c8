"""Migration 0019: a workspace stored by an older rumeur, whose departments name the airline
reasons without `reason_model` (then every workspace's reasons), loads after the upgrade with
the airline reasons, through a new version that says so; other stored workspaces are left as
they were. SQLite and PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import insert, select

from rumeur.config import Workspace, load_settings
from rumeur.i18n import using
from rumeur.settings.reasons import AIRLINE_REASONS
from rumeur.store import Store
from rumeur.store import workspace_settings as versions
from rumeur.store.migrate import HEAD, alembic_config, current_revision
from rumeur.store.schema import workspace_settings

BEFORE = "0018"  # the revision before the upgrade


def _older(ws: Workspace) -> str:
    """`ws` as an older rumeur stored it: no `reasons`, no `nlp.reason_model`."""
    document = json.loads(ws.model_dump_json())
    del document["reasons"]
    del document["nlp"]["reason_model"]
    return json.dumps(document, ensure_ascii=False)


def _store_older(store: Store, slug: str, document: str) -> None:
    with store.transaction() as conn:
        conn.execute(
            insert(workspace_settings).values(
                workspace=slug, version=1, document=document, author="ada",
                changed_at=datetime(2026, 3, 1, tzinfo=UTC), summary="alerts.growth: 1.5 -> 2.0",
            )
        )  # fmt: skip


def _migrate(store: Store, revision: str) -> None:
    with store.transaction() as conn:
        if revision == BEFORE:
            command.downgrade(alembic_config(conn), revision)
        else:
            command.upgrade(alembic_config(conn), revision)


def test_an_older_stored_demo_keeps_its_airline_reasons_after_the_upgrade(store: Store) -> None:
    demo = load_settings(None)
    united = demo.workspace("united")
    assert united.departments[0].reasons and united.nlp.reason_model == "airline"
    no_reasons = [d.model_copy(update={"reasons": []}) for d in united.departments]
    nlp = united.nlp.model_copy(update={"reason_model": None})
    plain = united.model_copy(update={"slug": "plain", "departments": no_reasons, "nlp": nlp})
    _migrate(store, BEFORE)
    assert current_revision(store.engine) == BEFORE
    _store_older(store, "united", _older(united))
    _store_older(store, "plain", _older(plain))
    with pytest.raises(versions.UnreadableVersion, match="stored settings of 'united', version 1"):
        versions.current(store, "united")  # what the user met before the upgrade

    _migrate(store, "head")
    assert current_revision(store.engine) == HEAD
    upgraded = versions.current(store, "united")
    assert upgraded is not None and upgraded.reason_names == AIRLINE_REASONS
    assert upgraded.departments == united.departments  # nothing else changed
    assert versions.effective(demo, store).workspace("united").nlp.reason_model == "airline"
    [new, old] = versions.history(store, "united")
    assert (new.version, new.author, old.author) == (2, "rumeur", "ada")
    assert new.summary.startswith('nlp.reason_model: (no value) -> "airline" (upgrade:')
    with using("fr"):
        assert versions.history(store, "united")[0].summary.startswith(
            'nlp.reason_model : (aucune valeur) -> "airline" (mise à niveau'
        )
    # A workspace whose departments name no reason loads as it was: no version added.
    assert versions.current_version(store, "plain") == 1
    assert versions.current(store, "plain") == plain

    _migrate(store, BEFORE)  # the downgrade takes back the upgrade's version only
    with store.engine.connect() as conn:
        rows = conn.execute(select(workspace_settings.c.workspace, workspace_settings.c.version))
        assert sorted(rows) == [("plain", 1), ("united", 1)]
