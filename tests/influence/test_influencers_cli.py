"""`rumeur influencers list|show` and the REST API on recorded posts with real follower counts:
the contract's fields, the explanation in words in English and French, the refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from clirun import rumeur
from influence.recorded import WORKSPACE, x_posts
from rumeur.config import parse_settings
from rumeur.store import Store
from rumeur.web import tokens
from rumeur.web.accounts import add_user
from rumeur.web.app import create_app

CONTRACT = {
    "author", "platform", "followers", "tier", "engagement_rate", "tier_percentile", "score",
    "place", "explanation",
}  # fmt: skip
SETTINGS = WORKSPACE + "[workspaces.influence]\nmin_posts = 1\n"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("influencers")
    config = folder / "rumeur.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    db = str(folder / "rumeur.db")
    store = Store.open(db)
    store.write("watch", x_posts())
    store.close()
    return db, config


def test_list_json_gives_the_contract_s_fields_best_first(
    recorded: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, config = recorded
    ran = rumeur(capsys, "influencers", "list", "--json", "--db", db, "--config", str(config))
    assert ran.code == 0, ran.err
    rows = [json.loads(line) for line in ran.out.splitlines()]
    assert len(rows) == 6 and all(set(row) >= CONTRACT for row in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    bbc = next(r for r in rows if r["author"] == "BBCRajiniV")
    assert (bbc["platform"], bbc["followers"], bbc["tier"]) == ("x", 23047, "micro")
    assert bbc["tier_percentile"] == 0.75
    for part in bbc["explanation"]:
        assert {"name", "value", "weight", "contribution", "sentence", "posts", "text"} <= set(part)
    assert sum(p["contribution"] for p in bbc["explanation"]) == pytest.approx(bbc["score"], 0.01)
    ran = rumeur(
        capsys, "influencers", "list", "--tier", "mega", "--json", "--db", db,
        "--config", str(config),
    )  # fmt: skip
    assert {json.loads(line)["author"] for line in ran.out.splitlines()} == {
        "Stranger_Things", "Independent",
    }  # fmt: skip


def test_show_explains_the_score_in_french(
    recorded: tuple[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, config = recorded
    monkeypatch.setenv("RUMEUR_LANG", "fr")
    ran = rumeur(
        capsys, "influencers", "show", "x:Independent", "--db", db, "--config", str(config)
    )
    assert ran.code == 0, ran.err
    text = " ".join(ran.out.split())
    assert "Palier : méga. Abonnés : 2 790 092." in text.replace("\u202f", " ")
    assert "au-dessus de 25,0" in text and "des comptes méga sur X" in text
    assert "Score d'influence" in text


def test_refusals_are_one_line(
    recorded: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    db, config = recorded
    where = ("--db", db, "--config", str(config))
    ran = rumeur(capsys, "influencers", "list", "--tier", "huge", *where)
    assert ran.code == 1 and ran.err.strip().endswith(
        "--tier huge: expected one of nano, micro, mid, macro, mega"
    )
    ran = rumeur(capsys, "influencers", "show", "nobody.example", *where)
    assert ran.code == 1 and "nobody.example: no post of this workspace is theirs" in ran.err


def test_the_api_serves_the_same_json(recorded: tuple[str, Path]) -> None:
    db, config = recorded
    settings = parse_settings(config.read_text(encoding="utf-8"), str(config))
    store = Store.open(db)
    try:
        user = add_user(store, "ana", "analyst", "a long password 123")
        client = TestClient(create_app(settings, store))
        auth = {"Authorization": f"Bearer {tokens.issue(store, user.id)}"}
        listed = client.get("/api/w/watch/influencers", params={"tier": "micro"}, headers=auth)
        assert listed.status_code == 200
        body = listed.json()
        assert [r["author"] for r in body["influencers"]] == ["BBCRajiniV", "KassidyCook1"]
        one = client.get("/api/w/watch/influencers/x:BBCRajiniV", headers=auth).json()
        assert one == body["influencers"][0]
        assert client.get("/api/w/watch/influencers/nobody", headers=auth).status_code == 404
        refused = client.get("/api/w/watch/influencers", headers=auth, params={"tier": "x"})
        assert refused.status_code == 400
    finally:
        store.close()
