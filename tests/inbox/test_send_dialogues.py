"""What the dialogue formats and the link cards send (docs/publish.md, "Templates", "Link
cards"): a Mastodon poll in the status's form as the composer's body gives it, and a Bluesky
post whose text links to a page carrying that page's card (`app.bsky.embed.external`, read from
its OpenGraph tags on a local server), or no card when the page cannot be read, never a post
left unsent."""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from network import CREATE_RECORD, SECRETS, STATUSES, Network
from test_send_posts import at, form_of, schedule, sender

from rumeur.net.page import read_page
from rumeur.publishing import bodies
from rumeur.publishing.facets import facets
from rumeur.sources.bluesky.card import card
from rumeur.store import Store
from rumeur.store.publishing import item

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
PAGE = """<!doctype html><html><head><title>Ignored when og:title is there</title>
<meta property="og:title" content="Horaires de Noël &amp; du Nouvel An">
<meta property="og:description" content="Les bureaux de poste
  ouverts le 24 décembre"></head><body><p>…</p></body></html>"""


class _Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(1.5)
        kind, body = {
            "/noel": ("text/html; charset=utf-8", PAGE.encode()),
            "/slow": ("text/html", PAGE.encode()),
            "/image": ("image/png", b"\x89PNG"),
            "/big": ("text/html", b"<html><head><title>Grand</title>" + b"x" * 2_000_000),
        }.get(self.path, ("text/html", b""))
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def pages() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def network() -> Iterator[Network]:
    with Network() as fake:
        yield fake


def test_a_page_is_read_bounded_in_type_size_time_and_address(pages: str) -> None:
    assert read_page(pages + "/noel", allow_private=True) == PAGE
    assert read_page(pages + "/image", allow_private=True) is None  # not a page
    assert read_page(pages + "/missing", allow_private=True) is None
    big = read_page(pages + "/big", allow_private=True, max_bytes=10_000)
    assert big is not None and len(big) == 10_000
    assert read_page(pages + "/slow", allow_private=True, timeout=0.5) is None
    assert read_page(pages + "/noel") is None  # this machine: not read unless allowed
    assert read_page("file:///etc/passwd", allow_private=True) is None


def test_the_card_is_the_pages_opengraph_else_its_title() -> None:
    found = card("https://laposte.fr/noel", PAGE)
    assert found == {"$type": "app.bsky.embed.external", "external": {
        "uri": "https://laposte.fr/noel", "title": "Horaires de Noël & du Nouvel An",
        "description": "Les bureaux de poste ouverts le 24 décembre"}}  # fmt: skip
    plain = card("https://x.example", "<title> Le bureau </title><body>")
    assert plain is not None and plain["external"]["title"] == "Le bureau"
    assert card("https://x.example", "<p>no title</p>") is None


@SQLITE
def test_a_bluesky_post_carries_its_links_card(
    store: Store, network: Network, pages: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RUMEUR_LINK_CARDS", "local")
    text = f"Nos horaires de Noël : {pages}/noel 🎄"
    with_card = schedule(store, "bluesky", text=text, extra={"facets": facets(text)})
    broken = f"Et celui-ci : {pages}/missing"
    without = schedule(store, "bluesky", text=broken, extra={"facets": facets(broken)},
                       at=with_card.at + (at(1)() - at(0)()))  # fmt: skip
    with sender(store, network, now=at(3)) as s:
        assert s.once().sent == 2
    records = [json.loads(r.body)["record"] for r in network.requests_to(CREATE_RECORD)]
    shown = {r["text"]: r.get("embed") for r in records}
    assert shown[text] == {"$type": "app.bsky.embed.external", "external": {
        "uri": f"{pages}/noel", "title": "Horaires de Noël & du Nouvel An",
        "description": "Les bureaux de poste ouverts le 24 décembre"}}  # fmt: skip
    assert shown[broken] is None  # the page could not be read: posted without a card
    assert item(store, without.id).status == "published"  # type: ignore[union-attr]


@SQLITE
def test_a_mastodon_poll_is_sent_as_the_composer_shapes_it(store: Store, network: Network) -> None:
    poll = {"options": ["Calendrier chat", "Calendrier chien"], "expires_in": 86400,
            "multiple": False}  # fmt: skip
    post = schedule(store, "mastodon", text="Chat ou chien ?", visibility="public",
                    extra={"poll": poll})  # fmt: skip
    with sender(store, network, now=at(1)) as s:
        assert s.once().sent == 1
    [status] = network.requests_to(STATUSES)
    sent = form_of(status.body)
    expected = bodies.mastodon_status(post)
    assert {k: v if isinstance(v, list) else [v] for k, v in expected.items()} == sent
    assert sent["poll[options][]"] == ["Calendrier chat", "Calendrier chien"]
    assert sent["poll[expires_in]"] == ["86400"]
