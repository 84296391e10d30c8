"""What one query may ask (docs/queries.md, "Limits"): its size, its nesting, the length of a
phrase, the breadth of a wildcard, the numbers a field compares and the characters it holds.
Each is refused in the parser, in one line with a caret, before anything runs."""

from __future__ import annotations

import re

import pytest

from conftest import REPO
from rumeur.i18n import using
from rumeur.query.ast import Phrase
from rumeur.query.fields import MAX_NUMBER
from rumeur.query.parser import (
    MAX_CHARS,
    MAX_DEPTH,
    MAX_PHRASE_WORDS,
    MIN_WILDCARD_STEM,
    QueryError,
    parse,
)
from rumeur.store.budget import DEFAULT_SECONDS, ENV

NAMED_TEST = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def refusal(query: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(query)
    first, shown, caret = str(caught.value).split("\n")
    assert first.startswith(("query: ", "requête : "))
    assert caret.strip() == "^" and len(shown) <= 110  # a long query is shown cut short
    return caught.value


def test_a_query_over_the_size_cap_is_refused_and_shown_cut_short() -> None:
    near_cap = " OR ".join(["word"] * ((MAX_CHARS - 4) // 8))
    assert len(near_cap) <= MAX_CHARS and parse(near_cap).root is not None
    error = refusal("x " * (MAX_CHARS // 2 + 1))
    assert f"the query is too long: {MAX_CHARS + 2} characters (at most {MAX_CHARS})" in str(error)
    assert error.column == MAX_CHARS + 1


def test_nesting_is_capped_before_lark_or_python_recurse() -> None:
    assert parse("(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH).root is not None
    error = refusal("(" * 999 + "a" + ")" * 999)
    assert f"nested more than {MAX_DEPTH} levels deep" in str(error)
    assert error.column == MAX_DEPTH + 1
    assert "levels deep" in str(refusal("a AND " + "NOT " * 999 + "b"))


def test_parentheses_inside_quotes_braces_and_comments_do_not_count() -> None:
    deep = "(" * (MAX_DEPTH + 5)
    assert parse(f'"{deep}a" <<<{deep}>>> {{x{deep}}}').root is not None


def test_a_phrase_over_the_word_cap_is_refused() -> None:
    longest = parse('"' + " ".join(["the"] * MAX_PHRASE_WORDS) + '"').root
    assert isinstance(longest, Phrase) and len(longest.terms) == MAX_PHRASE_WORDS
    error = refusal('apple AND "' + " ".join(["the"] * 100) + '"')
    assert f"a phrase of 100 words is too long (at most {MAX_PHRASE_WORDS})" in str(error)
    assert error.column == 11
    assert "too long" in str(refusal("{" + " ".join(["The"] * (MAX_PHRASE_WORDS + 1)) + "}"))
    assert "too long" in str(refusal("title:" + "-".join(["a"] * (MAX_PHRASE_WORDS + 1))))


@pytest.mark.parametrize("query", ["a?b", "t?e", "co*l", '"la p?ste"', "title:ab?c"])
def test_a_wildcard_inside_a_word_needs_letters_before_it(query: str) -> None:
    error = refusal(query)
    assert f"needs at least {MIN_WILDCARD_STEM} letters before its first * or ?" in str(error)


@pytest.mark.parametrize("query", ["colo?r", "custom*ize", "post?er", "ap*", "a*", "#a?b"])
def test_wildcards_that_narrow_in_the_index_are_kept(query: str) -> None:
    assert parse(query).root is not None


@pytest.mark.parametrize("query", ['""', '"" OR ""', 'apple OR "  "', 'title:""'])
def test_an_empty_phrase_is_a_one_line_refusal(query: str) -> None:
    assert "an empty phrase" in str(refusal(query))


@pytest.mark.parametrize(
    "query",
    [
        "followers:>99999999999999999999",
        "followers:9223372036854775808",
        "engagement:<=000000000000000000000099999999999999999999",
        "authorFollowers:[1 TO 99999999999999999999]",
        "followers:[99999999999999999999 TO 99999999999999999999]",
    ],
)
def test_numbers_beyond_the_store_s_64_bits_are_refused(query: str) -> None:
    assert "is larger than any count rumeur stores" in str(refusal(query))


def test_the_largest_64_bit_number_is_kept() -> None:
    assert parse("followers:<=9223372036854775807").root is not None


@pytest.mark.parametrize("query", ["author:a\x00b", "la\x00poste", '"a \x00"', "caf\udce9"])
def test_nul_and_lone_surrogates_are_refused(query: str) -> None:
    error = refusal(query)
    assert "a character that is not text" in str(error)
    assert "\x00" not in str(error) and "\udce9" not in str(error)
    assert error.column == next(i for i, c in enumerate(query) if c in "\x00\udce9") + 1


def test_the_refusals_are_in_french_too() -> None:
    with using("fr"):
        long = str(refusal("x " * (MAX_CHARS // 2 + 1)))
        deep = str(refusal("(" * 999 + "a" + ")" * 999))
        phrase = str(refusal('"' + " ".join(["le"] * 30) + '"'))
        wild = str(refusal("a?b"))
        empty = str(refusal('""'))
        number = str(refusal("followers:>99999999999999999999"))
        nul = str(refusal("a\x00b"))
    assert long.startswith("requête") and "trop longue" in long
    assert "niveaux" in deep
    assert "30 mots" in phrase and "trop longue" in phrase
    assert "au moins 3 lettres" in wild
    assert "une expression vide" in empty
    assert "plus grand" in number
    assert "n’est pas du texte" in nul


@pytest.mark.parametrize(
    ("doc", "title"), [("queries.md", "Size and cost"), ("queries.fr.md", "Taille et coût")]
)
def test_the_docs_state_each_limit_and_the_test_behind_it(doc: str, title: str) -> None:
    text = (REPO / "docs" / doc).read_text(encoding="utf-8")
    section = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    chars = f"{MAX_CHARS:,}".replace(",", "," if doc == "queries.md" else " ")
    values = [chars, MAX_DEPTH, MAX_PHRASE_WORDS, MIN_WILDCARD_STEM, MAX_NUMBER, ENV]
    for value in [*values, f"{DEFAULT_SECONDS:g} s"]:
        assert str(value) in section, f"docs/{doc} does not state {value}"
    named = NAMED_TEST.findall(section)
    assert len({name for _, name in named if name}) >= 8
    for path, name in named:
        source = (REPO / path).read_text(encoding="utf-8")
        assert not name or f"def {name}(" in source, f"docs/{doc} names {path}::{name}"
