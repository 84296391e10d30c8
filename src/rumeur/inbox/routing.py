"""Routing: which department, priority, tags and assignee a new conversation gets, from the
workspace's `[[workspaces.routing]]` rules (docs/inbox.md).

The rules are read in the file's order against the conversation's first message, as the query
language sees a post (its words, and the `sentiment:`, `emotion:`, `reason:`, `lang:`,
`followers:`... fields). Every matching rule applies:

- `department`, `priority` and `assignee`: a later matching rule's value replaces an earlier
  one's (the file's order is the precedence: put the most specific rule last);
- `tags` add up, in the order the rules give them;
- a matching rule with `stop = true` is the last one applied: the rules after it are not read;
- no rule sets a department: the owned account's `department`; no rule sets a priority:
  "normal".

The route keeps which rule set what (`Route.set_by`) and every rule that matched, so that a
conversation's place in the inbox can always be explained.

The rules' queries are indexed once by the stream matcher (`query.monitor.Monitor`), so that a
message is verified against the few rules whose words it holds, not against all of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rumeur.model import Post
from rumeur.query.document import Document, from_post
from rumeur.query.monitor import Monitor
from rumeur.query.parser import parse
from rumeur.settings.inbox import DEFAULT_PRIORITY, OwnedAccount, Priority, RoutingRule

# What `Route.set_by` holds when no rule set a value (a rule's name never has parentheses):
# the owned account's department, the default priority.
ACCOUNT = "(account)"
DEFAULT = "(default)"


@dataclass(frozen=True, slots=True)
class Route:
    """Where a conversation goes, and why."""

    department: str | None
    priority: Priority = DEFAULT_PRIORITY
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    # Every rule that matched and was applied, in order (a rule after a stop is not read).
    matched: tuple[str, ...] = ()
    # The rule with `stop = true` that ended the reading, if one did.
    stopped_by: str | None = None
    # What set each value: a rule's name, "account" (the owned account's department) or
    # "default" (the normal priority). A tag maps to the first rule that gave it.
    set_by: Mapping[str, str] = field(default_factory=dict)

    def explain(self) -> list[str]:
        """One line per decision, in English (the pages translate `set_by` themselves)."""
        lines = []
        for what in ("department", "priority", "assignee"):
            value = getattr(self, what)
            if value is not None:
                lines.append(f"{what} {value}: {_why(self.set_by.get(what))}")
        for tag in self.tags:
            lines.append(f"tag {tag}: {_why(self.set_by.get('tag:' + tag))}")
        if self.stopped_by is not None:
            lines.append(f"rule {self.stopped_by!r} stopped the routing")
        return lines

    def row(self) -> dict[str, Any]:
        """The values a conversation row stores (`store.inbox.receive`)."""
        return {
            "department": self.department,
            "priority": self.priority,
            "tags": list(self.tags),
            "assignee": self.assignee,
            "route": {
                "matched": list(self.matched),
                "stopped_by": self.stopped_by,
                "set_by": dict(self.set_by),
            },
        }


def _why(source: str | None) -> str:
    if source == ACCOUNT:
        return "the owned account's department"
    if source == DEFAULT:
        return "no rule set it"
    return f"rule {source!r}"


class Router:
    """A workspace's routing rules, compiled once; `route` many conversations with it."""

    def __init__(self, rules: Sequence[RoutingRule]) -> None:
        self.rules = tuple(rules)
        self.monitor = Monitor()
        self._by_key: dict[Hashable, RoutingRule] = {}
        for i, rule in enumerate(self.rules):
            self.monitor.add(i, parse(rule.query).root)
            self._by_key[i] = rule

    def matching(self, doc: Document) -> list[RoutingRule]:
        """Every rule whose query `doc` matches, in the file's order (stop not applied)."""
        # The matcher answers in the order the queries were added: the file's.
        return [self._by_key[key] for key in self.monitor.match(doc)]

    def route(self, doc: Document, account: OwnedAccount | None = None) -> Route:
        """The route of a conversation whose first message is `doc`, reaching `account`."""
        department: str | None = None
        priority: Priority | None = None
        assignee: str | None = None
        tags: dict[str, str] = {}  # tag -> the rule that gave it first
        set_by: dict[str, str] = {}
        matched: list[str] = []
        stopped_by = None
        for rule in self.matching(doc):
            matched.append(rule.name)
            if rule.department is not None:
                department, set_by["department"] = rule.department, rule.name
            if rule.priority is not None:
                priority, set_by["priority"] = rule.priority, rule.name
            if rule.assignee is not None:
                assignee, set_by["assignee"] = rule.assignee, rule.name
            for tag in rule.tags:
                tags.setdefault(tag, rule.name)
            if rule.stop:
                stopped_by = rule.name
                break
        if department is None and account is not None and account.department is not None:
            department, set_by["department"] = account.department, ACCOUNT
        if priority is None:
            priority, set_by["priority"] = DEFAULT_PRIORITY, DEFAULT
        set_by.update({f"tag:{t}": name for t, name in tags.items()})
        return Route(
            department=department,
            priority=priority,
            tags=tuple(tags),
            assignee=assignee,
            matched=tuple(matched),
            stopped_by=stopped_by,
            set_by=set_by,
        )

    def route_post(
        self,
        post: Post,
        account: OwnedAccount | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> Route:
        """`route` for a post of the pipeline; `labels` (task -> label) when they are not on
        the post yet, as `query.document.from_post` reads them."""
        return self.route(from_post(post, labels), account)
