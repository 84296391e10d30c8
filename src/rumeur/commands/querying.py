"""`rumeur query check`, `rumeur query apply` and `rumeur match`: a query explained as a tree,
saved queries run again over the archive, and a query run over JSON lines. A line that cannot be
read is named on standard error; the others go on."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import IO, TYPE_CHECKING, Any

from rumeur.errors import InputError
from rumeur.i18n import _, number
from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Query, Tag, Term, Within
from rumeur.query.document import from_mapping
from rumeur.query.evaluate import matches
from rumeur.query.parser import parse

if TYPE_CHECKING:
    from rumeur.config import Workspace
    from rumeur.store import Store
    from rumeur.store.matched import Applied


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
            if ordered:
                yield pad + _("NEAR (at most {n} words between, first before second)").format(n=n)
            else:
                yield pad + _("NEAR (at most {n} words between, either order)").format(n=n)
            for side in (left, right):
                if len(side) == 1:
                    yield from tree(side[0], depth + 1)
                else:
                    yield from tree(Or(side), depth + 1)
        case Within(group, n):
            yield pad + _("WITHIN {n} words").format(n=n)
            yield from tree(group, depth + 1)
        case Phrase(terms, stream):
            yield pad + _phrase(terms, stream)
        case Tag(kind, term):
            what = _("hashtag {tag}") if kind == "#" else _("mention {tag}")
            yield pad + what.format(tag=f"{kind}{term}")
        case Filter():
            yield pad + _("filter {filter}").format(filter=node)


def _phrase(terms: Sequence[Term], stream: str) -> str:
    """A word or a phrase of the tree, its terms' kinds and where it looks, in the reader's
    language (the operators AND, OR, NOT, NEAR, WITHIN are the query language's own words)."""
    kinds = {"prefix": _("prefix"), "wildcard": _("wildcard"), "exact": _("exact")}
    shown = " ".join(f"{t.text} ({kinds[t.kind]})" if t.kind != "word" else t.text for t in terms)
    line = (_("word {text}") if len(terms) == 1 else _("phrase {text}")).format(text=shown)
    places = {"title": _("in the title"), "text": _("in the text"), "place": _("in the place")}
    return f"{line} {places[stream]}" if stream in places else line


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
