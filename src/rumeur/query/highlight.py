"""Where a query matched a post: the words, phrases and tags that made `evaluate.matches` say
yes, as character spans of the post's title and text, for the stream to highlight.

The spans come from the evaluation itself (the same `occurrences` and `term_matches`), not from
a pattern over the text, so what is marked is what the query found: the word `poste*` matched
as `postes`, the phrase "la poste" as two words, `#laposte` as the tag. What a query excludes
(`NOT`) or a branch that did not hold marks nothing; filters (`lang:`, `brand:`...) have no
words to mark. `marked` turns spans into HTML with every piece of the post's text escaped.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator

from markupsafe import Markup, escape

from rumeur.query.ast import And, Filter, Near, Node, Not, Or, Phrase, Tag, Within
from rumeur.query.document import Document
from rumeur.query.evaluate import STREAMS, clauses, matches, occurrences, term_matches
from rumeur.query.tokens import HASHTAG, MENTION, TOKEN, fold, fold_tag

CharSpan = tuple[int, int]  # start and end (excluded) in the NFC form of a text
TEXT_STREAMS = ("title", "text")
_TAG = {"#": HASHTAG, "@": MENTION}  # a tag as the document reads it, with its sign


def nfc(text: str | None) -> str:
    """The form of a text that the tokenizer reads and that the spans index."""
    return unicodedata.normalize("NFC", text or "")


def word_spans(text: str | None) -> list[CharSpan]:
    """The character span of each token position of `tokenize(text)`, aligned with it (a word
    that folds into several pieces gives its span once per piece)."""
    found: list[CharSpan] = []
    for m in TOKEN.finditer(nfc(text)):
        found += [m.span()] * len(fold(m.group()))
    return found


def highlights(
    node: Node, doc: Document, texts: dict[str, str | None], found: bool = False
) -> dict[str, list[CharSpan]]:
    """For each of `texts` ("title", "text": the strings `doc` was made from), the sorted,
    merged character spans that the query matched; empty when the query does not match.
    `found`: the post is known to match (a search's result, whose document may lack the
    fields its filters read), so the query's AND branches all hold."""
    positions: dict[str, set[tuple[int, int]]] = {s: set() for s in TEXT_STREAMS}
    tags: list[Tag] = []
    if found or matches(node, doc):
        _collect(node, doc, positions, tags)
    out: dict[str, list[CharSpan]] = {}
    for stream in TEXT_STREAMS:
        text = texts.get(stream)
        spans = word_spans(text)
        found = [(spans[a][0], spans[b][1]) for a, b in positions[stream] if b < len(spans)]
        found += [span for tag in tags for span in _tag_spans(tag, nfc(text))]
        out[stream] = _merged(found)
    return out


def _collect(
    node: Node, doc: Document, into: dict[str, set[tuple[int, int]]], tags: list[Tag]
) -> None:
    """The positions of what made `node` (which matches `doc`) match."""
    match node:
        case Phrase():
            _phrases([node], doc, into)
        case And(children):
            for child in children:  # all hold, since the AND does
                _collect(child, doc, into, tags)
        case Or(children):
            for child in children:
                if matches(child, doc):
                    _collect(child, doc, into, tags)
        case Tag():
            tags.append(node)
        case Near():
            _near(node, doc, into)
        case Within(group):
            _phrases([p for c in clauses(group) for p in c], doc, into)
        case Not() | Filter():
            return


def _phrases(
    phrases: Iterable[Phrase], doc: Document, into: dict[str, set[tuple[int, int]]]
) -> None:
    """Each occurrence of the phrases, as its first and last token position."""
    for phrase in phrases:
        for stream in STREAMS[phrase.stream]:
            if stream in into:  # the place is not shown in the stream
                into[stream].update(occurrences(phrase, doc, stream))


def _near(node: Near, doc: Document, into: dict[str, set[tuple[int, int]]]) -> None:
    """The occurrences of the two sides that lie close enough (and in order, for NEAR/nf), as
    `evaluate` measures it: not every occurrence of either side."""
    for stream in TEXT_STREAMS:
        lefts = [o for p in node.left for o in occurrences(p, doc, stream)]
        rights = [o for p in node.right for o in occurrences(p, doc, stream)]
        for left in lefts:
            for right in rights:
                if node.ordered:
                    close = 0 <= right[0] - left[1] - 1 <= node.n
                else:
                    close = max(left[0], right[0]) - min(left[1], right[1]) - 1 <= node.n
                if close:
                    into[stream].update((left, right))


def _tag_spans(tag: Tag, text: str) -> Iterator[CharSpan]:
    for m in _TAG[tag.kind].finditer(text):
        value = fold_tag(m.group(1))
        if term_matches(tag.term, value, value):
            yield m.span()


def _merged(spans: list[CharSpan]) -> list[CharSpan]:
    """Sorted, overlapping or touching spans joined."""
    out: list[CharSpan] = []
    for start, end in sorted(set(spans)):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def marked(text: str | None, spans: list[CharSpan]) -> Markup:
    """`text` as HTML: every piece escaped, the spans in `<mark>`. `spans` index its NFC form,
    which is what is shown (it reads the same)."""
    shown = nfc(text)
    pieces: list[str] = []
    at = 0
    for start, end in spans:
        pieces.append(str(escape(shown[at:start])))
        pieces.append(f"<mark>{escape(shown[start:end])}</mark>")
        at = end
    pieces.append(str(escape(shown[at:])))
    return Markup("".join(pieces))
