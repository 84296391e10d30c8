"""A workspace's own complaint reasons on its pages: named as the settings write them, escaped
(a reason's name is the workspace's text, not markup), never one of the demo's airline reasons;
a department account sees only its department's reasons."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from settings_support import Form
from sqlalchemy import select

from rumeur.cli import main
from rumeur.config import Settings, parse_settings
from rumeur.store import Store
from rumeur.store import workspace_settings as versions
from rumeur.store.schema import posts
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app
from website import PASSWORD, sign_in

SETTINGS = """
[[workspaces]]
slug = "velora"
name = "Velora"

[workspaces.brand]
name = "Velora"

[[workspaces.reasons]]
name = "Livraison <b>express</b>"
examples = ["Mon colis n'est toujours pas arrivé", "Colis perdu par le transporteur"]

[[workspaces.reasons]]
name = "Facturation"
examples = ["Prélevé deux fois ce mois-ci"]
query = "rembours*"

[[workspaces.departments]]
slug = "compta"
name = "Comptabilité"
reasons = ["Facturation"]
"""
POSTS = [
    "Toujours pas de colis, livraison en retard, colis perdu",
    "Colis introuvable depuis une semaine, transporteur injoignable",
    "J'attends mon remboursement depuis un mois",
    "@united you lost my luggage, bag still missing",
]
MAPPING = (
    'name = "tone"\nformat = "csv"\nplatform = "x"\n\n[columns]\nnative_id = "id"\n'
    'text = "text"\ncreated_at = "date"\nauthor = "author"\n\n'
    '[labels]\nsentiment = { column = "tone" }\n'
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Store]]:
    """The posts imported by `rumeur import` into a workspace of its own, with two accounts."""
    tmp_path = tmp_path_factory.mktemp("reasons")
    config = tmp_path / "rumeur.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "tone.toml").write_text(MAPPING, encoding="utf-8")
    rows = [f'{i},2026-11-20 10:0{i},u{i},"{t}",negative' for i, t in enumerate(POSTS)]
    (tmp_path / "posts.csv").write_text("id,date,author,text,tone\n" + "\n".join(rows) + "\n")
    db = str(tmp_path / "v.db")
    args = ("--db", db, "--config", str(config), "--mapping", str(tmp_path / "tone.toml"))
    with pytest.raises(SystemExit) as ran:  # the command line's own exit, as a shell sees it
        main(["import", str(tmp_path / "posts.csv"), *args])
    assert ran.value.code in (0, None)
    settings = parse_settings(SETTINGS, str(config))
    store = Store.open(db)
    ws = settings.workspace()
    add_user(store, "ana", "analyst", PASSWORD, None, ws)
    add_user(store, "compta", "department", PASSWORD, "compta", ws)
    add_user(store, "ada", "admin", PASSWORD, None, ws)
    yield settings, store
    store.close()


@pytest.fixture
def client(site: tuple[Settings, Store]) -> TestClient:
    return TestClient(create_app(*site), follow_redirects=False)


def test_the_workspace_reasons_show_as_written_escaped_and_no_airline_one(
    client: TestClient,
) -> None:
    sign_in(client, "ana")
    for path in ("/w/velora/dashboard", "/w/velora/stream"):
        for language in ("en", "fr"):
            page = client.get(path, headers={"Accept-Language": language})
            assert page.status_code == 200
            assert "Livraison &lt;b&gt;express&lt;/b&gt;" in page.text, path
            assert "<b>express</b>" not in page.text
            assert "Facturation" in page.text
            assert "Lost Luggage" not in page.text and "Bagages perdus" not in page.text
    shown = set(re.findall(r'class="badge reason">([^<]+)<', client.get("/w/velora/stream").text))
    assert shown == {"Livraison &lt;b&gt;express&lt;/b&gt;", "Facturation"}


def test_a_department_sees_only_its_own_reasons(client: TestClient) -> None:
    sign_in(client, "compta")
    page = client.get("/w/velora/stream").text
    assert set(re.findall(r'class="badge reason">([^<]+)<', page)) == {"Facturation"}
    assert "colis" not in page.lower()


def test_an_admin_defines_a_reason_in_the_app_and_a_bad_one_is_refused_at_its_field(
    client: TestClient, site: tuple[Settings, Store]
) -> None:
    sign_in(client, "ada")
    client.headers["Accept-Language"] = "en"
    page = client.get("/w/velora/settings/reasons")
    assert page.status_code == 200
    assert "Livraison &lt;b&gt;express&lt;/b&gt;" in page.text and "<b>express" not in page.text
    form = Form(client, "/w/velora/settings/reasons").set("reasons[2].query", "vendeur AND (")
    refused = form.set("reasons[2].name", "Magasin").post()
    assert refused.status_code == 400
    error = re.search(r'data-field="reasons\[2\]\.query">([^<]*)<', refused.text)
    assert error and "parenthesis is not closed" in error.group(1), refused.text[-3000:]
    assert versions.current(site[1], "velora") is None  # nothing saved
    form = Form(client, "/w/velora/settings/reasons").set("reasons[2].name", "Magasin")
    saved = form.set("reasons[2].examples", "Vendeur désagréable\nBoutique fermée").post()
    assert saved.status_code == 303, saved.text[:300]
    stored = versions.current(site[1], "velora")
    assert stored is not None and stored.reason_names[-1] == "Magasin"
    assert stored.reasons[-1].examples == ["Vendeur désagréable", "Boutique fermée"]
    departments = Form(client, "/w/velora/settings/departments")
    answer = departments.set("departments[0].reasons", "Facturation\nLost Luggage").post()
    assert answer.status_code == 400
    assert "no reason &#39;Lost Luggage&#39; in this workspace" in answer.text


def test_a_post_page_says_which_query_and_examples_gave_its_reason(
    client: TestClient, site: tuple[Settings, Store]
) -> None:
    sign_in(client, "ana")
    with site[1].engine.connect() as conn:
        refund = conn.execute(select(posts.c.id).where(posts.c.reason == "Facturation")).scalar()
        parcel = conn.execute(select(posts.c.id).where(posts.c.text.like("Toujours%"))).scalar()
    for language in ("en", "fr"):
        headers = {"Accept-Language": language}
        page = client.get(f"/w/velora/posts/{refund}", headers=headers).text
        assert re.search(r'data-testid="reason-query">[^<]+<code data-user-text>rembours\*<', page)
        page = client.get(f"/w/velora/posts/{parcel}", headers=headers).text
        assert 'data-testid="reason-query"' not in page
        examples = re.search(r'data-testid="reason-examples">(.*?)</ul>', page, re.S)
        assert examples and "Mon colis n&#39;est toujours pas arrivé" in examples.group(1)


def test_the_api_gives_the_reason_its_query_and_examples(site: tuple[Settings, Store]) -> None:
    from rumeur.web import tokens
    from rumeur.web.accounts import find_user

    settings, store = site
    token = tokens.issue(store, find_user(store, "ana").id)
    client = TestClient(create_app(settings, store))
    with store.engine.connect() as conn:
        refund = conn.execute(select(posts.c.id).where(posts.c.reason == "Facturation")).scalar()
    answer = client.get(
        f"/api/w/velora/posts/{refund}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200
    [why] = [w for w in answer.json()["why"] if w["task"] == "reason"]
    assert why["label"] == "Facturation" and why["explanation"]["query"] == "rembours*"
    assert why["explanation"]["examples"] == ["Prélevé deux fois ce mois-ci"]  # "mois" shared
    assert why["explained_by"].startswith("rumeur-reason-workspace ")
