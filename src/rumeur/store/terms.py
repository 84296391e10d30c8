"""What the archive indexes of a post, computed by the very code the stream matcher reads
(`rumeur.query.document`), so that a query compiled to SQL sees what `evaluate.matches` sees.

- `search_title`, `search_text`, `search_place`: the folded words of each stream, space-joined
  (`tokens.search_text`). SQLite's FTS5 (`ascii` tokenizer) and PostgreSQL's `rumeur_tsvector`
  split them exactly at the spaces, so index positions are token positions.
- `post_terms`: the values compared whole: hashtags (`#`), mentions (`@`), sites (`site`: every
  host suffix of the URL and links), URLs (`url`, lower case) and the folded author (`author`),
  keyed by the post's bucket first (`BUCKET_BITS`), so that a batch writes near its own rows.
- `search_overflow`: the post's index is incomplete (a text beyond what a PostgreSQL `tsvector`
  holds, a term too long for a B-tree key). Searches always take such posts as candidates and
  check them with the reference evaluator, so an incomplete index never loses a match.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete

from rumeur.model import Post
from rumeur.query.document import Document, document, from_post
from rumeur.query.tokens import Tokens, search_text
from rumeur.store.bulk import execute_values, upsert_values
from rumeur.store.schema import post_queries, post_terms, term_buckets

# PostgreSQL's tsvector: positions 1..16383, at most 256 positions per lexeme, lexemes under
# 2 KiB and 1 MiB of lexemes in all. `rumeur_tsvector` keeps lexemes of at most 60 bytes, so
# 16383 of them always fit; anything beyond these limits marks the post as overflowing.
MAX_POSITION = 16383
MAX_REPEATS = 256
MAX_LEXEME_BYTES = 60
MAX_TERM_CHARS = 512  # a B-tree key (PostgreSQL: about 2.7 kB) must hold 4-byte characters
CHUNK = 500
# Posts per bucket of the term index: a bucket's rows (about 16,000 on the airline set) fit in
# about 200 pages that stay in the writer's cache, and a million posts make 245 buckets, each one
# index seek for a reader (a millisecond in all).
BUCKET_BITS = 12
# A word of more than 15 characters: only such a word may hold more than 60 bytes.
_LONG_WORD = re.compile(f"[^ ]{{{MAX_LEXEME_BYTES // 4 + 1}}}")


@dataclass(slots=True)
class Indexed:
    columns: dict[str, Any]  # search_title, search_text, search_place, search_overflow
    terms: set[tuple[str, str]]  # (kind, term)


def index_values(
    *,
    title: str | None,
    text: str | None,
    location: str | None,
    url: str | None,
    links: Iterable[str],
    handle: str | None,
) -> Indexed:
    """The index entries of one post from its plain values (a stored row, when migrating)."""
    doc = document(
        text=text, title=title, location=location, url=url, links=list(links), author=handle
    )
    return index_document(doc)


def index_document(doc: Document) -> Indexed:
    """The index entries of a post: exactly what the evaluator reads of it."""
    streams = (doc.title, doc.text, doc.place)
    joined = [search_text(t) for t in streams]
    overflow = any(_overflows(t, j) for t, j in zip(streams, joined, strict=True))
    terms: set[tuple[str, str]] = set()
    named = [("#", doc.hashtags), ("@", doc.mentions), ("site", doc.sites), ("url", doc.urls)]
    if "author" in doc.fields:
        named.append(("author", (doc.fields["author"],)))
    for kind, values in named:
        for value in values:
            if len(value) > MAX_TERM_CHARS:
                overflow = True  # not stored: the post is checked by the evaluator instead
            else:
                terms.add((kind, value))
    columns = {
        "search_title": joined[0],
        "search_text": joined[1],
        "search_place": joined[2],
        "search_overflow": overflow,
    }
    return Indexed(columns, terms)


def index_post(post: Post) -> Indexed:
    return index_document(from_post(post))


def _overflows(tokens: Tokens, joined: str) -> bool:
    """`joined`: the words as `search_text` joins them, searched once for a long word rather
    than measuring every word (a third of the index's time on the airline file)."""
    norms = tokens.norms
    if len(norms) > MAX_POSITION:
        return True
    # Cheap test first: no word of at most 15 characters has more than 60 bytes.
    if _LONG_WORD.search(joined) and any(len(n.encode()) > MAX_LEXEME_BYTES for n in norms):
        return True
    # Cheap test first: fewer words than the cap cannot repeat one beyond it.
    return len(norms) > MAX_REPEATS and max(Counter(norms).values()) > MAX_REPEATS


def replace_terms(
    conn: Connection, ids: Sequence[int], terms: Sequence[set[tuple[str, str]]], fresh: bool
) -> None:
    """Store the terms of posts `ids` (aligned with `terms`), dropping their old ones unless the
    posts are new."""
    if not ids:
        return
    if not fresh:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            conn.execute(delete(post_terms).where(post_terms.c.post_id.in_(chunk)))
    rows = [
        (pid >> BUCKET_BITS, kind, term, pid)
        for pid, found in zip(ids, terms, strict=True)
        for kind, term in found
    ]
    names = ("bucket", "kind", "term", "post_id")
    execute_values(conn, post_terms.insert(), post_terms, names, rows)
    buckets = [(b,) for b in {row[0] for row in rows}]
    upsert_values(conn, term_buckets, ("bucket",), buckets, ("bucket",))


def add_queries(conn: Connection, workspace: str, matched: Iterable[tuple[int, str]]) -> None:
    """Remember the workspace queries posts matched; earlier matches stay (a union)."""
    rows = [(pid, workspace, q) for pid, q in set(matched)]
    keys = ("post_id", "workspace", "query")
    upsert_values(conn, post_queries, keys, rows, keys)
