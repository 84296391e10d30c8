"""`rumeur query check`, `rumeur query apply` and `rumeur match`: a query explained as a tree,
saved queries run again over the archive, and a query run over JSON lines. A line that cannot be
read is named on standard error; the others go on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from rumeur.errors import InputError
from rumeur.i18n import _, number
from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Query, Tag, Within
from rumeur.query.document import from_mapping
from rumeur.query.evaluate import matches
from rumeur.query.parser import parse

if TYPE_CHECKING:
    from rumeur.config import Workspace
    from rumeur.store import Store
    from rumeur.store.matched import Applied

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
    for line_no, raw in enumerate(source, start=1):
        count += 1
        row, problem = _read(line_no, raw)
        if row is None:
            err.write(problem + "\n")
            continue
        try:
            doc = from_mapping(row)
        except (TypeError, ValueError) as exc:
            err.write(f"line {line_no}: {exc}\n")
            continue
        if matches(query.root, doc):
            out.write(str(row["id"]) + "\n")
    out.flush()
    return count


def _read(line_no: int, raw: bytes) -> tuple[dict[str, Any] | None, str]:
    line = raw.decode("utf-8", errors="replace").strip()
    if not line:
        return None, f"line {line_no}: empty"
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, f"line {line_no}: not valid JSON: {exc.msg} at column {exc.colno}"
    if not isinstance(value, dict) or "id" not in value:
        return None, f"line {line_no}: a JSON object with an 'id' was expected"
    if not isinstance(value.get("text", ""), str):
        return None, f"line {line_no}: 'text' must be a string"
    return value, ""


def apply_queries(store: Store, ws: Workspace, names: list[str], out: IO[str]) -> list[Applied]:
    """Recompute the stored matches of the workspace's saved queries (all, or `names`)."""
    from rumeur.store.matched import apply_queries as apply_matches

    saved = {q.name: q for q in ws.queries}
    unknown = [n for n in names if n not in saved]
    if unknown:
        known = ", ".join(saved) or _("none")
        raise InputError(
            _("no saved query named {name} in workspace {workspace} (it has: {known})").format(
                name=unknown[0], workspace=ws.slug, known=known
            )
        )
    chosen = [(name, parse(saved[name].query).root) for name in names or list(saved)]
    done, dropped = apply_matches(store, ws.slug, chosen, forget_others=not names)
    for applied in done:
        out.write(
            _("{name}: {posts} posts ({added} added, {removed} removed)").format(
                name=applied.name,
                posts=number(applied.posts),
                added=number(applied.added),
                removed=number(applied.removed),
            )
            + "\n"
        )
    for name in dropped:
        out.write(_("{name}: no longer saved, its matches forgotten").format(name=name) + "\n")
    return done
