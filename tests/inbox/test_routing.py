"""Routing: every matching rule applies in the file's order, a later rule's department,
priority and assignee win, tags add up, `stop` ends the reading, and the owned account's
department is the fallback. Every value says which rule set it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from conftest import REPO
from rumeur.config import parse_settings
from rumeur.inbox.routing import ACCOUNT, DEFAULT, Route, Router
from rumeur.model import Author, Label, Post
from rumeur.query.document import document
from rumeur.settings.inbox import OwnedAccount, RoutingRule

ACCOUNT_CARE = OwnedAccount(
    platform="mastodon", handle="laposte", source="piaille", department="service-client"
)


def rule(name: str, query: str, **sets: object) -> RoutingRule:
    return RoutingRule.model_validate({"name": name, "query": query, **sets})


def test_the_issues_example() -> None:
    router = Router(
        [
            rule("colis", "colis OR livraison", department="colis"),
            rule(
                "urgent",
                "sentiment:negative AND (remboursement OR plainte OR inadmissible)",
                priority="high",
            ),
        ]
    )
    late = document(text="Ma livraison a trois jours de retard, inadmissible", sentiment="negative")
    route = router.route(late, ACCOUNT_CARE)
    assert (route.department, route.priority) == ("colis", "high")
    assert route.matched == ("colis", "urgent")
    assert route.set_by == {"department": "colis", "priority": "urgent"}
    assert route.explain() == ["department colis: rule 'colis'", "priority high: rule 'urgent'"]

    # The same words said calmly: the urgent rule needs the negative sentiment.
    calm = document(text="Une question sur une livraison et un remboursement", sentiment="neutral")
    assert router.route(calm, ACCOUNT_CARE).priority == "normal"

    # A complaint about something else: no department from a rule, the account's.
    other = document(text="Je porte plainte", sentiment="negative")
    route = router.route(other, ACCOUNT_CARE)
    assert (route.department, route.priority, route.matched) == (
        "service-client",
        "high",
        ("urgent",),
    )
    assert route.set_by["department"] == ACCOUNT


def test_nothing_matches_the_account_department_and_normal_priority() -> None:
    router = Router([rule("colis", "colis", department="colis")])
    route = router.route(document(text="bonjour"), ACCOUNT_CARE)
    assert route == Route(
        department="service-client",
        priority="normal",
        set_by={"department": ACCOUNT, "priority": DEFAULT},
    )
    # Without an account (or one with no department), no department at all.
    assert router.route(document(text="bonjour")).department is None


def test_a_later_rule_wins_and_tags_add_up() -> None:
    router = Router(
        [
            rule("colis", "colis", department="colis", priority="urgent", tags=["colis"]),
            rule("pro", "colis AND entreprise", department="pro", priority="low", tags=["pro"]),
            rule("tous", "colis", tags=["colis", "suivi"], assignee="alice"),
            rule("jamais", "introuvable", department="ailleurs"),
        ]
    )
    route = router.route(document(text="un colis pour mon entreprise"), ACCOUNT_CARE)
    assert route.department == "pro"
    assert route.priority == "low"
    assert route.tags == ("colis", "pro", "suivi")
    assert route.assignee == "alice"
    assert route.matched == ("colis", "pro", "tous")
    assert route.set_by == {
        "department": "pro",
        "priority": "pro",
        "assignee": "tous",
        "tag:colis": "colis",
        "tag:pro": "pro",
        "tag:suivi": "tous",
    }


def test_stop_ends_the_reading() -> None:
    router = Router(
        [
            rule("presse", "journaliste", department="communication", stop=True, tags=["presse"]),
            rule("colis", "colis", department="colis", priority="high"),
        ]
    )
    route = router.route(document(text="journaliste: votre colis de Noël?"), ACCOUNT_CARE)
    assert route.department == "communication"
    assert route.priority == "normal"  # the colis rule is never read
    assert route.matched == ("presse",)
    assert route.stopped_by == "presse"
    assert "rule 'presse' stopped the routing" in route.explain()

    # A stop rule that does not match stops nothing.
    route = router.route(document(text="votre colis de Noël?"), ACCOUNT_CARE)
    assert (route.department, route.priority, route.stopped_by) == ("colis", "high", None)


def test_a_stop_rule_after_others_keeps_what_they_set() -> None:
    router = Router(
        [
            rule("colis", "colis", department="colis", tags=["colis"]),
            rule("vip", "followers:>10000", priority="urgent", stop=True),
            rule("tout", "colis", department="tri"),
        ]
    )
    big = document(text="mon colis?", followers=50_000)
    route = router.route(big, ACCOUNT_CARE)
    assert (route.department, route.priority, route.tags) == ("colis", "urgent", ("colis",))
    small = document(text="mon colis?", followers=12)
    assert router.route(small, ACCOUNT_CARE).department == "tri"


def test_fields_route_language_and_sentiment() -> None:
    router = Router(
        [
            rule("english", "lang:en", department="international"),
            rule("angry", "sentiment:negative OR emotion:anger", priority="high"),
            rule("lost", 'reason:"lost luggage"', tags=["perte"]),
        ]
    )
    doc = document(text="where is my parcel", lang="en", emotion="anger", reason="Lost Luggage")
    route = router.route(doc, ACCOUNT_CARE)
    assert (route.department, route.priority, route.tags) == ("international", "high", ("perte",))
    french = document(text="où est mon colis", lang="fr", sentiment="positive")
    assert router.route(french, ACCOUNT_CARE).matched == ()


def test_a_post_is_routed_with_its_labels() -> None:
    router = Router([rule("angry", "sentiment:negative AND colis", priority="urgent")])
    post = Post(
        platform="mastodon",
        native_id="https://piaille.fr/users/marie/statuses/1",
        text="@laposte mon colis est perdu",
        created_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
        author=Author(handle="marie@piaille.fr"),
        reply_to=None,
    )
    assert router.route_post(post, ACCOUNT_CARE).priority == "normal"
    assert router.route_post(post, ACCOUNT_CARE, {"sentiment": "negative"}).priority == "urgent"
    post.labels.append(Label(task="sentiment", label="negative", score=0.9))
    assert router.route_post(post, ACCOUNT_CARE).priority == "urgent"


def test_the_route_row_holds_the_explanation() -> None:
    router = Router([rule("colis", "colis", department="colis", tags=["colis"])])
    row = router.route(document(text="colis"), ACCOUNT_CARE).row()
    assert row == {
        "department": "colis",
        "priority": "normal",
        "tags": ["colis"],
        "assignee": None,
        "route": {
            "matched": ["colis"],
            "stopped_by": None,
            "set_by": {"department": "colis", "priority": DEFAULT, "tag:colis": "colis"},
        },
    }


def test_many_rules_agree_with_evaluating_each_alone() -> None:
    """The indexed router finds exactly the rules that evaluating every query finds."""
    from rumeur.query.evaluate import matches
    from rumeur.query.parser import parse

    words = ["colis", "lettre", "retard", "remboursement", "facture", "guichet", "timbre"]
    rules = [
        rule(f"r{i}", f"{words[i % 7]} AND NOT {words[(i * 3 + 1) % 7]}", tags=[f"t{i}"])
        for i in range(40)
    ] + [rule("neg", "sentiment:negative", tags=["neg"])]
    router = Router(rules)
    texts = ["colis en retard", "une lettre et un timbre", "facture", "guichet fermé, colis"]
    for text in texts:
        for sentiment in ("negative", "positive"):
            doc = document(text=text, sentiment=sentiment)
            alone = tuple(r.name for r in rules if matches(parse(r.query).root, doc))
            assert router.route(doc).matched == alone


def test_the_docs_example_routes_as_the_docs_say() -> None:
    text = (REPO / "docs" / "inbox.md").read_text(encoding="utf-8")
    block = re.search(r"^```toml\n(.*?)^```", text, flags=re.M | re.S).group(1)  # type: ignore[union-attr]
    ws = parse_settings(block, "docs/inbox.md").workspace()
    router, account = Router(ws.routing), ws.owned_accounts[0]

    def route(text: str, sentiment: str) -> tuple[object, ...]:
        got = router.route(document(text=text, sentiment=sentiment), account)
        return (got.department, got.priority, got.tags, got.assignee)

    late = "ma livraison a une semaine de retard, inadmissible"
    assert route(late, "negative") == ("colis", "high", (), None)
    assert route("je porte plainte", "negative") == ("service-client", "high", (), None)
    press = "Bonjour, je suis journaliste : combien de colis perdus cette année ?"
    assert route(press, "neutral") == ("service-client", "normal", ("presse",), "camille")
