"""Signing in and out: argon2 passwords, session cookies, CSRF on every form, throttling."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from rumeur.store.schema import web_sessions
from rumeur.web import sessions, throttle
from website import PASSWORD, Site, csrf_of, make_site, sign_in


@pytest.fixture
def fresh(demo_db: Path, tmp_path: Path) -> Iterator[Site]:
    """A site of its own: these tests lock accounts and end sessions."""
    yield from make_site(demo_db, tmp_path)


def test_a_page_asks_to_sign_in_and_comes_back_after(site: Site) -> None:
    client = site.client()
    answer = client.get("/w/united/stream?q=bag")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fw%2Funited%2Fstream%3Fq%3Dbag"
    form = client.get(answer.headers["location"])
    assert 'value="/w/united/stream?q=bag"' in form.text
    done = client.post(
        "/signin",
        data={"name": "ana", "password": PASSWORD, "csrf": csrf_of(form.text),
              "next": "/w/united/stream?q=bag"},
    )  # fmt: skip
    assert done.status_code == 303
    assert done.headers["location"] == "/w/united/stream?q=bag"
    assert client.get("/w/united/stream?q=bag").status_code == 200


def test_the_session_cookie_is_httponly_samesite_and_only_a_hash_is_stored(site: Site) -> None:
    client = site.client()
    form = client.get("/signin")
    answer = client.post(
        "/signin", data={"name": "ANA", "password": PASSWORD, "csrf": csrf_of(form.text)}
    )
    cookie = [h for h in answer.headers.get_list("set-cookie") if h.startswith("rumeur_session=")]
    assert len(cookie) == 1
    attributes = cookie[0].lower()
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    token = client.cookies["rumeur_session"]
    with site.store.engine.connect() as conn:
        stored = list(conn.execute(select(web_sessions.c.id_hash)).scalars())
    assert token not in stored
    assert sessions.digest(token) in stored


def test_cookies_are_secure_over_https(site: Site) -> None:
    from fastapi.testclient import TestClient

    from rumeur.web.app import create_app

    client = TestClient(
        create_app(site.settings, site.store), base_url="https://rumeur.example",
        follow_redirects=False,
    )  # fmt: skip
    form = client.get("/signin")
    assert "secure" in form.headers["set-cookie"].lower()
    answer = client.post(
        "/signin", data={"name": "ana", "password": PASSWORD, "csrf": csrf_of(form.text)}
    )
    assert all("secure" in h.lower() for h in answer.headers.get_list("set-cookie"))


def test_sign_in_without_the_form_token_is_refused(site: Site) -> None:
    client = site.client()
    client.get("/signin")
    answer = client.post("/signin", data={"name": "ana", "password": PASSWORD, "csrf": "forged"})
    assert answer.status_code == 403
    assert "rumeur_session" not in client.cookies


def test_a_wrong_password_says_so_without_telling_which_part(site: Site) -> None:
    client = site.client()
    for name in ("ana", "nobody"):
        form = client.get("/signin")
        answer = client.post(
            "/signin",
            data={"name": name, "password": "wrong password!", "csrf": csrf_of(form.text)},
        )
        assert answer.status_code == 401
        assert "Wrong name or password." in answer.text


def test_every_form_of_a_signed_in_user_needs_the_session_token(site: Site) -> None:
    client = site.client("ada")
    for path, data in [
        ("/language", {"language": "fr"}),
        ("/account/token", {}),
        ("/admin/users", {"name": "mallory", "role": "admin", "password": "x" * 20}),
        ("/signout", {}),
    ]:
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf": "forged"}).status_code == 403, path
    assert "mallory" not in client.get("/admin/users").text
    assert client.get("/account").status_code == 200  # still signed in


def test_sign_out_ends_the_session_on_the_server(site: Site) -> None:
    client = site.client("ana")
    token = client.cookies["rumeur_session"]
    page = client.get("/account")
    assert client.post("/signout", data={"csrf": csrf_of(page.text)}).status_code == 303
    assert sessions.find(site.store, token) is None
    client.cookies.set("rumeur_session", token)  # a copied cookie opens nothing any more
    assert client.get("/account").status_code == 303


def test_an_idle_session_expires(site: Site) -> None:
    token = sessions.start(site.store, site.users["ana"].id)
    later = datetime.now(UTC) + sessions.IDLE + timedelta(minutes=1)
    assert sessions.find(site.store, token) is not None
    assert sessions.find(site.store, token, now=later) is None


def test_repeated_failures_lock_the_name_then_the_lock_ends(fresh: Site) -> None:
    client = fresh.client()
    statuses = []
    for _ in range(throttle.FREE["name"] + 1):
        form = client.get("/signin")
        answer = client.post(
            "/signin", data={"name": "ana", "password": "not it at all", "csrf": csrf_of(form.text)}
        )
        statuses.append(answer.status_code)
    assert statuses == [401] * throttle.FREE["name"] + [401]
    form = client.get("/signin")
    locked = client.post(
        "/signin", data={"name": "ana", "password": PASSWORD, "csrf": csrf_of(form.text)}
    )
    assert locked.status_code == 429  # even the right password waits
    assert "Too many failed attempts" in locked.text
    keys = throttle.keys("ana", "testclient")
    until = throttle.locked_until(fresh.store, keys)
    assert until is not None
    assert throttle.locked_until(fresh.store, keys, now=until + timedelta(seconds=1)) is None
    sign_in(fresh.client(), "cyril")  # another name from the same address still signs in


def test_disabling_an_account_ends_its_sessions(fresh: Site) -> None:
    victim = fresh.client("cyril")
    admin = fresh.client("ada")
    page = admin.get("/admin/users")
    user_id = fresh.users["cyril"].id
    answer = admin.post(
        f"/admin/users/{user_id}/disabled", data={"csrf": csrf_of(page.text), "disabled": "1"}
    )
    assert answer.status_code == 303
    assert victim.get("/account").status_code == 303


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(
    fresh: Site,
) -> None:
    other = fresh.client("ana")
    client = fresh.client("ana")
    page = client.get("/account")
    wrong = client.post(
        "/account/password",
        data={"csrf": csrf_of(page.text), "current": "nope", "new": "x" * 14, "repeat": "x" * 14},
    )
    assert wrong.status_code == 400 and "The current password is wrong." in wrong.text
    done = client.post(
        "/account/password",
        data={"csrf": csrf_of(page.text), "current": PASSWORD, "new": "y" * 14, "repeat": "y" * 14},
    )
    assert done.status_code == 303
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert other.get("/account").status_code == 303  # the other one is signed out
    sign_in(fresh.client(), "ana", "y" * 14)


def test_wrong_current_passwords_are_throttled_like_sign_in(fresh: Site) -> None:
    client = fresh.client("ana")
    csrf = csrf_of(client.get("/account").text)
    guess = {"csrf": csrf, "current": "a guess, wrong", "new": "z" * 14, "repeat": "z" * 14}
    statuses = [
        client.post("/account/password", data=guess).status_code
        for _ in range(throttle.FREE["name"] + 1)
    ]
    assert statuses == [400] * (throttle.FREE["name"] + 1)
    locked = client.post("/account/password", data={**guess, "current": PASSWORD})
    assert locked.status_code == 429  # even the right password waits
    assert "Too many failed attempts" in locked.text
    browser = fresh.client()  # the sign-in form counts the same failures
    form = browser.get("/signin")
    signin = browser.post(
        "/signin", data={"name": "ana", "password": PASSWORD, "csrf": csrf_of(form.text)}
    )
    assert signin.status_code == 429
