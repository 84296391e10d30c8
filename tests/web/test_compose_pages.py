"""The composer's pages without a browser (docs/publish.md, "The composer"): the preview of each
account's variant (refusals with their reason, Bluesky's facets marked, a Mastodon poll), the
form scheduling through the workflow, a local manager confined to their own accounts, and every
untrusted text escaped."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from compose_support import PASSWORD, add_users, compose_settings
from fastapi.testclient import TestClient

from rumeur.store import Store
from rumeur.store.publishing import items
from rumeur.web.app import create_app
from website import csrf_of

AT = "2030-12-24T09:00"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """SQLite only: the store's own tests run these tables on PostgreSQL."""
    opened = Store.open(str(tmp_path / "compose.db"))
    yield opened
    opened.close()


@pytest.fixture
def app(store: Store) -> Iterator[Any]:
    settings = compose_settings()
    add_users(store, settings)
    yield create_app(settings, store)


def _client(app: Any, name: str) -> tuple[TestClient, str]:
    client = TestClient(app, follow_redirects=False, headers={"accept-language": "en"})
    form = client.get("/signin")
    answer = client.post("/signin", data={"name": name, "password": PASSWORD,
                                          "csrf": csrf_of(form.text), "next": "/"})  # fmt: skip
    assert answer.status_code == 303
    page = client.get("/w/laposte/compose")
    assert page.status_code == 200
    return client, csrf_of(page.text)


def test_the_preview_shows_each_variant_as_its_network_does(app: Any) -> None:
    client, csrf = _client(app, "ada")
    form = {"csrf": csrf, "text": "À {ville}, #Noël au bureau https://www.laposte.fr/noel 🎄",
            "accounts": ["lyon", "toulouse", "lille"], "at": AT,
            "variant:lille": "x" * 301, "poll_options": "Oui\nNon"}  # fmt: skip
    answer = client.post("/w/laposte/compose/check", data=form)
    assert answer.status_code == 200
    html = answer.text
    assert html.count('data-testid="preview"') == 3
    assert '<span class="mark-tag" title="Noël">#Noël</span>' in html  # Bluesky's facet
    assert "301 characters: Bluesky takes at most 300" in html  # lille refused, with why
    assert "www.laposte.fr/noel" in html and "À Toulouse" in html
    assert 'data-testid="preview-poll"' in html and "<li>Oui</li>" in html  # Mastodon only
    assert 'data-account="lyon"' in html and html.count("<li>Oui</li>") == 1


def test_the_preview_warns_of_a_quota_the_chosen_time_goes_over(app: Any, store: Store) -> None:
    """Seven posts of 4 images already at 09:00 use 28 of Mastodon's 30 uploads per 30 minutes:
    4 more at 09:10 go over (a warning, not a refusal); at 10:00 they do not."""
    from datetime import UTC, datetime

    from rumeur.store import publishing as rows

    at = datetime(2030, 12, 24, 8, tzinfo=UTC)  # 09:00 in Paris
    images = [{"path": f"img/{n}.png", "alt": "Le bureau"} for n in range(4)]
    for n in range(7):
        item = rows.NewItem(account="toulouse", platform="mastodon", handle="laposte_toulouse",
                            text=f"Avant {n}", at=at, timezone="Europe/Paris",
                            media=images)  # fmt: skip
        rows.create(store, "laposte", text=item.text, items=[item], now=at)
    client, csrf = _client(app, "ada")
    form = {"csrf": csrf, "text": "Le sapin de {ville}", "accounts": ["toulouse", "lyon"]}
    form |= {f"media_path_{n}": f"img/s{n}.png" for n in range(4)}
    form |= {f"media_alt_{n}": "Un sapin" for n in range(4)}
    html = client.post("/w/laposte/compose/check", data=form | {"at": "2030-12-24T09:10"}).text
    [line] = re.findall(r'data-testid="quota-warning">([^<]*)<', html)
    assert line.startswith("warning: toulouse: 32 of 30 media uploads from 2030-12-24 08:00"), line
    assert html.count('data-testid="refusal"') == 0 and html.count('data-testid="preview"') == 2
    later = client.post("/w/laposte/compose/check", data=form | {"at": "2030-12-24T10:00"}).text
    assert 'data-testid="quota-warning"' not in later
    french = client.post("/w/laposte/compose/check", data=form | {"at": "2030-12-24T09:10"},
                         headers={"accept-language": "fr"}).text  # fmt: skip
    assert re.search(r'data-testid="quota-warning">attention : toulouse : 32 ', french), french


def test_the_form_sends_for_approval_and_a_refused_account_is_named(app: Any, store: Store) -> None:
    client, csrf = _client(app, "ada")
    form = {"csrf": csrf, "text": "À {ville}, le bureau ouvre à 9 h", "at": AT,
            "accounts": ["lyon", "lille", "toulouse"], "variant:toulouse": "y" * 501,
            "action": "schedule"}  # fmt: skip
    answer = client.post("/w/laposte/compose", data=form)
    assert answer.status_code == 201
    assert "501 characters: Mastodon takes at most 500" in answer.text
    made = {i.account: i.status for i in items(store, "laposte")}
    assert made == {"lyon": "pending_approval", "lille": "pending_approval"}
    bad = client.post("/w/laposte/compose", data=form | {"at": "demain"})
    assert bad.status_code == 400 and "is not a time" in bad.text


def test_a_local_manager_sees_and_edits_only_their_accounts(app: Any, store: Store) -> None:
    ada, csrf = _client(app, "ada")
    text = "<script>alert(1)</script> à {ville}"
    form = {"csrf": csrf, "text": text, "at": AT, "accounts": ["lyon", "lille"]}
    assert ada.post("/w/laposte/compose", data=form | {"action": "schedule"}).status_code == 201
    ids = {i.account: i.id for i in items(store, "laposte")}
    lucie, lucie_csrf = _client(app, "lucie")
    page = lucie.get("/w/laposte/compose")
    assert 'data-testid="account-lyon"' in page.text
    assert 'data-testid="account-lille"' not in page.text  # Nadia's account
    listed = lucie.get("/w/laposte/publish/approvals").text
    assert f'data-id="{ids["lyon"]}"' in listed and f'data-id="{ids["lille"]}"' not in listed
    assert "<script>alert(1)</script>" not in listed and "&lt;script&gt;" in listed
    assert lucie.get(f"/w/laposte/publish/items/{ids['lille']}").status_code == 404
    foreign = lucie.post(f"/w/laposte/publish/items/{ids['lille']}/edit",
                         data={"csrf": lucie_csrf, "var:ville": "Roubaix"})  # fmt: skip
    assert foreign.status_code == 404
    preview = lucie.post("/w/laposte/compose/check", data=form | {"csrf": lucie_csrf})
    assert "lille is not one of your accounts" in preview.text and "Lille" not in preview.text
    refused = lucie.post("/w/laposte/compose", data=form | {"csrf": lucie_csrf})
    assert refused.status_code == 403 and "lille is not one of your accounts" in refused.text


def test_a_page_names_images_under_rumeurs_folder_only(app: Any) -> None:
    client, csrf = _client(app, "ada")
    form = {"csrf": csrf, "text": "Le sapin", "at": AT, "accounts": ["lyon"],
            "media_alt_0": "Un sapin", "action": "schedule"}  # fmt: skip
    for path in ("/etc/passwd", "../../secret.png", "C:/x.png", "notes.txt"):
        answer = client.post("/w/laposte/compose", data=form | {"media_path_0": path})
        assert answer.status_code == 400, path
        assert "an image (png, jpeg, gif or webp) under rumeur&#39;s folder" in answer.text
    fine = client.post("/w/laposte/compose/check", data=form | {"media_path_0": "img/sapin.png"})
    assert 'data-testid="refusal"' not in fine.text and "img/sapin.png" in fine.text


def test_a_published_items_page_counts_its_answers(app: Any, store: Store) -> None:
    from datetime import UTC, datetime

    from rumeur.store.inbox import Message, receive
    from rumeur.store.publishing import transition

    ada, csrf = _client(app, "ada")
    form = {"csrf": csrf, "text": "Chat ou chien ? A ou B", "at": AT, "accounts": ["toulouse"],
            "poll_options": "Chat\nChien", "action": "schedule"}  # fmt: skip
    assert ada.post("/w/laposte/compose", data=form).status_code == 201
    [item] = items(store, "laposte")
    now = datetime.now(UTC)
    uri = "https://mastodon.example/users/laposte_toulouse/statuses/77"
    transition(store, item.id, ("scheduled",), "published", now, native_id=uri)
    for n, text in enumerate(["B", "chien <b>!</b>", "A"]):
        said = Message("mastodon", f"https://m.example/s/{n}", f"c{n}@m.example", text, now,
                       kind="reply", reply_to="77")  # fmt: skip
        receive(store, "laposte", "laposte_toulouse", said, {"department": None}, now)
    page = ada.get(f"/w/laposte/publish/items/{item.id}").text
    assert 'data-testid="answers"' in page and "3 replies" in page
    assert '<td dir="auto">Chat</td><td>1</td>' in page
    assert '<td dir="auto">Chien</td><td>2</td>' in page
    _the_api_counts_them_as_the_command_line_does(app, store, item.id)


def _the_api_counts_them_as_the_command_line_does(app: Any, store: Store, item_id: int) -> None:
    """GET /api/w/SLUG/publish/items/ID/answers: the JSON of `rumeur publish answers ID --json`."""
    import contextlib
    import io
    import json

    from rumeur.commands.publishing import print_answers
    from rumeur.web import tokens
    from rumeur.web.accounts import find_user

    token = tokens.issue(store, find_user(store, "ada").id)
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    answer = api.get(f"/api/w/laposte/publish/items/{item_id}/answers")
    assert answer.status_code == 200, answer.text
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        print_answers(store, compose_settings().workspace(), item_id, as_json=True)
    assert answer.json() == json.loads(printed.getvalue())
    assert answer.json()["id"] == item_id and answer.json()["replies"] == 3
    missing = api.get(f"/api/w/laposte/publish/items/{item_id + 1000}/answers")
    assert missing.status_code == 404 and str(item_id + 1000) in missing.json()["error"]


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # the signature is what is sniffed


def _upload_form(csrf: str, **more: str) -> dict[str, Any]:
    return {"csrf": csrf, "text": "Le sapin de {ville}", "at": AT, "accounts": ["toulouse"],
            "media_alt_0": "Un sapin", "action": "schedule"} | more  # fmt: skip


def test_an_uploaded_image_is_kept_by_its_content_and_scheduled(
    app: Any, store: Store, tmp_path: Path
) -> None:
    import hashlib

    client, csrf = _client(app, "ada")
    files = {"media_file_0": ("../../sapin.png", PNG, "text/plain")}  # name and type not trusted
    answer = client.post("/w/laposte/compose", data=_upload_form(csrf), files=files)
    assert answer.status_code == 201, answer.text
    kept = tmp_path / "media" / f"{hashlib.sha256(PNG).hexdigest()}.png"
    assert kept.read_bytes() == PNG
    [item] = items(store, "laposte")
    assert item.media == [{"path": str(kept.resolve()), "alt": "Un sapin"}]
    assert sorted(p.name for p in tmp_path.rglob("*.png")) == [kept.name]


def test_an_upload_that_is_no_image_too_large_or_without_alt_is_refused(
    app: Any, store: Store, tmp_path: Path
) -> None:
    client, csrf = _client(app, "ada")
    form = _upload_form(csrf, **{"variant:toulouse": "Gardé"})
    files = {"media_file_0": ("x.png", b"just some text", "image/png")}
    text = client.post("/w/laposte/compose", data=form, files=files)
    assert text.status_code == 400
    assert "x.png: not a PNG, JPEG, GIF or WebP image" in text.text
    assert ">Gardé</textarea>" in text.text  # the form's other values are kept
    big = PNG + b"\0" * 1_000_000  # over Bluesky's limit, under Mastodon's
    lyon = form | {"accounts": ["lyon", "toulouse"]}
    over = client.post("/w/laposte/compose", data=lyon, files={"media_file_0": ("big.png", big)})
    assert over.status_code == 400
    assert "big.png: over 1,000,000 bytes, the most the chosen networks take" in over.text
    alone = client.post("/w/laposte/compose", data=form, files={"media_file_0": ("big.png", big)})
    assert alone.status_code == 201, alone.text  # Mastodon alone takes it
    bare = form | {"media_alt_0": " "}
    missing = client.post("/w/laposte/compose", data=bare, files={"media_file_0": ("a.png", PNG)})
    assert missing.status_code == 400 and "a.png: every image needs its alt text" in missing.text
    french = client.post("/w/laposte/compose", data=form, headers={"accept-language": "fr"},
                         files={"media_file_0": ("x.png", b"texte", "image/png")})  # fmt: skip
    assert "x.png : ni une image PNG, JPEG, GIF ou WebP" in french.text
    french = client.post("/w/laposte/compose", data=lyon, headers={"accept-language": "fr"},
                         files={"media_file_0": ("big.png", big)})  # fmt: skip
    assert re.search(r"big.png : plus de 1\s000\s000 octets", french.text), french.text
    assert [len(i.media) for i in items(store, "laposte")] == [1]
    assert [p.name.endswith(".png") for p in (tmp_path / "media").iterdir()] == [True]


def test_a_refused_form_keeps_its_upload(app: Any, store: Store) -> None:
    client, csrf = _client(app, "ada")
    form = _upload_form(csrf, at="demain")
    bad = client.post("/w/laposte/compose", data=form, files={"media_file_0": ("s.png", PNG)})
    assert bad.status_code == 400 and "is not a time" in bad.text
    [name] = re.findall(r'name="media_upload_0" value="([0-9a-f]{64}\.png)"', bad.text)
    again = client.post("/w/laposte/compose", data=form | {"at": AT, "media_upload_0": name})
    assert again.status_code == 201
    [item] = items(store, "laposte")
    assert item.media[0]["path"].endswith(name)
    forged = client.post("/w/laposte/compose/check",
                         data=form | {"at": AT, "media_upload_0": "../../etc/passwd"})  # fmt: skip
    assert "passwd" not in forged.text
