"""A workspace's routing rules as they apply: the settings file's `[[workspaces.routing]]`
first, in the file's order, then the rules admins wrote in the web app (store/routing_rules.py),
in their own order (docs/inbox.md, "Rules in the web app").

Since a later matching rule's department, priority and assignee win (inbox/routing.py), a web
rule that matches overrides a file rule that matched too, and a file rule with `stop = true`
ends the reading before any web rule. The file's rules are read-only in the web app.

A stored rule is checked again each time the rules are read: one that no longer holds against
the file (its department was removed, a file rule took its name) is left out, and the page
says why, rather than one bad row stopping the routing.

`try_rule` tries a rule before it is saved: on the conversations opened in the last 30 days, on
the message each was routed on, how many it would have caught and how many of those are now in
another department than the one it sets.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ValidationError

from rumeur.config import Workspace
from rumeur.errors import RumeurError
from rumeur.i18n import _, language, number
from rumeur.inbox.intake import message_document
from rumeur.inbox.routing import Router
from rumeur.query.parser import QueryError, parse
from rumeur.settings.inbox import PRIORITIES, RoutingRule
from rumeur.store.inbox import Message
from rumeur.store.routing_rules import StoredRule, first_messages, list_rules
from rumeur.store.store import Store

Origin = Literal["file", "web"]
TRIAL_DAYS = 30
EXAMPLES = 5
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
QUERY_LENGTH = 4000
FIELD_LENGTH = 64


@dataclass(frozen=True, slots=True)
class ListedRule:
    """A rule as the rules page lists it: from the file or the web app; a stored rule that
    does not hold any more has no `rule`, and `problem` says why."""

    origin: Origin
    name: str
    rule: RoutingRule | None
    stored: StoredRule | None = None
    problem: str | None = None

    @property
    def applies(self) -> bool:
        return self.rule is not None


def rules_of(store: Store, ws: Workspace) -> list[ListedRule]:
    """Every rule of `ws`, in the order they are read: the file's, then the stored ones."""
    listed = [ListedRule("file", r.name, r) for r in ws.routing]
    file_names = {r.name for r in ws.routing}
    for stored in list_rules(store, ws.slug):
        try:
            rule = check_rule(ws, stored.fields(), file_names)
        except RuleError as exc:
            listed.append(ListedRule("web", stored.name, None, stored, str(exc)))
        else:
            listed.append(ListedRule("web", stored.name, rule, stored))
    return listed


def effective_rules(store: Store, ws: Workspace) -> list[RoutingRule]:
    """The rules that route `ws`'s new conversations, in order (file first, then web)."""
    return [r.rule for r in rules_of(store, ws) if r.rule is not None]


def router_for(store: Store, ws: Workspace) -> Router:
    """The router of `ws`'s new conversations: the file's rules, then the web app's."""
    return Router(effective_rules(store, ws))


# Checking a rule ---------------------------------------------------------------------------------


class RuleError(RumeurError):
    """A rule that cannot be saved: one line; for a query that does not parse, `caret` holds
    the query's excerpt and a caret under the place (two lines, as the parser gives them)."""

    def __init__(self, line: str, caret: str | None = None) -> None:
        super().__init__(line)
        self.caret = caret


def query_problem(query: str) -> RuleError | None:
    """Why `query` does not parse, as a form shows it beside the field: the parser's first line,
    and its excerpt with a caret under the place (`caret`); None when it parses. The settings
    pages' saved queries are checked as typed with it too (web/settings/pages.py)."""
    try:
        parse(query)
    except QueryError as exc:
        first, *rest = str(exc).splitlines()
        return RuleError(first, "\n".join(rest) or None)
    return None


def tags_of(value: Any) -> list[str]:
    """Tags as a form gives them ("presse, vip") or as a list."""
    if isinstance(value, str):
        value = re.split(r"[,\s]+", value)
    return [t for t in (str(v).strip() for v in value or ()) if t]


def check_rule(
    ws: Workspace, fields: Mapping[str, Any], file_names: Collection[str] = ()
) -> RoutingRule:
    """The rule `fields` describe, checked as the settings file's rules are (the query parses,
    the department exists, the priority is one of the four, it sets something), and not named
    as a rule of the file; else RuleError, in one line."""
    name = str(fields.get("name") or "").strip()
    if not NAME.match(name):
        raise RuleError(
            _(
                "name: lower-case letters, digits, '-' and '_', up to 63, starting with a letter "
                "or a digit"
            )
        )
    if name in file_names:
        raise RuleError(
            _("name: the settings file already has a rule named {name!r}").format(name=name)
        )
    query = str(fields.get("query") or "")
    if len(query) > QUERY_LENGTH:
        raise RuleError(_("query: at most {n} characters").format(n=number(QUERY_LENGTH)))
    problem = query_problem(query)
    if problem is not None:
        raise problem
    department = str(fields.get("department") or "").strip() or None
    slugs = [d.slug for d in ws.departments]
    if department is not None and department not in slugs:
        raise RuleError(
            _("department: no department {value!r} in this workspace (known: {known})").format(
                value=department, known=", ".join(slugs) or "-"
            )
        )
    priority = str(fields.get("priority") or "").strip() or None
    if priority is not None and priority not in PRIORITIES:
        raise RuleError(
            _("{name}: {value!r} is not one of {known}").format(
                name="priority", value=priority, known=", ".join(PRIORITIES)
            )
        )
    tags = tags_of(fields.get("tags"))
    assignee = str(fields.get("assignee") or "").strip() or None
    for what, values in (("tags", tags), ("assignee", [assignee or ""])):
        if any(len(v) > FIELD_LENGTH for v in values):
            raise RuleError(_("{name}: at most {n} characters").format(name=what, n=FIELD_LENGTH))
    stop = fields.get("stop") in (True, "1", "on", "true")
    if not (department or priority or tags or assignee or stop):
        raise RuleError(
            _("a rule must set a department, a priority, tags or an assignee, or stop the reading")
        )
    try:
        return RoutingRule(
            name=name,
            query=query,
            department=department,
            priority=priority,  # type: ignore[arg-type]
            tags=tags,
            assignee=assignee,
            stop=stop,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "rule"
        raise RuleError(f"{where}: {first['msg']}") from None


# Trying a rule -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Example:
    """A conversation the rule would have caught."""

    id: int
    customer: str
    platform: str
    department: str | None  # where it is now
    opened_at: datetime
    text: str
    elsewhere: bool


@dataclass(frozen=True, slots=True)
class Trial:
    """What a rule would have done over the last `days` days."""

    days: int
    since: datetime
    looked: int  # conversations opened since then
    caught: int  # of them, those whose first message the rule matches
    elsewhere: (
        int | None
    )  # of those, now in another department than the rule's (None: it sets none)
    department: str | None
    examples: tuple[Example, ...]

    def sentence(self) -> str:
        """ "In the last 30 days, this rule would have caught 412 conversations, 37 of them now
        elsewhere.", in the request's language, its plurals included."""
        values = {"days": number(self.days), "n": number(self.caught)}
        if _singular(self.caught):
            head = _("In the last {days} days, this rule would have caught {n} conversation")
        else:
            head = _("In the last {days} days, this rule would have caught {n} conversations")
        head = head.format(**values)
        if self.elsewhere is None or self.caught == 0:
            return _("{sentence}.").format(sentence=head)
        if self.elsewhere == 0:
            return _("{sentence}, none of them now elsewhere.").format(sentence=head)
        if self.elsewhere == 1:
            return _("{sentence}, one of them now elsewhere.").format(sentence=head)
        return _("{sentence}, {n} of them now elsewhere.").format(
            sentence=head, n=number(self.elsewhere)
        )


def _singular(n: int) -> bool:
    """The catalogue's plural rule: French takes the singular for 0 and 1 (`n > 1` is plural),
    English for 1 only."""
    return n <= 1 if language() == "fr" else n == 1


def try_rule(
    store: Store,
    ws: Workspace,
    rule: RoutingRule,
    now: datetime,
    days: int = TRIAL_DAYS,
    shown: int = EXAMPLES,
) -> Trial:
    """Evaluate `rule` on the first message of each conversation of `ws` opened in the last
    `days` days (what the rule would have been read on), as the router reads it."""
    since = now - timedelta(days=days)
    alone = Router([rule])
    found = first_messages(store, ws.slug, since)
    caught: list[Example] = []
    for row in found:
        doc = message_document(_message(row), **_fields(row["extra"]))
        if not alone.matching(doc):
            continue
        elsewhere = rule.department is not None and row["department"] != rule.department
        caught.append(
            Example(
                id=row["id"],
                customer=row["customer"],
                platform=row["platform"],
                department=row["department"],
                opened_at=row["opened_at"],
                text=row["text"],
                elsewhere=elsewhere,
            )
        )
    # The examples: those now elsewhere first (what saving the rule would change), latest first.
    ordered = sorted(caught, key=lambda e: (not e.elsewhere, -e.opened_at.timestamp(), -e.id))
    return Trial(
        days=days,
        since=since,
        looked=len(found),
        caught=len(caught),
        elsewhere=None if rule.department is None else sum(1 for e in caught if e.elsewhere),
        department=rule.department,
        examples=tuple(ordered[:shown]),
    )


def _message(row: Mapping[str, Any]) -> Message:
    return Message(
        platform=row["platform"],
        native_id="",
        author=row["author"],
        text=row["text"],
        at=row["opened_at"],
        url=row["url"],
        sentiment=row["sentiment"],
        language=row["language"],
    )


def _fields(extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the collector gave the rules beyond the message's own columns, where it kept it."""
    extra = extra or {}
    return {
        "followers": extra.get("followers"),
        "verified": bool(extra.get("verified")),
    }
