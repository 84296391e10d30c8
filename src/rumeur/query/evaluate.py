"""Does one query match one document? The reference semantics of the language (see `ast.py`);
the stream matcher calls this on its candidates, and the archive search on the rows its SQL
could only narrow down."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import product

from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Tag, Term, Within
from rumeur.query.document import Document

Span = tuple[int, int]  # first and last position of an occurrence
STREAMS = {"any": ("title", "text"), "title": ("title",), "text": ("text",), "place": ("place",)}
MAX_CLAUSES = 256


def matches(node: Node, doc: Document) -> bool:
    # Loops rather than any()/all() over generators, and the commonest nodes first: the stream
    # matcher runs this on every candidate of every post.
    match node:
        case Phrase(terms, stream):
            if len(terms) == 1:
                # One term, the commonest phrase: does it occur at all, asked of each distinct
                # word rather than of each position, without building the spans.
                for s in STREAMS[stream]:  # noqa: SIM110
                    if _occurs(terms[0], doc, s):
                        return True
                return False
            return any(occurrences(node, doc, s) for s in STREAMS[stream])
        case Or(children):
            for c in children:  # noqa: SIM110
                if matches(c, doc):
                    return True
            return False
        case And(children):
            for c in children:  # noqa: SIM110
                if not matches(c, doc):
                    return False
            return True
        case Not(child):
            return not matches(child, doc)
        case Tag():
            tags = doc.hashtags if node.kind == "#" else doc.mentions
            return any(term_matches(node.term, t, t) for t in tags)
        case Near():
            return _near(node, doc)
        case Within(group, n):
            return _within(clauses(group), n, doc)
        case Filter():
            return filter_matches(node, doc)
    raise TypeError(f"not a query node: {node!r}")


def _occurs(term: Term, doc: Document, stream: str) -> bool:
    """Is `term` one of the words of a stream of `doc`?"""
    if term.kind == "word":
        return term.text in doc.positions(stream)
    if term.kind == "exact":
        return term.text in doc.stream(stream).raws
    return any(term_matches(term, norm, norm) for norm in doc.positions(stream))


def occurrences(phrase: Phrase, doc: Document, stream: str) -> list[Span]:
    """Where `phrase` occurs in one stream of `doc`, if it can occur there."""
    if stream not in STREAMS[phrase.stream]:
        return []
    tokens = doc.stream(stream)
    first, rest = phrase.terms[0], phrase.terms[1:]
    found: list[Span] = []
    for start in _starts(first, doc, stream):
        end = start + len(rest)
        if end < len(tokens) and all(
            term_matches(t, tokens.norms[start + 1 + i], tokens.raws[start + 1 + i])
            for i, t in enumerate(rest)
        ):
            found.append((start, end))
    return found


def _starts(term: Term, doc: Document, stream: str) -> Iterator[int]:
    positions = doc.positions(stream)
    if term.kind == "word":
        yield from positions.get(term.text, ())
        return
    tokens = doc.stream(stream)
    for i, (norm, raw) in enumerate(zip(tokens.norms, tokens.raws, strict=True)):
        if term_matches(term, norm, raw):
            yield i


def term_matches(term: Term, norm: str, raw: str) -> bool:
    match term.kind:
        case "word":
            return norm == term.text
        case "prefix":
            return norm.startswith(term.text)
        case "wildcard":
            return wildcard(term.text).fullmatch(norm) is not None
        case _:
            return raw == term.text


@lru_cache(maxsize=4096)
def wildcard(pattern: str) -> re.Pattern[str]:
    """``*`` is any run of characters (none included), ``?`` exactly one."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL)


def _near(node: Near, doc: Document) -> bool:
    if not node.ordered:
        return _within([(left, right) for left in node.left for right in node.right], node.n, doc)
    for stream in ("title", "text", "place"):
        lefts = [o for p in node.left for o in occurrences(p, doc, stream)]
        if not lefts:
            continue
        rights = [o for p in node.right for o in occurrences(p, doc, stream)]
        if any(0 <= r[0] - l[1] - 1 <= node.n for l, r in product(lefts, rights)):  # noqa: E741
            return True
    return False


def clauses(group: Node) -> list[tuple[Phrase, ...]]:
    """The group as a disjunction of conjunctions of phrases (its disjunctive normal form)."""
    match group:
        case Phrase():
            return [(group,)]
        case Or(children):
            return [c for child in children for c in clauses(child)]
        case And(children):
            out: list[tuple[Phrase, ...]] = [()]
            for child in children:
                out = [a + b for a in out for b in clauses(child)]
                if len(out) > MAX_CLAUSES:
                    raise ValueError("proximity group too large")
            return out
    raise TypeError(f"a proximity group holds only words, phrases, AND and OR: {group}")


def _within(conjunctions: list[tuple[Phrase, ...]], n: int, doc: Document) -> bool:
    for stream in ("title", "text", "place"):
        for phrases in conjunctions:
            spans = [occurrences(p, doc, stream) for p in phrases]
            if all(spans) and _window(spans, n):
                return True
    return False


def _window(spans: list[list[Span]], n: int) -> bool:
    """Is there one occurrence per phrase with (latest start) - (earliest end) - 1 <= n?
    Taking each occurrence in turn as the one that ends first, every other phrase needs an
    occurrence that ends no earlier and starts at most n + 1 words after that end."""
    for anchor in (span for group in spans for span in group):
        end = anchor[1]
        if all(any(s[1] >= end and s[0] - end - 1 <= n for s in group) for group in spans):
            return True
    return False


def filter_matches(node: Filter, doc: Document) -> bool:
    field, op, value = node.field, node.op, node.value
    if field == "site":
        return any(wildcard(str(value)).fullmatch(s) for s in doc.sites)
    if field == "url":
        pattern = wildcard(str(value))
        return any(pattern.search(u) for u in doc.urls)
    if field == "brand":
        return value in doc.brands
    actual = doc.fields.get(field)
    if actual is None:
        return False
    match op:
        case "eq":
            return actual == value
        case "match":
            return wildcard(str(value)).fullmatch(str(actual)) is not None
        case "range":
            low, high = value  # type: ignore[misc]
            return low <= actual <= high
        case "lt":
            return actual < value  # type: ignore[operator]
        case "le":
            return actual <= value  # type: ignore[operator]
        case "gt":
            return actual > value  # type: ignore[operator]
        case "ge":
            return actual >= value  # type: ignore[operator]
    raise ValueError(f"unknown comparison {op!r}")
