"""A workspace's complaint reasons (`[[workspaces.reasons]]`): each a name, a few example posts
and/or a query in rumeur's query language. The workspace's reason model is built from them
(`rumeur.nlp.workspace_reasons`), and its departments' `reasons` must name them.

The shipped airline reasons ("Lost Luggage", "Late Flight"...) are the demo's, taken with
`[workspaces.nlp] reason_model = "airline"`; a workspace that neither takes them nor defines
reasons of its own gets no complaint reason at all.

    [[workspaces.reasons]]
    name = "Livraison"
    examples = ["Mon colis n'est toujours pas arrivé", "Livraison annoncée hier, rien reçu"]
    query = '(colis OR livraison) NEAR/3 (retard* OR perdu*)'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from rumeur.limits import REASON_LENGTH
from rumeur.nlp.airline import AIRLINE_REASONS

MAX_REASONS = 50  # a department's menu, not a taxonomy: the charts show them all
MAX_EXAMPLES = 200  # per reason; corrections teach the model the rest
Example = Annotated[str, Field(min_length=1, max_length=2_000)]


class ReasonSettings(BaseModel):
    """One complaint reason: its name as shown (any text, escaped where shown), its examples,
    its query."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(min_length=1, max_length=REASON_LENGTH)]
    examples: Annotated[list[Example], Field(max_length=MAX_EXAMPLES)] = Field(default_factory=list)
    query: Annotated[str, Field(min_length=1)] | None = None

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str) -> str:
        if value != value.strip() or any(not c.isprintable() for c in value):
            raise ValueError("a reason's name is one line without spaces around it")
        return value

    @field_validator("query")
    @classmethod
    def _parses(cls, value: str | None) -> str | None:
        if value is not None:
            from rumeur.query.parser import QueryError, parse

            try:
                parse(value)
            except QueryError as exc:
                raise ValueError(str(exc).splitlines()[0].removeprefix("query: ")) from None
        return value

    @model_validator(mode="after")
    def _taught(self) -> ReasonSettings:
        if not self.examples and self.query is None:
            raise ValueError(f"reason {self.name!r} needs a few `examples` or a `query`")
        return self

    def matcher(self) -> Callable[[str, str], bool] | None:
        """Whether a text (in a language) matches the reason's query; None without a query.
        Only the text is known when a model reads a post: a query's field terms other than
        `lang:` (the brand, the author, the labels) match nothing there."""
        return None if self.query is None else _matcher(self.query)


def reasons_matcher(reasons: Sequence[ReasonSettings]) -> Callable[[str, str], list[str]] | None:
    """The names of the reasons whose query a text (in a language) matches, all queries at
    once through the stream matcher's index (a text is verified only against the queries
    anchored on its words); None when no reason has a query."""
    queries = tuple((r.name, r.query) for r in reasons if r.query is not None)
    return _monitor(queries) if queries else None


@lru_cache(maxsize=64)
def _monitor(queries: tuple[tuple[str, str], ...]) -> Callable[[str, str], list[str]]:
    from rumeur.query.document import document
    from rumeur.query.monitor import Monitor
    from rumeur.query.parser import parse

    monitor = Monitor()
    for name, query in queries:
        monitor.add(name, parse(query).root)

    def matched(text: str, language: str) -> list[str]:
        return [str(k) for k in monitor.match(document(text=text, lang=language))]

    return matched


@lru_cache(maxsize=256)
def _matcher(query: str) -> Callable[[str, str], bool]:
    from rumeur.query.document import document
    from rumeur.query.evaluate import matches
    from rumeur.query.parser import parse

    node = parse(query).root

    def matching(text: str, language: str) -> bool:
        return matches(node, document(text=text, lang=language))

    return matching


class _Department(Protocol):
    @property
    def reasons(self) -> list[str]: ...


def check_reasons(
    reasons: Sequence[ReasonSettings], airline: Sequence[str] | None, departments: Sequence[Any]
) -> None:
    """The reasons' names are distinct, and every department's reason is one of the workspace's
    (`airline`: the shipped airline model's reasons, when the workspace takes them); a
    ValidationError at the key that is wrong otherwise."""
    if len(reasons) > MAX_REASONS:
        _fail(("reasons",), str(len(reasons)), f"at most {MAX_REASONS} reasons")
    names = [r.name for r in reasons]
    for i, name in enumerate(names):
        if name.casefold() in [n.casefold() for n in names[:i]]:
            _fail(("reasons", i, "name"), name, f"two reasons are named {name!r}")
    if airline is not None and reasons:
        _fail(
            ("reasons",),
            names,
            'a workspace with reason_model = "airline" takes the airline reasons: '
            "define reasons of its own or leave reason_model out",
        )
    known = list(airline) if airline is not None else names
    for i, department in enumerate(departments):
        for j, reason in enumerate(department.reasons):
            if reason not in known:
                _fail(("departments", i, "reasons", j), reason, _unknown(reason, known))


def _unknown(reason: str, known: Sequence[str]) -> str:
    if not known and reason in AIRLINE_REASONS:
        # A settings file written when every workspace got the airline reasons (before #17).
        return (
            f"no reason {reason!r} in this workspace: take the demo's airline reasons with "
            '[workspaces.nlp] reason_model = "airline", or define your own under '
            "[[workspaces.reasons]]"
        )
    if not known:
        return (
            f"no reason {reason!r} in this workspace: define it under [[workspaces.reasons]] "
            "(a name, a few examples or a query)"
        )
    listed = ", ".join(repr(n) for n in known)
    return f"no reason {reason!r} in this workspace (known: {listed})"


def _fail(loc: tuple[str | int, ...], value: object, message: str) -> None:
    # Without a context, pydantic does not read placeholders in the message: braces stay.
    error = InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)
    raise ValidationError.from_exception_data("Workspace", [error])
