"""The routing rules written in the web app, on SQLite and PostgreSQL: stored after the file's
rules, edited in place, moved up and down, deleted; a name is unique in the workspace; a stored
rule that no longer holds against the file is left out of the routing, with the reason; and
migration 0009 adds the table to a store at 0008."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import inspect

from inbox_site import COLIS_RULE, DEPARTMENTS, LAPOSTE
from rumeur.config import parse_settings
from rumeur.inbox.rules import RuleError, check_rule, effective_rules, router_for, rules_of
from rumeur.query.document import document
from rumeur.settings.inbox import OwnedAccount
from rumeur.store import Store
from rumeur.store import routing_rules as stored
from rumeur.store.engine import make_engine
from rumeur.store.migrate import HEAD, alembic_config, current_revision

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
SETTINGS = LAPOSTE + DEPARTMENTS + COLIS_RULE
ACCOUNT = OwnedAccount(platform="mastodon", handle="laposte", department="service-client")


def workspace():  # type: ignore[no-untyped-def]
    return parse_settings(SETTINGS, "rules-test.toml").workspace()


def fields(name: str, query: str, **sets: object) -> dict[str, object]:
    return {"name": name, "query": query, **sets}


def test_rules_are_added_in_order_edited_moved_and_deleted(store: Store) -> None:
    first = stored.add_rule(store, "laposte", fields("a", "alpha", priority="high"), "ada", NOW)
    second = stored.add_rule(store, "laposte", fields("b", "beta", tags=["x", "y"]), "ada", NOW)
    third = stored.add_rule(store, "laposte", fields("c", "gamma", stop=True), "ada", NOW)
    stored.add_rule(store, "other", fields("a", "alpha", priority="low"), "ada", NOW)
    assert [r.name for r in stored.list_rules(store, "laposte")] == ["a", "b", "c"]
    b = stored.get_rule(store, "laposte", second)
    assert b is not None and b.tags == ("x", "y") and b.updated_by == "ada" and not b.stop

    assert stored.move_rule(store, "laposte", third, -1)
    assert [r.name for r in stored.list_rules(store, "laposte")] == ["a", "c", "b"]
    assert stored.move_rule(store, "laposte", first, +1)
    assert [r.name for r in stored.list_rules(store, "laposte")] == ["c", "a", "b"]
    assert not stored.move_rule(store, "laposte", third, -1)  # already first
    assert not stored.move_rule(store, "laposte", second, +1)  # already last
    assert not stored.move_rule(store, "other", first, +1)  # another workspace's id

    assert stored.update_rule(
        store, "laposte", first, fields("a2", "alpha OR delta", department="colis"), "bob", NOW
    )
    a2 = stored.get_rule(store, "laposte", first)
    assert a2 is not None and (a2.name, a2.department, a2.priority, a2.updated_by) == (
        "a2", "colis", None, "bob",
    )  # fmt: skip
    assert [r.name for r in stored.list_rules(store, "laposte")] == ["c", "a2", "b"]  # in place

    assert stored.delete_rule(store, "laposte", third)
    assert not stored.delete_rule(store, "laposte", third)
    assert [r.name for r in stored.list_rules(store, "laposte")] == ["a2", "b"]
    assert [r.name for r in stored.list_rules(store, "other")] == ["a"]
    later = stored.add_rule(store, "laposte", fields("d", "delta", priority="low"), None, NOW)
    assert [r.id for r in stored.list_rules(store, "laposte")][-1] == later


def test_a_name_is_unique_in_the_workspace(store: Store) -> None:
    kept = stored.add_rule(store, "laposte", fields("a", "alpha", priority="high"), "ada", NOW)
    other = stored.add_rule(store, "laposte", fields("b", "beta", priority="high"), "ada", NOW)
    with pytest.raises(stored.DuplicateName, match="two routing rules are named 'a'"):
        stored.add_rule(store, "laposte", fields("a", "again", priority="low"), "ada", NOW)
    with pytest.raises(stored.DuplicateName):
        stored.update_rule(store, "laposte", other, fields("a", "beta", priority="low"), "ada", NOW)
    # Its own name is not a clash.
    assert stored.update_rule(store, "laposte", kept, fields("a", "alpha", priority="low"), "", NOW)
    assert [r.name for r in stored.list_rules(store, "laposte")] == ["a", "b"]


def test_the_file_rules_come_first_and_a_web_rule_after_them_wins(store: Store) -> None:
    ws = workspace()
    stored.add_rule(store, "laposte", fields("presse", "journaliste", department="service-client",
                                             tags=["presse"]), "ada", NOW)  # fmt: skip
    assert [r.name for r in effective_rules(store, ws)] == ["colis", "presse"]
    router = router_for(store, ws)
    parcel = router.route(document(text="un journaliste demande où en est son colis"), ACCOUNT)
    assert (parcel.department, parcel.tags, parcel.matched) == (
        "service-client", ("presse",), ("colis", "presse"),
    )  # fmt: skip
    assert parcel.set_by["department"] == "presse"
    assert router.route(document(text="mon colis"), ACCOUNT).department == "colis"


def test_a_stored_rule_that_no_longer_holds_is_left_out_with_its_reason(store: Store) -> None:
    ws = workspace()
    # Written when a "courrier" department existed; the file has none now.
    stored.add_rule(store, "laposte", fields("lettres", "lettre", department="courrier"), "", NOW)
    stored.add_rule(store, "laposte", fields("colis", "paquet", priority="high"), "", NOW)
    stored.add_rule(store, "laposte", fields("vip", "urgent", priority="urgent"), "", NOW)
    listed = rules_of(store, ws)
    assert [(r.origin, r.name, r.applies) for r in listed] == [
        ("file", "colis", True),
        ("web", "lettres", False),
        ("web", "colis", False),
        ("web", "vip", True),
    ]
    assert listed[1].problem == (
        "department: no department 'courrier' in this workspace (known: service-client, colis)"
    )
    assert listed[2].problem == "name: the settings file already has a rule named 'colis'"
    assert [r.name for r in effective_rules(store, ws)] == ["colis", "vip"]


@pytest.mark.parametrize(
    ("given", "line"),
    [
        (fields("Bad Name", "x", priority="high"), "name: lower-case letters"),
        (fields("x", "colis AND (", priority="high"), "query: a parenthesis is not closed"),
        (fields("x", "", priority="high"), "query: the query is empty"),
        (fields("x", "colis", department="nowhere"), "department: no department 'nowhere'"),
        (fields("x", "colis", priority="asap"), "priority: 'asap' is not one of low, normal"),
        (fields("x", "colis"), "a rule must set a department"),
        (fields("x", "colis", tags="a" * 65), "tags: at most 64 characters"),
    ],
)
def test_a_rule_is_checked_as_the_files_are_in_one_line(
    given: dict[str, object], line: str
) -> None:
    with pytest.raises(RuleError) as caught:
        check_rule(workspace(), given)
    assert str(caught.value).startswith(line)
    assert "\n" not in str(caught.value)


def test_a_query_that_does_not_parse_gives_its_caret() -> None:
    with pytest.raises(RuleError) as caught:
        check_rule(workspace(), fields("x", "colis AND (", priority="high"))
    assert caught.value.caret == "  colis AND (\n            ^"


def test_a_form_rule_reads_its_tags_and_stop() -> None:
    rule = check_rule(workspace(), fields("x", "colis", tags="presse, vip  presse", stop="1"))
    assert (rule.tags, rule.stop, rule.department, rule.priority) == (
        ["presse", "vip"], True, None, None,
    )  # fmt: skip


def test_a_store_at_0008_gains_the_rules_table(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0008")
    assert "routing_rules" not in inspect(engine).get_table_names()
    engine.dispose()
    store = Store.open(db_url)
    try:
        assert current_revision(store.engine) == HEAD
        assert stored.add_rule(store, "ws", fields("a", "alpha", priority="high"), None, NOW) > 0
    finally:
        store.close()
