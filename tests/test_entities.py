"""Links cut where the address ends, and the site a link counts for on the dashboard."""

from __future__ import annotations

import pytest

from rumeur import entities
from rumeur.store.facets import facets, site


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Seen in the airline file: X's closing quote and a full stop glued to a t.co link.
        ("“@united: we're sorry http://t.co/H952rDKTqy”", ["http://t.co/H952rDKTqy"]),
        ("Read this http://t.co/RHKaMx9VF5. Then call.", ["http://t.co/RHKaMx9VF5"]),
        ('"https://lemonde.fr/a"', ["https://lemonde.fr/a"]),
        ("«https://lemonde.fr/a»", ["https://lemonde.fr/a"]),
        ("« https://lemonde.fr/a »,", ["https://lemonde.fr/a"]),
        ("(voir https://lemonde.fr/a)", ["https://lemonde.fr/a"]),
        ("vraiment https://lemonde.fr/a?!", ["https://lemonde.fr/a"]),
        ("'https://lemonde.fr/a'", ["https://lemonde.fr/a"]),
        ("[article](https://lemonde.fr/a).", ["https://lemonde.fr/a"]),
        ("**https://lemonde.fr/a**", ["https://lemonde.fr/a"]),
        ("https://lemonde.fr/a;", ["https://lemonde.fr/a"]),
    ],
)
def test_a_link_stops_where_the_sentence_goes_on(text: str, expected: list[str]) -> None:
    assert entities.links(text) == expected


@pytest.mark.parametrize(
    "link",
    [
        "https://en.wikipedia.org/wiki/Python_(programming_language)",
        "https://fr.wikipedia.org/wiki/Jeanne_d'Arc",
        "https://example.com/list[1]",
        "https://example.com/a?b=1&c=2#frag",
        "https://fr.wikipedia.org/wiki/Élysée",
    ],
)
def test_an_address_keeps_what_belongs_to_it(link: str) -> None:
    assert entities.links(f"voir {link} ici") == [link]
    assert entities.links(f"({link}).") == [link]  # its own brackets stay, the sentence's go


def test_a_link_cut_short_by_an_ellipsis_is_no_link() -> None:
    # A truncated retweet: X cuts the text, and its last link, with "…".
    text = "RT @ericcoquerel: la fiscalité des entreprises https://t.co/IAH0l… https://t.co/ok"
    assert entities.links(text) == ["https://t.co/ok"]


def test_a_scheme_alone_is_no_link() -> None:
    assert entities.links("http://… et https://.") == []


def test_links_are_found_once_in_their_order() -> None:
    text = "https://b.fr/1 https://a.fr/2, https://b.fr/1."
    assert entities.links(text) == ["https://b.fr/1", "https://a.fr/2"]


@pytest.mark.parametrize(
    ("link", "host"),
    [
        ("https://www.lemonde.fr/economie/", "lemonde.fr"),
        ("https://m.lemonde.fr/article", "lemonde.fr"),
        ("https://mobile.twitter.com/united/status/1", "twitter.com"),
        ("https://www.m.youtube.com/watch?v=1", "youtube.com"),  # the site of a site is itself
        ("https://WWW.Example.COM./a", "example.com"),
        ("https://blog.lemonde.fr/a", "blog.lemonde.fr"),  # another site of the same owner
        ("https://m.me/united", "m.me"),  # a site named m.me, not the mobile form of "me"
        ("lemonde.fr/a", "lemonde.fr"),
    ],
)
def test_a_site_is_the_host_without_its_mobile_or_www_prefix(link: str, host: str) -> None:
    assert site(link) == host


@pytest.mark.parametrize(
    "link",
    ["http://t.co/H952rDKTqy", "https://bit.ly/3abc", "https://ow.ly/x", "https://buff.ly/y",
     "https://tinyurl.com/z", "https://goo.gl/a", "https://dlvr.it/b", "https://lnkd.in/c",
     "https://www.bit.ly/d"],
)  # fmt: skip
def test_a_shortener_is_no_site(link: str) -> None:
    assert site(link) is None


def test_a_shortened_link_is_a_link_but_not_a_site() -> None:
    found = facets("see", None, [], [], ["http://t.co/abc", "https://m.lemonde.fr/a"], 7)
    assert ("link", "http://t.co/abc") in found
    assert {value for kind, value in found if kind == "site"} == {"lemonde.fr"}
