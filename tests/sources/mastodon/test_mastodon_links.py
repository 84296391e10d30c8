"""A Mastodon status read as a page shows it: references decoded once, links whole (the `href`,
not the shortened text), and the preview card's address as a link of the post."""

from __future__ import annotations

import copy
import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from rumeur.sources.mastodon import types as masto
from rumeur.store.facets import facets

REPO = Path(__file__).resolve().parents[3]
FIXTURES = (
    Path(os.environ.get("RUMEUR_FIXTURES") or REPO.parent / "shared" / "fixtures") / "mastodon"
)

pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason="recorded fixtures not present")


def recorded_status() -> dict[str, Any]:
    """A real status of the tag timeline (its content is replaced by each test)."""
    cassette = yaml.safe_load((FIXTURES / "timeline-tag.cassette.yaml").read_text("utf-8"))
    raw = cassette["interactions"][2]["response"]["body"]["string"]
    if isinstance(raw, bytes):
        raw = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode("utf-8")
    return copy.deepcopy(json.loads(raw)[0])


def test_a_reference_is_decoded_once() -> None:
    # The author typed "Q&amp;A & co": Mastodon's HTML writes each & as &amp;.
    status = recorded_status()
    status["content"] = "<p>Q&amp;amp;A &amp; co &lt;3</p>"
    assert masto.post_from_status(status, "https://piaille.fr").text == "Q&amp;A & co <3"


def test_a_link_shown_cut_short_is_read_whole_and_the_card_gives_its_site() -> None:
    # Mastodon shows a long address cut (the `ellipsis` span) and keeps the rest hidden; a
    # shortened address's preview card names the page it leads to.
    status = recorded_status()
    status["content"] = (
        '<p>Lisez <a href="https://bit.ly/3xYz" rel="nofollow noopener" target="_blank">'
        '<span class="invisible">https://</span><span class="">bit.ly/3xYz</span>'
        '<span class="invisible"></span></a> et <a href="https://www.lemonde.fr/economie/'
        'article/2024/03/05/un-tres-long-titre_123.html" rel="nofollow noopener" target="_blank">'
        '<span class="invisible">https://www.</span><span class="ellipsis">lemonde.fr/economie/'
        'article/2024/</span><span class="invisible">03/05/un-tres-long-titre_123.html</span>'
        "</a></p>"
    )
    status["card"] = {"url": "https://www.liberation.fr/societe/greve", "title": "Grève"}
    post = masto.post_from_status(status, "https://piaille.fr")
    article = "https://www.lemonde.fr/economie/article/2024/03/05/un-tres-long-titre_123.html"
    assert post.text == f"Lisez https://bit.ly/3xYz et {article}"
    assert post.links == [
        "https://bit.ly/3xYz",
        article,
        "https://www.liberation.fr/societe/greve",
    ]
    found = facets(post.text, None, [], [], post.links, 1)
    assert {v for k, v in found if k == "site"} == {"lemonde.fr", "liberation.fr"}
    assert ("link", "https://bit.ly/3xYz") in found  # a link still, but no site
