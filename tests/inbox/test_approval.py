"""Approval of replies per department (docs/inbox.md, "Approval"), on SQLite and PostgreSQL: a
junior's reply waits (`pending`) and no sender claims it; a senior or an admin approves it (it is
queued, once) or sends it back with a reason (never sent); its author never approves it; the
commands' refusals are one line."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from clirun import Ran, rumeur
from inbox_site import HANDLES, LAPOSTE, T0, add_account, mastodon_account, toot
from rumeur.config import load_settings
from rumeur.inbox import approval
from rumeur.store import Store
from rumeur.store.inbox import (
    approve,
    claim_due,
    conversation,
    outbox_row,
    pending_replies,
    queue_reply,
    receive,
    send_back,
)

SETTINGS = (
    LAPOSTE
    + HANDLES
    + mastodon_account("colis")
    + """
[[workspaces.departments]]
slug = "colis"
name = "Colis et courrier"
approval = "juniors"
seniors = ["Lea"]
[[workspaces.departments]]
slug = "presse"
name = "Presse"
approval = "all"
seniors = ["lea", "camille"]
[[workspaces.departments]]
slug = "service-client"
name = "Service client"
"""
)


def opened(store: Store, n: int, department: str, assignee: str | None = None) -> int:
    route = {"department": department, "assignee": assignee}
    got = receive(store, "laposte", "laposte", toot(n, f"client{n}", n), route, T0)
    assert got.conversation_id is not None
    return got.conversation_id


def test_a_pending_reply_is_never_claimed_until_approved_then_claimed_once(store: Store) -> None:
    talk = opened(store, 1, "colis", "camille")
    reply = queue_reply(store, talk, text="on regarde", now=T0, author="camille", pending=True)
    assert outbox_row(store, reply).state == "pending"  # type: ignore[union-attr]
    assert conversation(store, talk)["status"] == "assigned"  # type: ignore[index]
    assert claim_due(store, "sender-1", 10, T0 + timedelta(hours=1)) == []
    assert [(r.id, t["department"]) for r, t in pending_replies(store, "laposte")] == [
        (reply, "colis")
    ]
    assert pending_replies(store, "laposte", ["presse"]) == []
    # Two seniors who approve at once: one does.
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def one(name: str) -> None:
        barrier.wait(timeout=30)
        results.append(approve(store, reply, name, T0))

    threads = [threading.Thread(target=one, args=(name,)) for name in ("lea", "root")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == [False, True]
    row = outbox_row(store, reply)
    assert row is not None and row.state == "queued"
    assert row.request["approved_by"] in ("lea", "root")
    assert conversation(store, talk)["status"] == "waiting"  # type: ignore[index]
    assert send_back(store, reply, "lea", "trop tard", T0) is False
    assert [r.id for r in claim_due(store, "sender-1", 10, T0)] == [reply]
    assert claim_due(store, "sender-2", 10, T0) == []
    assert pending_replies(store, "laposte") == []


def test_a_reply_sent_back_is_returned_with_its_reason_and_never_claimed(store: Store) -> None:
    talk = opened(store, 2, "colis", "camille")
    reply = queue_reply(store, talk, text="bof", now=T0, author="camille", pending=True)
    assert send_back(store, reply, "lea", "  le ton\n ne va pas  ", T0)
    row = outbox_row(store, reply)
    assert row is not None
    assert (row.state, row.error, row.request["returned_by"]) == ("returned", "le ton", "lea")
    assert approve(store, reply, "lea", T0) is False
    assert claim_due(store, "sender-1", 10, T0 + timedelta(days=1)) == []
    # A pending reply does not hold back a later one of its conversation.
    later = queue_reply(store, talk, text="mieux", now=T0, author="root")
    assert [r.id for r in claim_due(store, "sender-1", 10, T0)] == [later]


def test_who_waits_and_who_approves(tmp_path: Path) -> None:
    config = tmp_path / "rumeur.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    ws = load_settings(config).workspace()
    needs = approval.needs_approval
    assert needs(ws, "colis", "camille", "care")
    assert not needs(ws, "colis", "lea", "care")  # a senior, whatever the case of the name
    assert not needs(ws, "colis", "root", "admin")
    assert not needs(ws, "colis", None, None)  # the command line acts as an admin
    assert needs(ws, "presse", "lea", "care") and needs(ws, "presse", "root", "admin")
    assert not needs(ws, "service-client", "camille", "care")
    assert not needs(ws, None, "camille", "care")
    may = approval.may_approve
    assert may(ws, "colis", "LEA", "care", "camille")
    assert may(ws, "colis", "root", "admin", "camille")
    assert not may(ws, "colis", "zoe", "care", "camille")
    assert not may(ws, "presse", "lea", "care", "lea")  # never the author
    assert may(ws, "presse", "camille", "care", "lea")


# The command line --------------------------------------------------------------------------------


@pytest.fixture
def where(tmp_path: Path, db_url: str) -> list[str]:
    """Conversation 1 in colis (approval of juniors, senior lea) held by camille, a junior;
    conversation 2 in service-client (no approval) held by camille too."""
    config = tmp_path / "rumeur.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    store = Store.open(db_url)
    try:
        assert opened(store, 1, "colis", "camille") == 1
        assert opened(store, 2, "service-client", "camille") == 2
        for name, role in (("camille", "care"), ("lea", "care"), ("zoe", "care")):
            add_account(store, name, role)
        add_account(store, "root", "admin")
    finally:
        store.close()
    return ["--db", db_url, "--config", str(config)]


def run(capsys: pytest.CaptureFixture[str], where: list[str], *args: str) -> Ran:
    return rumeur(capsys, "inbox", *args, *where)


def replies(capsys: pytest.CaptureFixture[str], where: list[str], talk: int) -> list[dict]:
    ran = run(capsys, where, "show", str(talk), "--json")
    assert ran.code == 0, ran.err
    return json.loads(ran.out)["replies"]


def test_a_juniors_reply_waits_for_a_senior_on_the_command_line(
    capsys: pytest.CaptureFixture[str], where: list[str], db_url: str
) -> None:
    ran = run(capsys, where, "reply", "1", "--text", "Bonjour, on regarde.", "--as", "camille")
    assert ran.code == 0, ran.err
    reply = int(ran.out.strip())  # the row's id alone on its line, as ever
    assert ran.err.strip() == "waiting for approval by a senior (Lea) or an admin"
    assert [(r["id"], r["state"]) for r in replies(capsys, where, 1)] == [(reply, "pending")]
    # Not in a department without approval.
    ran = run(capsys, where, "reply", "2", "--text", "Bonjour.", "--as", "camille")
    assert ran.code == 0 and ran.err == ""
    other = int(ran.out)
    assert replies(capsys, where, 2)[0]["state"] == "queued"

    for who, error in (
        ("camille", f"camille wrote reply {reply}: someone else approves it"),
        ("zoe", f"zoe may not approve reply {reply}: only a senior of colis or an admin may"),
        ("nobody", "no user named 'nobody'"),
    ):
        ran = run(capsys, where, "approve", str(reply), "--as", who)
        assert ran.code == 1
        assert ran.err.strip().splitlines() == [f"rumeur: error: {error}"]
    assert replies(capsys, where, 1)[0]["state"] == "pending"

    ran = run(capsys, where, "approve", str(reply), "--as", "lea")
    assert ran.code == 0, ran.err
    assert ran.out.strip() == f"reply {reply} approved: queued, rumeur send sends it"
    assert replies(capsys, where, 1)[0]["state"] == "queued"
    ran = run(capsys, where, "approve", str(reply), "--as", "lea")
    assert ran.code == 1
    assert ran.err.strip().splitlines() == [
        f"rumeur: error: reply {reply} is not waiting for approval (it is queued)"
    ]
    store = Store.open(db_url)
    try:
        claimed = claim_due(store, "s", 10, datetime.now(UTC))
        assert [r.id for r in claimed] == sorted([reply, other])
    finally:
        store.close()


def test_a_reply_sent_back_on_the_command_line(
    capsys: pytest.CaptureFixture[str], where: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = int(run(capsys, where, "reply", "1", "--text", "bof", "--as", "camille").out)
    ran = run(capsys, where, "reject", str(reply), "--reason", " ", "--as", "lea")
    assert (ran.code, ran.err.strip()) == (1, "rumeur: error: say why the reply goes back")
    ran = run(capsys, where, "reject", str(reply), "--reason", "le ton", "--as", "root")
    assert ran.code == 0, ran.err
    assert ran.out.strip() == f"reply {reply} sent back to camille: it will not be sent"
    (row,) = replies(capsys, where, 1)
    assert (row["state"], row["error"]) == ("returned", "le ton")
    ran = run(capsys, where, "reject", "999", "--reason", "x")
    assert ran.err.strip() == "rumeur: error: no reply 999 in this workspace"
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    ran = run(capsys, where, "reply", "1", "--text", "re", "--as", "camille")
    reply = int(ran.out)
    assert ran.err.strip() == "en attente de validation par un senior (Lea) ou un administrateur"
    ran = run(capsys, where, "approve", str(reply), "--as", "zoe")
    assert ran.err.strip() == (
        f"rumeur: erreur: zoe ne peut pas valider la réponse {reply} : seul un senior de colis "
        "ou un administrateur le peut"
    )


# The REST API ------------------------------------------------------------------------------------


def test_the_api_queues_a_juniors_reply_pending_and_a_senior_decides(store: Store) -> None:
    from fastapi.testclient import TestClient

    from rumeur.config import parse_settings
    from rumeur.web import tokens
    from rumeur.web.accounts import add_user
    from rumeur.web.app import create_app

    settings = parse_settings(SETTINGS, "rumeur.toml")
    ws = settings.workspace()
    talk = opened(store, 1, "colis", "camille")
    bearer = {}
    for name, role in (("camille", "care"), ("lea", "care"), ("zoe", "care")):
        user = add_user(store, name, role, "correct horse battery staple", None, ws)
        bearer[name] = {"Authorization": f"Bearer {tokens.issue(store, user.id)}"}
    client = TestClient(create_app(settings, store))
    base = "/api/w/laposte/inbox"

    def reply(text: str) -> int:
        answer = client.post(f"{base}/{talk}/reply", json={"text": text}, headers=bearer["camille"])
        assert answer.status_code == 200, answer.text
        assert answer.json()["state"] == "pending"
        return answer.json()["id"]

    first = reply("Bonjour, nous regardons.")
    listed = client.get(f"{base}/approvals", headers=bearer["zoe"]).json()["replies"]
    assert [(r["id"], r["author"], r["may_approve"]) for r in listed] == [(first, "camille", False)]
    assert client.get(f"{base}/approvals", headers=bearer["lea"]).json()["replies"][0][
        "may_approve"
    ]
    for name in ("zoe", "camille"):
        answer = client.post(f"{base}/replies/{first}/approve", headers=bearer[name])
        assert answer.status_code == 403 and "\n" not in answer.json()["error"]
    answer = client.post(f"{base}/replies/{first}/approve", headers=bearer["lea"])
    assert answer.json() == {"id": first, "state": "queued", "error": None}
    answer = client.post(f"{base}/replies/{first}/approve", headers=bearer["lea"])
    assert answer.status_code == 409

    second = reply("Bof.")
    answer = client.post(
        f"{base}/replies/{second}/reject", json={"reason": "Le ton."}, headers=bearer["lea"]
    )
    assert answer.json() == {"id": second, "state": "returned", "error": "Le ton."}
    answer = client.post(f"{base}/replies/999/approve", headers=bearer["lea"])
    assert answer.status_code == 404
