"""Every route, as every role: each one answers as `permissions.ROLE_PERMISSIONS` says, for the
pages (session cookie) and for the REST API (bearer token). A route added without an entry in
`EXPECTED` fails the walk."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from rumeur.web import tokens
from rumeur.web.accounts import Role
from rumeur.web.app import create_app
from rumeur.web.permissions import ROLE_PERMISSIONS, Permission
from website import ACCOUNTS, Site, csrf_of

# (method, path) -> the permission it needs; None: open to anyone (the sign-in form).
EXPECTED: dict[tuple[str, str], Permission | None] = {
    ("GET", "/signin"): None,
    ("POST", "/signin"): None,
    ("POST", "/signout"): Permission.ACCOUNT,
    ("POST", "/language"): Permission.ACCOUNT,
    ("GET", "/"): Permission.STREAM,
    ("GET", "/w/{slug}/dashboard"): Permission.DASHBOARD,
    ("GET", "/w/{slug}/stream"): Permission.STREAM,
    ("POST", "/w/{slug}/stream/views"): Permission.STREAM,
    ("POST", "/w/{slug}/stream/views/{view_id}/delete"): Permission.STREAM,
    ("GET", "/w/{slug}/posts/{post_id}"): Permission.STREAM,
    ("POST", "/w/{slug}/posts/{post_id}/labels"): Permission.LABEL,
    ("GET", "/w/{slug}/export.csv"): Permission.EXPORT,
    ("GET", "/account"): Permission.ACCOUNT,
    ("POST", "/account/password"): Permission.ACCOUNT,
    ("POST", "/account/token"): Permission.ACCOUNT,
    ("POST", "/account/token/revoke"): Permission.ACCOUNT,
    ("GET", "/admin/users"): Permission.USERS,
    ("GET", "/admin/workers"): Permission.WORKERS,
    ("GET", "/metrics"): Permission.WORKERS,
    ("POST", "/admin/users"): Permission.USERS,
    ("POST", "/admin/users/{user_id}/disabled"): Permission.USERS,
    ("GET", "/w/{slug}/alerts"): Permission.ALERTS,
    ("GET", "/w/{slug}/alerts/{alert_id}"): Permission.ALERTS,
    ("GET", "/w/{slug}/alerts/{alert_id}/report.html"): Permission.ALERTS,
    ("POST", "/w/{slug}/alerts/{alert_id}/ack"): Permission.RESPOND,
    ("POST", "/w/{slug}/alerts/{alert_id}/mute"): Permission.RESPOND,
    ("POST", "/w/{slug}/alerts/{alert_id}/assign"): Permission.RESPOND,
    ("POST", "/w/{slug}/alerts/{alert_id}/note"): Permission.RESPOND,
    ("POST", "/w/{slug}/alerts/{alert_id}/copied"): Permission.RESPOND,
    ("GET", "/w/{slug}/alerts/{alert_id}/statements/{statement}/publish"): Permission.PUBLISH,
    ("POST", "/w/{slug}/alerts/{alert_id}/statements/{statement}/publish"): Permission.PUBLISH,
    ("GET", "/w/{slug}/compose"): Permission.PUBLISH,
    ("POST", "/w/{slug}/compose"): Permission.PUBLISH,
    ("POST", "/w/{slug}/compose/check"): Permission.PUBLISH,
    ("GET", "/w/{slug}/publish/approvals"): Permission.PUBLISH,
    ("GET", "/w/{slug}/publish/items/{item_id}"): Permission.PUBLISH,
    ("POST", "/w/{slug}/publish/items/{item_id}/approve"): Permission.PUBLISH,
    ("POST", "/w/{slug}/publish/items/{item_id}/reject"): Permission.PUBLISH,
    ("POST", "/w/{slug}/publish/items/{item_id}/edit"): Permission.PUBLISH,
    ("POST", "/w/{slug}/publish/items/{item_id}/lock"): Permission.PUBLISH,
    ("GET", "/w/{slug}/inbox"): Permission.INBOX,
    ("GET", "/w/{slug}/inbox/rules"): Permission.INBOX,
    ("POST", "/w/{slug}/inbox/rules"): Permission.ROUTING,
    ("POST", "/w/{slug}/inbox/rules/try"): Permission.ROUTING,
    ("POST", "/w/{slug}/inbox/rules/delete"): Permission.ROUTING,
    ("POST", "/w/{slug}/inbox/rules/move"): Permission.ROUTING,
    ("GET", "/w/{slug}/inbox/approvals"): Permission.INBOX,
    ("POST", "/w/{slug}/inbox/replies/{outbox_id}/approve"): Permission.ANSWER,
    ("POST", "/w/{slug}/inbox/replies/{outbox_id}/reject"): Permission.ANSWER,
    ("GET", "/w/{slug}/inbox/{conversation_id}"): Permission.INBOX,
    ("POST", "/w/{slug}/inbox/{conversation_id}/lock"): Permission.INBOX,
    ("POST", "/w/{slug}/inbox/{conversation_id}/assign"): Permission.ANSWER,
    ("POST", "/w/{slug}/inbox/{conversation_id}/status"): Permission.ANSWER,
    ("POST", "/w/{slug}/inbox/{conversation_id}/note"): Permission.ANSWER,
    ("POST", "/w/{slug}/inbox/{conversation_id}/reply"): Permission.ANSWER,
    ("GET", "/w/{slug}/settings"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/history"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/brands"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/brands"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/queries"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/queries"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/reasons"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/reasons"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/departments"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/departments"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/alerts"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/alerts"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/notify"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/notify"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/statements"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/statements"): Permission.SETTINGS,
    ("GET", "/w/{slug}/settings/business-hours"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/business-hours"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/queries/check"): Permission.SETTINGS,
    ("POST", "/w/{slug}/settings/notify/test"): Permission.SETTINGS,
    ("GET", "/api/me"): Permission.ACCOUNT,
    ("GET", "/api/locate"): Permission.ACCOUNT,
    ("GET", "/api/w/{slug}/campaigns"): Permission.INFLUENCE,
    ("POST", "/api/w/{slug}/campaigns"): Permission.INFLUENCE,
    ("GET", "/api/w/{slug}/campaigns/{campaign_id}"): Permission.INFLUENCE,
    ("POST", "/api/w/{slug}/campaigns/{campaign_id}/people"): Permission.INFLUENCE,
    ("GET", "/api/workspaces"): Permission.STREAM,
    ("GET", "/api/w/{slug}/dashboard"): Permission.DASHBOARD,
    ("GET", "/api/w/{slug}/posts"): Permission.STREAM,
    ("GET", "/api/w/{slug}/posts/{post_id}"): Permission.STREAM,
    ("GET", "/w/{slug}/influence"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/influence.csv"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/influence/rising"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/influence/rising.csv"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/influence/authors/{author_id}"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/campaigns"): Permission.INFLUENCE,
    ("POST", "/w/{slug}/campaigns"): Permission.INFLUENCE,
    ("POST", "/w/{slug}/campaigns/people"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/campaigns/{campaign_id}"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/campaigns/{campaign_id}/report.csv"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/people"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/people.csv"): Permission.INFLUENCE,
    ("POST", "/w/{slug}/people"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/people/{person_id}"): Permission.INFLUENCE,
    ("POST", "/w/{slug}/people/{person_id}"): Permission.INFLUENCE,
    ("POST", "/w/{slug}/people/{person_id}/notes"): Permission.INFLUENCE,
    ("GET", "/w/{slug}/people/{person_id}/export.json"): Permission.INFLUENCE,
    ("POST", "/w/{slug}/people/{person_id}/erase"): Permission.INFLUENCE,
    ("GET", "/api/w/{slug}/people"): Permission.INFLUENCE,
    ("POST", "/api/w/{slug}/people"): Permission.INFLUENCE,
    ("GET", "/api/w/{slug}/people/{person_id}"): Permission.INFLUENCE,
    ("PATCH", "/api/w/{slug}/people/{person_id}"): Permission.INFLUENCE,
    ("POST", "/api/w/{slug}/people/{person_id}/notes"): Permission.INFLUENCE,
    ("DELETE", "/api/w/{slug}/people/{person_id}"): Permission.INFLUENCE,
    ("GET", "/api/w/{slug}/influencers"): Permission.INFLUENCE,
    ("GET", "/api/w/{slug}/influencers/{author}"): Permission.INFLUENCE,
    ("POST", "/api/w/{slug}/posts/{post_id}/labels"): Permission.LABEL,
    ("GET", "/api/w/{slug}/export.csv"): Permission.EXPORT,
    ("GET", "/api/w/{slug}/alerts"): Permission.ALERTS,
    ("GET", "/api/w/{slug}/alerts/{alert_id}"): Permission.ALERTS,
    ("GET", "/api/w/{slug}/inbox"): Permission.INBOX,
    ("GET", "/api/w/{slug}/inbox/rules"): Permission.INBOX,
    ("POST", "/api/w/{slug}/inbox/rules/try"): Permission.ROUTING,
    ("GET", "/api/w/{slug}/inbox/approvals"): Permission.ANSWER,
    ("POST", "/api/w/{slug}/inbox/replies/{outbox_id}/approve"): Permission.ANSWER,
    ("POST", "/api/w/{slug}/inbox/replies/{outbox_id}/reject"): Permission.ANSWER,
    ("GET", "/api/w/{slug}/inbox/{conversation_id}"): Permission.INBOX,
    ("POST", "/api/w/{slug}/inbox/{conversation_id}/assign"): Permission.ANSWER,
    ("POST", "/api/w/{slug}/inbox/{conversation_id}/reply"): Permission.ANSWER,
    ("POST", "/api/w/{slug}/inbox/{conversation_id}/resolve"): Permission.ANSWER,
    ("GET", "/api/w/{slug}/publish"): Permission.PUBLISH,
    ("GET", "/api/w/{slug}/calendar"): Permission.PUBLISH,
    ("PATCH", "/api/w/{slug}/publish/items/{item_id}/at"): Permission.PUBLISH,
    ("POST", "/api/w/{slug}/publish/items/{item_id}/at"): Permission.PUBLISH,
    ("GET", "/api/w/{slug}/publish/items/{item_id}/answers"): Permission.PUBLISH,
    ("GET", "/w/{slug}/calendar"): Permission.PUBLISH,
    ("POST", "/w/{slug}/calendar/items/{item_id}/at"): Permission.PUBLISH,
    ("POST", "/w/{slug}/calendar/feeds"): Permission.PUBLISH,
    # A calendar app reads the feed with its token, signed in nowhere: none given, 400.
    ("GET", "/w/{slug}/calendar.ics"): None,
    ("GET", "/w/{slug}/publish/results"): Permission.PUBLISH,
    ("GET", "/w/{slug}/publish/results.csv"): Permission.PUBLISH,
    ("POST", "/w/{slug}/publish/results/read"): Permission.PUBLISH,
    ("POST", "/api/w/{slug}/publish"): Permission.PUBLISH,
    ("POST", "/api/w/{slug}/publish/check"): Permission.PUBLISH,
    ("POST", "/api/w/{slug}/publish/{item_id}/approve"): Permission.PUBLISH,
    ("POST", "/api/w/{slug}/publish/{item_id}/reject"): Permission.PUBLISH,
    ("POST", "/api/w/{slug}/publish/{item_id}/edit"): Permission.PUBLISH,
    ("GET", "/api/w/{slug}/publish/templates"): Permission.PUBLISH,
    ("POST", "/api/w/{slug}/publish/templates"): Permission.PUBLISH,
}
OPEN_TO_ALL = {"/api/openapi.json"}


def routes(site: Site) -> list[tuple[str, str]]:
    return sorted(_walk(create_app(site.settings, site.store).routes))


def _walk(routes: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    found = []
    for route in routes:
        if hasattr(route, "original_router"):  # an included router (added without a prefix)
            found += _walk(route.original_router.routes)
        elif isinstance(route, APIRoute) and route.path not in OPEN_TO_ALL:
            found += [(m, route.path) for m in sorted(route.methods)]
    return found


def test_every_route_is_in_the_table(site: Site) -> None:
    assert sorted(routes(site)) == sorted(EXPECTED)


def _fill(path: str, site: Site, post_id: int, item: bool = False) -> str:
    """The path with real ids; `item`: `{item_id}` too (the API walk; the pages' actions on an
    item of an account the demo's settings do not own are refused, 403, before their input)."""
    other = site.users["carla"].id
    if item:
        path = path.replace("{item_id}", str(_an_item(site)))
    return (
        path.replace("{slug}", "united")
        .replace("{post_id}", str(post_id))
        .replace("{user_id}", str(other))
        .replace("{alert_id}", str(_an_alert(site)))
        .replace("{conversation_id}", str(_a_baggage_conversation(site)))
        .replace("{outbox_id}", "not-a-reply")  # refused as bad input, once the role passed
        .replace("{view_id}", "1")  # someone's saved view: deleted only by its owner
        .replace("{statement}", "delays")  # the demo's holding statement
        .replace("{campaign_id}", str(_a_campaign(site)))
        .replace("{person_id}", str(_a_person(site)))
        .replace("{author_id}", str(_an_author(site, post_id)[0]))
        .replace("{author}", _an_author(site, post_id)[1])
    )


def _a_campaign(site: Site) -> int:
    """A campaign of the demo workspace, made once."""
    from datetime import UTC, datetime

    from rumeur.influence import campaigns as camp
    from rumeur.store import campaigns as rows

    found = rows.by_name(site.store, "united", "roles")
    if found is None:
        start, end = datetime(2015, 2, 16, tzinfo=UTC), datetime(2015, 2, 25, tzinfo=UTC)
        found = camp.create_campaign(site.store, "united", "roles", start, end, "#united")
    return found.id


def _an_item(site: Site) -> int:
    """A published item of the demo workspace, made once: its page, answers and actions answer
    for it (a move or an edit without their fields is refused as bad input)."""
    from datetime import UTC, datetime

    from rumeur.store import publishing as rows

    made = [i for i in rows.items(site.store, "united") if i.account == "roles-walk"]
    if made:
        return made[0].id
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    item = rows.NewItem(account="roles-walk", platform="mastodon", handle="united",
                        text="Roles walk", at=at, timezone="UTC", status="published")  # fmt: skip
    return rows.create(site.store, "united", text=item.text, items=[item], now=at).items[0][0]


def _a_person(site: Site) -> int:
    """A record of the demo workspace's relationship file, made again once a role's walk erased
    it (DELETE and .../erase are in the walk)."""
    from rumeur.influence import relationships as rel

    listed = rel.listed(site.store, "united")
    if listed:
        return listed[0].id
    return rel.add_person(site.store, "united", None, name="Roles Walk")[0].id


def _an_author(site: Site, post_id: int) -> tuple[int, str]:
    """The author of the demo's baggage post: their id and "platform:handle"."""
    from sqlalchemy import select

    from rumeur.store.schema import authors, posts

    with site.store.engine.connect() as conn:
        row = conn.execute(
            select(authors.c.id, authors.c.platform, authors.c.handle)
            .join(posts, posts.c.author_id == authors.c.id)
            .where(posts.c.id == post_id)
        ).one()
    return row.id, f"{row.platform}:{row.handle}"


def _a_baggage_conversation(site: Site) -> int:
    """A conversation of the demo workspace in bea's department (baggage), opened once."""
    from datetime import UTC, datetime

    from rumeur.store.inbox import Message, receive

    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    said = Message("mastodon", "roles-1", "traveller", "my bag is lost", at)
    got = receive(site.store, "united", "united", said, {"department": "baggage"}, at)
    assert got.conversation_id is not None
    return got.conversation_id


def _an_alert(site: Site) -> int:
    """A live alert of the demo workspace, opened once by the detectors over the storm."""
    from alerting_support import an_alert

    return an_alert(site)


def _a_baggage_post(site: Site) -> int:
    from sqlalchemy import select

    from rumeur.store.schema import posts

    with site.store.engine.connect() as conn:
        return conn.execute(
            select(posts.c.id).where(posts.c.reason == "Lost Luggage").limit(1)
        ).scalar_one()


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_pages_answer_each_role_as_the_table_says(site: Site, name: str) -> None:
    role = Role(ACCOUNTS[name][0])
    post_id = _a_baggage_post(site)
    client = site.client(name)
    csrf = csrf_of(client.get("/account").text)
    for (method, path), permission in EXPECTED.items():
        if path.startswith("/api/") or path in ("/signout", "/signin"):
            continue
        url = _fill(path, site, post_id)
        if method == "GET":
            answer = client.get(url)
        else:
            # Harmless forms: a disabled flag of 0, a language, an account that cannot be made.
            data = {"csrf": csrf, "disabled": "0", "language": "en", "name": "x y"}
            answer = client.post(url, data=data)
        if permission is None or permission in ROLE_PERMISSIONS[role]:
            assert answer.status_code in (200, 303, 400), (name, method, path, answer.status_code)
        else:
            assert answer.status_code == 403, (name, method, path, answer.status_code)
            assert "Your role does not give access" in answer.text


@pytest.mark.parametrize("name", list(ACCOUNTS))
def test_the_api_answers_each_role_as_the_table_says(site: Site, name: str) -> None:
    role = Role(ACCOUNTS[name][0])
    post_id = _a_baggage_post(site)
    token = tokens.issue(site.store, site.users[name].id)
    client = TestClient(create_app(site.settings, site.store))
    for (method, path), permission in EXPECTED.items():
        if not path.startswith("/api/"):
            continue
        url = _fill(path, site, post_id, item=True)
        assert client.request(method, url).status_code == 401, path
        answer = client.request(method, url, headers={"Authorization": f"Bearer {token}"})
        if permission in ROLE_PERMISSIONS[role]:
            # A POST without its body (an inbox action) is refused as bad input, not forbidden;
            # a DELETE (a person erased) answers 204.
            expected = (200,) if method == "GET" else (200, 204, 400)
            said = (name, path, answer.status_code, answer.text[:200])
            assert answer.status_code in expected, said
        else:
            assert answer.status_code == 403, (name, path)
            assert answer.json() == {"error": "your role does not allow this"}


def test_the_session_cookie_does_not_open_the_api(site: Site) -> None:
    client = site.client("ada")
    assert client.get("/api/me").status_code == 401


def test_the_openapi_schema_lists_the_api_and_no_page(site: Site) -> None:
    schema = TestClient(create_app(site.settings, site.store)).get("/api/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/me", "/api/w/{slug}/posts", "/api/w/{slug}/dashboard"} <= paths
    assert all(p.startswith("/api/") for p in paths)
    assert not any(re.search(r"signin|admin", p) for p in paths)
