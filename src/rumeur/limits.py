"""What the store can hold, in one place: the schema declares its columns with these sizes and
`check_post` holds every post to them at the boundary (docs/sources.md, "What a post may hold").

A post that breaks a limit is rejected alone, naming the field; a count too large for its column
is clamped to the largest it may hold (the post is worth more than a corrupt count).
Lengths are in characters, as PostgreSQL's `varchar(n)` counts them.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterator
from typing import Any

from rumeur.errors import RowError
from rumeur.model import Post

ID_LENGTH = 128  # native ids of posts, authors, replies and quotes
HANDLE_LENGTH = 255  # author handles
BRAND_LENGTH = 255
PLATFORM_LENGTH = 32
LABEL_LENGTH = 16  # language, sentiment, emotion
REASON_LENGTH = 64  # a complaint reason; also any label in `enrichments`
MODEL_LENGTH = 128  # who gave a label (a model's name, a mapping's `label_origin`)
FIELD_LENGTH = 128  # the field named by a rejected row
SOURCE_LENGTH = 512  # a source's cursor key, a rejected row's source (a path, a URL...)
INT_MAX = 2**31 - 1  # INTEGER on PostgreSQL
# Likes, reposts, replies and quotes: their sum, a post's engagement, which queries compute in
# the columns' own type (INTEGER on PostgreSQL), must fit too.
COUNT_MAX = INT_MAX // 4
BIGINT_MAX = 2**63 - 1  # BIGINT on PostgreSQL, INTEGER on SQLite
MAX_DEPTH = 64  # nesting of a raw payload (JSON objects and arrays)

_LABEL_LENGTHS = {"sentiment": LABEL_LENGTH, "emotion": LABEL_LENGTH, "language": LABEL_LENGTH}
_COUNTS = ("likes", "reposts", "replies", "quotes")
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_ESCAPED = re.compile(r"[\\\x00\ud800-\udfff]")


def check_post(post: Post) -> None:
    """Raise `RowError` naming the first field the store could not hold; clamp counts.

    Field names are those of a file mapping's `columns` (and a label's task), so that a file
    source can name its own column for them."""
    fields = list(_texts(post))
    if not _fits(fields):  # only then the walk that names the first field at fault
        for field, value, limit in fields:
            check_text(field, value, limit)
    _clamp_counts(post)
    check_payload("raw", post.raw)


def _fits(fields: list[tuple[str, str | None, int | None]]) -> bool:
    """True when no field breaks a limit: every length within its own, and no NUL or lone
    surrogate in any, found by one search over all the texts rather than three per field (a
    post has some twenty; this was a quarter of a file's normalising)."""
    texts = [value for _, value, _ in fields if value is not None]
    if _UNSTORABLE.search("".join(texts)):
        return False
    return all(len(value) <= limit for _, value, limit in fields if limit and value is not None)


def check_text(field: str, value: str | None, limit: int | None = None) -> None:
    if value is None:
        return
    if limit is not None and len(value) > limit:
        raise RowError(field, f"too long: {len(value)} characters (at most {limit})")
    if "\x00" in value:
        raise RowError(field, "holds a NUL character (\\x00), which the store refuses")
    if _SURROGATE.search(value):
        raise RowError(field, "holds a lone surrogate (such as a JSON \\ud800 escape)")


def check_payload(field: str, payload: Any) -> None:
    """A raw payload is stored as JSON: no lone surrogate in it, no NaN or Infinity (which
    PostgreSQL's JSON refuses), no nesting past MAX_DEPTH. (A NUL is fine: JSON writes it as
    \\u0000.)"""
    if _flat_and_clean(payload):
        return
    stack: list[tuple[Any, int, str]] = [(payload, 0, field)]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            raise RowError(where, f"nested deeper than {MAX_DEPTH} levels")
        _check_leaf(where, value)
        stack.extend((item, depth + 1, name) for name, item in _children(where, value))


_SCALARS = (str, int, bool, type(None))


def _flat_and_clean(payload: Any) -> bool:
    """True for the common payload, a flat object of strings and whole numbers (a file's row)
    with no lone surrogate: one search over all its text instead of a walk of every value.
    Anything else (nested, a float, a surrogate somewhere) takes the walk that names the
    field."""
    if not isinstance(payload, dict):
        return False
    texts = []
    for key, value in payload.items():
        if type(value) not in _SCALARS or type(key) is not str:
            return False
        texts.append(key)
        if type(value) is str:
            texts.append(value)
    return not _SURROGATE.search("".join(texts))


def _check_leaf(where: str, value: Any) -> None:
    if isinstance(value, str) and _SURROGATE.search(value):
        raise RowError(where, "holds a lone surrogate (such as a JSON \\ud800 escape)")
    if isinstance(value, float) and not math.isfinite(value):
        raise RowError(where, "not a finite number (NaN or Infinity): JSON cannot hold it")


def _children(where: str, value: Any) -> list[tuple[str, Any]]:
    """An object's items named by their keys, an array's by the array's name."""
    if isinstance(value, list | tuple):
        return [(where, item) for item in value]
    if not isinstance(value, dict):
        return []
    for key in value:
        if isinstance(key, str) and _SURROGATE.search(key):
            raise RowError(where, "a key holds a lone surrogate")
    return [(str(key)[:FIELD_LENGTH], item) for key, item in value.items()]


def storable(text: str) -> tuple[str, bool]:
    """`text` as any store keeps it, and whether it had to be escaped: then a backslash is
    doubled, a NUL is `\\x00`, an undecodable byte NN (decoded with `surrogateescape`) is
    `\\xNN` and a lone surrogate `\\uDXXX`, so that the original can be recovered."""
    if not _UNSTORABLE.search(text):
        return text, False
    return _ESCAPED.sub(_escape, text), True


def fitted(text: str, length: int) -> str:
    """`text` storable and at most `length` characters: a longer one keeps its head and ends
    with a digest of the whole, so that two long texts stay apart."""
    text = storable(text)[0]
    if len(text) <= length:
        return text
    return f"{text[: length - 17]}~{hashlib.sha256(text.encode()).hexdigest()[:16]}"


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code == 0x5C:
        return "\\\\"
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code == 0 else f"\\u{code:04x}"


def _texts(post: Post) -> Iterator[tuple[str, str | None, int | None]]:
    a = post.author
    yield from (
        ("platform", post.platform, PLATFORM_LENGTH),
        ("native_id", post.native_id, ID_LENGTH),
        ("author", a.handle, HANDLE_LENGTH),
        ("author_name", a.display_name, None),
        ("author_location", a.location, None),
        ("author_id", a.native_id, ID_LENGTH),
        ("text", post.text, None),
        ("title", post.title, None),
        ("language", post.language, LABEL_LENGTH),
        ("reply_to", post.reply_to, ID_LENGTH),
        ("quote_of", post.quote_of, ID_LENGTH),
        ("location", post.location, None),
        # Last: a file's url may be made of the id and the handle (`url_template`).
        ("url", post.url, None),
    )
    yield from (("brand", brand, BRAND_LENGTH) for brand in post.brands)
    for label in post.labels:
        yield label.task, label.label, _LABEL_LENGTHS.get(label.task, REASON_LENGTH)
        yield label.task, label.origin, MODEL_LENGTH
    for name in ("mentions", "hashtags", "links"):
        yield from ((name, value, None) for value in getattr(post, name))
    for media in post.media:
        yield from (("media", media.kind, None), ("media", media.url, None))
        yield "media", media.alt_text, None


def _clamp_counts(post: Post) -> None:
    m, a = post.metrics, post.author
    for name in _COUNTS:
        setattr(m, name, _clamp(name, getattr(m, name), COUNT_MAX))
    m.views = None if m.views is None else _clamp("views", m.views, BIGINT_MAX)
    if a.followers is not None:
        a.followers = _clamp("author_followers", a.followers, INT_MAX)
    if a.following is not None:
        a.following = _clamp("author_following", a.following, INT_MAX)


def _clamp(field: str, value: Any, top: int) -> int:
    # A network's payload may give anything: only a finite number is a count.
    finite = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))
    if isinstance(value, bool) or not finite:
        raise RowError(field, f"not a whole number: {str(value)[:20]!r}")
    return min(max(int(value), 0), top)
