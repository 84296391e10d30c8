"""The settings area (`/w/{slug}/settings`), with the test client on the demo site: each
section's form shows what the workspace holds, saves a change as a new version that the app
reads at once, refuses bad input with one line next to its field and saves nothing then; only
admins reach it; no secret is ever shown; a target's test message really goes out."""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Iterator

import pytest
from settings_support import Form

from alerts.notify_support import TOKEN, receiving
from rumeur.store import workspace_settings as versions
from website import Site, csrf_of

BASE = "/w/united/settings"
SECTIONS = ("brands", "queries", "departments", "alerts", "notify", "statements", "business-hours")


@pytest.fixture(scope="module")
def admin(site: Site) -> Iterator:  # type: ignore[type-arg]
    yield site.client("ada")


def version(site: Site) -> int:
    return versions.current_version(site.store, "united")


def workspace(site: Site):  # type: ignore[no-untyped-def]
    found = versions.current(site.store, "united")
    return found if found is not None else site.settings.workspace("united")


def row_of(form: Form, prefix: str, name: str) -> str:
    """The form's row (`competitors[3]`) whose name is `name`."""
    for key, value in form.fields:
        if key.startswith(prefix + "[") and key.endswith(".name") and value == name:
            return key.removesuffix(".name")
    raise AssertionError(f"no {prefix} row named {name!r}")


def blank_row(form: Form, prefix: str) -> str:
    """The empty row each list form ends with, to add an item."""
    rows = sorted(
        {
            int(m.group(1))
            for k, _ in form.fields
            if (m := re.match(re.escape(prefix) + r"\[(\d+)\]\.", k))
        }
    )
    return f"{prefix}[{rows[-1]}]"


def field_error(html: str, field: str) -> str:
    found = re.search(r'data-field="' + re.escape(field) + r'">([^<]*)<', html)
    assert found, f"no error next to {field}"
    return html_text.unescape(found.group(1))


# Who reaches it ----------------------------------------------------------------------------------


def test_the_nav_shows_settings_to_admins_only(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    assert 'data-testid="nav-settings"' in admin.get(f"{BASE}").text
    assert 'data-testid="nav-settings"' in admin.get("/w/united/alerts").text
    for name in ("ana", "cyril", "carla"):
        assert 'data-testid="nav-settings"' not in site.client(name).get("/w/united/alerts").text


@pytest.mark.parametrize("name", ["ana", "cyril", "carla", "bea"])
def test_others_get_403_and_save_nothing(site: Site, admin, name: str) -> None:  # type: ignore[no-untyped-def]
    before = version(site)
    form = Form(admin, f"{BASE}/alerts").set("alerts.volume_min_posts", "7")
    other = site.client(name)
    csrf = csrf_of(other.get("/account").text)
    for section in SECTIONS:
        assert other.get(f"{BASE}/{section}").status_code == 403
    for path in ("", "/history"):
        assert other.get(f"{BASE}{path}").status_code == 403
    form.client = other
    form.set("csrf", csrf)
    answer = form.post()
    assert answer.status_code == 403
    assert "Your role does not give access" in answer.text
    assert version(site) == before


def test_a_form_without_its_csrf_token_is_refused(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    before = version(site)
    form = Form(admin, f"{BASE}/alerts").set("alerts.volume_min_posts", "8").set("csrf", "forged")
    assert form.post().status_code == 403
    assert version(site) == before


# Each section ------------------------------------------------------------------------------------


def test_every_section_shows_what_the_workspace_holds(admin) -> None:  # type: ignore[no-untyped-def]
    for section in SECTIONS:
        page = admin.get(f"{BASE}/{section}")
        assert page.status_code == 200, section
    assert "Delayed baggage" in admin.get(f"{BASE}/statements").text
    assert "Virgin America" in admin.get(f"{BASE}/brands").text
    assert "Lost Luggage" in admin.get(f"{BASE}/departments").text
    users = admin.get(BASE).text
    assert 'href="/admin/users"' in users  # users and roles: the users page, not a copy


def test_brand_terms_saved_as_a_new_version_read_at_once(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    before = version(site)
    form = Form(admin, f"{BASE}/brands")
    row = row_of(form, "competitors", "American")
    form.set(f"{row}.terms", "american airlines\namericanair\naa flyer")
    answer = form.post()
    assert answer.status_code == 303, answer.text[:500]
    assert answer.headers["location"] == f"{BASE}/brands?saved={before + 1}"
    page = admin.get(answer.headers["location"]).text
    assert f"version {before + 1}" in page and 'data-testid="saved"' in page
    assert "aa flyer" in page
    american = next(b for b in workspace(site).competitors if b.name == "American")
    assert american.terms == ["american airlines", "americanair", "aa flyer"]
    newest = versions.history(site.store, "united", limit=1)[0]
    assert newest.author == "ada" and "competitors" in newest.summary


def test_a_competitor_is_added_and_removed(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    form = Form(admin, f"{BASE}/brands")
    new = blank_row(form, "competitors")
    form.set(f"{new}.name", "JetBlue").set(f"{new}.terms", "jetblue airways").set(
        f"{new}.handles", "JetBlue, @JetBlueCares"
    )
    assert form.post().status_code == 303
    jetblue = next(b for b in workspace(site).competitors if b.name == "JetBlue")
    assert jetblue.terms == ["jetblue airways"] and jetblue.handles == ["JetBlue", "@JetBlueCares"]
    form = Form(admin, f"{BASE}/brands")
    form.set(row_of(form, "competitors", "JetBlue") + ".remove", True)
    assert form.post().status_code == 303
    assert "JetBlue" not in [b.name for b in workspace(site).competitors]


def test_a_refused_value_is_shown_next_to_its_field_and_nothing_is_saved(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    before, held = version(site), workspace(site)
    form = Form(admin, f"{BASE}/brands")
    # The second row is removed: the error's index (in the list kept) must still name the
    # form's own row of the brand that is wrong.
    form.set("competitors[1].remove", True)
    row = row_of(form, "competitors", "Virgin America")
    form.set(f"{row}.name", "*Virgin <b>America</b>")
    answer = form.post()
    assert answer.status_code == 400
    line = field_error(answer.text, f"{row}.name")
    assert line == "may not start with * (typed: '*Virgin <b>America</b>')"
    assert "*Virgin &lt;b&gt;America&lt;/b&gt;" in answer.text  # as typed, and escaped
    assert "<b>America</b>" not in answer.text
    assert version(site) == before and workspace(site) == held


def test_two_brands_of_one_name_are_refused_for_the_whole_form(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    before = version(site)
    form = Form(admin, f"{BASE}/brands")
    form.set(blank_row(form, "competitors") + ".name", "delta")
    answer = form.post()
    assert answer.status_code == 400
    assert 'data-testid="form-error"' in answer.text
    assert "brand and competitor names must differ" in answer.text
    assert version(site) == before


def test_a_saved_query_is_checked_and_saved(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    form = Form(admin, f"{BASE}/queries")
    new = blank_row(form, "queries")
    form.set(f"{new}.name", "refunds").set(f"{new}.query", "refund* AND sentiment:negative").set(
        f"{new}.watch", True
    )
    assert form.post().status_code == 303
    saved = next(q for q in workspace(site).queries if q.name == "refunds")
    assert saved.watch and saved.query == "refund* AND sentiment:negative"


def test_a_query_that_does_not_read_is_refused_with_its_line(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    before = version(site)
    form = Form(admin, f"{BASE}/queries")
    row = row_of(form, "queries", "delays")
    form.set(f"{row}.query", "delay AND (late")
    answer = form.post()
    assert answer.status_code == 400
    assert "parenthesis is not closed" in field_error(answer.text, f"{row}.query")
    assert version(site) == before


def test_the_query_is_checked_as_typed_with_its_caret(admin) -> None:  # type: ignore[no-untyped-def]
    csrf = csrf_of(admin.get(f"{BASE}/queries").text)
    bad = admin.post(
        f"{BASE}/queries/check",
        data={"csrf": csrf, "queries[0].query": "a NEAR b OR c"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200
    assert 'data-testid="rule-error"' in bad.text and "AND and OR side by side" in bad.text
    caret = re.search(r'data-testid="rule-caret">([^<]*)<', bad.text)
    assert caret and caret.group(1).splitlines() == ["  a NEAR b OR c", "           ^"]
    good = admin.post(
        f"{BASE}/queries/check", data={"csrf": csrf, "queries[2].query": "delay* AND lang:en"}
    )
    assert 'data-testid="query-ok"' in good.text and "rule-error" not in good.text
    empty = admin.post(f"{BASE}/queries/check", data={"csrf": csrf, "queries[3].query": " "})
    assert empty.text.strip() == ""


def test_a_form_too_big_is_refused_in_one_line(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    before = version(site)
    form = Form(admin, f"{BASE}/brands")
    form.set("competitors[1].terms", "x" * 10_001)
    answer = form.post()
    assert answer.status_code == 400
    assert "competitors[1].terms: at most 10000 characters" in answer.text
    rows = Form(admin, f"{BASE}/queries")
    rows.fields += [(f"queries[{i}].name", "") for i in range(300)]
    assert "at most 200 rows" in rows.post().text
    csrf = csrf_of(admin.get(f"{BASE}/queries").text)
    long_query = {"csrf": csrf, "queries[0].query": "a" * 10_001}
    check = admin.post(f"{BASE}/queries/check", data=long_query)
    assert check.status_code == 400
    assert version(site) == before


def test_a_department_and_its_targets(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    form = Form(admin, f"{BASE}/departments")
    row = row_of(form, "departments", "Baggage")
    form.set(f"{row}.first_response", "2h").set(f"{row}.approval", "juniors").set(
        f"{row}.seniors", "ada, bea"
    )
    assert form.post().status_code == 303
    baggage = next(d for d in workspace(site).departments if d.slug == "baggage")
    assert baggage.first_response is not None and baggage.first_response.total_seconds() == 7200
    assert baggage.approval == "juniors" and baggage.seniors == ["ada", "bea"]
    page = Form(admin, f"{BASE}/departments")
    assert page.get(f"{row}.first_response") == "2h"
    before = version(site)
    page.set(f"{row}.next_response", "soon")
    answer = page.post()
    assert answer.status_code == 400
    assert field_error(answer.text, f"{row}.next_response")
    assert version(site) == before


def test_alert_thresholds(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    form = (
        Form(admin, f"{BASE}/alerts")
        .set("alerts.volume_min_posts", "12")
        .set("alerts.negative_lift", "0,2")  # a decimal comma, as French writes it
    )
    assert form.post().status_code == 303
    alerts = workspace(site).alerts
    assert alerts.volume_min_posts == 12 and alerts.negative_lift == 0.2
    before = version(site)
    for key, value in (("alerts.negative_lift", "1.5"), ("alerts.volume_ratio", "lots")):
        answer = Form(admin, f"{BASE}/alerts").set(key, value).post()
        assert answer.status_code == 400
        assert field_error(answer.text, key)
    assert version(site) == before


def test_holding_statements_in_both_languages_escaped(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    form = Form(admin, f"{BASE}/statements")
    new = blank_row(form, "statements")
    hostile = "<script>alert(1)</script> Nous sommes désolés"
    form.set(f"{new}.slug", "outage").set(f"{new}.title", "Panne").set(
        f"{new}.text_fr", hostile
    ).set(f"{new}.text_en", "We are sorry\nfor the outage.")
    assert form.post().status_code == 303
    outage = next(s for s in workspace(site).statements if s.slug == "outage")
    assert outage.text_fr == hostile and outage.text_en == "We are sorry\nfor the outage."
    page = admin.get(f"{BASE}/statements").text
    assert (
        "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    )


def test_business_hours(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    form = Form(admin, f"{BASE}/business-hours").set("business_hours.enabled", True)
    form.fields = [(k, v) for k, v in form.fields if k != "business_hours.days"]
    form.fields += [("business_hours.days", d) for d in ("mon", "tue", "sat")]
    form.set("business_hours.start", "08:30").set("business_hours.end", "17:00").set(
        "business_hours.holidays", "2026-12-25"
    )
    assert form.post().status_code == 303
    hours = workspace(site).business_hours
    assert hours is not None and hours.days == ["mon", "tue", "sat"] and hours.start == "08:30"
    assert [str(d) for d in hours.holidays] == ["2026-12-25"]
    before = version(site)
    answer = Form(admin, f"{BASE}/business-hours").set("business_hours.end", "07:00").post()
    assert answer.status_code == 400
    assert "must come after start" in answer.text
    assert version(site) == before
    assert (
        Form(admin, f"{BASE}/business-hours")
        .set("business_hours.enabled", False)
        .post()
        .status_code
        == 303
    )
    assert workspace(site).business_hours is None


@pytest.mark.parametrize("section", SECTIONS)
def test_a_form_sent_unchanged_stores_no_version(site: Site, admin, section: str) -> None:  # type: ignore[no-untyped-def]
    """Each form shows the settings as it reads them back: sent untouched, it changes nothing."""
    before = version(site)
    answer = Form(admin, f"{BASE}/{section}").post()
    assert answer.status_code == 303, answer.text[:300]
    assert answer.headers["location"].endswith("?saved=0")
    assert 'data-testid="unchanged"' in admin.get(answer.headers["location"]).text
    assert version(site) == before


def test_a_form_read_before_an_other_save_is_refused(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    stale = Form(admin, f"{BASE}/alerts").set("alerts.top", "3")
    assert Form(admin, f"{BASE}/alerts").set("alerts.top", "4").post().status_code == 303
    before = version(site)
    answer = stale.post()
    assert answer.status_code == 409
    assert "reload" in answer.text
    assert version(site) == before and workspace(site).alerts.top == 4


def test_the_history_lists_who_changed_what_newest_first(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    Form(admin, f"{BASE}/alerts").set("alerts.cooldown_hours", "5").post()
    page = admin.get(f"{BASE}/history").text
    shown = [int(v) for v in re.findall(r'data-testid="version" data-version="(\d+)"', page)]
    assert shown == sorted(shown, reverse=True) and shown[0] == version(site)
    assert "ada" in page and "cooldown_hours" in page


def test_pages_in_french(admin) -> None:  # type: ignore[no-untyped-def]
    admin.cookies.set("rumeur_lang", "fr")
    try:
        page = admin.get(f"{BASE}/alerts").text
        assert "Seuils des alertes" in page and "Enregistrer" in page
        refused = Form(admin, f"{BASE}/alerts").set("alerts.volume_ratio", "beaucoup").post()
        assert refused.status_code == 400
        said = field_error(refused.text, "alerts.volume_ratio")
        assert said == "pas un nombre (saisi : 'beaucoup')"
    finally:
        admin.cookies.set("rumeur_lang", "en")


# Notification targets: names of secrets, never secrets; a real test message ---------------------


def test_a_target_shows_where_its_secret_is_never_the_secret(
    site: Site, admin, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    with receiving() as receiver:
        monkeypatch.setenv("RUMEUR_TEST_SETTINGS_HOOK", receiver.url)
        form = Form(admin, f"{BASE}/notify")
        new = blank_row(form, "notify.targets")
        form.set(f"{new}.name", "duty-hook").set(f"{new}.kind", "webhook").set(
            f"{new}.url_env", "RUMEUR_TEST_SETTINGS_HOOK"
        ).set(f"{new}.secret_env", "RUMEUR_TEST_SETTINGS_SECRET")
        assert form.post().status_code == 303
        page = admin.get(f"{BASE}/notify").text
        assert "RUMEUR_TEST_SETTINGS_HOOK" in page and TOKEN not in page
        monkeypatch.setenv("RUMEUR_TEST_SETTINGS_SECRET", "s3cret-signing-key")
        csrf = csrf_of(page)
        answer = admin.post(
            f"{BASE}/notify/test",
            data={"csrf": csrf, "target": "duty-hook"},
            headers={"HX-Request": "true"},
        )
        assert answer.status_code == 200
        assert 'data-delivered="yes"' in answer.text and "duty-hook" in answer.text
        assert len(receiver.ok()) == 1
        body = receiver.ok()[0].json()
        assert body["kind"] == "test" and body["workspace"] == "united"
        assert "x-rumeur-signature" in receiver.ok()[0].headers
        assert "s3cret-signing-key" not in answer.text


def test_a_failed_test_says_why_in_one_line_without_the_secret(
    site: Site, admin, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    with receiving((404, {})) as receiver:
        monkeypatch.setenv("RUMEUR_TEST_SETTINGS_CHAT", receiver.url)
        form = Form(admin, f"{BASE}/notify")
        new = blank_row(form, "notify.targets")
        form.set(f"{new}.name", "team-chat").set(f"{new}.kind", "slack").set(
            f"{new}.url_env", "RUMEUR_TEST_SETTINGS_CHAT"
        )
        assert form.post().status_code == 303
        csrf = csrf_of(admin.get(f"{BASE}/notify").text)
        answer = admin.post(f"{BASE}/notify/test", data={"csrf": csrf, "target": "team-chat"})
        assert answer.status_code == 200  # the whole page, with the outcome beside its target
        line = re.search(r'data-testid="test-line" data-delivered="no">([^<]*)<', answer.text)
        assert line and "answered 404" in line.group(1) and "127.0.0.1" in line.group(1)
        assert TOKEN not in answer.text
        assert len(receiver.seen) == 1  # one try: the admin reads the answer now


def test_an_address_with_a_token_is_never_stored(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    """A chat webhook's address holds its token: the form takes the name of a variable or a
    file, and an address typed there is refused rather than stored."""
    before = version(site)
    form = Form(admin, f"{BASE}/notify")
    new = blank_row(form, "notify.targets")
    form.set(f"{new}.name", "leak").set(f"{new}.kind", "slack").set(
        f"{new}.url_env", f"https://hooks.slack.com/services/T0/B0/{TOKEN}"
    )
    answer = form.post()
    assert answer.status_code == 400
    assert "name of an environment variable" in field_error(answer.text, f"{new}.url_env")
    assert TOKEN not in answer.text  # neither in the line nor in the field shown again
    assert version(site) == before


def test_an_address_written_in_the_file_is_shown_by_its_host_only(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A settings file may still hold a chat webhook's address (`url`): the page shows its
    host, never its path; and since no version may store it, a save says which key to move
    to the environment, without the secret."""
    from importlib import resources

    from fastapi.testclient import TestClient

    from rumeur.config import parse_settings
    from rumeur.store import Store
    from rumeur.web.accounts import add_user
    from rumeur.web.app import create_app
    from website import PASSWORD, sign_in

    demo = resources.files("rumeur").joinpath("demo.toml").read_text("utf-8")
    hook = f"https://hooks.slack.com/services/T000/B000/{TOKEN}"
    target = f'[[workspaces.notify.targets]]\nname = "team"\nkind = "slack"\nurl = "{hook}"\n'
    settings = parse_settings(f"{demo}\n{target}", "inline.toml")
    store = Store.open(str(tmp_path / "inline.db"))
    try:
        add_user(store, "ada", "admin", PASSWORD)
        client = TestClient(create_app(settings, store), follow_redirects=False)
        sign_in(client, "ada")
        page = client.get(f"{BASE}/notify").text
        assert 'data-testid="inline-url"' in page and "hooks.slack.com" in page
        assert TOKEN not in page and "/services/" not in page
        refused = Form(client, f"{BASE}/alerts").set("alerts.top", "3").post()
        assert refused.status_code == 400
        line = re.search(r'data-testid="form-error">([^<]*)<', refused.text)
        assert line and "notify.targets[0].url: holds a secret" in html_text.unescape(line.group(1))
        assert TOKEN not in refused.text
        assert versions.current_version(store, "united") == 0
    finally:
        store.close()


def test_every_alert_threshold_has_a_place_and_a_name_in_both_languages() -> None:
    from rumeur.i18n import using
    from rumeur.settings.alerts import AlertSettings
    from rumeur.web.settings import thresholds

    placed = [key for _group, keys in thresholds.GROUPS for key in keys]
    assert sorted(placed) == sorted(AlertSettings.model_fields)
    for language in ("en", "fr"):
        with using(language):
            names = {key: thresholds.name(key) for key in placed}
            titles = [thresholds.group_title(group) for group, _keys in thresholds.GROUPS]
        assert all(names.values()) and all(titles)
    with using("fr"):
        assert thresholds.name("volume_ratio") == "Fois le niveau habituel"


def test_an_email_target_takes_its_own_fields(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    form = Form(admin, f"{BASE}/notify")
    new = blank_row(form, "notify.targets")
    for key, value in {
        "name": "comms-mail",
        "kind": "email",
        "host": "smtp.example.org",
        "security": "starttls",
        "username": "alerts",
        "password_env": "RUMEUR_SMTP_PASSWORD",
        "sender": "rumeur@example.org",
        "to": "veille@example.org, presse@example.org",
        "url_env": "IGNORED_FOR_EMAIL",  # a field of another kind, left in the row: not sent
    }.items():
        form.set(f"{new}.{key}", value)
    assert form.post().status_code == 303
    mail = next(t for t in workspace(site).notify.targets if t.name == "comms-mail")
    assert mail.kind == "email" and mail.starttls and not mail.ssl
    assert mail.to == ["veille@example.org", "presse@example.org"]
    assert mail.password_env == "RUMEUR_SMTP_PASSWORD"
    again = Form(admin, f"{BASE}/notify").post()
    assert again.headers["location"].endswith("?saved=0")


def test_a_statement_keeps_its_titles_in_each_language(site: Site, admin) -> None:  # type: ignore[no-untyped-def]
    """The titles the crisis room shows in the reader's language are edited with the rest, and a
    save of the section keeps them (a form without their fields once dropped them)."""
    form = Form(admin, f"{BASE}/statements")
    new = blank_row(form, "statements")
    form.set(f"{new}.slug", "strike").set(f"{new}.title", "Strike").set(
        f"{new}.title_fr", "Grève"
    ).set(f"{new}.text_fr", "Nous suivons la grève.").set(f"{new}.text_en", "We follow it.")
    assert form.post().status_code == 303
    kept = {s.slug: s for s in workspace(site).statements}
    assert kept["strike"].title_in("fr") == "Grève" and kept["strike"].title_in("en") == "Strike"
    titled = {slug: (s.title_fr, s.title_en) for slug, s in kept.items() if s.title_fr}
    assert len(titled) > 1  # the demo's own French titles came back through the form too
    assert Form(admin, f"{BASE}/statements").post().status_code in (200, 303)
    again = {s.slug: (s.title_fr, s.title_en) for s in workspace(site).statements if s.title_fr}
    assert again == titled


def test_the_overview_names_statements_in_the_reader_s_language(admin) -> None:  # type: ignore[no-untyped-def]
    assert "Delays and cancellations" in admin.get(BASE).text
    admin.cookies.set("rumeur_lang", "fr")
    try:
        page = admin.get(BASE).text
        assert "Retards et annulations" in page and "Delays and cancellations" not in page
    finally:
        admin.cookies.set("rumeur_lang", "en")


def test_every_section_s_footer_names_the_app_s_version_not_the_settings_one(
    site: Site,
    admin,  # type: ignore[no-untyped-def]
) -> None:
    # The pages once passed the settings' version as `version`, which hid the app's in the
    # footer ("rumeur 0" on a workspace never saved in the app).
    from rumeur import __version__

    stored = version(site)
    for section in (*SECTIONS, "reasons"):
        page = admin.get(f"{BASE}/{section}").text
        assert f"<footer>rumeur {__version__} ·" in page, section
        assert f'name="version" value="{stored}"' in page, section
