"""The Brandwatch query linter's edge cases and the real Brandwatch queries of
`../shared/fixtures/queries/`: every `valid` query and `.bwq` file is accepted, or refused with
one line naming a Brandwatch-only field; every `invalid` one is refused. The `check` and
`warning` lines follow the decisions of `docs/queries.md`, asserted here one by one."""

from __future__ import annotations

from pathlib import Path

import pytest

from rumeur.query.parser import QueryError, parse

SUITE = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "queries"
BRANDWATCH_ONLY = "is a Brandwatch field that rumeur does not support"

# Our decisions for the lines the suite leaves to us: True = accepted.
DECIDED = {
    "rating_invalid": False, "gender_invalid": False, "boolean_field_invalid": False,
    "engagement_invalid": False, "verified_type_invalid": False, "language_warning": False,
    "range_invalid": False, "single_char": True, "short_wildcard": True,
    "multiple_wildcards": True, "large_proximity": True, "mixed_operators_complex": False,
    "nested_field_operations": False, "multiple_proximity_operators": False,
    "unicode_with_operators": False, "emoji_with_boolean": False,
    "mixed_case_sensitivity": False, "special_chars_in_phrases": False, "deep_nesting": True,
    "unbalanced_grouping_valid": True, "multiple_not_with_groups": False,
    "proximity_with_wildcards": True, "proximity_with_quotes": True,
    "proximity_forward_only": True, "proximity_tilde_complex": False,
    "author_with_spaces": True, "site_with_subdomain": True, "url_partial_match": True,
    "multiple_language_codes": True, "coordinate_edge_values": False,
    "negative_ranges": False, "single_value_range": False, "decimal_coordinates": False,
    "large_follower_ranges": True, "minute_of_day_boundaries": False,
    "tumblr_specific": False, "reddit_comprehensive": False, "twitter_verified_types": False,
    "engagement_combinations": False, "short_wildcard_multiple": True,
    "very_large_proximity": True, "extremely_broad_range": True,
    "single_character_multiple": False, "rating_boundaries": False,
    "field_case_variations": False, "ecommerce_monitoring": True, "social_sentiment": True,
    "crisis_monitoring": True, "influencer_tracking": True, "implicit_and_simple": True,
    "implicit_and_with_operators": False, "implicit_and_quoted": True,
    "implicit_and_fields": True,
}  # fmt: skip


def cases() -> list[tuple[str, str, str]]:
    out = []
    for line in (SUITE / "brandwatch-edge-cases.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, expected, query = line.split(":", 2)
            out.append((name, expected, query))
    return out


def outcome(query: str) -> str | None:
    """None when accepted, else the first line of the refusal."""
    try:
        parse(query)
    except QueryError as exc:
        first = str(exc).splitlines()[0]
        assert "\n" not in first and first.startswith("query: ")
        return first
    return None


def test_the_suite_is_there() -> None:
    names = [name for name, _, _ in cases()]
    assert len(names) >= 100 and len(set(names)) == len(names)
    assert set(DECIDED) == {n for n, e, _ in cases() if e in ("check", "warning")}


@pytest.mark.parametrize(("name", "expected", "query"), cases(), ids=[c[0] for c in cases()])
def test_edge_case(name: str, expected: str, query: str) -> None:
    refusal = outcome(query)
    if expected == "valid":
        assert refusal is None or BRANDWATCH_ONLY in refusal, refusal
    elif expected == "invalid":
        assert refusal is not None
    else:
        assert (refusal is None) is DECIDED[name], refusal


@pytest.mark.parametrize("path", sorted(SUITE.glob("*.bwq")), ids=lambda p: p.name)
def test_real_brandwatch_queries(path: Path) -> None:
    refusal = outcome(path.read_text(encoding="utf-8"))
    assert refusal is None or BRANDWATCH_ONLY in refusal, refusal


def test_a_real_query_means_what_it_says() -> None:
    query = parse((SUITE / "real-world-multiline.bwq").read_text(encoding="utf-8"))
    from rumeur.query.document import document
    from rumeur.query.evaluate import matches

    assert matches(query.root, document(text="L'intelligence artificielle d'OpenAI"))
    assert matches(query.root, document(text="the crowd strike outage"))
    assert not matches(query.root, document(text="the Amazon rainforest is burning"))
    assert not matches(query.root, document(text="written as ia, in lower case", lang="fr"))
