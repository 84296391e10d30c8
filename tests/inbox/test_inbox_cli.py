"""`rumeur inbox list|show|assign|reply|note|resolve` on a store with a few conversations, on
SQLite and PostgreSQL: the JSON fields as the issue names them, the tables in English and
French, who may reply, and the errors in one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clirun import Ran, rumeur
from inbox_site import HANDLES, LAPOSTE, T0, add_account, mastodon_account, toot
from rumeur.store import Store, locks
from rumeur.store.inbox import outbox_row, receive

SETTINGS = (
    LAPOSTE
    + HANDLES
    + mastodon_account("service-client")
    + """
[[workspaces.departments]]
slug = "service-client"
name = "Service client"
first_response = "1h"
[[workspaces.departments]]
slug = "colis"
name = "Colis et courrier"
"""
)
HOSTILE = "[bold red]gratuit[/] :fire: \x1b[2Jeffacé"
LIST_KEYS = {
    "id", "platform", "account", "customer", "department", "priority", "status", "assignee",
    "messages", "last_at", "due_at",
}  # fmt: skip


@pytest.fixture
def where(tmp_path: Path, db_url: str) -> list[str]:
    """The options that name the database and the settings; the store holds two conversations
    (1: marie's, in service-client, overdue; 2: paul's, in colis, answered) and four users."""
    config = tmp_path / "rumeur.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    store = Store.open(db_url)
    try:
        sc = {"department": "service-client", "priority": "high"}
        first = toot(1, "marie", 0, text=HOSTILE, sentiment="negative")
        receive(store, "laposte", "laposte", first, sc, T0)
        direct = toot(2, "paul", 5, kind="direct", thread="c1")
        receive(store, "laposte", "laposte", direct, {"department": "colis"}, T0)
        out = toot(3, "laposte", 7, direction="out", reply_to="2", kind="direct", thread="c1")
        receive(store, "laposte", "laposte", out, None, T0)
        add_account(store, "camille", "care", "service-client")
        add_account(store, "lea", "care", "service-client")
        add_account(store, "root", "admin")
        add_account(store, "zoe", "care", "colis")
    finally:
        store.close()
    return ["--db", db_url, "--config", str(config)]


def run(capsys: pytest.CaptureFixture[str], where: list[str], *args: str) -> Ran:
    return rumeur(capsys, "inbox", *args, *where)


def listed(capsys: pytest.CaptureFixture[str], where: list[str], *args: str) -> list[dict]:
    ran = run(capsys, where, "list", "--json", *args)
    assert ran.code == 0, ran.err
    return [json.loads(line) for line in ran.out.splitlines()]


def test_list_as_json_lines_with_the_fields_named(
    capsys: pytest.CaptureFixture[str], where: list[str]
) -> None:
    paul, marie = listed(capsys, where)  # the latest activity first
    assert set(marie) >= LIST_KEYS
    assert {k: marie[k] for k in LIST_KEYS - {"id"}} == {
        "platform": "mastodon", "account": "laposte", "customer": "marie",
        "department": "service-client", "priority": "high", "status": "new", "assignee": None,
        "messages": 1, "last_at": "2026-11-02T09:00:00+00:00",
        "due_at": "2026-11-02T10:00:00+00:00",
    }  # fmt: skip
    assert marie["overdue"] is True
    assert (paul["customer"], paul["status"], paul["messages"], paul["due_at"]) == (
        "paul", "waiting", 2, None,
    )  # fmt: skip
    assert paul["overdue"] is False
    assert [c["customer"] for c in listed(capsys, where, "--department", "colis")] == ["paul"]
    assert [c["customer"] for c in listed(capsys, where, "--status", "new")] == ["marie"]
    assert [c["customer"] for c in listed(capsys, where, "--overdue")] == ["marie"]


def test_list_as_a_table_in_english_and_french(
    capsys: pytest.CaptureFixture[str], where: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    ran = run(capsys, where, "list")
    assert ran.code == 0
    assert "customer" in ran.out and "marie (mastodon)" in ran.out and "waiting" in ran.out
    assert "(overdue)" in ran.out
    assert "2 conversations (1 new, 1 waiting), 1 overdue" in ran.out
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    ran = run(capsys, where, "list")
    assert "client" in ran.out and "en attente" in ran.out and "(en retard)" in ran.out
    assert "2 conversations (1 nouvelle, 1 en attente), 1 en retard" in ran.out
    assert "02/11/2026" in ran.out  # the French date style


def test_show_gives_the_thread(capsys: pytest.CaptureFixture[str], where: list[str]) -> None:
    paul = listed(capsys, where, "--department", "colis")[0]["id"]
    ran = run(capsys, where, "show", str(paul), "--json")
    assert ran.code == 0, ran.err
    talk = json.loads(ran.out)
    assert (talk["id"], talk["customer"], talk["status"]) == (paul, "paul", "waiting")
    assert [
        {k: m[k] for k in ("direction", "native_id", "author", "text", "at")}
        for m in talk["messages"]
    ] == [
        {"direction": "in", "native_id": "https://piaille.fr/users/paul/statuses/2",
         "author": "paul", "text": "message 2", "at": "2026-11-02T09:05:00+00:00"},
        {"direction": "out", "native_id": "https://piaille.fr/users/laposte/statuses/3",
         "author": "laposte", "text": "message 3", "at": "2026-11-02T09:07:00+00:00"},
    ]  # fmt: skip
    assert talk["notes"] == [] and talk["replies"] == []


def test_a_strangers_text_is_printed_as_it_is(
    capsys: pytest.CaptureFixture[str], where: list[str]
) -> None:
    marie = listed(capsys, where, "--department", "service-client")[0]
    assert marie["customer"] == "marie"
    ran = run(capsys, where, "show", str(marie["id"]))
    assert ran.code == 0, ran.err
    assert "[bold red]gratuit[/] :fire: \\x1b[2Jeffacé" in ran.out
    assert "\x1b" not in ran.out and "🔥" not in ran.out
    ran = run(capsys, where, "show", str(marie["id"]), "--json")
    assert json.loads(ran.out)["messages"][0]["text"] == HOSTILE


def test_assign_reply_note_resolve(
    capsys: pytest.CaptureFixture[str], where: list[str], db_url: str
) -> None:
    marie = str(listed(capsys, where, "--department", "service-client")[0]["id"])
    ran = run(capsys, where, "assign", marie, "Camille")
    assert (ran.code, ran.out.strip()) == (0, f"conversation {marie} assigned to camille")
    assert listed(capsys, where, "--status", "assigned")[0]["assignee"] == "camille"

    # Only the assignee or an admin may reply; the others are refused in one line.
    ran = run(capsys, where, "reply", marie, "--text", "Bonjour", "--as", "lea")
    assert ran.code == 1 and ran.out == ""
    assert ran.err.strip().splitlines() == [
        f"rumeur: error: lea may not answer conversation {marie}: only its assignee (camille) "
        "or an admin may"
    ]
    ran = run(capsys, where, "reply", marie, "--text", "  Bonjour Marie  ", "--as", "camille")
    assert ran.code == 0, ran.err
    queued = int(ran.out.strip())
    store = Store.open(db_url)
    try:
        row = outbox_row(store, queued)
        assert row is not None
        assert (row.state, row.author, row.text, row.reply_to, row.visibility) == (
            "queued", "camille", "Bonjour Marie", "1", "public",
        )  # fmt: skip
    finally:
        store.close()
    # While camille writes (her lock), an admin does not reply over her.
    store = Store.open(db_url)
    try:
        now = datetime.now(UTC)
        locks.hold(store, "laposte", int(marie), "camille", now, timedelta(minutes=5))
        ran = run(capsys, where, "reply", marie, "--text", "Et aussi", "--as", "root")
        assert ran.code == 1 and "camille is writing a reply to conversation" in ran.err
        assert len(ran.err.strip().splitlines()) == 1
        locks.release(store, "laposte", int(marie), "camille")
    finally:
        store.close()
    ran = run(capsys, where, "reply", marie, "--text", "Et aussi", "--as", "root")
    assert ran.code == 0 and int(ran.out) != queued
    assert int(marie) in [c["id"] for c in listed(capsys, where, "--status", "waiting")]

    ran = run(capsys, where, "note", marie, "--text", "client fidèle", "--as", "lea")
    assert ran.code == 0 and "added to conversation" in ran.out
    talk = json.loads(run(capsys, where, "show", marie, "--json").out)
    assert [(n["author"], n["text"]) for n in talk["notes"]] == [("lea", "client fidèle")]
    assert [(r["state"], r["author"]) for r in talk["replies"]] == [
        ("queued", "camille"), ("queued", "root"),
    ]  # fmt: skip
    assert talk["messages_count"] == 1  # a note is not a message

    ran = run(capsys, where, "resolve", marie)
    assert (ran.code, ran.out.strip()) == (0, f"conversation {marie} resolved")
    assert listed(capsys, where, "--status", "resolved")[0]["id"] == int(marie)


def test_assign_by_policy(capsys: pytest.CaptureFixture[str], where: list[str]) -> None:
    marie = str(listed(capsys, where, "--department", "service-client")[0]["id"])
    ran = run(capsys, where, "assign", marie, "--policy", "round-robin")
    assert (ran.code, ran.out.strip()) == (0, f"conversation {marie} assigned to camille")
    ran = run(capsys, where, "assign", marie, "--policy", "least-busy")
    assert ran.code == 1 and "nobody to assign it to" in ran.err


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("list", "--department", "courrier"),
         "--department courrier: no such department in workspace laposte (it has: "
         "service-client, colis)"),
        (("list", "--status", "done"),
         "--status done: one of new, assigned, waiting, resolved, reopened"),
        (("show", "999"), "no conversation 999 in workspace laposte"),
        (("assign", "999", "camille"), "no conversation 999 in workspace laposte"),
        (("assign", "1", "nobody"), "no user named 'nobody'"),
        (("assign", "1"), "name a user, or a --policy (round-robin, least-busy), not both"),
        (("assign", "1", "--policy", "random"), "--policy random: one of round-robin, least-busy"),
        (("reply", "1", "--text", "   "), "--text: the reply is empty"),
        (("reply", "1", "--text", "x", "--as", "nobody"), "no user named 'nobody'"),
        (("resolve", "999"), "no conversation 999 in workspace laposte"),
    ],
)  # fmt: skip
def test_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], where: list[str], args: tuple[str, ...], error: str
) -> None:
    ran = run(capsys, where, *args)
    assert ran.code == 1
    assert ran.err.strip().splitlines() == [f"rumeur: error: {error}"]
