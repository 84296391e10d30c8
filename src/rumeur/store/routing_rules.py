"""The routing rules written in the web app (docs/inbox.md, "Rules in the web app"), and the
reads that trying a rule needs.

A workspace's stored rules come after its settings file's `[[workspaces.routing]]`, in
`position` order (inbox/rules.py joins the two). What a rule may hold is checked before it is
written here (`inbox.rules.check_rule`); the store keeps names unique per workspace.

`first_messages` gives, for each conversation opened since a time, the first message it was
routed on, with the department it is in now: what a candidate rule is tried on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from rumeur.errors import StoreError
from rumeur.store.schema import conversations, messages, routing_rules
from rumeur.store.store import Store

# The fields of a rule, as `settings.inbox.RoutingRule` names them.
RULE_FIELDS = ("name", "query", "department", "priority", "tags", "assignee", "stop")


@dataclass(frozen=True, slots=True)
class StoredRule:
    id: int
    workspace: str
    position: int
    name: str
    query: str
    department: str | None
    priority: str | None
    tags: tuple[str, ...]
    assignee: str | None
    stop: bool
    updated_by: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> StoredRule:
        values = dict(row._mapping)
        values["tags"] = tuple(values["tags"] or ())
        values["stop"] = bool(values["stop"])
        return cls(**values)

    def fields(self) -> dict[str, Any]:
        """The rule's own fields (`RULE_FIELDS`), as a settings rule takes them."""
        return {name: getattr(self, name) for name in RULE_FIELDS} | {"tags": list(self.tags)}


class DuplicateName(StoreError):
    """Another stored rule of the workspace has this name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"two routing rules are named {name!r}", permanent=True)


def _values(fields: Mapping[str, Any]) -> dict[str, Any]:
    values = {name: fields.get(name) for name in RULE_FIELDS}
    values["tags"] = list(values["tags"] or ())
    values["stop"] = bool(values["stop"])
    return values


def list_rules(store: Store, workspace: str) -> list[StoredRule]:
    """The workspace's stored rules, in the order they apply."""
    r = routing_rules.c
    with store.engine.connect() as conn:
        found = conn.execute(
            select(routing_rules).where(r.workspace == workspace).order_by(r.position, r.id)
        )
        return [StoredRule.of(row) for row in found]


def get_rule(store: Store, workspace: str, rule_id: int) -> StoredRule | None:
    r = routing_rules.c
    with store.engine.connect() as conn:
        row = conn.execute(
            select(routing_rules).where(r.workspace == workspace, r.id == rule_id)
        ).first()
    return None if row is None else StoredRule.of(row)


def add_rule(
    store: Store, workspace: str, fields: Mapping[str, Any], by: str | None, now: datetime
) -> int:
    """Store a rule after the workspace's others; its id. DuplicateName if the name is taken."""
    r = routing_rules.c
    with store.transaction() as conn:
        _refuse_taken(conn, workspace, str(fields.get("name")), None)
        last = conn.execute(select(func.max(r.position)).where(r.workspace == workspace)).scalar()
        row = _values(fields) | {
            "workspace": workspace,
            "position": (last or 0) + 1,
            "updated_by": by,
            "created_at": now,
            "updated_at": now,
        }
        return int(conn.execute(insert(routing_rules).values(row).returning(r.id)).scalar_one())


def _refuse_taken(conn: Connection, workspace: str, name: str, rule_id: int | None) -> None:
    """DuplicateName if another stored rule of the workspace is named `name` (writers run one
    at a time, so the check holds until the write; the unique index stays the last word)."""
    r = routing_rules.c
    taken = conn.execute(
        select(r.id).where(r.workspace == workspace, r.name == name, r.id != (rule_id or 0))
    ).first()
    if taken is not None:
        raise DuplicateName(name)


def update_rule(
    store: Store,
    workspace: str,
    rule_id: int,
    fields: Mapping[str, Any],
    by: str | None,
    now: datetime,
) -> bool:
    """Replace a stored rule's fields (its place stays); False if there is no such rule."""
    r = routing_rules.c
    with store.transaction() as conn:
        _refuse_taken(conn, workspace, str(fields.get("name")), rule_id)
        changed = conn.execute(
            update(routing_rules)
            .where(r.workspace == workspace, r.id == rule_id)
            .values(_values(fields) | {"updated_by": by, "updated_at": now})
        ).rowcount
    return bool(changed)


def delete_rule(store: Store, workspace: str, rule_id: int) -> bool:
    r = routing_rules.c
    with store.transaction() as conn:
        gone = conn.execute(
            delete(routing_rules).where(r.workspace == workspace, r.id == rule_id)
        ).rowcount
    return bool(gone)


def move_rule(store: Store, workspace: str, rule_id: int, offset: int) -> bool:
    """Move a rule one place up (`offset` -1) or down (+1) among the workspace's stored rules:
    it swaps places with its neighbour. False when it is already first (or last), or unknown."""
    r = routing_rules.c
    with store.transaction() as conn:
        order = [
            (row.id, row.position)
            for row in conn.execute(
                select(r.id, r.position)
                .where(r.workspace == workspace)
                .order_by(r.position, r.id)
                .with_for_update()
            )
        ]
        ids = [i for i, _position in order]
        if rule_id not in ids:
            return False
        at = ids.index(rule_id)
        other = at + (1 if offset > 0 else -1)
        if not 0 <= other < len(ids):
            return False
        # Positions renumbered 1..n in the new order, so that equal positions cannot tie.
        ids[at], ids[other] = ids[other], ids[at]
        for position, moved in enumerate(ids, start=1):
            if order[position - 1] != (moved, position):
                conn.execute(update(routing_rules).where(r.id == moved).values(position=position))
    return True


def first_messages(
    store: Store, workspace: str, since: datetime, platforms: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Each conversation of `workspace` opened at or after `since`, oldest first, with the
    message it opened on: `id`, `customer`, `platform`, `department` (now), `opened_at`, and
    the message's `text`, `author`, `language`, `sentiment`, `url`, `extra`."""
    c, m = conversations.c, messages.c
    query = (
        select(
            c.id,
            c.customer,
            c.platform,
            c.department,
            c.opened_at,
            m.text,
            m.author,
            m.language,
            m.sentiment,
            m.url,
            m.extra,
        )
        .select_from(
            conversations.join(
                messages,
                and_(
                    m.conversation_id == c.id,
                    m.workspace == c.workspace,
                    m.platform == c.platform,
                    m.native_id == c.root_id,
                ),
            )
        )
        .where(c.workspace == workspace, c.opened_at >= since)
        .order_by(c.opened_at, c.id)
    )
    if platforms is not None:
        query = query.where(c.platform.in_(platforms))
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
