"""What changed between two versions of a workspace's settings, as lines a person reads: the
history's summary and what `rumeur config import` shows before it changes anything.

    brand.terms: + "united airlines"
    alerts.volume_ratio: 2.5 -> 3.0
    queries: + late-flights
    competitors[Delta].terms: - "delta"

Keys are the settings file's own (they are names, never translated); lists of named things
(brands, queries, departments, targets, statements...) are compared by name, so that a brand
moved or edited reads as what happened to it, not as every later line shifting.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from rumeur.i18n import _
from rumeur.settings.document import workspace_values

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rumeur.config import Workspace

# The key that names an item of a list of tables, tried in this order.
IDENTITY = ("slug", "name", "handle")
SHOWN_LENGTH = 80  # a long text (a statement) is cut in a line of the diff


def diff(old: Workspace | None, new: Workspace) -> list[str]:
    """The lines that say how `new` differs from `old` (none: they are equal); `old` None is
    the first version of a workspace."""
    if old is None:
        return [_("first version of the workspace {slug}").format(slug=new.slug)]
    return list(_changes("", workspace_values(old), workspace_values(new)))


def _changes(path: str, old: Any, new: Any) -> Iterator[str]:
    if old == new:
        return
    if isinstance(old, dict) or isinstance(new, dict):  # a table added or taken out: its keys
        old, new = old or {}, new or {}
    if isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            yield from _changes(f"{path}.{key}" if path else key, old.get(key), new.get(key))
    elif isinstance(old, list) and isinstance(new, list):
        key = _identity(old + new)
        yield from _keyed(path, old, new, key) if key else _items(path, old, new)
    else:
        yield _("{path}: {old} -> {new}").format(path=path, old=shown(old), new=shown(new))


def _identity(items: list[Any]) -> str | None:
    """The key that names every item (each named once on each side), if there is one."""
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    return next((k for k in IDENTITY if all(isinstance(i.get(k), str) for i in items)), None)


def _keyed(path: str, old: list[Any], new: list[Any], key: str) -> Iterator[str]:
    before = {item[key]: item for item in old}
    after = {item[key]: item for item in new}
    if len(before) != len(old) or len(after) != len(new):  # a name twice: compare by place
        yield from _items(path, old, new)
        return
    for name in [name for name in before if name not in after]:
        yield _("{path}: - {value}").format(path=path, value=name)
    for name in after:
        if name not in before:
            yield _("{path}: + {value}").format(path=path, value=name)
        else:
            yield from _changes(f"{path}[{name}]", before[name], after[name])
    kept = [name for name in before if name in after]
    if kept != [name for name in after if name in before]:
        yield _order(path, [name for name in after if name in before])


def _items(path: str, old: list[Any], new: list[Any]) -> Iterator[str]:
    """Plain values (terms, handles, days): what was taken out, what was put in."""
    if all(isinstance(i, dict) for i in old + new) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            yield from _changes(f"{path}[{i}]", a, b)
        return
    before, after = Counter(map(_key, old)), Counter(map(_key, new))
    shown_of = {_key(v): v for v in old + new}
    for item in before - after:
        yield _("{path}: - {value}").format(path=path, value=shown(shown_of[item]))
    for item in after - before:
        yield _("{path}: + {value}").format(path=path, value=shown(shown_of[item]))
    if before == after:
        yield _order(path, [shown(v) for v in new])


def _order(path: str, names: list[str]) -> str:
    return _("{path}: new order {names}").format(path=path, names=", ".join(names))


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def shown(value: Any) -> str:
    """A value as the settings file writes it: text in quotes, true/false, numbers as given."""
    if value is None:
        return _("(no value)")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…"
