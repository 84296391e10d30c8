"""Broken rows of every kind are kept in `rejected`, reported in one line each, and the rest of
the file goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from clirun import rumeur
from rumeur.cli import app
from rumeur.store import Store
from rumeur.store.schema import posts

HEADER = (
    "tweet_id,airline,airline_sentiment,airline_sentiment_confidence,negativereason,"
    "negativereason_confidence,name,retweet_count,text,tweet_coord,tweet_created,"
    "tweet_location,user_timezone\n"
)


def row(tweet_id: str, text: str, created: str = "2015-02-24T11:35:00-08:00", rt: str = "0") -> str:
    return f'{tweet_id},United,negative,1,Late Flight,0.7,alice,{rt},"{text}",,{created},Paris,\n'


@pytest.fixture
def broken_csv(tmp_path: Path) -> Path:
    lines = [
        HEADER,  # line 1
        row("1", "@united late again"),  # 2: fine
        row("2", "@united bad date", created="2015-02-31T10:00:00-08:00"),  # 3
        row("3", "   "),  # 4: empty text
        "4,United,negative,1,,,bob,0,too few columns\n",  # 5: wrong column count
        row("5", "@united multi\nline text, still fine"),  # 6-7: one record on two lines
        row("6", "@united retweets", rt="many"),  # 8: not a number
        row("7", "@united caf\u00e9 ok"),  # 9: fine, accented
    ]
    data = "".join(lines).encode("utf-8")
    data += row("8", "@united broken XX bytes").encode("utf-8").replace(b"XX", b"\xff\xfe")  # 10
    data += row("9", "@united last one fine").encode("utf-8")  # 11
    path = tmp_path / "broken.csv"
    path.write_bytes(data)
    return path


def test_broken_rows_are_rejected_with_file_line_field_and_reason(
    broken_csv: Path, tmp_path: Path
) -> None:
    db = tmp_path / "r.db"
    result = CliRunner().invoke(
        app, ["import", str(broken_csv), "--preset", "airline", "--no-enrich", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    store = Store.open(str(db))
    with store.engine.connect() as conn:
        stored = sorted(conn.execute(select(posts.c.native_id)).scalars())
    assert stored == ["1", "5", "7", "9"]
    rejected = {r["line"]: (r["field"], r["reason"]) for r in store.rejected_rows()}
    assert set(rejected) == {3, 4, 5, 8, 10}
    assert rejected[3][0] == "tweet_created" and "bad date" in rejected[3][1]
    assert rejected[4] == ("text", "empty text")
    assert rejected[5] == ("(row)", "wrong column count: 9 values for 13 columns")
    assert rejected[8] == ("retweet_count", "not a whole number: 'many'")
    assert rejected[10][0] == "(row)" and rejected[10][1].startswith("broken encoding: not utf-8")
    messages = [line for line in result.stderr.splitlines() if ": field " in line]
    assert messages == [
        f"{broken_csv}:3: field 'tweet_created': {rejected[3][1]}",
        f"{broken_csv}:4: field 'text': empty text",
        f"{broken_csv}:5: field '(row)': wrong column count: 9 values for 13 columns",
        f"{broken_csv}:8: field 'retweet_count': not a whole number: 'many'",
        f"{broken_csv}:10: field '(row)': broken encoding: not utf-8 at byte 60",
    ]
    # The stored reason says the raw text holds its broken bytes escaped, recoverable.
    assert rejected[10][1].endswith(
        "(raw text escaped: \\\\ for \\, \\xNN for a NUL or undecodable byte)"
    )
    assert "9 rows read, 4 new posts" in " ".join(result.stderr.split())


def test_the_multi_line_record_keeps_its_newline(broken_csv: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    CliRunner().invoke(
        app, ["import", str(broken_csv), "--preset", "airline", "--no-enrich", "--db", str(db)]
    )
    with Store.open(str(db)).engine.connect() as conn:
        text = conn.execute(select(posts.c.text).where(posts.c.native_id == "5")).scalar_one()
    assert text == "@united multi\nline text, still fine"


def test_a_second_import_does_not_duplicate_rejected_rows(broken_csv: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    args = ["import", str(broken_csv), "--preset", "airline", "--no-enrich", "--db", str(db)]
    CliRunner().invoke(app, args)
    again = CliRunner().invoke(app, [*args, "--restart"])
    assert again.exit_code == 0
    assert len(Store.open(str(db)).rejected_rows()) == 5


def test_json_lines_with_bad_lines(tmp_path: Path) -> None:
    mapping = tmp_path / "m.toml"
    mapping.write_text(
        'format = "jsonl"\nplatform = "bluesky"\n[columns]\n'
        'native_id = "uri"\ntext = "record.text"\ncreated_at = "record.createdAt"\n'
        'author = "author.handle"\nlikes = "likeCount"\n'
    )
    good = {
        "uri": "at://did:plc:x/app.bsky.feed.post/1",
        "author": {"handle": "laposte.fr"},
        "record": {"text": "Votre colis arrive demain", "createdAt": "2024-05-02T08:00:00Z"},
        "likeCount": 3,
    }
    lines = [json.dumps(good), "{not json", "[1, 2]", json.dumps({**good, "uri": "u2"})]
    source = tmp_path / "posts.jsonl"
    source.write_text("\n".join(lines) + "\n")
    db = tmp_path / "j.db"
    result = CliRunner().invoke(
        app, ["import", str(source), "--mapping", str(mapping), "--no-enrich", "--db", str(db)]
    )
    assert result.exit_code == 0, result.output
    store = Store.open(str(db))
    with store.engine.connect() as conn:
        rows = conn.execute(select(posts.c.platform, posts.c.likes, posts.c.text)).all()
    assert [tuple(r) for r in rows] == [("bluesky", 3, "Votre colis arrive demain")] * 2
    reasons = {r["line"]: r["reason"] for r in store.rejected_rows()}
    assert reasons[2].startswith("not valid JSON")
    assert reasons[3] == "a JSON object was expected on the line"


def test_a_missing_column_fails_at_once_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "export.csv"
    source.write_text("date,author,message\n2024-01-01,bob,hello\n")
    result = rumeur(capsys, "import", str(source), "--db", str(tmp_path / "x.db"))
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"rumeur: error: {source}:1: column 'text', 'url', 'platform'")
    assert "(found: date, author, message)" in lines[0]


def test_a_fixed_row_leaves_the_rejected_list_after_a_restart(
    broken_csv: Path, tmp_path: Path
) -> None:
    db = tmp_path / "r.db"
    args = ["import", str(broken_csv), "--preset", "airline", "--no-enrich", "--db", str(db)]
    CliRunner().invoke(app, args)
    fixed = broken_csv.read_bytes().replace(b"2015-02-31", b"2015-02-21")
    broken_csv.write_bytes(fixed)
    CliRunner().invoke(app, [*args, "--restart"])
    assert sorted(r["line"] for r in Store.open(str(db)).rejected_rows()) == [4, 5, 8, 10]


def test_each_workspace_reads_a_file_for_itself(broken_csv: Path, tmp_path: Path) -> None:
    config = tmp_path / "two.toml"
    config.write_text(
        '[[workspaces]]\nslug = "a"\nname = "A"\n[workspaces.brand]\nname = "United"\n'
        '[[workspaces]]\nslug = "b"\nname = "B"\n[workspaces.brand]\nname = "Delta"\n'
    )
    db = tmp_path / "w.db"
    base = ["import", str(broken_csv), "--preset", "airline", "--no-enrich", "--db", str(db)]
    expected = {"a": "4 new posts, 0 updated", "b": "0 new posts, 4 updated"}  # b: a new member
    for slug, summary in expected.items():
        result = CliRunner().invoke(app, [*base, "--config", str(config), "-w", slug])
        assert f"9 rows read, {summary}" in " ".join(result.stderr.split())
    store = Store.open(str(db))
    assert store.count_posts() == 4
    assert {r["workspace"] for r in store.rejected_rows()} == {"a", "b"}
    assert len(store.rejected_rows()) == 10


def test_a_missing_mapping_fails_before_any_database_is_made(
    broken_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "never.db"
    args = ["import", str(broken_csv), "--mapping", str(tmp_path / "nope.toml"), "--db", str(db)]
    result = rumeur(capsys, *args)
    assert result.code == 1
    assert result.err.strip() == f"rumeur: error: {tmp_path / 'nope.toml'}: no such file"
    assert not db.exists()
