"""The settings edited in the app, seen from the command line: every command reads the
workspace's newest stored version (`Cli.settings`), `rumeur config export` writes the settings
in effect as a file rumeur reads back, and `rumeur config import` stores a file as the next
version only once its diff was shown and accepted. Secrets never reach a stored version nor an
export."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from clirun import Ran, rumeur
from rumeur.config import Workspace, load_settings
from rumeur.settings.sections import with_section
from rumeur.store import Store
from rumeur.store import workspace_settings as versions
from rumeur.store.schema import workspace_settings

# A workspace whose brand is found by "acme" only, and whose volume alerts need 500 posts.
ACME = """\
[[workspaces]]
slug = "acme"
name = "Acme"
timezone = "UTC"
locale = "en"

[workspaces.brand]
name = "Acme"
terms = ["acme"]

[workspaces.alerts]
volume_min_posts = 500
"""
HEADER = [
    "tweet_id", "airline", "airline_sentiment", "airline_sentiment_confidence", "negativereason",
    "negativereason_confidence", "name", "retweet_count", "text", "tweet_location",
]  # fmt: skip
SLACK = "https://hooks.slack.com/services/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"
SPIKE = datetime(2015, 2, 22, 14, tzinfo=UTC)


def settings_file(tmp_path: Path, text: str = ACME, name: str = "rumeur.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def posts_file(path: Path, posts: list[tuple[datetime, str]]) -> Path:
    """An airline-preset CSV (without the airline column filled: brands come from terms)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*HEADER, "tweet_created"])
        for i, (at, text) in enumerate(posts):
            row = [1000 + i, "", "neutral", 1, "", "", f"user{i % 7}", 0, text, ""]
            writer.writerow([*row, at.isoformat()])
    return path


def a_quiet_week_then_a_spike() -> list[tuple[datetime, str]]:
    """Two posts an hour about "zorglub" for five days, then 80 in the hour of SPIKE."""
    start = SPIKE - timedelta(days=5)
    quiet = [
        (start + timedelta(hours=h, minutes=m), f"zorglub flight {h} {m}")
        for h in range(5 * 24)
        for m in (10, 40)
    ]
    spike = [(SPIKE + timedelta(seconds=40 * i), f"zorglub lost my bag {i}") for i in range(80)]
    return quiet + spike


def admin_changes(db: str, config: Path) -> int:
    """What an admin does in the app: the brand's terms and an alert threshold, through the
    same functions as the settings pages; the new version's number."""
    ws = load_settings(config).workspace()
    changed = with_section(ws, "brand", {"name": "Acme", "terms": ["acme", "zorglub"]})
    changed = with_section(changed, "alerts", {"volume_min_posts": 30})
    store = Store.open(db)
    try:
        return versions.save(store, changed, "ada", base=ws)
    finally:
        store.close()


def brand_posts(capsys: pytest.CaptureFixture[str], db: str, config: Path) -> dict[str, int]:
    """How many exported posts each brand was given."""
    ran = rumeur(capsys, "export", "--format", "jsonl", "--db", db, "--config", str(config))
    assert ran.code == 0, ran.err
    return dict(Counter(b for line in ran.out.splitlines() for b in json.loads(line)["brands"]))


def alert_subjects(capsys: pytest.CaptureFixture[str], db: str, config: Path) -> set[str]:
    ran = rumeur(capsys, "alerts", "list", "--all", "--json", "--db", db, "--config", str(config))
    assert ran.code == 0, ran.err
    return {json.loads(line)["subject"] for line in ran.out.splitlines() if line.strip()}


def replay(capsys: pytest.CaptureFixture[str], data: Path, db: str, config: Path) -> Ran:
    return rumeur(
        capsys, "replay", str(data), "--preset", "airline", "--no-enrich",
        "--db", db, "--config", str(config),
    )  # fmt: skip


def test_an_admins_change_in_the_app_is_used_by_the_next_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_url: str
) -> None:
    config = settings_file(tmp_path)
    assert admin_changes(db_url, config) == 1
    data = posts_file(tmp_path / "posts.csv", [(SPIKE, "zorglub again"), (SPIKE, "nothing")])
    ran = rumeur(
        capsys, "import", str(data), "--preset", "airline", "--no-enrich",
        "--db", db_url, "--config", str(config),
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert brand_posts(capsys, db_url, config) == {"Acme": 1}  # by the term added in the app


def test_an_admins_change_in_the_app_is_used_by_the_next_replay(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = settings_file(tmp_path)
    data = posts_file(tmp_path / "week.csv", a_quiet_week_then_a_spike())
    # The file's settings alone: "zorglub" is no brand, and 500 posts are needed for an alert.
    before = str(tmp_path / "before.db")
    assert replay(capsys, data, before, config).code == 0
    assert "Acme" not in alert_subjects(capsys, before, config)
    assert brand_posts(capsys, before, config) == {}

    after = str(tmp_path / "after.db")
    admin_changes(after, config)
    ran = replay(capsys, data, after, config)
    assert ran.code == 0, ran.err
    assert brand_posts(capsys, after, config) == {"Acme": 320}
    assert "Acme" in alert_subjects(capsys, after, config)  # 30 posts are enough now


def test_export_writes_the_settings_in_effect_as_a_file_rumeur_reads_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, config, out = str(tmp_path / "r.db"), settings_file(tmp_path), tmp_path / "out.toml"
    ran = rumeur(capsys, "config", "export", "--db", db, "--config", str(config))
    assert ran.code == 0, ran.err
    assert ran.out.startswith("# Settings of the workspace acme, as the settings file gives")
    assert load_settings(settings_file(tmp_path, ran.out, "a.toml")).workspace() == (
        load_settings(config).workspace()
    )
    assert not Path(db).exists()  # reading the settings in effect made no database

    admin_changes(db, config)
    ran = rumeur(capsys, "config", "export", "--out", str(out), "--db", db, "--config", str(config))
    assert ran.code == 0, ran.err
    assert ran.err.strip() == f"acme: settings written to {out}"
    exported = load_settings(out).workspace()
    assert exported.brand.terms == ["acme", "zorglub"]
    assert exported.alerts.volume_min_posts == 30
    assert exported == _stored(db, "acme")
    assert "version 1 stored in the app" in out.read_text(encoding="utf-8")


def test_an_export_that_cannot_be_written_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "no" / "such" / "folder.toml"
    ran = rumeur(capsys, "config", "export", "--out", str(out), "--db", str(tmp_path / "r.db"))
    assert ran.code == 1
    reason = "cannot write (No such file or directory)"
    assert ran.err.strip() == f"rumeur: error: --out {out}: {reason}"
    assert ran.out == ""


def test_the_demo_workspace_goes_round_trip(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The built-in demo (owned accounts, departments, queries, statements, durations)."""
    ran = rumeur(capsys, "config", "export", "--db", str(tmp_path / "r.db"))
    assert ran.code == 0, ran.err
    again = load_settings(settings_file(tmp_path, ran.out)).workspace()
    assert again == load_settings().workspace()


def test_import_shows_the_diff_and_stores_nothing_when_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = str(tmp_path / "r.db"), settings_file(tmp_path)
    changed = settings_file(
        tmp_path, ACME.replace('["acme"]', '["acme", "acme corp"]').replace("500", "400"), "n.toml"
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    ran = rumeur(capsys, "config", "import", str(changed), "--db", db, "--config", str(config))
    assert ran.code == 1
    assert ran.out.splitlines() == [
        "acme: changes to store:",
        '  brand.terms: + "acme corp"',
        "  alerts.volume_min_posts: 500 -> 400",
        "acme: nothing changed",
    ]
    assert ran.err == "Store these changes as the next version of acme? [y/N] "
    assert not Path(db).exists()  # nothing stored, not even an empty database

    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    args = ["config", "import", str(changed), "--by", "claire", "--db", db, "--config", str(config)]
    ran = rumeur(capsys, *args)
    assert ran.code == 0, ran.err
    assert ran.out.splitlines()[-1] == "acme: version 1 stored"
    [version] = _history(db, "acme")
    assert (version.version, version.author) == (1, "claire")
    assert version.summary == 'brand.terms: + "acme corp"\nalerts.volume_min_posts: 500 -> 400'

    ran = rumeur(capsys, *args)  # the same file again: it is what is in effect now
    assert (ran.code, ran.out.strip()) == (0, "acme: nothing to change")
    assert len(_history(db, "acme")) == 1


def test_import_with_yes_asks_nothing_and_speaks_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    db, config = str(tmp_path / "r.db"), settings_file(tmp_path)
    changed = settings_file(tmp_path, ACME.replace("500", "450"), "n.toml")
    args = ["config", "import", str(changed), "--yes", "--db", db, "--config", str(config)]
    ran = rumeur(capsys, *args)
    assert ran.code == 0, ran.err
    assert ran.out.splitlines() == [
        "acme : changements à enregistrer :",
        "  alerts.volume_min_posts : 500 -> 450",
        "acme : version 1 enregistrée",
    ]
    assert ran.err == ""
    assert _stored(db, "acme").alerts.volume_min_posts == 450


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ACME.replace("terms =", "term ="), "workspaces[0].brand.term: unknown key"),
        (ACME.replace("500", "-1"), "workspaces[0].alerts.volume_min_posts: input should be"),
        (ACME.replace('"acme"\nname', '"other"\nname'), "no workspace 'acme' (known: other)"),
        ("[[workspaces]\n", "not valid TOML"),
    ],
)
def test_a_bad_file_is_one_line_naming_it_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, expected: str
) -> None:
    db, config = str(tmp_path / "r.db"), settings_file(tmp_path)
    bad = settings_file(tmp_path, text, "bad.toml")
    ran = rumeur(capsys, "config", "import", str(bad), "--yes", "--db", db, "--config", str(config))
    assert ran.code == 1
    [line] = ran.err.strip().splitlines()
    assert line.startswith(f"rumeur: error: {bad}: ") and expected in line
    assert ran.out == ""
    assert not Path(db).exists()


def test_no_secret_reaches_a_stored_version_nor_an_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_TEST_SLACK", SLACK)
    by_env = ACME + '\n[[workspaces.notify.targets]]\nname = "chat"\nkind = "slack"\n'
    inline = by_env + f'url = "{SLACK}"\n'
    by_env += 'url_env = "RUMEUR_TEST_SLACK"\n'
    db = str(tmp_path / "r.db")

    # Written in the file itself: neither exported nor imported, and never repeated.
    config = settings_file(tmp_path, inline, "inline.toml")
    for args in (
        ["config", "export"],
        ["config", "import", str(config), "--yes"],
    ):
        ran = rumeur(capsys, *args, "--db", db, "--config", str(config))
        assert ran.code == 1
        assert "workspaces[0].notify.targets[0].url: holds a secret" in ran.err or (
            "acme: notify.targets[0].url: holds a secret" in ran.err
        )
        assert "c2VjcmV0" not in ran.out + ran.err
    assert not Path(db).exists()

    # Named by its variable: stored and exported as the name, never the value.
    config = settings_file(tmp_path, by_env, "env.toml")
    changed = settings_file(tmp_path, by_env.replace("500", "50"), "changed.toml")
    ran = rumeur(
        capsys, "config", "import", str(changed), "--yes", "--db", db, "--config", str(config)
    )
    assert ran.code == 0, ran.err
    ran = rumeur(capsys, "config", "export", "--db", db, "--config", str(config))
    assert ran.code == 0 and 'url_env = "RUMEUR_TEST_SLACK"' in ran.out
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(workspace_settings))]
    finally:
        store.close()
    assert rows and all("c2VjcmV0" not in repr(row) for row in rows)
    assert "c2VjcmV0" not in ran.out


def test_an_unknown_workspace_is_refused_before_a_database_is_made(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, config = str(tmp_path / "r.db"), settings_file(tmp_path)
    ran = rumeur(capsys, "config", "export", "-w", "nope", "--db", db, "--config", str(config))
    assert ran.code == 1
    assert ran.err.strip() == f"rumeur: error: {config}: no workspace 'nope' (known: acme)"
    assert not Path(db).exists()


def test_an_unreadable_stored_version_is_named_and_an_import_replaces_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, config = str(tmp_path / "r.db"), settings_file(tmp_path)
    admin_changes(db, config)
    store = Store.open(db)
    try:
        with store.transaction() as conn:  # as a version written by a rumeur of other models
            conn.execute(update(workspace_settings).values(document='{"slug": "acme"}'))
    finally:
        store.close()
    ran = rumeur(capsys, "config", "export", "--db", db, "--config", str(config))
    assert ran.code == 1
    assert ran.err.strip() == (
        "rumeur: error: stored settings of 'acme', version 1: name: required key is missing"
    )
    args = ["config", "import", str(config), "--yes", "--db", db, "--config", str(config)]
    ran = rumeur(capsys, *args)
    assert ran.code == 0, ran.err
    assert ran.err.startswith("warning: stored settings of 'acme', version 1: name: required")
    assert ran.out.splitlines() == [
        "acme: changes to store:",
        "  first version of the workspace acme",
        "acme: version 2 stored",
    ]
    assert _stored(db, "acme") == load_settings(config).workspace()


def _stored(db: str, slug: str) -> Workspace:
    store = Store.open(db)
    try:
        found = versions.current(store, slug)
    finally:
        store.close()
    assert found is not None
    return found


def _history(db: str, slug: str) -> list[versions.Version]:
    store = Store.open(db)
    try:
        return versions.history(store, slug)
    finally:
        store.close()
