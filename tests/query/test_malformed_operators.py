"""A field without its value (`lang:`) and a NEAR without its distance (`NEAR/x`) are refused in
one line with a caret, as Brandwatch refuses them, instead of being searched as the words `lang`
or `near` (issue 14)."""

from __future__ import annotations

import pytest

from clirun import rumeur
from rumeur.i18n import using
from rumeur.query.ast import Near, Phrase
from rumeur.query.fields import EXAMPLES, OWN, SYNONYMS
from rumeur.query.parser import QueryError, parse

NOT_PROXIMITY = "is not a proximity operator"


def refusal(query: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse(query)
    return caught.value


@pytest.mark.parametrize(
    ("query", "problem", "column"),
    [
        ("edf NEAR/x centrale", f"'NEAR/x' {NOT_PROXIMITY}", 5),
        ("edf NEAR/ centrale", f"'NEAR/' {NOT_PROXIMITY}", 5),
        ("edf NEAR/5x centrale", f"'NEAR/5x' {NOT_PROXIMITY}", 5),
        ("edf NEAR/5F centrale", f"'NEAR/5F' {NOT_PROXIMITY}", 5),
        ("edf NEAR/5/g centrale", f"'NEAR/5/g' {NOT_PROXIMITY}", 5),
        ("edf near/5 centrale", f"'near/5' {NOT_PROXIMITY}", 5),
        ("(edf OR engie) NEAR/x centrale", f"'NEAR/x' {NOT_PROXIMITY}", 16),
        ("lang:", "lang: needs a value", 1),
        ("edf AND lang:", "lang: needs a value", 9),
        ("edf AND lang: fr", "lang: needs a value", 9),
        ("(edf AND author:)", "author: needs a value", 10),
        ("edf NOT language:", "language: needs a value", 9),
        ("author:(laposte OR sncf)", "author: takes one value, not a group", 1),
        ("colour:", "unknown field colour:", 1),
        ("Lang:", "case-sensitive: lang:", 1),
        ("rating:", "rating: is a Brandwatch field that rumeur does not support", 1),
    ],
)
def test_a_malformed_operator_is_a_one_line_refusal_with_a_caret(
    query: str, problem: str, column: int
) -> None:
    error = refusal(query)
    first, shown, caret = str(error).split("\n")
    assert first.startswith("query: ") and problem in first
    assert (error.column, shown.strip()) == (column, query)
    assert caret.index("^") - 2 == column - 1  # two spaces of indent


@pytest.mark.parametrize("name", [*OWN, *SYNONYMS])
def test_every_field_without_a_value_is_refused_with_a_value_that_works(name: str) -> None:
    example = f"{name}:{EXAMPLES[name]}"
    for query in (f"{name}:", f"edf AND {name}: {EXAMPLES[name]}"):
        error = refusal(query)
        assert f"{name}: needs a value" in str(error)
        assert str(error).splitlines()[0].endswith(f"with no space: {example}")
    parse(f"edf AND {example}")  # the hint's own example is a query rumeur reads


def test_the_hint_for_a_misspelt_near_says_how_to_write_it() -> None:
    first = str(refusal("edf NEAR/x centrale")).splitlines()[0]
    assert first.endswith("; write NEAR in capitals and a number of words: "
                          "NEAR/5, or NEAR/5f to keep the order")  # fmt: skip


def test_near_with_a_distance_of_zero_is_kept_as_adjacent_words() -> None:
    # Not a malformed operator: NEAR/0f is documented as "immediately followed by".
    for query, ordered in (("edf NEAR/0 centrale", False), ("edf NEAR/0f centrale", True)):
        root = parse(query).root
        assert isinstance(root, Near) and (root.n, root.ordered) == (0, ordered)


def test_quoted_the_same_characters_are_words() -> None:
    root = parse('"NEAR/x" OR "lang:" OR title:lang').root
    assert str(root) == '("near x" OR lang OR title:lang)'
    assert isinstance(parse('"lang:"').root, Phrase)


def test_the_refusals_are_in_french_too() -> None:
    with using("fr"):
        near = str(refusal("edf NEAR/x centrale")).splitlines()[0]
        lang = str(refusal("edf AND lang: fr")).splitlines()[0]
        group = str(refusal("author:(a OR b)")).splitlines()[0]
    assert "« NEAR/x » n’est pas un opérateur de proximité (colonne 5)" in near
    assert "NEAR/5f pour garder l’ordre" in near
    assert "lang: demande une valeur (colonne 9)" in lang
    assert lang.endswith("sans espace : lang:fr")
    assert "prend une seule valeur" in group and "(author:a OR author:b)" in group


def test_query_check_refuses_them_in_one_line_and_a_caret(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for query, at in (("edf NEAR/x centrale", 4), ("edf AND lang:", 8)):
        ran = rumeur(capsys, "query", "check", query)
        first, shown, caret = ran.err.splitlines()[:3]
        assert ran.code != 0 and first.startswith("rumeur: error: query: ")
        assert (shown.strip(), caret.index("^") - 2) == (query, at)
