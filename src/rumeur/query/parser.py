"""Parse a query written the way analysts write them in Brandwatch or Talkwalker.

A lark grammar cuts the text into operators, words, phrases and fields; the functions below turn
the parse tree into the query tree of `ast.py` and enforce the rules Brandwatch enforces (no AND
beside OR without parentheses, NEAR between words or OR-groups...). Every refusal is a
`QueryError` naming the problem and where it is, with a caret under it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

from rumeur.errors import RumeurError
from rumeur.i18n import _
from rumeur.query.ast import And, Near, Node, Not, Or, Phrase, Query, Stream, Tag, Term, Within
from rumeur.query.fields import EXAMPLES, FieldError, canonical, filter_node
from rumeur.query.tokens import fold, fold_tag

# An operator is a capitalised keyword standing alone; `ANDROID` is a word.
_END = r"(?![^\s()\"{}\[\]<>~])"
GRAMMAR = rf"""
start: seq?
seq: unary (conn? unary)*
conn: AND | OR | NEAR
unary: NOT unary | atom
atom: LPAR seq RPAR
    | LPAR seq RPAR_TILDE
    | PHRASE | EXACT | FIELD | WORD | RANGE

AND.3: /AND{_END}/
OR.3: /OR{_END}/
NOT.3: /NOT{_END}/
NEAR.3: /NEAR\/\d+(?:\/?f)?{_END}/
LPAR: "("
RPAR_TILDE.2: /\)~\d+/
RPAR: ")"
PHRASE: /"[^"]*"(?:~\d+)?/
EXACT: /\{{[^{{}}]*\}}/
RANGE: /\[[^\]]*\]/
FIELD.2: /[A-Za-z][A-Za-z_]*:(?:"[^"]*"|\[[^\]]*\]|[^\s()"]+)/
WORD: /[^\s()"{{}}\[\]<>~]+/
COMMENT: /<<<.*?>>>/s
%ignore COMMENT
%ignore /\s+/
"""

_PIECE = re.compile(r"(?:[^\W_]|[*?])+|[\u2190-\u2bff\u3030\u303d\U0001f000-\U0001faff]")
_LOWER_OPERATORS = {"and": "AND", "or": "OR", "not": "NOT"}
MAX_NEAR = 1000
# Caps on what one query may cost, checked before it runs (docs/queries.md, "Size and cost").
# The longest real query in the Brandwatch fixtures is about 4,000 characters, nested 5 deep.
MAX_CHARS = 8_000
MAX_DEPTH = 20  # parentheses, or NOTs in a row: deeper would overflow Python's stack
MAX_PHRASE_WORDS = 20
MIN_WILDCARD_STEM = 3  # letters before a wildcard inside a word, checked post by post
_UNSEARCHABLE = re.compile(r"[\x00\ud800-\udfff]")  # NUL, and halves of a surrogate pair
_NESTING = re.compile(r'"[^"]*"|<<<.*?>>>|\{[^{}]*\}|\[[^\]]*\]|[()]', re.S)
_SHOWN = 100  # characters of a long line shown around the caret
# A word that is a field's name and its colon: the lexer reads `name:value` as a field, so the
# value is missing (`lang:`), apart (`lang: fr`) or a group (`lang:(fr OR en)`).
_BARE_FIELD = re.compile(r"[A-Za-z][A-Za-z_]*:")


class QueryError(RumeurError):
    """A query that cannot be read: the problem, its line and column, and a caret under it."""

    def __init__(self, problem: str, source: str, offset: int, hint: str | None = None) -> None:
        self.problem, self.source, self.offset, self.hint = problem, source, offset, hint
        line_no = source.count("\n", 0, offset) + 1
        start = source.rfind("\n", 0, offset) + 1
        end = source.find("\n", offset)
        line = source[start : end if end >= 0 else len(source)]
        self.line, self.column = line_no, offset - start + 1
        shown, at = _excerpt(line.expandtabs(1), len(line[: offset - start].expandtabs(1)))
        where = _("column {column}").format(column=self.column)
        if "\n" in source:
            where = _("line {line}, column {column}").format(line=line_no, column=self.column)
        message = _("query: {problem} ({where})").format(problem=problem, where=where)
        if hint:
            message = _("{message}; {hint}").format(message=message, hint=hint)
        super().__init__(f"{message}\n  {shown}\n  {' ' * at}^")


def _excerpt(line: str, at: int) -> tuple[str, int]:
    """A long line cut to the characters around `at`, so that a refusal stays short."""
    if len(line) <= _SHOWN:
        return line, at
    start = max(0, min(at - _SHOWN // 2, len(line) - _SHOWN))
    end = start + _SHOWN
    head, tail = ("…" if start else ""), ("…" if end < len(line) else "")
    return head + line[start:end] + tail, at - start + len(head)


@dataclass(slots=True)
class _Conn:
    kind: str  # AND, OR, NEAR or "" (words side by side)
    token: Token | None
    offset: int


@lru_cache(maxsize=1)
def _lark() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer="basic", propagate_positions=True, cache=False)


def parse(text: str) -> Query:
    """The query tree of `text`, or QueryError."""
    source = unicodedata.normalize("NFC", text)
    if not _strip_comments(source).strip():
        raise QueryError(
            _("the query is empty"), source, 0, _("write what to look for, e.g. laposte")
        )
    _check_size(source)
    try:
        tree = _lark().parse(source)
    except (UnexpectedCharacters, UnexpectedToken, UnexpectedEOF) as exc:
        raise _syntax_error(exc, source) from None
    builder = _Builder(source)
    root = builder.seq(tree.children[0])
    builder.check_root(root)
    return Query(root, text, tuple(dict.fromkeys(builder.warnings)))


def _check_size(source: str) -> None:
    """The caps that hold before lark reads the text: its length, what it holds, its depth."""
    if len(source) > MAX_CHARS:
        raise QueryError(
            _("the query is too long: {n} characters (at most {most})").format(
                n=len(source), most=MAX_CHARS
            ),
            source,
            MAX_CHARS,
            _("split it into several saved queries"),
        )
    if (bad := _UNSEARCHABLE.search(source)) is not None:
        shown = _UNSEARCHABLE.sub("\ufffd", source)
        raise QueryError(_("the query holds a character that is not text"), shown, bad.start())
    depth = 0
    for found in _NESTING.finditer(source):
        depth += {"(": 1, ")": -1}.get(found.group(), 0)
        if depth > MAX_DEPTH:
            raise QueryError(_too_deep(), source, found.start())


def _too_deep() -> str:
    return _("nested more than {most} levels deep").format(most=MAX_DEPTH)


def _strip_comments(source: str) -> str:
    return re.sub(r"<<<.*?>>>", " ", source, flags=re.S)


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[str] = []

    def fail(self, problem: str, offset: int, hint: str | None = None) -> QueryError:
        return QueryError(problem, self.source, offset, hint)

    # -- structure ---------------------------------------------------------------------------

    def seq(self, tree: Tree) -> Node:
        items: list[Node] = []
        offsets: list[int] = []
        conns: list[_Conn] = []
        pending: _Conn | None = None
        for child in tree.children:
            if isinstance(child, Tree) and child.data == "conn":
                token = child.children[0]
                assert isinstance(token, Token)
                pending = _Conn(token.type, token, token.start_pos or 0)
                continue
            assert isinstance(child, Tree)
            if items:
                conns.append(pending or _Conn("", None, child.meta.start_pos))
            pending = None
            offsets.append(child.meta.start_pos)
            items.append(self.unary(child))
        if len(items) == 1:
            return items[0]
        return self.combine(items, offsets, conns)

    def combine(self, items: list[Node], offsets: list[int], conns: list[_Conn]) -> Node:
        kinds = {self._family(c, items[i + 1]) for i, c in enumerate(conns)}
        if "NEAR" in kinds:
            if len(conns) > 1:
                other = next(c for c in conns[1:])
                raise self.fail(
                    _("NEAR cannot stand beside another operator without parentheses"),
                    other.offset,
                    _("group it: (apple NEAR/5 juice) AND orange"),
                )
            return self.near(items, offsets, conns[0])
        if kinds == {"AND", "OR"}:
            mixed = next(c for i, c in enumerate(conns) if self._family(c, items[i + 1]) == "OR")
            first_and = next(
                c for i, c in enumerate(conns) if self._family(c, items[i + 1]) == "AND"
            )
            at = max(mixed.offset, first_and.offset)
            implicit = any(
                c.kind == "" and not isinstance(items[i + 1], Not) for i, c in enumerate(conns)
            )
            problem = _("AND and OR side by side without parentheses")
            if implicit:
                problem = _(
                    "AND and OR side by side without parentheses (words side by side mean AND)"
                )
            raise self.fail(problem, at, _("add parentheses: (apple AND juice) OR orange"))
        if "OR" in kinds:
            return Or(tuple(items))
        for i, c in enumerate(conns):
            if c.kind == "" and not isinstance(items[i + 1], Not):
                self.warnings.append(
                    _(
                        "no operator before column {column}: words side by side are read as AND; "
                        'quote them for a phrase ("apple juice")'
                    ).format(column=c.offset + 1)
                )
        return And(tuple(items))

    @staticmethod
    def _family(conn: _Conn, right: Node) -> str:
        if conn.kind == "NEAR":
            return "NEAR"
        if conn.kind == "OR":
            return "OR"
        return "AND"

    def unary(self, tree: Tree) -> Node:
        nots: list[Token] = []
        while isinstance(first := tree.children[0], Token) and first.type == "NOT":
            nots.append(first)
            if len(nots) > MAX_DEPTH:
                raise self.fail(_too_deep(), first.start_pos or 0)
            inner = tree.children[1]
            assert isinstance(inner, Tree)
            tree = inner
        assert isinstance(first, Tree)
        node = self.atom(first)
        for _token in nots:
            node = Not(node)
        return node

    def atom(self, tree: Tree) -> Node:
        first = tree.children[0]
        assert isinstance(first, Token)
        offset = first.start_pos or 0
        if first.type == "LPAR":
            inner = tree.children[1]
            close = tree.children[2]
            assert isinstance(inner, Tree) and isinstance(close, Token)
            node = self.seq(inner)
            if close.type == "RPAR_TILDE":
                return self.within(node, int(close.value[2:]), offset)
            return node
        value = str(first.value)
        match first.type:
            case "PHRASE":
                return self.phrase(value, offset, "any")
            case "EXACT":
                return self.exact(value[1:-1], offset, "any")
            case "FIELD":
                return self.field(value, offset)
            case "RANGE":
                raise self.fail(
                    _("a range needs a field"), offset, _("write authorFollowers:[1000 TO 5000]")
                )
        self.check_operator_like(value, offset)
        return self.word(value, offset, "any")

    def check_operator_like(self, value: str, offset: int) -> None:
        """Refuse a word that is a field or a NEAR gone wrong (`lang:`, `NEAR/x`), as Brandwatch
        does: read as words, it would silently search for `lang` or `near`."""
        if _BARE_FIELD.fullmatch(value):
            self.bare_field(value[:-1], offset)
        if value[:5].lower() == "near/":
            raise self.fail(
                _("'{word}' is not a proximity operator").format(word=value),
                offset,
                _(
                    "write NEAR in capitals and a number of words: "
                    "NEAR/5, or NEAR/5f to keep the order"
                ),
            )

    def bare_field(self, name: str, offset: int) -> None:
        try:
            canonical(name)  # an unknown field is refused by name, as `colour:red` is
        except FieldError as exc:
            raise self.fail(str(exc), offset) from None
        raise _bare_field(name, self.source, offset)

    def near(self, items: list[Node], offsets: list[int], conn: _Conn) -> Node:
        token = conn.token
        assert token is not None
        found = re.fullmatch(r"NEAR/(\d+)(/?f)?", str(token.value))
        assert found is not None
        n, ordered = int(found.group(1)), found.group(2) is not None
        self._check_distance(n, conn.offset)
        sides = tuple(self._near_side(node, off) for node, off in zip(items, offsets, strict=True))
        return Near(sides[0], sides[1], n, ordered)

    def _near_side(self, node: Node, offset: int) -> tuple[Phrase, ...]:
        if isinstance(node, Phrase):
            return (node,)
        if isinstance(node, Or) and all(isinstance(c, Phrase) for c in node.children):
            return tuple(c for c in node.children if isinstance(c, Phrase))
        raise self.fail(
            _("NEAR takes words, phrases or an OR group of them on each side"),
            offset,
            _("e.g. (apple OR orange) NEAR/5 juice"),
        )

    def within(self, node: Node, n: int, offset: int) -> Node:
        self._check_distance(n, offset)
        if not _proximity_group(node):
            raise self.fail(
                _("~n applies to words and phrases joined by AND and OR"),
                offset,
                _('e.g. ("apple juice" AND fresh)~5'),
            )
        return Within(node, n)

    def _check_distance(self, n: int, offset: int) -> None:
        if n > MAX_NEAR:
            raise self.fail(
                _("a distance of {n} words is too large (at most {most})").format(
                    n=n, most=MAX_NEAR
                ),
                offset,
            )
        if n > 100:
            self.warnings.append(
                _("a distance of {n} words matches nearly any post with both").format(n=n)
            )

    def check_root(self, root: Node) -> None:
        negatives = root.children if isinstance(root, And) else (root,)
        if all(isinstance(c, Not) and not isinstance(c.child, And | Or) for c in negatives):
            raise self.fail(
                _("a query cannot only exclude"),
                0,
                _("say what to look for first: brand NOT bitter"),
            )
        if isinstance(root, Not):
            self.warnings.append(_("this query matches every post except those it excludes"))

    # -- terms -------------------------------------------------------------------------------

    def word(self, value: str, offset: int, stream: Stream) -> Node:
        if value.lower() in _LOWER_OPERATORS and value.lower() == value:
            upper = _LOWER_OPERATORS[value]
            raise self.fail(
                _("'{word}' is not an operator: operators are written in capitals").format(
                    word=value
                ),
                offset,
                _('write {upper}, or quote it to search the word: "{word}"').format(
                    upper=upper, word=value
                ),
            )
        if value[0] in "#@" and len(value) > 1:
            return self.tag(value, offset)
        if value[0] in "*?":
            raise self.fail(
                _("a word cannot start with a wildcard"), offset, _("write appl*, not *ple")
            )
        return self.phrase_of(value, offset, stream)

    def tag(self, value: str, offset: int) -> Node:
        kind, body = value[0], value[1:]
        pattern = r"[\w*?]+" if kind == "#" else r"[\w*?][\w.*?-]*"
        if not re.fullmatch(pattern, body) or body[0] in "*?":
            problem = (
                _("'{text}' is not a hashtag") if kind == "#" else _("'{text}' is not a mention")
            )
            raise self.fail(problem.format(text=value), offset)
        folded = fold_tag(body)
        self._wildcard_warning(folded, offset)
        return Tag(kind, _tag_term(folded))  # type: ignore[arg-type]

    def phrase(self, value: str, offset: int, stream: Stream) -> Node:
        body, _quote, tilde = value[1:].partition('"')
        if not body.strip():
            raise self.fail(
                _("an empty phrase"), offset, _('write words between the quotes: "la poste"')
            )
        node = self.phrase_of(body, offset, stream)
        if not tilde:
            return node
        n = int(tilde[1:])
        self._check_distance(n, offset)
        if not isinstance(node, Phrase) or len(node.terms) == 1:
            return node
        return Within(And(tuple(Phrase((t,), stream) for t in node.terms)), n)

    def phrase_of(self, text: str, offset: int, stream: Stream) -> Phrase:
        terms: list[Term] = []
        for piece in _PIECE.findall(text):
            if piece[0] in "*?":
                raise self.fail(
                    _("a word cannot start with a wildcard"), offset, _("write appl*, not *ple")
                )
            terms.extend(self._terms(piece, offset))
        if not terms:
            raise self.fail(
                _("nothing to search in '{text}'").format(text=text),
                offset,
                _("use letters or digits"),
            )
        self._check_phrase_length(len(terms), offset)
        if len(terms) == 1 and terms[0].kind == "word" and len(terms[0].text) == 1:
            self.warnings.append(
                _("the one-letter word '{word}' matches a great many posts").format(word=text)
            )
        return Phrase(tuple(terms), stream)

    def _check_phrase_length(self, words: int, offset: int) -> None:
        if words > MAX_PHRASE_WORDS:
            raise self.fail(
                _("a phrase of {n} words is too long (at most {most})").format(
                    n=words, most=MAX_PHRASE_WORDS
                ),
                offset,
                _("keep the words that tell it apart"),
            )

    def _terms(self, piece: str, offset: int) -> list[Term]:
        if "*" not in piece and "?" not in piece:
            return [Term("word", w) for w in fold(piece)]
        folded = re.sub(r"[^*?]+", lambda m: "".join(fold(m.group(0))), piece)
        self._wildcard_warning(folded, offset)
        if folded.endswith("*") and "*" not in folded[:-1] and "?" not in folded:
            return [Term("prefix", folded[:-1])]
        if len(re.split(r"[*?]", folded)[0]) < MIN_WILDCARD_STEM:
            raise self.fail(
                _(
                    "the wildcard {word} needs at least {least} letters before its first * or ?"
                ).format(word=folded, least=MIN_WILDCARD_STEM),
                offset,
                _("inside a word a wildcard is checked post by post: e.g. colo?r, custom*ize"),
            )
        return [Term("wildcard", folded)]

    def _wildcard_warning(self, folded: str, offset: int) -> None:
        stem = re.split(r"[*?]", folded)[0]
        if stem != folded and len(stem) < 3:
            self.warnings.append(
                _("the wildcard {word} (column {column}) is short: it matches many words").format(
                    word=folded, column=offset + 1
                )
            )

    def exact(self, body: str, offset: int, stream: Stream) -> Node:
        pieces = _PIECE.findall(body)
        if not pieces:
            raise self.fail(_("nothing between the braces"), offset)
        if any("*" in p or "?" in p for p in pieces):
            raise self.fail(_("no wildcards between braces: they match the exact form"), offset)
        self._check_phrase_length(len(pieces), offset)
        return Phrase(tuple(Term("exact", p) for p in pieces), stream)

    # -- fields ------------------------------------------------------------------------------

    def field(self, value: str, offset: int) -> Node:
        name, _colon, raw = value.partition(":")
        try:
            field = canonical(name)
            if field == "title":
                return self._stream_value(raw, offset + len(name) + 1, "title")
            if field == "location":
                if name == "region" and "." in raw:
                    raw = raw.rsplit(".", 1)[1]  # Brandwatch's regions read gbr.england
                return self._stream_value(raw.replace("_", " "), offset + len(name) + 1, "place")
            if raw.startswith('"') and raw.endswith('"') and len(raw) > 1:
                raw = raw[1:-1]
            if not raw:
                raise FieldError(_("{field}: needs a value").format(field=name))
            return filter_node(name, field, raw)
        except FieldError as exc:
            raise self.fail(str(exc), offset) from None

    def _stream_value(self, raw: str, offset: int, stream: Stream) -> Node:
        if raw.startswith('"'):
            return self.phrase(raw, offset, stream)
        if raw.startswith("{") and raw.endswith("}"):
            return self.exact(raw[1:-1], offset, stream)
        return self.word(raw, offset, stream)


def _proximity_group(node: Node) -> bool:
    if isinstance(node, Phrase):
        return True
    if isinstance(node, And | Or):
        return all(_proximity_group(c) for c in node.children)
    return False


def _tag_term(folded: str) -> Term:
    if "*" not in folded and "?" not in folded:
        return Term("word", folded)
    if folded.endswith("*") and "*" not in folded[:-1] and "?" not in folded:
        return Term("prefix", folded[:-1])
    return Term("wildcard", folded)


def _syntax_error(exc: Exception, source: str) -> QueryError:
    if isinstance(exc, UnexpectedCharacters):
        return _bad_character(source, exc.pos_in_stream)
    token = getattr(exc, "token", None)
    if token is None or token.type == "$END":
        return _early_end(source)
    offset = token.start_pos or 0
    if token.type == "RPAR":
        before = source[:offset].rstrip()
        if before.endswith("("):
            return QueryError(
                _("empty parentheses"), source, offset, _("put words in or remove them")
            )
        if _depth(source[:offset]) <= 0:
            return QueryError(
                _("')' closes nothing"), source, offset, _("remove it or open one before")
            )
        return QueryError(_("an operator needs something on its right"), source, offset)
    if token.type in ("AND", "OR", "NEAR"):
        return QueryError(
            _("{operator} needs a word, a phrase or a group on each side").format(
                operator=token.value
            ),
            source,
            offset,
            _("remove the extra operator"),
        )
    if token.type == "NOT":
        return QueryError(_("NOT needs a word, a phrase or a group after it"), source, offset)
    return QueryError(_("unexpected '{text}'").format(text=token.value), source, offset)


def _bare_field(name: str, source: str, offset: int) -> QueryError:
    """The refusal of field `name` (known) at `offset` written without its value."""
    after = offset + len(name) + 1
    if source[after : after + 1] == "(":
        return QueryError(
            _("{field}: takes one value, not a group").format(field=name),
            source,
            offset,
            _("repeat the field: ({field}:a OR {field}:b)").format(field=name),
        )
    return QueryError(
        _("{field}: needs a value").format(field=name),
        source,
        offset,
        _("write the value right after the colon, with no space: {example}").format(
            example=f"{name}:{EXAMPLES[name]}"
        ),
    )


def _bad_character(source: str, offset: int) -> QueryError:
    char = source[offset]
    # `followers: >10` stops the lexer at `>`, before the builder sees the field left bare.
    bare = re.search(r"(?:^|[\s(])([A-Za-z][A-Za-z_]*):\s+$", source[:offset])
    if bare is not None and bare.group(1) in EXAMPLES:
        return _bare_field(bare.group(1), source, bare.start(1))
    rest = source[offset:]
    if rest.startswith("<<<"):
        return QueryError(_("a comment opened with <<< is not closed with >>>"), source, offset)
    if char == '"':
        return QueryError(_("a quote is not closed"), source, offset, _('close it: "apple juice"'))
    if char == "{":
        return QueryError(_("a brace is not closed"), source, offset)
    if char == "~":
        return QueryError(
            _("~ must follow a closing quote or parenthesis directly, with a number"),
            source,
            offset,
            _('write "apple juice"~5, or NEAR/5 between two words'),
        )
    if char == "[":
        return QueryError(_("a range is not closed"), source, offset, _("write [1000 TO 5000]"))
    return QueryError(_("unexpected character '{text}'").format(text=char), source, offset)


def _early_end(source: str) -> QueryError:
    if _depth(source) > 0:
        offset = _unclosed(source)
        return QueryError(
            _("a parenthesis is not closed"), source, offset, _("add the missing ')'")
        )
    end = len(source.rstrip())
    return QueryError(
        _("the query ends too early: an operator needs something on its right"), source, end
    )


def _depth(text: str) -> int:
    depth = 0
    for char in re.sub(r'"[^"]*"|<<<.*?>>>', "", text, flags=re.S):
        depth += {"(": 1, ")": -1}.get(char, 0)
    return depth


def _unclosed(source: str) -> int:
    stack: list[int] = []
    quoted = False
    for i, char in enumerate(source):
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            stack.append(i)
        elif not quoted and char == ")" and stack:
            stack.pop()
    return stack[-1] if stack else 0
