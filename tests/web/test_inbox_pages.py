"""The shared inbox through the app (TestClient), on SQLite and PostgreSQL: the list with its
filters, counts and breached targets; a department's own view; the conversation page (thread,
notes, customer history); assignment, status and notes with the form's CSRF token; replies
queued in the outbox once, by the assignee or an admin only, never over a colleague's lock,
refused as the network would refuse them; the REST API with the command line's field names;
the composer's counting; hostile text shown as text; the pages in French."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from inbox_site import HOSTILE, Inbox, make_inbox
from rumeur.config import parse_settings
from rumeur.errors import ConfigError
from rumeur.inbox import compose
from rumeur.store import Store, locks
from rumeur.store.inbox import outbox_of
from rumeur.web import inbox as web_inbox
from rumeur.web import tokens
from rumeur.web.app import create_app
from website import csrf_of, sign_in


@pytest.fixture
def inbox(store: Store) -> Inbox:
    return make_inbox(store)


@pytest.fixture
def clients(inbox: Inbox) -> Iterator[dict[str, TestClient]]:
    made: dict[str, TestClient] = {}

    class Clients(dict):  # type: ignore[type-arg]
        def __missing__(self, name: str) -> TestClient:
            client = TestClient(create_app(inbox.settings, inbox.store), follow_redirects=False)
            client.cookies.set("rumeur_lang", "en")  # the workspace speaks French by default
            sign_in(client, name)
            self[name] = client
            return client

    found = Clients(made)
    yield found
    for client in found.values():
        client.close()


def _csrf(client: TestClient) -> str:
    return csrf_of(client.get("/account").text)


def _rows(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="conversation" data-id="(\d+)"', html)]


def _api(inbox: Inbox, name: str) -> TestClient:
    token = tokens.issue(inbox.store, inbox.users[name].id)
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    return TestClient(create_app(inbox.settings, inbox.store), headers=headers)


# The list ----------------------------------------------------------------------------------------


def test_the_list_filters_counts_and_flags_breached_targets(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    client = clients["carla"]
    ids = inbox.ids
    page = client.get("/w/laposte/inbox")
    assert page.status_code == 200
    assert _rows(page.text) == [ids["hostile"], ids["paul"], ids["marie"], ids["earlier"]]
    assert "Conversations: 4 · past their target: 2" in page.text
    row = page.text.split(f'data-id="{ids["marie"]}"')[1].split("</tr>")[0]
    assert 'data-testid="breached"' in row and "Target missed" in row  # in words, not colour
    paul = page.text.split(f'data-id="{ids["paul"]}"')[1].split("</tr>")[0]
    assert "breached" not in paul  # colis sets no target

    def listed(query: str) -> list[int]:
        answer = client.get("/w/laposte/inbox?" + query)
        assert answer.status_code == 200, answer.text[:300]
        return _rows(answer.text)

    assert listed("department=colis") == [ids["paul"]]
    assert listed("status=resolved") == [ids["earlier"]]
    assert listed("priority=high") == [ids["marie"]]
    assert listed("sentiment=negative") == [ids["marie"]]
    assert listed("platform=bluesky") == []
    assert listed("overdue=1") == [ids["hostile"], ids["marie"]]
    assert listed("department=service-client&status=new") == [ids["hostile"], ids["marie"]]
    refused = client.get("/w/laposte/inbox?status=closed")
    assert refused.status_code == 400
    assert "status: &#39;closed&#39; is not one of new, assigned" in refused.text


def test_a_department_sees_its_conversations_only(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    client = clients["colette"]
    page = client.get("/w/laposte/inbox")
    assert _rows(page.text) == [inbox.ids["paul"]]
    assert "Colis et courrier" in page.text
    assert client.get(f"/w/laposte/inbox/{inbox.ids['marie']}").status_code == 404
    assert client.get(f"/w/laposte/inbox/{inbox.ids['paul']}").status_code == 200
    csrf = _csrf(client)
    taken = client.post(
        f"/w/laposte/inbox/{inbox.ids['marie']}/assign", data={"csrf": csrf, "to": "me"}
    )
    assert taken.status_code == 404
    api = _api(inbox, "colette")
    listed = api.get("/api/w/laposte/inbox").json()
    assert [c["id"] for c in listed["conversations"]] == [inbox.ids["paul"]]
    assert listed["counts"]["total"] == 1
    assert api.get(f"/api/w/laposte/inbox/{inbox.ids['marie']}").status_code == 404


# A conversation ----------------------------------------------------------------------------------


def test_the_conversation_page_thread_notes_and_history(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    client = clients["cyril"]
    marie = inbox.ids["marie"]
    csrf = _csrf(client)
    noted = client.post(f"/w/laposte/inbox/{marie}/note", data={"csrf": csrf, "text": "VIP <b>"})
    assert noted.status_code == 303
    page = client.get(f"/w/laposte/inbox/{marie}").text
    directions = re.findall(r'data-testid="message" data-direction="(\w+)"', page)
    assert directions == ["in", "note"]  # oldest first, the note after the message
    assert "toujours rien, inadmissible" in page and "VIP &lt;b&gt;" in page
    history = page.split('data-testid="history"')[1]
    assert f"#{inbox.ids['earlier']}" in history
    assert "resolved" in history and "answered in 2 hours" in history  # 95 minutes
    assert 'data-testid="earlier-answer">Bonjour !</q>' in history  # what the brand answered
    earlier = client.get(f"/w/laposte/inbox/{inbox.ids['earlier']}").text
    assert re.findall(r'data-direction="(\w+)"', earlier) == ["in", "out"]
    assert client.get("/w/laposte/inbox/999999").status_code == 404


def test_hostile_text_is_text(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    page = clients["carla"].get(f"/w/laposte/inbox/{inbox.ids['hostile']}").text
    assert "<script>window.__pwned" not in page and "<b>perdu</b>" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page
    assert "\u202eenilno\u202c" in page  # the marks kept, inside a dir="auto" paragraph
    assert 'class="text" dir="auto"' in page


def test_take_assign_resolve_with_the_form_token(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    client = clients["carla"]
    paul = inbox.ids["paul"]
    url = f"/w/laposte/inbox/{paul}"
    assert client.post(url + "/assign", data={"csrf": "forged", "to": "me"}).status_code == 403
    assert client.post(url + "/assign", data={"csrf": _csrf(client), "to": "me"}).status_code == 303
    assert "assigned to carla" in client.get(url).text
    given = client.post(url + "/assign", data={"csrf": _csrf(client), "to": "chloe"})
    assert given.status_code == 303
    assert "assigned to chloe" in client.get(url).text
    stranger = client.post(url + "/assign", data={"csrf": _csrf(client), "to": "ana"})
    assert stranger.status_code == 400 and "Choose a member of the team." in stranger.text
    assert (
        client.post(url + "/status", data={"csrf": _csrf(client), "status": "resolved"}).status_code
        == 303
    )
    assert _rows(client.get("/w/laposte/inbox?status=resolved").text) == [
        paul,
        inbox.ids["earlier"],
    ]
    assert (
        clients["ana"]
        .post(url + "/status", data={"csrf": _csrf(clients["ana"]), "status": "new"})
        .status_code
        == 403
    )


# Replies -----------------------------------------------------------------------------------------


def _reply(client: TestClient, conversation: int, text: str, **more: str):  # type: ignore[no-untyped-def]
    data = {"csrf": _csrf(client), "text": text, **more}
    return client.post(f"/w/laposte/inbox/{conversation}/reply", data=data)


def test_only_the_assignee_or_an_admin_sends_once(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    marie = inbox.ids["marie"]
    carla = clients["carla"]
    refused = _reply(carla, marie, "Bonjour !")
    assert refused.status_code == 400
    assert "Only the assignee (-) or an admin may answer this conversation." in refused.text
    assert outbox_of(inbox.store, marie) == []
    carla.post(f"/w/laposte/inbox/{marie}/assign", data={"csrf": _csrf(carla), "to": "me"})
    key = "0123456789abcdef" * 2
    for _try in range(2):  # a double click, a resent form: the same key queues once
        sent = _reply(carla, marie, "Bonjour @marie, on regarde.", key=key)
        assert sent.status_code == 303
    rows = outbox_of(inbox.store, marie)
    assert len(rows) == 1
    assert (rows[0].author, rows[0].text, rows[0].idempotency_key) == (
        "carla",
        "Bonjour @marie, on regarde.",
        key,
    )
    assert rows[0].visibility == "public" and rows[0].state == "queued"
    assert (
        'data-testid="queued-reply" data-state="queued"'
        in carla.get(f"/w/laposte/inbox/{marie}").text
    )
    chloe = _reply(clients["chloe"], marie, "moi aussi")
    assert chloe.status_code == 400 and "Only the assignee (carla)" in chloe.text
    admin = _reply(clients["ada"], marie, "Réponse de l'admin", private="1")
    assert admin.status_code == 303
    rows = outbox_of(inbox.store, marie)
    assert len(rows) == 2 and rows[1].visibility == "direct"  # answered in private


def test_nobody_sends_over_a_colleague_who_writes(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    marie = inbox.ids["marie"]
    carla, ada = clients["carla"], clients["ada"]
    carla.post(f"/w/laposte/inbox/{marie}/assign", data={"csrf": _csrf(carla), "to": "me"})
    status = carla.post(
        f"/w/laposte/inbox/{marie}/lock", data={"csrf": _csrf(carla), "text": "Bonj"}
    )
    assert status.status_code == 200 and 'data-testid="lock-mine"' in status.text
    seen = ada.post(f"/w/laposte/inbox/{marie}/lock", data={"csrf": _csrf(ada), "text": "moi"})
    assert "carla is writing a reply" in seen.text
    assert re.search(r'data-testid="send" disabled', seen.text)
    assert "carla is writing a reply" in ada.get(f"/w/laposte/inbox/{marie}").text
    watched = clients["chloe"].post(
        f"/w/laposte/inbox/{marie}/lock", data={"csrf": _csrf(clients["chloe"])}
    )
    assert "carla is writing a reply" in watched.text and 'data-testid="send"' not in watched.text
    refused = _reply(ada, marie, "Je réponds à sa place")
    assert (
        refused.status_code == 400
        and "carla is writing a reply: wait until they are done." in refused.text
    )
    assert "Je réponds à sa place" in refused.text  # the text is kept in the composer
    api = _api(inbox, "ada").post(f"/api/w/laposte/inbox/{marie}/reply", json={"text": "via l'API"})
    assert api.status_code == 409 and api.json() == {
        "error": "carla is writing a reply: wait until they are done."
    }
    assert outbox_of(inbox.store, marie) == []
    emptied = carla.post(f"/w/laposte/inbox/{marie}/lock", data={"csrf": _csrf(carla), "text": ""})
    assert "lock-mine" not in emptied.text  # an emptied composer lets the lock go
    assert _reply(ada, marie, "Je réponds").status_code == 303


def test_the_lock_is_a_lease(store: Store, inbox: Inbox) -> None:
    now = datetime(2026, 12, 5, 10, tzinfo=UTC)
    marie = inbox.ids["marie"]
    held = locks.hold(store, "laposte", marie, "carla", now)
    assert held is not None and held.holder == "carla" and held.until == now + locks.LEASE
    other = locks.hold(store, "laposte", marie, "chloe", now + timedelta(seconds=30))
    assert other is not None and other.holder == "carla"  # not taken from a colleague
    renewed = locks.hold(store, "laposte", marie, "Carla", now + timedelta(seconds=40))
    assert renewed is not None and renewed.until == now + timedelta(seconds=40) + locks.LEASE
    later = now + timedelta(seconds=40) + locks.LEASE
    assert locks.holder(store, "laposte", marie, later) is None  # lapsed by itself
    taken = locks.hold(store, "laposte", marie, "chloe", later)
    assert taken is not None and taken.holder == "chloe"
    assert not locks.release(store, "laposte", marie, "carla")
    assert locks.release(store, "laposte", marie, "chloe")
    assert locks.holder(store, "laposte", marie, later) is None
    assert locks.hold(store, "other", marie, "chloe", later) is None  # another workspace's


def test_the_network_refusals_are_one_line(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    marie = inbox.ids["marie"]
    ada = clients["ada"]
    too_long = _reply(ada, marie, "x" * 495)  # with "@marie " in front: 502
    assert too_long.status_code == 400
    assert "The reply is 502 characters long: Mastodon takes at most 500." in too_long.text
    assert _reply(ada, marie, "   ").status_code == 400
    linked = "y" * 460 + " https://www.laposte.fr/" + "a" * 200  # 7 + 461 + 23 = 491
    assert _reply(ada, marie, linked).status_code == 303
    assert len(outbox_of(inbox.store, marie)) == 1


def test_a_saved_reply_fills_its_variables(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    marie = inbox.ids["marie"]
    page = clients["ada"].get(f"/w/laposte/inbox/{marie}?saved=suivi:fr").text
    expected = f"Bonjour @marie, je suis ada et je regarde votre dossier {marie} tout de suite."
    assert f'data-testid="reply-text">{expected}</textarea>' in page
    assert '<option value="suivi:fr" selected>' in page
    wrong = clients["ada"].get(f"/w/laposte/inbox/{marie}?saved=nope:fr")
    assert wrong.status_code == 400 and "saved: there is no such saved reply" in wrong.text


def test_the_pages_in_french(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    client = clients["carla"]
    client.cookies.set("rumeur_lang", "fr")
    page = client.get("/w/laposte/inbox").text
    assert "Boîte de réception" in page and "Délai dépassé" in page
    assert "Conversations : 4 · hors délai : 2" in page
    talk = client.get(f"/w/laposte/inbox/{inbox.ids['marie']}").text
    assert "Seul le responsable (-) ou un administrateur peut répondre" in talk
    assert "Conversations précédentes de marie" in talk


# The REST API ------------------------------------------------------------------------------------


def test_the_api_speaks_the_command_line_s_names(inbox: Inbox) -> None:
    from rumeur.commands import inboxing

    for name in (
        "LIST_FIELDS",
        "MORE_FIELDS",
        "MESSAGE_FIELDS",
        "MORE_MESSAGE_FIELDS",
        "REPLY_FIELDS",
    ):
        assert getattr(web_inbox, name) == getattr(inboxing, name), name
    api = _api(inbox, "cyril")
    listed = api.get("/api/w/laposte/inbox?department=service-client").json()
    first = listed["conversations"][0]
    assert list(first)[:11] == list(inboxing.LIST_FIELDS)
    assert {c["id"] for c in listed["conversations"]} == {
        inbox.ids["hostile"],
        inbox.ids["marie"],
        inbox.ids["earlier"],
    }
    assert listed["counts"]["overdue"] == 2
    assert api.get("/api/w/laposte/inbox?status=closed").status_code == 400
    marie = inbox.ids["marie"]
    shown = api.get(f"/api/w/laposte/inbox/{marie}").json()
    assert shown["customer"] == "marie" and shown["overdue"] is True
    assert [m["direction"] for m in shown["messages"]] == ["in"]
    assert set(inboxing.MESSAGE_FIELDS) <= set(shown["messages"][0])
    assert shown["history"][0]["id"] == inbox.ids["earlier"]
    assert shown["history"][0]["first_response_seconds"] == 95 * 60
    assert shown["history"][0]["answer"] == "Bonjour !"

    assert api.post(f"/api/w/laposte/inbox/{marie}/reply", json={"text": "hop"}).status_code == 403
    given = api.post(f"/api/w/laposte/inbox/{marie}/assign", json={"user": "cyril"})
    assert given.json() == {"id": marie, "assignee": "cyril"}
    sent = api.post(
        f"/api/w/laposte/inbox/{marie}/reply", json={"text": "Bonjour !", "key": "f" * 32}
    )
    again = api.post(
        f"/api/w/laposte/inbox/{marie}/reply", json={"text": "Bonjour !", "key": "f" * 32}
    )
    assert sent.status_code == 200 and sent.json()["id"] == again.json()["id"]
    assert len(outbox_of(inbox.store, marie)) == 1
    long = api.post(f"/api/w/laposte/inbox/{marie}/reply", json={"text": "z" * 600})
    assert long.status_code == 400 and "takes at most 500" in long.json()["error"]
    shown = api.get(f"/api/w/laposte/inbox/{marie}").json()
    assert [r["state"] for r in shown["replies"]] == ["queued"]
    resolved = api.post(f"/api/w/laposte/inbox/{marie}/resolve")
    assert resolved.json() == {"id": marie, "status": "resolved"}
    assert api.get(f"/api/w/laposte/inbox/{marie}").json()["status"] == "resolved"
    assert _api(inbox, "ana").post(f"/api/w/laposte/inbox/{marie}/resolve").status_code == 403
    policy = api.post(
        f"/api/w/laposte/inbox/{inbox.ids['paul']}/assign", json={"policy": "fastest"}
    )
    assert policy.status_code == 400 and "policy: 'fastest' is not one of" in policy.json()["error"]


# The composer's arithmetic (pure) ----------------------------------------------------------------


def test_mastodon_counts_links_as_23_and_remote_mentions_by_name() -> None:
    url = "https://example.com/" + "a" * 300
    assert compose.count("mastodon", f"voir {url}").used == 5 + 23
    assert compose.count("mastodon", "voir https://x.fr.").used == 5 + 23 + 1  # the dot stays
    assert compose.count("mastodon", "@marie@piaille.fr merci").used == len("@marie merci")
    assert compose.count("mastodon", "merci", "marie@piaille.fr").used == len("@marie merci")
    assert compose.count("mastodon", "@Marie merci", "marie").used == len("@Marie merci")
    assert compose.count("mastodon", "👍🏽👨‍👩‍👧🇫🇷é").used == 4  # e + combining accent: one


def test_bluesky_counts_graphemes_and_bytes() -> None:
    family = "👨‍👩‍👧"  # 18 bytes, one grapheme
    found = compose.count("bluesky", family * 300)
    assert found.used == 300 and found.size == 18 * 300 and not found.fits
    assert compose.refusal("bluesky", family * 300) == (
        "The reply is 5400 bytes long: Bluesky takes at most 3000."
    )
    assert compose.count("bluesky", "é" * 300).fits
    assert compose.refusal("bluesky", "é" * 301) == (
        "The reply is 301 characters long: Bluesky takes at most 300."
    )
    assert compose.count("reddit", "x" * 10_000).fits


def test_fill_replaces_the_three_variables_only() -> None:
    filled = compose.fill(
        "{customer} {case} {agent} {other} {{customer}}", customer="@marie", case=7, agent="{case}"
    )
    assert filled == "@marie 7 {case} {other} {@marie}"


def test_a_saved_reply_with_an_unknown_variable_is_refused_at_load() -> None:
    from inbox_site import SETTINGS

    bad = SETTINGS.replace("tout de suite.", "tout de suite {date}.")
    with pytest.raises(ConfigError) as refused:
        parse_settings(bad, "rumeur.toml")
    line = str(refused.value)
    assert "\n" not in line
    assert "saved_replies[0].text_fr: unknown variable {date}" in line
    assert HOSTILE  # the fixture's hostile text, used above through the store


def test_a_renewal_after_the_send_takes_no_lock(inbox: Inbox, clients) -> None:  # type: ignore[no-untyped-def]
    """The page's last renewal may arrive after its reply was sent (it was on its way): the
    composer's key is in the outbox, so it holds nothing and the colleagues can go on."""
    marie = inbox.ids["marie"]
    ada = clients["ada"]
    key = "ab" * 16
    assert _reply(ada, marie, "Bonjour", key=key).status_code == 303
    late = ada.post(
        f"/w/laposte/inbox/{marie}/lock", data={"csrf": _csrf(ada), "text": "Bonjour", "key": key}
    )
    assert late.status_code == 200 and "lock-mine" not in late.text
    assert locks.holder(inbox.store, "laposte", marie, datetime.now(UTC)) is None


def test_two_advisers_who_start_at_once_one_holds_the_lock(store: Store, inbox: Inbox) -> None:
    """Each round, two threads released together by a barrier take the same free lock: both
    are told the same holder, and it is one of them."""
    import threading

    marie = inbox.ids["marie"]
    now = datetime(2026, 12, 5, 10, tzinfo=UTC)
    for round_ in range(10):
        at = now + round_ * 2 * locks.LEASE  # the previous round's lease has lapsed
        barrier = threading.Barrier(2)
        seen: dict[str, str | None] = {}

        def take(
            name: str,
            at: datetime = at,
            barrier: threading.Barrier = barrier,
            seen: dict[str, str | None] = seen,
        ) -> None:
            barrier.wait(timeout=30)
            got = locks.hold(store, "laposte", marie, name, at)
            seen[name] = None if got is None else got.holder

        threads = [threading.Thread(target=take, args=(n,)) for n in ("carla", "chloe")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert seen["carla"] == seen["chloe"] and seen["carla"] in ("carla", "chloe"), seen
