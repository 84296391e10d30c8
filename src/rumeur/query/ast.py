"""The parsed form of a query: a small tree of frozen nodes that the stream matcher evaluates and
the SQL compiler translates. The parser (`parser.py`) is the only producer.

Semantics, shared by every back end (`docs/queries.md` says the same to users):

- `Term` is one word pattern; `Phrase` a sequence of them at consecutive positions in one text
  stream (`title`, `text` or `place`; `any` is title or text). A single word is a one-term phrase.
- `Near`: one phrase of `left` and one of `right` in the same stream with at most `n` words
  between them (either order, or `left` first when `ordered`).
- `Within`: the AND/OR group holds using occurrences that all lie within a window: the latest
  start minus the earliest end, minus one, is at most `n` (the rule of SQLite FTS5's NEAR).
- `Tag`: a hashtag (``#``) or a mention (``@``), compared whole.
- `Filter`: a condition on a field of the post or its author. A place (``country:``, ``city:``...)
  is not a filter but a phrase of the `place` stream: the post's location, or its author's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

TermKind = Literal["word", "prefix", "wildcard", "exact"]
Stream = Literal["any", "title", "text", "place"]


@dataclass(frozen=True, slots=True)
class Term:
    """One word: `word` (folded, compared whole), `prefix` (folded, ``poste*``), `wildcard`
    (folded, with ``*`` and ``?`` inside: ``custom*ize``, ``customi?e``) or `exact` (as written,
    case and accents included: ``{EDF}``)."""

    kind: TermKind
    text: str

    def __str__(self) -> str:
        return {"word": "{}", "prefix": "{}*", "wildcard": "{}", "exact": "{{{}}}"}[
            self.kind
        ].format(self.text)


@dataclass(frozen=True, slots=True)
class Phrase:
    terms: tuple[Term, ...]
    stream: Stream = "any"

    def __str__(self) -> str:
        words = " ".join(str(t) for t in self.terms)
        body = words if len(self.terms) == 1 else f'"{words}"'
        field = {"any": "", "title": "title:", "text": "text:", "place": "location:"}[self.stream]
        return field + body


@dataclass(frozen=True, slots=True)
class Tag:
    kind: Literal["#", "@"]
    term: Term  # folded: `word`, `prefix` or `wildcard`

    def __str__(self) -> str:
        return f"{self.kind}{self.term}"


@dataclass(frozen=True, slots=True)
class Near:
    left: tuple[Phrase, ...]
    right: tuple[Phrase, ...]
    n: int
    ordered: bool = False

    def __str__(self) -> str:
        near = f"NEAR/{self.n}{'f' if self.ordered else ''}"
        return f"({_group(self.left)} {near} {_group(self.right)})"


@dataclass(frozen=True, slots=True)
class Within:
    group: Node  # And / Or / Phrase only
    n: int

    def __str__(self) -> str:
        return f"({self.group})~{self.n}"


FilterOp = Literal["eq", "lt", "le", "gt", "ge", "range", "match"]


@dataclass(frozen=True, slots=True)
class Filter:
    """`field` is rumeur's own name (`lang`, `author`, `platform`, `site`, `url`, `sentiment`,
    `emotion`, `reason`, `followers`, `engagement`, `verified`, `type`, `brand`). `match`
    compares a string with ``*`` and ``?`` wildcards; numbers use the comparisons."""

    field: str
    op: FilterOp
    value: str | int | bool | tuple[int, int]

    def __str__(self) -> str:
        v = self.value
        if self.op == "range":
            assert isinstance(v, tuple)
            return f"{self.field}:[{v[0]} TO {v[1]}]"
        sign = {"eq": "", "match": "", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[self.op]
        text = str(v).lower() if isinstance(v, bool) else str(v)
        if " " in text:  # `brand:"virgin america"`, read back as one value
            text = f'"{text}"'
        return f"{self.field}:{sign}{text}"


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " AND ".join(map(str, self.children)) + ")"


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " OR ".join(map(str, self.children)) + ")"


@dataclass(frozen=True, slots=True)
class Not:
    child: Node

    def __str__(self) -> str:
        return f"NOT {self.child}"


def _group(phrases: tuple[Phrase, ...]) -> str:
    return str(phrases[0]) if len(phrases) == 1 else "(" + " OR ".join(map(str, phrases)) + ")"


Node = Phrase | Tag | Near | Within | Filter | And | Or | Not


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: its tree, the text it came from, and the warnings worth showing (a very
    short wildcard, a very wide proximity...)."""

    root: Node
    source: str
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return str(self.root)
