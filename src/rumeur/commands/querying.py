"""`rumeur query check` and `rumeur match`: a query explained as a tree, and a query run over
JSON lines. A line that cannot be read is named on standard error; the others go on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from rumeur.errors import InputError
from rumeur.i18n import _
from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Query, Tag, Within
from rumeur.query.document import from_mapping
from rumeur.query.evaluate import matches
from rumeur.query.parser import parse

STREAMS = {"any": "", "title": " in the title", "text": " in the text", "place": " in the place"}


def read_query(text: str | None, path: str | None) -> Query:
    """The query given on the command line, or read from a file (a .bwq export)."""
    if (text is None) == (path is None):
        raise InputError(_("give the query as an argument or with --query-file, not both"))
    if path is not None:
        try:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot be read ({exc})") from None
    assert text is not None
    return parse(text)


def tree(node: Node, depth: int = 0) -> Iterator[str]:
    """The query as an indented tree, one node a line."""
    pad = "  " * depth
    match node:
        case And(children) | Or(children):
            yield pad + ("AND" if isinstance(node, And) else "OR")
            for child in children:
                yield from tree(child, depth + 1)
        case Not(child):
            yield pad + "NOT"
            yield from tree(child, depth + 1)
        case Near(left, right, n, ordered):
            order = ", first before second" if ordered else ", either order"
            yield f"{pad}NEAR (at most {n} words between{order})"
            for side in (left, right):
                if len(side) == 1:
                    yield from tree(side[0], depth + 1)
                else:
                    yield from tree(Or(side), depth + 1)
        case Within(group, n):
            yield f"{pad}WITHIN {n} words"
            yield from tree(group, depth + 1)
        case Phrase(terms, stream):
            kind = "word" if len(terms) == 1 else "phrase"
            shown = " ".join(f"{t.text} ({t.kind})" if t.kind != "word" else t.text for t in terms)
            yield f"{pad}{kind} {shown}{STREAMS[stream]}"
        case Tag(kind, term):
            what = "hashtag" if kind == "#" else "mention"
            yield f"{pad}{what} {kind}{term}"
        case Filter():
            yield f"{pad}filter {node}"


def check_query(query: Query, out: IO[str], err: IO[str]) -> None:
    for line in tree(query.root):
        out.write(line + "\n")
    for warning in query.warnings:
        err.write(_("warning: {warning}").format(warning=warning) + "\n")


def match_lines(query: Query, source: IO[bytes], out: IO[str], err: IO[str]) -> int:
    """Write the `id` of every line of `source` that `query` matches; returns the lines read."""
    count = 0
    for number, raw in enumerate(source, start=1):
        count += 1
        row, problem = _read(number, raw)
        if row is None:
            err.write(problem + "\n")
            continue
        try:
            doc = from_mapping(row)
        except (TypeError, ValueError) as exc:
            err.write(f"line {number}: {exc}\n")
            continue
        if matches(query.root, doc):
            out.write(str(row["id"]) + "\n")
    out.flush()
    return count


def _read(number: int, raw: bytes) -> tuple[dict[str, Any] | None, str]:
    line = raw.decode("utf-8", errors="replace").strip()
    if not line:
        return None, f"line {number}: empty"
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {number}: not valid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(value, dict) or "id" not in value:
        return None, f"line {number}: a JSON object with an 'id' was expected"
    if not isinstance(value.get("text", ""), str):
        return None, f"line {number}: 'text' must be a string"
    return value, ""
