"""No secret in any log, page, output or table (docs/web.md, "Safety"; issue 13): secrets are
planted (a session cookie, passwords, an API token, a webhook's secret path, a feed's secret
path segment and query token, a database password), every error path that can carry them is
forced (a crashing page and API route, a failed statement quoting a secret, a sign-in with a
NUL, a failed webhook delivery, a malformed webhook URL, a feed that is not one, bad --db
URLs), then every captured log, command output, page body and table is searched for them."""

from __future__ import annotations

import io
import uuid
from importlib import resources
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from alerting_support import store_with_one_alert
from clirun import Ran, rumeur
from replay import ReplayServer
from rumeur.config import load_settings
from rumeur.store import Store
from rumeur.store.schema import metadata, signin_failures
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from rumeur.web.auth import Viewer, api_viewer, page_viewer
from rumeur.web.permissions import Permission
from website import PASSWORD, csrf_of, sign_in


def _planted(what: str) -> str:
    # Made at run time, so that no source line a traceback quotes holds the secret itself.
    return f"{what}{uuid.uuid4().hex}"


def every_table(db: str) -> str:
    """Every row of every table of the store, as text."""
    store = Store.open(db)
    try:
        with store.engine.connect() as conn:
            return "\n".join(repr(conn.execute(select(t)).all()) for t in metadata.sorted_tables)
    finally:
        store.close()


def _app_that_crashes(store: Store, statement_secret: str) -> TestClient:
    """The app with test-only routes that crash holding the viewer (its session token or API
    token among the frame's variables), and one whose failed statement binds a secret."""
    app = create_app(load_settings(), store)

    @app.get("/w/united/crash")
    def page_crash(viewer: Annotated[Viewer, Depends(page_viewer(Permission.STREAM))]) -> None:
        raise RuntimeError(f"a page crashed for {viewer.user.name}")

    @app.get("/api/crash")
    def api_crash(viewer: Annotated[Viewer, Depends(api_viewer(Permission.STREAM))]) -> None:
        raise RuntimeError(f"the API crashed for {viewer.user.name}")

    @app.get("/w/united/statement")
    def statement(viewer: Annotated[Viewer, Depends(page_viewer(Permission.STREAM))]) -> None:
        row = {"key": statement_secret, "failures": None, "first_at": None}  # NOT NULL broken
        with store.transaction() as conn:
            conn.execute(insert(signin_failures).values(row))

    return TestClient(app, follow_redirects=False)


def test_crashes_and_a_nul_sign_in_leave_no_secret_in_the_log_pages_or_tables(
    db_url: str, log: io.StringIO
) -> None:
    store = Store.open(db_url)
    typed, bound = _planted("typed-password-"), _planted("bound-value-")
    try:
        add_user(store, "ada", "admin", PASSWORD)
        client = _app_that_crashes(store, bound)
        sign_in(client, "ada")
        token = tokens.issue(store, add_user(store, "robot", "analyst", PASSWORD).id)
        bodies = [
            client.get("/w/united/crash"),
            client.get("/api/crash", headers={"Authorization": f"Bearer {token}"}),
            client.get("/w/united/statement"),
        ]
        assert [b.status_code for b in bodies] == [500, 500, 500]
        form = client.get("/signin")
        refused = client.post(
            "/signin", data={"name": "ada\x00", "password": typed, "csrf": csrf_of(form.text)}
        )
        assert refused.status_code == 400
        bodies.append(refused)
    finally:
        store.close()
    written = log.getvalue()
    assert "a page crashed for ada" in written and "the API crashed for robot" in written
    assert written.count("Traceback") == 3  # the three crashes, with their code
    secrets = [client.cookies["rumeur_session"], token, PASSWORD, typed, bound]
    seen = written + "".join(b.text for b in bodies) + every_table(db_url)
    assert [s for s in secrets if s in seen] == []


FEED_CONFIG = """
[[workspaces]]
slug = "feeds"
name = "Feeds"
[workspaces.brand]
name = "Feeds"
[[workspaces.sources]]
type = "rss"
name = "private"
url = "{url}"
"""


def _collect(capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, url: str) -> Ran:
    config = tmp_path / "feeds.toml"
    config.write_text(FEED_CONFIG.format(url=url), encoding="utf-8")
    return rumeur(capsys, "collect", "--once", "--db", db, "--config", str(config))


def test_a_failing_feed_prints_and_stores_its_error_without_the_url_s_secrets(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    segment, query = uuid.uuid4().hex, _planted("q")
    with ReplayServer() as server:
        path = f"/private/{segment}/rss"
        server.serve("GET", path, body="<html><body>a login page</body></html>",
                     content_type="text/html")  # fmt: skip
        ran = _collect(capsys, tmp_path, db_url, f"{server.url(path)}?token={query}")
    assert ran.code == 1
    assert "private: /private/[redacted]/rss is not a feed" in ran.err
    seen = ran.out + ran.err + every_table(db_url)
    assert "is not a feed" in every_table(db_url)  # the source's last error, stored
    assert segment not in seen and query not in seen


FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Private</title><link>https://forum.example/</link>
<item><guid>a1</guid><link>https://forum.example/t/1</link><title>Vol annulé</title>
<description>Mon vol Feeds annulé sans explication</description>
<pubDate>Wed, 17 Oct 2018 10:30:00 GMT</pubDate></item>
<item><guid>{long}</guid><link>https://forum.example/t/2</link><title>Vol retardé</title>
<pubDate>Wed, 17 Oct 2018 11:30:00 GMT</pubDate></item>
</channel></rss>"""


def test_a_feed_read_through_a_secret_url_stores_and_prints_no_part_of_it(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    segment, query = uuid.uuid4().hex, _planted("q")
    with ReplayServer() as server:
        path = f"/private/{segment}/rss"
        body = FEED.format(long="x" * 300)  # an id too long for the store: a rejected row
        server.serve("GET", path, body=body, content_type="application/rss+xml")
        ran = _collect(capsys, tmp_path, db_url, f"{server.url(path)}?token={query}")
        config = str(tmp_path / "feeds.toml")
        listed = rumeur(capsys, "sources", "--json", "--db", db_url, "--config", config)
    assert ran.code == 0, ran.err
    stored = every_table(db_url)
    assert "Mon vol Feeds" in stored and "/private/[redacted]/rss" in stored  # the rejected row
    seen = ran.out + ran.err + listed.out + listed.err + stored
    assert segment not in seen and query not in seen


def _notify(capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, target: str) -> Ran:
    demo = resources.files("rumeur").joinpath("demo.toml").read_text("utf-8")
    config = tmp_path / "notify.toml"
    notify = '[workspaces.notify]\n[[workspaces.notify.targets]]\nname = "team"\nkind = "slack"\n'
    config.write_text(f"{demo}\n{notify}{target}\n", encoding="utf-8")
    return rumeur(capsys, "alerts", "notify", "--once", "--db", db, "--config", str(config))


def test_webhook_failures_print_and_store_no_secret_path(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store_with_one_alert(db_url, opened_event=True)
    secret = _planted("B0SECRET")
    with ReplayServer() as server:
        path = f"/services/T000/B000/{secret}"
        server.serve("POST", path, status=404, body="no_service")
        monkeypatch.setenv("RUMEUR_TEST_HOOK", server.url(path))
        failed = _notify(capsys, tmp_path, db_url, 'url_env = "RUMEUR_TEST_HOOK"')
    malformed = _notify(
        capsys, tmp_path, db_url, f'url = "htps://hooks.slack.com/services/T000/B000/{secret}"'
    )
    assert failed.code == 1 and "answered 404" in failed.out + failed.err
    assert malformed.code == 1 and "url must start with https:// or http://" in malformed.err
    stored = every_table(db_url)
    assert "answered 404" in stored  # the delivery's last error
    assert secret not in failed.out + failed.err + malformed.out + malformed.err + stored


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://rumeur:{pw}@127.0.0.1:1/rumeur",
        "postgresql://postgres:{pw}@127.0.0.1:5432/no_such_database",
        "mysql://rumeur:{pw}@db.example/rumeur",
        "postgresql://rumeur:{pw}@127.0.0.1:notaport/rumeur",
    ],
)
def test_a_bad_database_url_is_printed_without_its_password(
    url: str, capsys: pytest.CaptureFixture[str], log: io.StringIO
) -> None:
    password = _planted("db-password-")
    ran = rumeur(capsys, "sources", "--db", url.format(pw=password))
    assert ran.code == 1
    assert len(ran.err.strip().splitlines()) == 1, ran.err  # one line, no traceback
    assert password not in ran.out + ran.err + log.getvalue()
