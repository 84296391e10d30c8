"""A payload's character references decoded once: the stored text is what the author typed."""

from __future__ import annotations

import html

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from rumeur.sources.text import unescape


def x_escape(text: str) -> str:
    """What X does to a tweet's text: `&`, `<` and `>` written as references."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Text with what makes decoding go wrong: ampersands, semicolons, references written literally.
PIECES = st.sampled_from([*"&;#<>\"'x0aé ", "&amp;", "&lt;", "&#39;", "&#x27;", "&copy"])
TEXTS = st.lists(PIECES, max_size=20).map("".join) | st.text(max_size=40)


@given(TEXTS)
def test_decoding_what_x_encoded_gives_the_text_back(text: str) -> None:
    assert unescape(x_escape(text)) == text


@given(TEXTS)
def test_decoding_what_html_escape_encoded_gives_the_text_back(text: str) -> None:
    assert unescape(html.escape(text)) == text


@given(TEXTS)
def test_a_page_shows_the_decoded_text_as_the_author_typed_it(text: str) -> None:
    # The template escapes the stored text: the page's HTML is the author's text, escaped once.
    stored = unescape(x_escape(text))
    assert str(escape(stored)) == str(escape(text))
    assert html.unescape(str(escape(stored))) == text  # what the browser shows


@pytest.mark.parametrize(
    ("written", "typed"),
    [
        ("Q&amp;A with @united &gt; @delta", "Q&A with @united > @delta"),
        ("&amp;amp; is how HTML writes &amp;", "&amp; is how HTML writes &"),  # decoded once
        ("l&#8217;avion &#xE9;tait en retard", "l’avion était en retard"),
        ("R&D, AT&T, fun&times, &notre, &copy 2015", "R&D, AT&T, fun&times, &notre, &copy 2015"),
        ("&nosuchentity; stays", "&nosuchentity; stays"),
        ("no ampersand at all", "no ampersand at all"),
    ],
)  # fmt: skip
def test_only_references_closed_by_a_semicolon_are_decoded(written: str, typed: str) -> None:
    assert unescape(written) == typed


def test_text_without_an_ampersand_is_returned_as_it_is() -> None:
    text = "Vol annulé, merci @AirFrance"
    assert unescape(text) is text
