"""The stream's highlighting comes from the query's own evaluation: what is marked is what the
query matched (a prefix as the word it matched, a phrase whole, a tag with its sign), nothing
that a NOT excludes or a failed branch names, and never markup from the post itself."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from test_agreement import queries

from rumeur.query.document import document
from rumeur.query.highlight import highlights, marked, nfc
from rumeur.query.parser import parse

POST = "Mon colis pour La Poste: postes fermées, #LaPoste @sncf en grève 🔥"


def shown(query: str, text: str = POST, title: str | None = None) -> tuple[str, str]:
    doc = document(text=text, title=title)
    spans = highlights(parse(query).root, doc, {"text": text, "title": title})
    return str(marked(text, spans["text"])), str(marked(title, spans["title"]))


def marks(page: str) -> list[str]:
    return re.findall(r"<mark>(.*?)</mark>", page)


def test_what_the_query_matched_is_marked() -> None:
    assert marks(shown('"la poste" AND poste*')[0]) == ["La Poste", "postes"]
    assert marks(shown("#laposte OR train")[0]) == ["#LaPoste"]
    assert marks(shown("@sncf AND 🔥")[0]) == ["@sncf", "🔥"]
    assert marks(shown("grève NOT train")[0]) == ["grève"]
    assert marks(shown("greve")[0]) == ["grève"]  # folded, as the query compares


def test_excluded_and_failed_branches_mark_nothing() -> None:
    assert marks(shown("colis NOT grève")[0]) == []  # the post is not a match at all
    assert marks(shown("colis OR (train AND poste)")[0]) == ["colis"]
    assert marks(shown("(colis OR train) NOT lundi")[0]) == ["colis"]
    assert marks(shown("colis AND lang:fr")[0]) == []  # no language: no match


def test_near_marks_the_close_occurrences_only() -> None:
    text = "Lost bag again. They will call and hold my bag when found."
    assert marks(shown("bag NEAR/2 lost", text)[0]) == ["Lost", "bag"]
    assert marks(shown("lost NEAR/0f bag", text)[0]) == ["Lost", "bag"]
    assert marks(shown("bag NEAR/0f lost", text)[0]) == []  # not in that order: no match


def test_title_and_text_apart() -> None:
    text, title = shown("title:poste AND colis", title="La Poste")
    assert marks(title) == ["Poste"]
    assert marks(text) == ["colis"]


def test_the_post_markup_is_shown_as_text() -> None:
    text = 'colis <script>alert("x")</script> &amp; <mark>faux</mark>'
    page = shown("colis OR script OR mark", text)[0]
    assert "<script>" not in page
    assert marks(page) == ["colis", "script", "script", "mark", "mark"]
    assert html.unescape(re.sub(r"</?mark>", "", page)) == text


ALPHABET = st.sampled_from([*"<>&\"'/ #@abcép;=", "colis", "poste", "La", "&lt;", "🔥"])


@settings(max_examples=300, deadline=None)
@given(text=st.lists(ALPHABET, max_size=30).map("".join), query=queries())
def test_highlighting_never_lets_markup_through(text: str, query: str) -> None:
    """Whatever the post and the query: the only tags are the marks, and taking them away
    gives back the text exactly."""
    page = shown(query, text)[0]
    assert re.sub(r"</?mark>", "", page).count("<") == 0
    assert html.unescape(re.sub(r"</?mark>", "", page)) == nfc(text)
    assert page.count("<mark>") == page.count("</mark>")
