"""The stream matcher: every query of every workspace against each incoming post, without trying
each query on each post.

As Lucene's Monitor (formerly Luwak) does, each query is indexed by an *anchor set*: index
entries such that any post the query matches necessarily holds at least one of them. A post
then looks up its own entries (its folded words, ``#tags`` and ``@names``), and only the queries
found that way, plus the few that have no anchor at all, are verified with `evaluate.matches`,
the reference semantics. The index only narrows: it never decides a match, so it can never
disagree with the evaluator, it can only save work.

What a query needs is worked out as *clauses* (`clauses`): anchor sets that must all hold.

- a word is its own entry; ``poste*`` the prefix ``poste``; a wildcard the literal run before its
  first ``*`` or ``?`` (none when shorter than `MIN_PREFIX`: it would anchor nearly every post);
  ``{EDF}`` the folded pieces of its text (any one will do: all of them are in a matching post);
- ``#tag`` and ``@name`` are entries of their own, written with their sign (a folded word never
  holds ``#`` or ``@``, so the two never collide);
- a phrase needs each of its terms: one clause per term;
- AND, NEAR and a proximity group need every side: the clauses of all sides;
- OR needs one of its children: its children's clauses distributed over it (``(a AND b) OR c``
  gives ``a OR c`` and ``b OR c``), each the union of one clause per child; none when a child
  has none;
- NOT and field filters cannot narrow the words of a post: none (``NOT NOT x`` is ``x``).

The most selective clause is the query's anchor set, the one indexed (`anchors`); a query with no
clause is verified on every post. A candidate is then checked against its other clauses, a few
set look-ups, before the evaluator runs: ``united NEAR/5 refund`` anchored on ``refund`` is not
evaluated on a post without ``united``. This is Luwak's presearcher with a second, cheap pass.

Selectivity is estimated, by default, from the word alone (a short stop-word list, then length as
a proxy for rarity), or from document frequencies measured on a sample (`Frequencies`). A bad
estimate costs speed only: every anchor set is sound whichever is chosen.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate, product

from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Tag, Term, Within
from rumeur.query.document import Document
from rumeur.query.evaluate import matches
from rumeur.query.tokens import fold

MAX_OR_CLAUSES = 16  # clauses an OR is rewritten into, at most: each costs a set look-up
MIN_PREFIX = 2  # a shorter prefix or wildcard stem would make nearly every post a candidate
# The commonest words of English and French social posts, and the pieces elisions leave: anchored
# on one of these, a query would be verified on most posts.
_COMMON = """
a an and are at be but by can do for from get have i in is it just me my no not of on or so that
the this to u was we with you your
au aux c ce d dans de des du elle en est et il j je l la le les m mais n ne nous on ou par pas
plus pour qu que qui s sa se son sur t un une vous y
"""
_STOP_WORDS = frozenset(_COMMON.split())


@dataclass(frozen=True, slots=True)
class Anchors:
    """Index entries of which a matching post holds at least one: whole `words` (folded words,
    ``#tag``, ``@name``) and `prefixes` of them. `cost` estimates the share of posts that hold
    one, the lower the better."""

    words: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()
    cost: float = 0.0

    def __or__(self, other: Anchors) -> Anchors:
        # The chance that a post holds one entry or the other is at most the sum.
        return Anchors(
            self.words | other.words,
            self.prefixes | other.prefixes,
            min(1.0, self.cost + other.cost),
        )


class Frequencies:
    """Document frequencies of index entries, measured on a sample of posts: a better rarity
    estimate than a word's length when the stream's vocabulary is known (``flight`` is rare in
    English at large but in every other post about an airline)."""

    def __init__(self, counts: Counter[str], docs: int) -> None:
        self.counts = counts
        self.docs = max(1, docs)
        self._sorted = sorted(counts)
        # Running sums over the sorted entries, so that a prefix's total is two bisections.
        self._sums = [0, *accumulate(counts[w] for w in self._sorted)]

    @classmethod
    def of(cls, docs: Iterable[Document]) -> Frequencies:
        counts: Counter[str] = Counter()
        n = 0
        for doc in docs:
            counts.update(entries(doc))
            n += 1
        return cls(counts, n)

    def word(self, entry: str) -> float:
        # An entry never seen in the sample is rare, but not impossible.
        return (self.counts.get(entry, 0) + 0.5) / (self.docs + 1)

    def prefix(self, prefix: str) -> float:
        lo = bisect.bisect_left(self._sorted, prefix)
        hi = bisect.bisect_left(self._sorted, prefix + "\U0010ffff")
        return min(1.0, (self._sums[hi] - self._sums[lo] + 0.5) / (self.docs + 1))


def word_cost(entry: str, frequencies: Frequencies | None = None) -> float:
    """The estimated share of posts holding `entry`."""
    if frequencies is not None:
        return frequencies.word(entry)
    if entry in _STOP_WORDS:
        return 0.5
    return min(0.3, 0.4 / len(entry) ** 2)


def prefix_cost(prefix: str, frequencies: Frequencies | None = None) -> float:
    if frequencies is not None:
        return frequencies.prefix(prefix)
    # A prefix stands for many words: a few times the cost of a word of its length.
    return min(1.0, 4 * word_cost(prefix))


def anchors(node: Node, frequencies: Frequencies | None = None) -> Anchors | None:
    """The anchor set of `node`: its most selective clause, or None when it has none."""
    return _best(clauses(node, frequencies))


def clauses(node: Node, frequencies: Frequencies | None = None) -> list[Anchors]:
    """Anchor sets that a post matching `node` holds one entry of, each: a necessary condition
    per set, none of them sufficient."""
    match node:
        case Phrase(terms):
            return _distinct(_term(t, "", frequencies) for t in terms)
        case Tag(kind, term):
            return _distinct([_term(term, kind, frequencies)])
        case And(children):
            return _distinct(a for c in children for a in clauses(c, frequencies))
        case Or(children):
            return _distinct(_or_clauses([clauses(c, frequencies) for c in children]))
        case Near(left, right):
            return _distinct(
                _union(_best(clauses(p, frequencies)) for p in side) for side in (left, right)
            )
        case Within(group):
            # Occurrences within a window are occurrences: the group holds as a plain AND/OR.
            return clauses(group, frequencies)
        case Not(Not(child)):
            return clauses(child, frequencies)
        case Not() | Filter():
            return []
    raise TypeError(f"not a query node: {node!r}")


def _or_clauses(children: list[list[Anchors]]) -> list[Anchors]:
    """(a AND b) OR c is (a OR c) AND (b OR c): each way of taking one clause per child gives a
    clause of the whole. The product grows fast, so only each child's most selective few are
    combined (at most `MAX_OR_CLAUSES` in all); any subset of the clauses is still sound."""
    if not all(children):
        return []
    per_child = max(1, int(MAX_OR_CLAUSES ** (1 / len(children))))
    best = [sorted(c, key=_selectivity)[:per_child] for c in children]
    return [_union(combination) for combination in product(*best)]  # type: ignore[misc]


def _distinct(found: Iterable[Anchors | None]) -> list[Anchors]:
    return list(dict.fromkeys(a for a in found if a is not None))


def _term(term: Term, sign: str, frequencies: Frequencies | None) -> Anchors | None:
    match term.kind:
        case "word":
            return _word(sign + term.text, frequencies)
        case "prefix":
            return _prefix(sign, term.text, frequencies)
        case "wildcard":
            stem = _stem(term.text)
            if stem == term.text:  # no wildcard in it: a whole word
                return _word(sign + stem, frequencies)
            return _prefix(sign, stem, frequencies)
        case _:
            # `exact` compares the word as written; a tag's is its folded text already. A word
            # written so folds to these pieces, all of them among the post's words.
            pieces = (term.text,) if sign else fold(term.text)
            return _best(_word(sign + p, frequencies) for p in pieces)


def _stem(pattern: str) -> str:
    """The literal run before a wildcard's first ``*`` or ``?``."""
    cut = [i for i in (pattern.find("*"), pattern.find("?")) if i >= 0]
    return pattern[: min(cut)] if cut else pattern


def _word(entry: str, frequencies: Frequencies | None) -> Anchors:
    return Anchors(words=frozenset((entry,)), cost=word_cost(entry, frequencies))


def _prefix(sign: str, stem: str, frequencies: Frequencies | None) -> Anchors | None:
    if len(stem) < MIN_PREFIX:
        return None
    entry = sign + stem
    return Anchors(prefixes=frozenset((entry,)), cost=prefix_cost(entry, frequencies))


def _best(candidates: Iterable[Anchors | None]) -> Anchors | None:
    """Of sets that all must hold, the most selective (fewest entries on a tie)."""
    found = [a for a in candidates if a is not None]
    return min(found, key=_selectivity) if found else None


def _selectivity(anchors: Anchors) -> tuple[float, int]:
    return anchors.cost, len(anchors.words) + len(anchors.prefixes)


def _union(candidates: Iterable[Anchors | None]) -> Anchors | None:
    """Of sets one of which must hold, the union; none if one of them is none."""
    out = Anchors()
    for a in candidates:
        if a is None:
            return None
        out |= a
    return out


def entries(doc: Document) -> set[str]:
    """What a post looks up in the index: its folded words, ``#tags`` and ``@names``."""
    found = doc.vocabulary()
    found.update("#" + t for t in doc.hashtags)
    found.update("@" + m for m in doc.mentions)
    return found


MAX_CHECKS = 4  # clauses checked before evaluating: past the most selective few, little is saved


@dataclass(frozen=True, slots=True)
class _Indexed:
    key: Hashable
    node: Node
    anchors: Anchors | None  # where it is indexed; None: verified on every post
    checks: tuple[Anchors, ...]  # its other clauses, most selective first


@dataclass(slots=True)
class Monitor:
    """Queries indexed by their anchor sets. `add` a query under any hashable key (say
    ``(workspace, name)``), `match` a post: the keys of the queries it matches, in the order they
    were added. `verified` counts the evaluations run so far, the work the index did not save."""

    frequencies: Frequencies | None = None
    verified: int = 0
    _queries: dict[int, _Indexed] = field(default_factory=dict)
    _ids: dict[Hashable, int] = field(default_factory=dict)
    _next: int = 0
    _words: dict[str, set[int]] = field(default_factory=dict)
    _prefixes: dict[str, set[int]] = field(default_factory=dict)
    _lengths: Counter[int] = field(default_factory=Counter)  # prefix length -> clauses using it
    _always: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def add(self, key: Hashable, node: Node) -> None:
        """Index `node` under `key`, replacing the query held under it, if any."""
        self.remove(key)
        qid = self._next
        self._next += 1
        found = sorted(clauses(node, self.frequencies), key=_selectivity)
        if not found:
            self._queries[qid] = _Indexed(key, node, None, ())
            self._ids[key] = qid
            self._always.add(qid)
            return
        primary, checks = found[0], tuple(found[1 : 1 + MAX_CHECKS])
        self._queries[qid] = _Indexed(key, node, primary, checks)
        self._ids[key] = qid
        for word in primary.words:
            self._words.setdefault(word, set()).add(qid)
        for prefix in primary.prefixes:
            self._prefixes.setdefault(prefix, set()).add(qid)
        self._lengths.update(len(p) for a in found[: 1 + MAX_CHECKS] for p in a.prefixes)

    def remove(self, key: Hashable) -> None:
        """Forget the query under `key`, if there is one."""
        qid = self._ids.pop(key, None)
        if qid is None:
            return
        indexed = self._queries.pop(qid)
        if indexed.anchors is None:
            self._always.discard(qid)
            return
        for word in indexed.anchors.words:
            _discard(self._words, word, qid)
        for prefix in indexed.anchors.prefixes:
            _discard(self._prefixes, prefix, qid)
        self._lengths.subtract(
            len(p) for a in (indexed.anchors, *indexed.checks) for p in a.prefixes
        )
        self._lengths = +self._lengths  # drop the lengths no clause uses any more

    def anchors_of(self, key: Hashable) -> Anchors | None:
        """The anchor set `key`'s query was indexed under (None: verified on every post)."""
        return self._queries[self._ids[key]].anchors

    def match(self, doc: Document) -> list[Hashable]:
        """The keys of the queries `doc` matches, in the order they were added."""
        words = entries(doc)
        # Each entry cut at each prefix length in use: an entry shorter than the length stays
        # whole, harmless since it is then one of its own prefixes.
        cuts = {w[:n] for w in words for n in self._lengths} if self._lengths else set()
        queries = self._queries
        out = []
        for qid in self._candidates(words, cuts):
            indexed = queries[qid]
            if indexed.checks and not all(_holds(a, words, cuts) for a in indexed.checks):
                continue
            self.verified += 1
            if matches(indexed.node, doc):
                out.append(indexed.key)
        return out

    def match_many(self, docs: Iterable[Document]) -> list[list[Hashable]]:
        """`match` for each post of a batch, in order."""
        return [self.match(doc) for doc in docs]

    def _candidates(self, words: set[str], cuts: set[str]) -> list[int]:
        """The queries anchored on one of the post's entries, or on none, in the order added."""
        found = set(self._always)
        index = self._words
        for word in words:
            ids = index.get(word)
            if ids:
                found |= ids
        index = self._prefixes
        for cut in cuts:
            ids = index.get(cut)
            if ids:
                found |= ids
        return sorted(found)


def _holds(anchors: Anchors, words: set[str], cuts: set[str]) -> bool:
    return not anchors.words.isdisjoint(words) or not anchors.prefixes.isdisjoint(cuts)


def _discard(index: dict[str, set[int]], entry: str, qid: int) -> None:
    ids = index[entry]
    ids.discard(qid)
    if not ids:
        del index[entry]  # so that a post's look-up stays cheap after many removals
