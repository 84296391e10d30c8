"""An account's variables in a text (docs/publish.md, "Variables"): `{ville}` is replaced by the
account's `variables.ville`; `{horaires|9 h – 18 h}` by the account's `horaires`, or by the text
after `|` when the account has none. A variable the account lacks and that has no default
leaves the account's item refused, naming the variable. `{{` and `}}` write a brace; any other
text in braces (`{1}`, `{ }`) stays as it is. A value is never read as a template itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import regex

_PIECE = regex.compile(r"\{\{|\}\}|\{([^\W\d]\w*)(?:\|([^{}]*))?\}")


@dataclass(frozen=True, slots=True)
class Filled:
    text: str
    missing: tuple[str, ...] = ()  # the variables with no value and no default


def fill(template: str, values: Mapping[str, str]) -> Filled:
    """`template` with `values` put in; the variables missing, in the order they appear."""
    missing: list[str] = []

    def one(match: regex.Match[str]) -> str:
        whole = match.group(0)
        if whole in ("{{", "}}"):
            return whole[0]
        name, default = match.group(1), match.group(2)
        if name in values:
            return values[name]
        if default is not None:
            return default
        if name not in missing:
            missing.append(name)
        return whole

    return Filled(_PIECE.sub(one, template), tuple(missing))


def names(template: str) -> list[str]:
    """The variables a template uses, in order, once each."""
    found = [m.group(1) for m in _PIECE.finditer(template) if m.group(1)]
    return list(dict.fromkeys(found))
