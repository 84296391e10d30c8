"""Saved queries at work: an import records on each post the workspace queries it matches
(after enrichment, so that `sentiment:` filters see the models' labels), and `rumeur search`
finds the same posts in the archive."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from clirun import rumeur
from rumeur.store import Store
from rumeur.store.schema import post_queries, posts

CONFIG = """
[[workspaces]]
slug = "laposte"
name = "La Poste"
[workspaces.brand]
name = "La Poste"
terms = ["la poste", "laposte"]
[[workspaces.queries]]
name = "colis"
query = '(colis OR paquet*) NEAR/3 (perdu* OR abîm*)'
[[workspaces.queries]]
name = "greve"
query = '(grève OR grévistes) AND ("la poste" OR #laposte) NOT {SNCF}'
[[workspaces.queries]]
name = "colere"
query = 'laposte AND sentiment:negative'
"""
ROWS = [
    ("1", "Mon colis est perdu depuis une semaine, merci La Poste"),
    ("2", "Grève à La Poste demain, pas de courrier #LaPoste"),
    ("3", "Grève SNCF et grève à La Poste : la totale"),
    ("4", "Les paquets arrivent abîmés, honte à @laposte"),
    ("5", "Merci au facteur de La Poste, toujours souriant"),
    ("6", "C'est nul, laposte perd tout, horrible, inadmissible"),
]


@pytest.fixture
def imported(tmp_path: Path, db_url: str, capsys: pytest.CaptureFixture[str]) -> tuple[str, Path]:
    config = tmp_path / "rumeur.toml"
    config.write_text(CONFIG, encoding="utf-8")
    source = tmp_path / "posts.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["date", "author", "text", "url", "platform"])
        for ident, text in ROWS:
            url = f"https://x.com/user{ident}/status/{ident}"
            writer.writerow(["2026-11-20 10:00", f"user{ident}", text, url, "x"])
    ran = rumeur(capsys, "import", str(source), "--db", db_url, "--config", str(config))
    assert ran.code == 0, ran.err
    return db_url, config


def test_an_import_records_the_queries_each_post_matches(imported: tuple[str, Path]) -> None:
    db_url, _ = imported
    store = Store.open(db_url)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(posts.c.native_id, post_queries.c.query)
                .join(post_queries, post_queries.c.post_id == posts.c.id)
                .where(post_queries.c.workspace == "laposte")
            ).all()
    finally:
        store.close()
    matched: dict[str, set[str]] = {}
    for native_id, name in rows:  # the file has no id column: the address is the id
        matched.setdefault(name, set()).add(native_id.rsplit("/", 1)[1])
    assert matched["colis"] == {"1", "4"}
    assert matched["greve"] == {"2"}
    assert "6" in matched["colere"]  # the sentiment model's label, seen by the query
    assert "5" not in matched.get("colere", set())


def test_search_finds_what_the_stream_recorded(
    imported: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db_url, config = imported
    query = '(grève OR grévistes) AND ("la poste" OR #laposte) NOT {SNCF}'
    ran = rumeur(capsys, "search", query, "--db", db_url, "--config", str(config), "--json")
    assert ran.code == 0, ran.err
    assert [line.count("/status/2") for line in ran.out.splitlines()] == [2]  # id and url


def test_query_apply_brings_the_archive_to_the_saved_queries(
    imported: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db_url, config = imported
    options = ["--db", db_url, "--config", str(config)]
    ran = rumeur(capsys, "query", "apply", *options)
    # The archive agrees with what the stream recorded at import: nothing to change.
    assert ran.code == 0, ran.err
    assert all("(0 added, 0 removed)" in line for line in ran.out.splitlines())
    config.write_text(
        CONFIG.replace('name = "colere"', 'name = "facteur"').replace(
            "laposte AND sentiment:negative", "facteur*"
        ),
        encoding="utf-8",
    )
    ran = rumeur(capsys, "query", "apply", *options)
    assert "facteur: 1 posts (1 added, 0 removed)" in ran.out
    assert "colere: no longer saved, its matches forgotten" in ran.out
    ran = rumeur(capsys, "query", "apply", "nope", *options)
    assert ran.code == 1 and "no saved query named nope" in ran.err


def test_export_takes_a_query(
    imported: tuple[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db_url, config = imported
    out = tmp_path / "colis.csv"
    query = "(colis OR paquet*) NEAR/3 (perdu* OR abîm*)"
    ran = rumeur(
        capsys, "export", "-q", query, "-o", str(out), "--db", db_url, "--config", str(config)
    )
    assert ran.code == 0, ran.err
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert sorted(r["text"][:9] for r in rows) == ["Les paque", "Mon colis"]


@pytest.mark.parametrize("query", ['""', '"" OR ""', "(" * 999 + "a" + ")" * 999, "a?b"])
def test_a_saved_query_the_parser_refuses_is_one_line_of_the_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], query: str
) -> None:
    config = tmp_path / "rumeur.toml"
    escaped = query.replace('"', '\\"')
    config.write_text(CONFIG.replace("'laposte AND sentiment:negative'", f'"{escaped}"'))
    assert f'"{escaped}"' in config.read_text()
    ran = rumeur(capsys, "search", "colis", "--config", str(config), "--db", str(tmp_path / "r.db"))
    assert ran.code == 1
    assert "Traceback" not in ran.err and len(ran.err.strip().splitlines()) == 1
    assert "queries[2].query" in ran.err
