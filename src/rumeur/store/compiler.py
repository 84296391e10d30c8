"""A parsed query compiled to SQL over `posts` (joined to `authors`), agreeing with
`query.evaluate.matches`, the reference semantics. It lives in store/, which owns the tables and
every SQL statement; the query language below it knows nothing of SQL.

Every node compiles to a clause that selects either EXACTLY the posts the evaluator accepts, or a
SUPERSET of them (then `Compiled.exact` is False and `store.search` verifies each candidate with
the evaluator). NOT of an inexact child is TRUE (no constraint): the negation of a superset is
not a superset. Every value from the query is a bound parameter; the FTS5 MATCH string and the
tsquery string are bound parameters too, with every token quoted inside them.

Both indexes hold our tokenizer's folded words (store/terms.py) at their token positions:
FTS5 columns `search_title`, `search_text`, `search_place` of `posts_fts` on SQLite, `tsvector`
columns `tsv_title`, `tsv_text`, `tsv_place` on PostgreSQL. Posts flagged `search_overflow`
(an index that cannot hold them whole) are outside this contract: the search verifies them all.

Exactness, by construct (E exact, S superset then verified):

================================================  ==========  ==========
construct                                         SQLite      PostgreSQL
================================================  ==========  ==========
word, prefix ``poste*``                           E           E
phrase, with prefixes anywhere in it              E           E
streams: any (title or text), title:, place       E           E
``{Exact}`` case (superset: its folded word)      S           S
mid-word wildcard ``cust*ize`` (its prefix)       S           S
NEAR/n between words, phrases, OR-groups          E           E (1)
NEAR/nf ordered (superset: unordered)             S           E (1)
(group)~n, up to 64 conjunctions                  E (2)       E for 1-2 phrases (1), else S
#tag, @mention, site:, url:, author:              E           E
brand: (the workspace's attributions)             E (3)       E (3)
lang, platform, sentiment, emotion, reason, type  E (3)       E (3)
followers, engagement, verified                   E           E
================================================  ==========  ==========

(1) `a <d> b` alternatives, one per possible distance, up to `MAX_DISTANCES` of them; phrases
    that could overlap by more than one word fall back to a superset.
(2) FTS5's NEAR rule is ours: (latest start) - (earliest end) - 1 <= n, within one column
    (`fts5ExprNearIsMatch` keeps a phrase at position p when p >= max - length - n); the
    tests compare it with the evaluator on random texts.
(3) Compared with SQL `lower()`, which on SQLite folds ASCII only: exact for the ASCII labels
    and codes rumeur stores; a non-ASCII value compiles to a superset. `brand:` needs the
    workspace whose attributions it reads (`compile_query(workspace=...)`): without one it is a
    superset too. Its lookup is `ix_post_brands_workspace_lower_brand` (migration 0011).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import product

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    table,
    true,
)
from sqlalchemy.dialects.postgresql import TSQUERY

from rumeur.metrics import engagement_sql
from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Query, Tag, Term, Within
from rumeur.query.evaluate import clauses
from rumeur.query.tokens import fold, folded
from rumeur.store.schema import authors, post_brands, post_terms, posts, term_buckets

# The FTS5 table (created by migration 0002, outside the metadata); its hidden column of the
# same name takes MATCH.
FTS = table("posts_fts", column("rowid"), column("posts_fts"))
STREAM_COLUMNS = {
    "any": ("title", "text"),
    "title": ("title",),
    "text": ("text",),
    "place": ("place",),
}
MAX_PAIRS = 64  # NEAR between OR-groups: left x right alternatives before a superset
MAX_CONJUNCTIONS = 64  # (group)~n: conjunctions of its normal form before a superset
MAX_DISTANCES = 128  # PostgreSQL: `<d>` alternatives of one NEAR before a superset
# SQLite: a row-by-row probe re-reads each token's list at every row, so a probe costs a pass
# per word (a 100-word phrase of "the": 52 s over 5,000 rows). Past this many tokens the index
# reads each list once instead; a MATCH that long is rare anyway, which is what that plan suits.
PROBE_TOKENS = 4
MAX_LEXEME_BYTES = 60  # longer words are not in PostgreSQL's tsvector (store/terms.py)
STRING_FIELDS = ("lang", "platform", "sentiment", "emotion", "reason", "type")
TERM_KINDS = {"#": "#", "@": "@", "site": "site", "author": "author"}


@dataclass(frozen=True, slots=True)
class Compiled:
    """`clause` is a boolean over `posts` joined to `authors`; `exact` says it selects exactly
    the matching posts (outside those flagged `search_overflow`), not a superset."""

    clause: ColumnElement[bool]
    exact: bool
    # SQLite, probing: some full-text condition reads all its matches (a prefix, a long MATCH)
    # instead of being tested row by row, so a first step over the newest posts saves nothing.
    reads_all: bool = False


def compile_query(
    node: Node | Query, dialect_name: str, probe: bool = False, workspace: str | None = None
) -> Compiled:
    """`probe` (SQLite): test each full-text condition row by row (`EXISTS ... rowid = id`)
    instead of reading every match first (`id IN (...)`): the better plan when the rows come
    from a short scan of the newest posts, the worse one when they come from the index.
    `workspace`: whose brand attributions `brand:` reads."""
    root = node.root if isinstance(node, Query) else node
    compiler: _Compiler = _Sqlite(probe) if dialect_name == "sqlite" else _Postgres()
    compiler.workspace = workspace
    part = compiler.node(root)
    clause = compiler.finish(part)
    return Compiled(clause, part.exact, compiler.reads_all)


@dataclass(frozen=True, slots=True)
class _Part:
    """A compiled node: a constant, a SQL condition, or (SQLite) an FTS5 expression, kept apart
    so that siblings merge into one MATCH."""

    exact: bool
    const: bool | None = None
    sql: ColumnElement[bool] | None = None
    fts: str | None = None
    fts_negated: bool = False


def _const(value: bool, exact: bool = True) -> _Part:
    return _Part(exact, const=value)


TRUE_SUPERSET = _const(True, exact=False)


class _Compiler:
    reads_all = False
    workspace: str | None = None
    probe = False

    def node(self, node: Node) -> _Part:
        match node:
            case And(children):
                return self.all_of([self.node(c) for c in children])
            case Or(children):
                return self.any_of([self.node(c) for c in children])
            case Not(child):
                return self.negate(self.node(child))
            case Phrase():
                return self.phrase(node)
            case Near():
                return self.near(node)
            case Within():
                return self.within(node)
            case Tag(kind, term):
                return _term_filter(kind, term, self.pattern)
            case Filter(field="brand"):
                return _brand_filter(node.value, self.workspace, self.probe)
            case Filter():
                return _filter(node, self.pattern)
        raise TypeError(f"not a query node: {node!r}")

    # Boolean algebra shared by both dialects; SQLite overrides it to merge FTS parts.
    def all_of(self, parts: list[_Part]) -> _Part:
        exact = all(p.exact for p in parts)
        if any(p.const is False and p.exact for p in parts):
            return _const(False)
        kept = [p for p in parts if p.const is not True]
        if not kept:
            return _const(True, exact)
        return _Part(exact, sql=and_(*(self.finish(p) for p in kept)))

    def any_of(self, parts: list[_Part]) -> _Part:
        exact = all(p.exact for p in parts)
        if any(p.const is True for p in parts):
            return _const(True, exact)
        kept = [p for p in parts if p.const is not False]
        if not kept:
            return _const(False, exact)
        return _Part(exact, sql=or_(*(self.finish(p) for p in kept)))

    def negate(self, part: _Part) -> _Part:
        if not part.exact:
            return TRUE_SUPERSET
        if part.const is not None:
            return _const(not part.const)
        return _Part(True, sql=not_(self.finish(part)))

    def finish(self, part: _Part) -> ColumnElement[bool]:
        if part.const is not None:
            return true() if part.const else false()
        assert part.sql is not None
        return part.sql

    def pattern(self, column: ColumnElement[str], wildcard: str) -> ColumnElement[bool]:
        raise NotImplementedError

    def phrase(self, phrase: Phrase) -> _Part:
        raise NotImplementedError

    def near(self, node: Near) -> _Part:
        raise NotImplementedError

    def within(self, node: Within) -> _Part:
        raise NotImplementedError

    def superset_of_group(self, group: Node) -> _Part:
        """A proximity group without its proximity: each of its phrases somewhere."""
        part = self.node(group)
        return _Part(False, part.const, part.sql, part.fts, part.fts_negated)


# --- terms -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    """One query term as an index token: `text`, a prefix or not, exactly the term or a
    superset of it. `text` None: no token can stand for it (a bare wildcard)."""

    text: str | None
    prefix: bool
    exact: bool


def _token(term: Term) -> _Token:
    if term.kind in ("word", "prefix"):
        if _clean(term.text):
            return _Token(term.text, term.kind == "prefix", True)
        return _Token(None, False, False)
    if term.kind == "wildcard":
        cut = min((i for i, c in enumerate(term.text) if c in "*?"), default=len(term.text))
        head = term.text[:cut]
        return _Token(head, True, False) if head and _clean(head) else _Token(None, False, False)
    pieces = fold(term.text)  # {Exact}: its folded word is a superset
    if len(pieces) == 1 and _clean(pieces[0]):
        return _Token(pieces[0], False, False)
    return _Token(None, False, False)


def _clean(word: str) -> bool:
    """Is `word` one whole folded token, the only thing the index holds?"""
    return folded(word) == [word]


def _compatible(a: Term, b: Term) -> bool:
    """Could one token match both terms? False only when it surely cannot."""
    ta, tb = _token(a), _token(b)
    if ta.text is None or tb.text is None or not (ta.exact and tb.exact):
        return True
    if not ta.prefix and not tb.prefix:
        return ta.text == tb.text
    if ta.prefix and tb.prefix:
        return ta.text.startswith(tb.text) or tb.text.startswith(ta.text)
    word, prefix = (ta.text, tb.text) if tb.prefix else (tb.text, ta.text)
    return word.startswith(prefix)


# --- SQLite: FTS5 ------------------------------------------------------------------------------


class _Sqlite(_Compiler):
    def __init__(self, probe: bool = False) -> None:
        self.probe = probe

    def all_of(self, parts: list[_Part]) -> _Part:
        exact = all(p.exact for p in parts)
        if any(p.const is False and p.exact for p in parts):
            return _const(False)
        # A repeated condition once: FTS5 would evaluate each copy in full.
        positive = _once(p.fts for p in parts if p.fts is not None and not p.fts_negated)
        negative = _once(p.fts for p in parts if p.fts is not None and p.fts_negated)
        others = [p for p in parts if p.fts is None and p.const is not True]
        if positive:
            # One MATCH: `(a) AND (b) NOT (c)`, FTS5's own AND and NOT.
            fts = " AND ".join(f"({f})" for f in positive) + "".join(
                f" NOT ({f})" for f in negative
            )
            merged = _Part(exact, fts=fts)
            if not others:
                return merged
            others.append(merged)
        else:
            others += [_Part(True, fts=f, fts_negated=True) for f in negative if f is not None]
        if not others:
            return _const(True, exact)
        if len(others) == 1:
            return _Part(
                exact, others[0].const, others[0].sql, others[0].fts, others[0].fts_negated
            )
        return _Part(exact, sql=and_(*(self.finish(p) for p in others)))

    def any_of(self, parts: list[_Part]) -> _Part:
        exact = all(p.exact for p in parts)
        if any(p.const is True for p in parts):
            return _const(True, exact)
        positive = _once(p.fts for p in parts if p.fts is not None and not p.fts_negated)
        others = [p for p in parts if p.const is not False and not (p.fts and not p.fts_negated)]
        if positive:
            others.append(_Part(exact, fts=" OR ".join(f"({f})" for f in positive)))
        if not others:
            return _const(False, exact)
        if len(others) == 1:
            only = others[0]
            return _Part(exact, only.const, only.sql, only.fts, only.fts_negated)
        return _Part(exact, sql=or_(*(self.finish(p) for p in others)))

    def negate(self, part: _Part) -> _Part:
        if part.fts is not None and part.exact:
            return _Part(True, fts=part.fts, fts_negated=not part.fts_negated)
        return super().negate(part)

    def finish(self, part: _Part) -> ColumnElement[bool]:
        if part.fts is None:
            return super().finish(part)
        match = FTS.c.posts_fts.op("MATCH")(literal(part.fts, String))
        # A prefix would merge every matching word's list at each probe: read it once instead.
        if self.probe and '"*' not in part.fts and _token_count(part.fts) <= PROBE_TOKENS:
            found = exists().where(match, FTS.c.rowid == posts.c.id)
            return not_(found) if part.fts_negated else found
        self.reads_all = self.reads_all or self.probe
        rowids = select(FTS.c.rowid).where(match)
        return posts.c.id.not_in(rowids) if part.fts_negated else posts.c.id.in_(rowids)

    def pattern(self, column: ColumnElement[str], wildcard: str) -> ColumnElement[bool]:
        # GLOB, not LIKE: SQLite's LIKE ignores ASCII case, the evaluator does not.
        body = "".join("[[]" if c == "[" else c for c in wildcard)
        return column.op("GLOB")(literal(body, String))

    def phrase(self, phrase: Phrase) -> _Part:
        full, runs, exact = _fts_phrase(phrase.terms)
        cols = _fts_columns(STREAM_COLUMNS[phrase.stream])
        if full is not None:
            return _Part(exact, fts=f"{cols} : ({full})")
        if runs is None:
            return TRUE_SUPERSET
        return _Part(False, fts=f"{cols} : ({runs})")

    def near(self, node: Near) -> _Part:
        pairs = list(product(node.left, node.right))
        if len(pairs) > MAX_PAIRS:
            return self.superset_of_group(And((Or(node.left), Or(node.right))))
        # NEAR/nf: FTS5 has no order; the unordered NEAR is a superset of it.
        return self._near_groups([list(p) for p in pairs], node.n, exact=not node.ordered)

    def within(self, node: Within) -> _Part:
        try:
            conjunctions = clauses(node.group)
        except (TypeError, ValueError):
            return self.superset_of_group(node.group)
        if len(conjunctions) > MAX_CONJUNCTIONS:
            return self.superset_of_group(node.group)
        return self._near_groups([list(c) for c in conjunctions], node.n, exact=True)

    def _near_groups(self, groups: list[list[Phrase]], n: int, exact: bool) -> _Part:
        """OR of NEAR(p1 p2 ..., n), each within the columns its phrases share."""
        found: list[str] = []
        for phrases in groups:
            shared = _shared_columns(phrases)
            if not shared:
                continue  # no stream holds them all: that alternative never matches
            compiled = [_fts_phrase(p.terms) for p in phrases]
            cols = _fts_columns(shared)
            if all(full is not None for full, _, _ in compiled):
                inner = " ".join(full for full, _, _ in compiled if full)
                found.append(f"{cols} : NEAR({inner}, {n})")
                exact = exact and all(e for _, _, e in compiled)
                continue
            exact = False
            runs = [r for _, r, _ in compiled if r]
            if not runs:
                return TRUE_SUPERSET
            found.append(f"{cols} : ({' AND '.join(runs)})")
        if not found:
            return _const(False)
        return _Part(exact, fts=" OR ".join(f"({f})" for f in found))


def _once(expressions: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(expressions))


_FTS_QUOTED = re.compile(r'"(?:[^"]|"")*"')


def _token_count(fts: str) -> int:
    return len(_FTS_QUOTED.findall(fts))


def _fts_token(token: _Token) -> str:
    quoted = '"' + (token.text or "").replace('"', '""') + '"'
    return quoted + "*" if token.prefix else quoted


def _fts_phrase(terms: Sequence[Term]) -> tuple[str | None, str | None, bool]:
    """(the whole phrase, or None; its runs of expressible terms ANDed, or None; exact).
    Terms join with FTS5's `+`, so that a prefix may sit anywhere in a phrase."""
    tokens = [_token(t) for t in terms]
    runs: list[list[str]] = [[]]
    for token in tokens:
        if token.text is None:
            runs.append([])
        else:
            runs[-1].append(_fts_token(token))
    texts = [" + ".join(r) for r in runs if r]
    exact = all(t.exact for t in tokens)
    if len(runs) == 1:
        return texts[0], texts[0], exact
    return None, " AND ".join(f"({t})" for t in texts) or None, False


def _fts_columns(streams: Sequence[str]) -> str:
    return "{" + " ".join(f"search_{s}" for s in streams) + "}"


def _shared_columns(phrases: Sequence[Phrase]) -> list[str]:
    return [
        s for s in ("title", "text", "place") if all(s in STREAM_COLUMNS[p.stream] for p in phrases)
    ]


# --- PostgreSQL: tsquery -----------------------------------------------------------------------


class _Postgres(_Compiler):
    def pattern(self, column: ColumnElement[str], wildcard: str) -> ColumnElement[bool]:
        body = "".join(
            "%" if c == "*" else "_" if c == "?" else "\\" + c if c in "\\%_" else c
            for c in wildcard
        )
        return column.like(literal(body, String), escape="\\")

    def phrase(self, phrase: Phrase) -> _Part:
        built = _ts_phrase(phrase.terms)
        if built is None:
            return _const(False)
        full, runs, exact = built
        if full is not None:
            return self._match(STREAM_COLUMNS[phrase.stream], full, exact)
        if runs is None:
            return TRUE_SUPERSET
        return self._match(STREAM_COLUMNS[phrase.stream], runs, False)

    def near(self, node: Near) -> _Part:
        pairs = list(product(node.left, node.right))
        if len(pairs) > MAX_PAIRS:
            return self.superset_of_group(And((Or(node.left), Or(node.right))))
        return self._pairs(pairs, node.n, node.ordered)

    def within(self, node: Within) -> _Part:
        try:
            conjunctions = clauses(node.group)
        except (TypeError, ValueError):
            return self.superset_of_group(node.group)
        if len(conjunctions) > MAX_CONJUNCTIONS or any(len(c) > 2 for c in conjunctions):
            return self.superset_of_group(node.group)
        parts = []
        for phrases in conjunctions:
            if len(phrases) == 1:
                parts.append(self.phrase(phrases[0]))
            else:
                parts.append(self._pairs([(phrases[0], phrases[1])], node.n, ordered=False))
        return self.any_of(parts)

    def _pairs(self, pairs: Sequence[tuple[Phrase, Phrase]], n: int, ordered: bool) -> _Part:
        parts = []
        for left, right in pairs:
            shared = _shared_columns((left, right))
            built_l, built_r = _ts_phrase(left.terms), _ts_phrase(right.terms)
            if not shared or built_l is None or built_r is None:
                parts.append(_const(False))
                continue
            query = _ts_near(left.terms, built_l, right.terms, built_r, n, ordered)
            if query is None:  # a superset: both phrases (or what can stand for them)
                halves = [b[0] or b[1] for b in (built_l, built_r) if b[0] or b[1]]
                if not halves:
                    return TRUE_SUPERSET
                parts.append(self._match(shared, " & ".join(f"({h})" for h in halves), False))
            elif query == "":
                parts.append(_const(False))
            else:
                parts.append(self._match(shared, query, built_l[2] and built_r[2]))
        return self.any_of(parts)

    def _match(self, streams: Sequence[str], tsquery: str, exact: bool) -> _Part:
        bound = cast(literal(tsquery, String), TSQUERY)
        tests = [literal_column(f"posts.tsv_{s}").op("@@")(bound) for s in streams]
        return _Part(exact, sql=or_(*tests) if len(tests) > 1 else tests[0])


def _ts_token(token: _Token) -> str:
    text = (token.text or "").replace("\\", "\\\\").replace("'", "''")
    return f"'{text}':*" if token.prefix else f"'{text}'"


def _ts_phrase(terms: Sequence[Term]) -> tuple[str | None, str | None, bool] | None:
    """Like `_fts_phrase`, as a tsquery; None when no post outside the overflowing ones can
    hold it (a word longer than the tsvector keeps)."""
    tokens = [_token(t) for t in terms]
    if any(t.text and t.exact and len(t.text.encode()) > MAX_LEXEME_BYTES for t in tokens):
        return None
    runs: list[list[str]] = [[]]
    for token in tokens:
        if token.text is None or len(token.text.encode()) > MAX_LEXEME_BYTES:
            runs.append([])
        else:
            runs[-1].append(_ts_token(token))
    texts = [" <-> ".join(r) for r in runs if r]
    exact = all(t.exact for t in tokens)
    if len(runs) == 1:
        return f"({texts[0]})", f"({texts[0]})", exact
    return None, " & ".join(f"({t})" for t in texts) or None, False


def _ts_near(
    left: Sequence[Term],
    built_l: tuple[str | None, str | None, bool],
    right: Sequence[Term],
    built_r: tuple[str | None, str | None, bool],
    n: int,
    ordered: bool,
) -> str | None:
    """`left` and `right` within the window, as `L <d> R` alternatives: one per offset of the
    right phrase's start from the left one's. "" when no offset can match; None when one could
    but has no tsquery (phrases overlapping by more than a word)."""
    pl, pr = built_l[0], built_r[0]
    if pl is None or pr is None:
        return None
    a, b = len(left), len(right)
    offsets = range(a, a + n + 1) if ordered else range(-(n + b), n + a + 1)
    if len(offsets) > MAX_DISTANCES:
        return None
    found: list[str] = []
    for delta in offsets:
        if not ordered and max(0, delta) - min(a - 1, delta + b - 1) - 1 > n:
            continue
        after_left = delta - (a - 1)  # from the left phrase's last word to the right's first
        after_right = -delta - (b - 1)
        if after_left >= 0:
            found.append(f"{pl} <{after_left}> {pr}")
        elif after_right >= 0:
            found.append(f"{pr} <{after_right}> {pl}")
        elif _could_overlap(left, right, delta):
            return None
    return " | ".join(f"({f})" for f in found)


def _could_overlap(left: Sequence[Term], right: Sequence[Term], delta: int) -> bool:
    """Could `right` start `delta` words after `left` starts, the two sharing words?"""
    span = range(max(0, delta), min(len(left), delta + len(right)))
    return all(_compatible(left[i], right[i - delta]) for i in span)


# --- tags and filters --------------------------------------------------------------------------

Pattern = Callable[[ColumnElement[str], str], ColumnElement[bool]]


def _term_filter(kind: str, term: Term, pattern: Pattern) -> _Part:
    """A hashtag, mention, site or author: one of the post's terms of that kind, compared whole."""
    if term.kind == "word":
        test = post_terms.c.term == literal(term.text, String)
    elif term.kind == "prefix":
        test = pattern(post_terms.c.term, term.text + "*")
    elif term.kind == "wildcard":
        test = pattern(post_terms.c.term, term.text)
    else:
        return TRUE_SUPERSET  # a tag is never compared by case
    return _has_term(kind, test)


def _has_term(kind: str, test: ColumnElement[bool]) -> _Part:
    # One seek per bucket: the index's key leads with the bucket (see schema.post_terms).
    buckets = post_terms.c.bucket.in_(select(term_buckets.c.bucket))
    ids = select(post_terms.c.post_id).where(buckets, post_terms.c.kind == kind, test)
    return _Part(True, sql=posts.c.id.in_(ids))


def _brand_filter(value: object, workspace: str | None, probe: bool) -> _Part:
    """The post was attributed to this brand in `workspace`: its `brand_key` (lower case)
    against the stored name lowered, the expression `ix_post_brands_workspace_lower_brand`
    indexes, so that the index finds a brand's posts without reading the others."""
    if workspace is None or not isinstance(value, str) or not value.isascii():
        return TRUE_SUPERSET
    b = post_brands.c
    named = and_(b.workspace == literal(workspace, String), func.lower(b.brand) == literal(value))
    if probe:  # row by row over the newest posts: the primary key (post_id, workspace, ...)
        return _Part(True, sql=exists().where(b.post_id == posts.c.id, named))
    return _Part(True, sql=posts.c.id.in_(select(b.post_id).where(named)))


def _filter(node: Filter, pattern: Pattern) -> _Part:
    field, op, value = node.field, node.op, node.value
    if field in ("site", "url"):
        if not isinstance(value, str):
            return TRUE_SUPERSET
        # site: the whole host suffix; url: anywhere in a lower-cased URL (`pattern.search`).
        body = value if field == "site" else f"*{value}*"
        return _has_term(field, pattern(post_terms.c.term, body))
    if field == "author":
        if not isinstance(value, str) or op not in ("eq", "match"):
            return TRUE_SUPERSET
        test = post_terms.c.term == literal(value, String) if op == "eq" else None
        return _has_term("author", test if test is not None else pattern(post_terms.c.term, value))
    if field in STRING_FIELDS:
        return _string_filter(_string_column(field), op, value, pattern)
    if field in ("followers", "engagement"):
        return _number_filter(_number_column(field), op, value)
    if field == "verified":
        if op != "eq" or not isinstance(value, bool):
            return TRUE_SUPERSET
        return _Part(True, sql=authors.c.verified == literal(value))
    return _const(False)  # a field no post has: the evaluator finds nothing either


def _string_column(field: str) -> ColumnElement[str]:
    if field == "type":
        return case(
            (func.coalesce(posts.c.reply_to, "") != "", "reply"),
            (func.coalesce(posts.c.quote_of, "") != "", "quote"),
            (func.substr(posts.c.text, 1, 4) == "RT @", "repost"),
            else_="original",
        )
    name = {"lang": "language"}.get(field, field)
    return posts.c[name]


def _string_filter(column: ColumnElement[str], op: str, value: object, pattern: Pattern) -> _Part:
    if not isinstance(value, str) or not value.isascii() or op not in ("eq", "match"):
        return TRUE_SUPERSET
    if value == "":
        return _const(False)  # an empty field is no field (document._clean)
    lowered = func.lower(column)
    test = lowered == literal(value, String) if op == "eq" else pattern(lowered, value)
    # Spelled out so that NULL never reaches a NOT: SQL's NOT NULL is NULL, the evaluator's
    # "not (missing field)" is true.
    return _Part(True, sql=and_(column.is_not(None), column != "", test))


def _number_column(field: str) -> ColumnElement[int]:
    if field == "followers":
        return authors.c.followers
    p = posts.c
    return engagement_sql(p.likes, p.reposts, p.replies, p.quotes)


def _number_filter(column: ColumnElement[int], op: str, value: object) -> _Part:
    if op == "range":
        if not (isinstance(value, tuple) and all(_is_int(v) for v in value)):
            return TRUE_SUPERSET
        low, high = value
        test = and_(column >= literal(low), column <= literal(high))
    elif op in ("eq", "lt", "le", "gt", "ge") and _is_int(value):
        bound = literal(value)
        test = {
            "eq": column == bound,
            "lt": column < bound,
            "le": column <= bound,
            "gt": column > bound,
            "ge": column >= bound,
        }[op]
    else:
        return TRUE_SUPERSET
    return _Part(True, sql=and_(column.is_not(None), test))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
