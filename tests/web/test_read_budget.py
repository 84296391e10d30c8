"""The pages and the API read the store within the time budget (`RUMEUR_READ_BUDGET`): past it,
each answers 400 with the one line `query too costly: …`, the export before its file starts,
and the server goes on answering once the budget is back."""

from __future__ import annotations

import pytest

from rumeur.store import budget
from rumeur.web import tokens
from website import Site

READS = [
    "/w/united/stream?q=luggage",
    "/w/united/stream",
    "/w/united/export.csv?q=luggage",
    "/w/united/dashboard",
    "/w/united/posts/1",
    "/w/united/alerts",
]


def test_every_read_of_a_request_is_held_to_the_budget(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = site.client("ana")
    api = site.client()
    api.headers["Authorization"] = f"Bearer {tokens.issue(site.store, site.users['ana'].id)}"
    assert client.get("/w/united/stream?q=luggage").status_code == 200
    monkeypatch.setenv(budget.ENV, "0.000001")
    for address in READS:
        answer = client.get(address)
        assert answer.status_code == 400, address
        assert "query too costly: it ran past its budget of 1e-06 s" in answer.text, address
    for address in (
        "/api/w/united/posts?q=luggage",
        "/api/w/united/export.csv",
        "/api/w/united/alerts",
    ):
        answer = api.get(address)
        assert answer.status_code == 400, address
        assert answer.json()["error"].startswith("query too costly: "), address
    monkeypatch.delenv(budget.ENV)
    assert client.get("/w/united/export.csv?q=luggage").status_code == 200
