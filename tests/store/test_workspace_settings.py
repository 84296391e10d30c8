"""The workspace settings edited in the app (store/workspace_settings.py): each change a new
version with its author, time and diff; the newest version in effect over the settings file's;
secrets never stored; a section changed through the settings' own models. SQLite and
PostgreSQL (the `store` fixture)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from rumeur.config import Settings, Workspace, parse_settings
from rumeur.errors import ConfigError, StoreError
from rumeur.i18n import using
from rumeur.settings.sections import SECTIONS, with_section
from rumeur.store import Store
from rumeur.store import workspace_settings as versions
from rumeur.store.schema import workspace_settings
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from rumeur.web.tokens import issue

SETTINGS = """\
[[workspaces]]
slug = "acme"
name = "Acme"

[workspaces.brand]
name = "Acme"
terms = ["acme"]

[[workspaces.competitors]]
name = "Globex"
terms = ["globex"]

[[workspaces.competitors]]
name = "Initech"

[[workspaces.queries]]
name = "late"
query = "acme AND late"

[[workspaces]]
slug = "other"
name = "Other"

[workspaces.brand]
name = "Other"
"""
T0 = datetime(2026, 3, 1, 9, tzinfo=UTC)
SLACK = "https://hooks.slack.com/services/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"


@pytest.fixture
def settings() -> Settings:
    return parse_settings(SETTINGS, "rumeur.toml")


@pytest.fixture
def acme(settings: Settings) -> Workspace:
    return settings.workspace("acme")


def test_each_change_is_a_version_with_its_author_time_and_diff(
    store: Store, acme: Workspace
) -> None:
    assert versions.current(store, "acme") is None
    assert versions.history(store, "acme") == []
    first = with_section(acme, "brand", {"name": "Acme", "terms": ["acme", "acme corp"]})
    assert versions.save(store, first, "ada", base=acme, now=T0) == 1
    second = with_section(first, "alerts", {"volume_ratio": 3.0})
    assert versions.save(store, second, "bob", now=T0 + timedelta(hours=1)) == 2

    assert versions.current(store, "acme") == second
    assert versions.current_version(store, "acme") == 2
    assert versions.history(store, "acme") == [
        versions.Version(2, "bob", T0 + timedelta(hours=1), "alerts.volume_ratio: 2.5 -> 3.0"),
        versions.Version(1, "ada", T0, 'brand.terms: + "acme corp"'),
    ]
    assert [v.version for v in versions.history(store, "acme", limit=1)] == [2]
    assert versions.history(store, "other") == []


def test_an_unchanged_workspace_stores_nothing(store: Store, acme: Workspace) -> None:
    assert versions.save(store, acme, "ada", base=acme) == 0  # still the file's
    assert versions.current(store, "acme") is None
    changed = with_section(acme, "queries", [])
    assert versions.save(store, changed, "ada", base=acme) == 1
    assert versions.save(store, changed, "bob") == 1
    assert len(versions.history(store, "acme")) == 1


def test_without_a_base_the_first_version_says_so(store: Store, acme: Workspace) -> None:
    versions.save(store, acme, "ada")
    [first] = versions.history(store, "acme")
    assert first.summary == "first version of the workspace acme"


def test_the_settings_in_effect_are_the_files_with_the_newest_versions(
    store: Store, settings: Settings, acme: Workspace
) -> None:
    assert versions.effective(settings, store) is settings  # nothing stored: the file's
    versions.save(store, with_section(acme, "competitors", []), "ada")
    newest = with_section(acme, "competitors", [{"name": "Hooli"}])
    versions.save(store, newest, "ada")
    stray = parse_settings(SETTINGS.replace('"other"', '"stray"'), "x").workspace("stray")
    versions.save(store, stray, "ada")  # a workspace the file does not declare

    effective = versions.effective(settings, store)
    assert [ws.slug for ws in effective.workspaces] == ["acme", "other"]
    assert effective.workspace("acme") == newest
    assert effective.workspace("other") == settings.workspace("other")
    assert effective.source == settings.source


def test_the_stamp_grows_with_every_version_of_any_workspace(
    store: Store, settings: Settings, acme: Workspace
) -> None:
    assert versions.stamp(store) == 0
    versions.save(store, with_section(acme, "queries", []), "ada")
    one = versions.stamp(store)
    versions.save(store, with_section(settings.workspace("other"), "competitors", []), "ada")
    assert 0 < one < versions.stamp(store)


def test_two_versions_of_one_number_are_refused_by_the_database(
    store: Store, acme: Workspace
) -> None:
    versions.save(store, acme, "ada")
    row = {
        "workspace": "acme", "version": 1, "document": acme.model_dump_json(), "author": "eve",
        "changed_at": T0, "summary": "",
    }  # fmt: skip
    with pytest.raises((IntegrityError, StoreError)), store.transaction() as conn:
        conn.execute(insert(workspace_settings).values(row))


def test_a_stored_version_this_rumeur_refuses_is_one_line_naming_it(
    store: Store, acme: Workspace
) -> None:
    versions.save(store, acme, "ada")
    with store.transaction() as conn:
        document = acme.model_dump_json().replace('"terms":["acme"]', '"terms":"acme"')
        conn.execute(update(workspace_settings).values(document=document))
    with pytest.raises(ConfigError) as refused:
        versions.current(store, "acme")
    assert str(refused.value).startswith(
        "stored settings of 'acme', version 1: brand.terms: input should be a valid array"
    )


def test_a_secret_is_never_stored(
    store: Store, acme: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = acme.model_copy(
        update={
            "notify": acme.notify.model_validate(
                {"targets": [{"name": "chat", "kind": "slack", "url": SLACK}]}
            )
        }
    )
    with pytest.raises(ConfigError) as refused:
        versions.save(store, inline, "ada")
    assert str(refused.value).startswith("acme: notify.targets[0].url: holds a secret;")
    assert "c2VjcmV0" not in str(refused.value)
    assert versions.stamp(store) == 0

    monkeypatch.setenv("RUMEUR_TEST_SLACK", SLACK)
    target = {"name": "chat", "kind": "slack", "url_env": "RUMEUR_TEST_SLACK"}
    by_env = with_section(acme, "notify", {"targets": [target]})
    versions.save(store, by_env, "ada")
    with store.engine.connect() as conn:
        [document] = conn.execute(select(workspace_settings.c.document)).scalars()
    assert "RUMEUR_TEST_SLACK" in document and "c2VjcmV0" not in document


def test_a_section_is_checked_by_the_settings_models(acme: Workspace) -> None:
    changed = with_section(acme, "alerts", {"volume_ratio": 4.0, "volume_min_posts": 10})
    assert (changed.alerts.volume_ratio, changed.alerts.volume_min_posts) == (4.0, 10)
    assert changed.brand == acme.brand and changed.queries == acme.queries
    hours = with_section(acme, "business_hours", {"days": ["mon"], "start": "08:00"})
    assert hours.business_hours is not None and hours.business_hours.start == "08:00"
    assert with_section(hours, "business_hours", None).business_hours is None
    # Models are taken as well as plain values.
    assert with_section(acme, "competitors", [acme.competitors[1]]).competitors == [
        acme.competitors[1]
    ]
    assert set(SECTIONS) <= set(Workspace.model_fields)


@pytest.mark.parametrize(
    ("section", "value", "message"),
    [
        ("alerts", {"volume_ratio": -1}, "acme: alerts.volume_ratio: input should be greater"),
        ("queries", [{"name": "q", "query": "a AND"}], "acme: queries[0].query: "),
        ("competitors", [{"name": "ACME"}], "acme: (top level): brand and competitor names"),
        ("brand", {"name": "Acme", "term": []}, "acme: brand.term: unknown key"),
        ("business_hours", {"start": "25:00"}, "acme: business_hours.start: a time of day"),
        ("statements", [{"slug": "x", "title": "T", "text_fr": "f"}], "statements[0].text_en"),
        ("routing", [], "acme: no settings section 'routing' (known: brand, competitors,"),
    ],
)
def test_a_bad_section_is_one_line_with_its_key_path(
    acme: Workspace, section: str, value: object, message: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        with_section(acme, section, value)
    assert message in str(refused.value) and "\n" not in str(refused.value)
    assert str(refused.value).startswith("acme: ")


def test_the_diff_reads_as_what_happened(acme: Workspace) -> None:
    globex, initech = acme.competitors
    moved = with_section(acme, "competitors", [initech, {"name": "Globex", "terms": ["gx"]}])
    assert versions.diff(acme, moved) == [
        'competitors[Globex].terms: - "globex"',
        'competitors[Globex].terms: + "gx"',
        "competitors: new order Initech, Globex",
    ]
    swapped = with_section(acme, "competitors", [{"name": "Hooli"}, globex])
    assert versions.diff(acme, swapped) == ["competitors: - Initech", "competitors: + Hooli"]
    hours = with_section(acme, "business_hours", {"days": ["mon", "tue"]})
    assert versions.diff(acme, hours) == [
        'business_hours.days: (no value) -> ["mon", "tue"]',
        'business_hours.start: (no value) -> "09:00"',
        'business_hours.end: (no value) -> "18:00"',
        "business_hours.holidays: (no value) -> []",
    ]
    target = {"name": "ops", "kind": "webhook", "url": "https://ops.example.org/rumeur"}
    notify = with_section(acme, "notify", {"targets": [target], "escalate_after": "2h"})
    assert versions.diff(acme, notify) == [
        "notify.targets: + ops",
        'notify.escalate_after: "30m" -> "2h"',
    ]
    assert versions.diff(acme, acme) == []
    with using("fr"):
        assert versions.diff(acme, swapped)[0] == "competitors : - Initech"
        assert versions.diff(None, acme) == ["première version de l’espace de travail acme"]


def test_the_web_app_follows_a_version_stored_since_without_a_restart(
    store: Store, settings: Settings, acme: Workspace
) -> None:
    user = add_user(store, "ada", "admin", "a long enough password 1")
    headers = {"Authorization": f"Bearer {issue(store, user.id)}"}
    with TestClient(create_app(settings, store)) as client:

        def brand_of_acme() -> tuple[str, list[str]]:
            listed = client.get("/api/workspaces", headers=headers).json()
            [shown] = [w for w in listed if w["slug"] == "acme"]
            return shown["brand"], shown["competitors"]

        assert client.get("/api/workspaces", headers=headers).status_code == 200
        assert brand_of_acme() == ("Acme", ["Globex", "Initech"])
        versions.save(store, with_section(acme, "competitors", [{"name": "Hooli"}]), "ada")
        assert brand_of_acme() == ("Acme", ["Hooli"])


def test_the_web_app_keeps_serving_when_a_stored_version_is_refused(
    store: Store, settings: Settings, acme: Workspace, log: io.StringIO
) -> None:
    user = add_user(store, "ada", "admin", "a long enough password 1")
    headers = {"Authorization": f"Bearer {issue(store, user.id)}"}
    with TestClient(create_app(settings, store)) as client:
        versions.save(store, with_section(acme, "competitors", []), "ada")
        with store.transaction() as conn:
            conn.execute(update(workspace_settings).values(document='{"slug": "acme"}'))
        answer = client.get("/api/workspaces", headers=headers)
        assert answer.status_code == 200
        [shown] = [w for w in answer.json() if w["slug"] == "acme"]
        assert shown["competitors"] == ["Globex", "Initech"]  # what was read last
    assert "stored settings of 'acme', version 1: name: required key is missing" in log.getvalue()


def test_the_history_speaks_the_readers_language(store: Store, acme: Workspace) -> None:
    first = with_section(acme, "competitors", [{"name": "Hooli"}])
    versions.save(store, first, "ada", base=acme)
    second = with_section(first, "business_hours", {"days": ["mon"]})
    versions.save(store, second, "bob")
    with using("fr"):
        newest, oldest = versions.history(store, "acme")
    assert newest.summary.splitlines()[0] == 'business_hours.days : (aucune valeur) -> ["mon"]'
    # The first version's diff is against the settings file, kept as it was written.
    assert oldest.summary == "competitors: - Globex\ncompetitors: - Initech\ncompetitors: + Hooli"
    [only] = versions.history(store, "acme", limit=1)
    assert only.summary.startswith('business_hours.days: (no value) -> ["mon"]')
