"""Every operator of the query language, the French tokenisation cases and the error messages,
checked through `parse` and the reference evaluator on small documents."""

from __future__ import annotations

import pytest

from rumeur.query.document import document
from rumeur.query.evaluate import matches
from rumeur.query.parser import QueryError, parse


def hit(query: str, text: str = "", **fields: object) -> bool:
    return matches(parse(query).root, document(text=text, **fields))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "text", "expected"),
    [
        ("apple AND juice", "fresh apple juice", True),
        ("apple AND juice", "apple pie", False),
        ("apple OR juice", "orange juice", True),
        ("apple OR juice", "orange soda", False),
        ("apple NOT bitter", "apple juice", True),
        ("apple NOT bitter", "bitter apple", False),
        ("apple AND NOT bitter", "bitter apple", False),
        ("apple NOT bitter NOT sour", "sour apple", False),
        ("(apple OR orange) AND juice NOT bitter", "orange juice", True),
        ("(apple OR orange) AND juice NOT bitter", "bitter orange juice", False),
        ('"apple juice"', "I like apple juice", True),
        ('"apple juice"', "juice of apple", False),
        ('"apple juice"~2', "juice from the apple", True),
        ('"apple juice"~1', "apple and some juice", False),
        ("(apple AND juice)~1", "juice, apple", True),
        ("apple NEAR/2 juice", "apple and orange juice", True),
        ("apple NEAR/1 juice", "apple and orange juice", False),
        ("apple NEAR/2 juice", "juice with apple", True),
        ("apple NEAR/2f juice", "juice with apple", False),
        ("apple NEAR/2/f juice", "apple, then juice", True),
        ("crowd NEAR/0f strike*", "the crowd strikes back", True),
        ("crowd NEAR/0f strike*", "strike the crowd", False),
        ("(apple OR orange) NEAR/3 (phone OR smartphone)", "an orange smartphone", True),
        ("(apple OR orange) NEAR/3 (phone OR smartphone)", "orange is not a good phone", False),
        ('"low cost" NEAR/2 airline', "low cost and cheap airline", True),
        ("poste", "les postes", False),
        ("poste*", "les postes", True),
        ("custom*ize", "they customize it", True),
        ("customi?e", "customise", True),
        ("customi?e", "customiize", False),
        ("custom*?e", "customize", True),
        ("élection", "ELECTION 2027", True),
        ("ELECTION", "l'élection", True),
        ("{EDF}", "EDF augmente ses prix", True),
        ("{EDF}", "edf augmente ses prix", False),
        ("{Apple}", "apple pie", False),
        ("assemblée", "l'Assemblée nationale", True),
        ("edf", "qu'EDF le veuille ou non", True),
        ("edf", "qu’EDF le veuille", True),
        ('"l\'assemblée nationale"', "à l'Assemblée nationale", True),
        ("#laposte", "merci #LaPoste", True),
        ("#laposte", "merci laposte", False),
        ("laposte", "merci #LaPoste", True),
        ("@LaPoste", "merci @laposte", True),
        ("@LaPoste", "merci #laposte", False),
        ("#lapost*", "#LaPosteMobile en panne", True),
        ("café AND naïve", "Cafe for the naive", True),
        ("iphone13 AND ios15", "iPhone13 on iOS15", True),
        ('"low-cost"', "a low cost airline", True),
        ("pare-feu", "le pare-feu tombe", True),
        ("😀 AND happy", "so happy 😀", True),
        ("🔥", "ça brûle", False),
        ("apple <<<fruit>>> AND juice", "apple juice", True),
        ("apple banana", "banana and apple", True),
        ("NOT (apple AND bitter)", "bitter lemon", True),
    ],
)
def test_operators(query: str, text: str, expected: bool) -> None:
    assert hit(query, text) is expected


def test_multiline_query_with_comments() -> None:
    query = """<<<brand>>>
    (laposte OR "la poste")
    <<<minus the noise>>>
    NOT (timbre* OR philatélie)"""
    assert hit(query, "La Poste est en grève")
    assert not hit(query, "La Poste sort un timbre")


def test_title_and_text_streams() -> None:
    doc = document(title="Grève à La Poste", text="les facteurs manifestent")
    assert matches(parse('title:"la poste"').root, doc)
    assert not matches(parse("title:facteurs").root, doc)
    assert matches(parse("facteurs AND grève").root, doc)
    # A phrase never runs from the title into the text.
    assert not matches(parse('"poste les"').root, doc)


@pytest.mark.parametrize(
    ("query", "fields", "expected"),
    [
        ("lang:fr", {"lang": "fr"}, True),
        ("language:en", {"lang": "fr"}, False),
        ("author:LaPoste", {"author": "@laposte"}, True),
        ("author:lap*", {"author": "laposte"}, True),
        ("platform:bluesky", {"platform": "Bluesky"}, True),
        ("site:twitter.com", {"url": "https://mobile.twitter.com/x/status/1"}, True),
        ("site:twitter.com", {"links": ["https://twitter.company.example/"]}, False),
        ("site:news.*", {"links": ["https://news.bbc.co.uk/a"]}, True),
        ('url:"reddit.com/r/technology"', {"url": "https://www.reddit.com/r/technology/x"}, True),
        ("country:france", {"location": "Lyon, France"}, True),
        ('city:"new york"', {"location": "New York City"}, True),
        ("region:gbr.england", {"location": "London, England"}, True),
        ("continent:north_america", {"location": "North America"}, True),
        ("sentiment:negative", {"sentiment": "negative"}, True),
        ("emotion:joy", {"emotion": "anger"}, False),
        ("followers:>10000", {"followers": 10001}, True),
        ("followers:>10000", {"followers": 10000}, False),
        ("followers:>=10000", {"followers": 10000}, True),
        ("authorFollowers:[1000 TO 50000]", {"followers": 50000}, True),
        ("authorFollowers:[1000 TO 50000]", {"followers": 999}, False),
        ("followers:<10", {}, False),
        ("engagement:>50", {"engagement": 51}, True),
        ("authorVerified:true", {"verified": True}, True),
        ("verified:false", {"verified": True}, False),
        ("engagementType:RETWEET", {"type": "repost"}, True),
        ("engagementType:REPLY", {"type": "original"}, False),
        ("type:quote", {"type": "quote"}, True),
    ],
)
def test_fields(query: str, fields: dict[str, object], expected: bool) -> None:
    assert hit(query, "du texte", **fields) is expected


@pytest.mark.parametrize(
    ("query", "problem", "column"),
    [
        ("", "the query is empty", 1),
        ("NOT bitter", "cannot only exclude", 1),
        ("apple AND", "ends too early", 10),
        ("OR apple", "OR needs a word", 1),
        ("*invalid", "cannot start with a wildcard", 1),
        ("apple AND juice NEAR/5 orange", "NEAR cannot stand beside", 17),
        ("apple AND juice OR orange", "AND and OR side by side", 17),
        ("apple banana OR cherry", "AND and OR side by side", 14),
        ("(apple AND juice", "parenthesis is not closed", 1),
        ("apple AND juice)", "')' closes nothing", 16),
        ('"apple juice', "quote is not closed", 1),
        ("apple AND ()", "empty parentheses", 12),
        ("apple AND AND juice", "AND needs a word", 11),
        ("apple and juice", "'and' is not an operator", 7),
        ("apple <<<unfinished", "not closed with >>>", 7),
        ('("a" AND "b") ~ 10 ("c")', "~ must follow", 15),
        ("(apple AND juice) NEAR/3 orange", "NEAR takes words", 1),
        ("[5 TO 3]", "a range needs a field", 1),
        ("followers:[5 TO 3]", "runs backwards", 1),
        ("rating:3", "rating: is a Brandwatch field that rumeur does not support", 1),
        ("apple AND authorGender:F", "authorGender: is a Brandwatch field", 11),
        ("AuthorGender:F", "case-sensitive", 1),
        ("colour:red", "unknown field colour:", 1),
        ("language:english", "two-letter language code", 1),
        ("engagementType:retweet", "in capitals", 1),
        ("authorVerified:yes", "true or false", 1),
        ("sentiment:angry", "negative, neutral or positive", 1),
        ("#", "nothing to search", 1),
        ("{}", "nothing between the braces", 1),
    ],
)
def test_errors_name_the_problem_and_its_column(query: str, problem: str, column: int) -> None:
    with pytest.raises(QueryError) as caught:
        parse(query)
    error = caught.value
    first, shown, caret = str(error).split("\n")
    assert problem in first
    assert error.column == column
    assert f"column {column}" in first
    assert shown.strip() == query.strip()
    assert caret.index("^") - 2 == column - 1  # two spaces of indent


def test_error_in_a_multiline_query_names_its_line() -> None:
    with pytest.raises(QueryError) as caught:
        parse("(laposte OR colissimo)\nAND (retard OR\n  perdu")
    assert caught.value.line == 2
    assert "line 2, column 5" in str(caught.value)


def test_warnings_are_given_not_refused() -> None:
    assert any("short" in w for w in parse("ap*").warnings)
    assert any("side by side" in w for w in parse("apple banana").warnings)
    assert any("nearly any" in w for w in parse("apple NEAR/150 juice").warnings)
    assert any("one-letter" in w for w in parse("a").warnings)
    assert parse("apple NOT bitter").warnings == ()


def test_untrusted_looking_terms_are_words() -> None:
    node = parse('"\'; DROP TABLE posts; --" OR "NEAR(x)" OR "x:y:z" OR col*').root
    assert str(node) == '("drop table posts" OR "near x" OR "x y z" OR col*)'
