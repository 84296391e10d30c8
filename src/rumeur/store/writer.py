"""Write one batch of posts in one transaction: authors, posts, brands, enrichments, rollups,
rejected rows and the source's cursor together, so that a crash loses nothing and a replay of
the same batch changes nothing.

Rollups are kept exact by deltas: for every post the batch touches, the writer takes away what
the stored version contributed and adds what the new version contributes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, tuple_, update

from rumeur.limits import FIELD_LENGTH, SOURCE_LENGTH, fitted, storable
from rumeur.metrics import engagement_of
from rumeur.model import EnrichmentResult, Post, Rejected
from rumeur.query.document import Document
from rumeur.store.author_stats import apply_author_days
from rumeur.store.bulk import (
    driver_key,
    driver_value,
    execute_many,
    greatest,
    insert_rows,
    one_of,
    upsert,
    upsert_values,
)
from rumeur.store.corrected import corrected_labels
from rumeur.store.facets import Facet, facets, with_author
from rumeur.store.rollups import ALL, NO_REASON, UNKNOWN
from rumeur.store.schema import (
    author_rollups,
    authors,
    enrichments,
    facet_days,
    facet_rollups,
    post_brands,
    posts,
    rejected,
    rollups_hourly,
    source_cursors,
)
from rumeur.store.terms import Indexed, add_queries, index_document, index_post, replace_terms

# Derived from the text, title and places: stored so that the archive search reads the words
# the stream matcher reads (store/terms.py). Compared like the rest to spot a changed post.
SEARCH_COLUMNS = ("search_title", "search_text", "search_place", "search_overflow")

CHUNK = 500  # rows per IN (...) list, well under every dialect's parameter limit
LABEL_TASKS = ("language", "sentiment", "emotion", "reason")
SOURCE_VERSION = "source"  # the version of a label given by the source, not by a model
METRICS = ("likes", "reposts", "replies", "quotes", "views")
FACET_COLUMNS = ("text", "title", "hashtags", "mentions", "links")  # and author_id
MUTABLE = (
    "text", "title", "url", "language", "sentiment", "emotion", "reason", *METRICS,
    "reply_to", "quote_of", "mentions", "hashtags", "links", "media", "location", "raw",
    *SEARCH_COLUMNS,
)  # fmt: skip


@dataclass(slots=True)
class CursorUpdate:
    source: str
    cursor: dict[str, Any]


@dataclass(slots=True)
class WriteResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, other: WriteResult) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected


@dataclass(slots=True)
class _State:
    """What one post contributes to the rollups."""

    hour: datetime
    platform: str
    sentiment: str
    language: str
    emotion: str
    reason: str
    engagement: int
    author_id: int
    created_at: datetime
    facets: frozenset[Facet]
    views: int  # the reach the network reported (0 when it gave none): author_days
    memberships: frozenset[tuple[str, str]] = frozenset()  # (workspace, brand)
    # Read several times per post by the rollups: computed once, from memberships that never
    # change after the state is made.
    spaces: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        self.spaces = frozenset(ws for ws, _ in self.memberships)

    def facet_part(self) -> tuple[Any, ...]:
        """What decides this post's `facet_rollups` rows."""
        return (self.hour.date(), self.reason, self.engagement, self.facets, self.spaces)

    def workspaces(self) -> frozenset[str]:
        return self.spaces


def write_batch(
    conn: Connection,
    workspace: str,
    batch: Sequence[Post],
    results: Sequence[EnrichmentResult] = (),
    rejects: Sequence[Rejected] = (),
    cursor: CursorUpdate | None = None,
    documents: Sequence[Document] | None = None,
    indexed: Sequence[Indexed] | None = None,
    found: Sequence[frozenset[Facet]] | None = None,
) -> WriteResult:
    """Store `batch` (already deduplicated by key) for `workspace`. Call inside a transaction.
    `indexed`, else `documents`, else the posts themselves give the index entries; `found`,
    the posts' `facets.text_facets` when computed already."""
    now = datetime.now(UTC)
    if indexed is None and documents is None:
        indexed = [index_post(post) for post in batch]
    elif indexed is None:
        indexed = [index_document(doc) for doc in documents or ()]
    rows = [
        {**_post_row(post, i, results, now), **ix.columns}
        for i, (post, ix) in enumerate(zip(batch, indexed, strict=True))
    ]
    author_ids = _upsert_authors(conn, batch, now)
    for row, post in zip(rows, batch, strict=True):
        row["author_id"] = author_ids[(post.platform, post.author.handle)]
    stored = _stored_posts(conn, [p.key for p in batch])
    outcome, before, after = _write_posts(conn, workspace, batch, rows, stored, found)
    # Before the terms: it reads which posts had matched a query before this batch.
    apply_author_days(conn, workspace, before, after, batch, outcome.ids)
    _write_terms(conn, workspace, batch, indexed, outcome)
    _write_enrichments(conn, batch, results, outcome.ids, now)
    _apply_rollups(conn, before, after)
    outcome.result.rejected = _write_rejected(conn, workspace, rejects, now)
    if cursor is not None:
        _write_cursor(conn, workspace, cursor, len(batch), now)
    return outcome.result


def _post_row(
    post: Post, index: int, results: Sequence[EnrichmentResult], now: datetime
) -> dict[str, Any]:
    # A label given by the source (a human annotation, the network's language) outranks a
    # model's guess.
    labels = {label.task: label.label for label in post.labels}
    if post.language:
        labels.setdefault("language", post.language)
    for result in results:
        if result.label(index):  # "" is a model's "no answer" (a reason for a happy post)
            labels.setdefault(result.task, result.label(index))
    m = post.metrics
    return {
        "platform": post.platform,
        "native_id": post.native_id,
        "url": post.url,
        "title": post.title,
        "text": post.text,
        "created_at": post.created_at,
        "language": labels.get("language"),
        "sentiment": labels.get("sentiment"),
        "emotion": labels.get("emotion"),
        "reason": labels.get("reason"),
        "likes": m.likes,
        "reposts": m.reposts,
        "replies": m.replies,
        "quotes": m.quotes,
        "views": m.views,
        "reply_to": post.reply_to,
        "quote_of": post.quote_of,
        "mentions": post.mentions,
        "hashtags": post.hashtags,
        "links": post.links,
        "media": [{"kind": x.kind, "url": x.url, "alt_text": x.alt_text} for x in post.media],
        "location": post.location,
        "raw": post.raw,
        "first_seen_at": now,
        "updated_at": now,
    }


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _by_platform(keys: Iterable[tuple[str, str]]) -> Iterator[tuple[str, Sequence[str]]]:
    """(platform, [ids...]) chunks: `platform = ? AND id IN (...)` uses the unique index."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for platform, ident in keys:
        grouped[platform].append(ident)
    for platform, idents in grouped.items():
        for chunk in _chunks(idents):
            yield platform, chunk


def _upsert_authors(conn: Connection, batch: Sequence[Post], now: datetime) -> dict[Any, int]:
    latest = {(p.platform, p.author.handle): p.author for p in batch}
    keys = list(latest)
    ids: dict[Any, int] = {}
    changed = []
    for platform, chunk in _by_platform(keys):
        query = select(authors).where(
            authors.c.platform == platform, one_of(conn, authors.c.handle, chunk)
        )
        for row in conn.execute(query).mappings():
            key = (row["platform"], row["handle"])
            ids[key] = row["id"]
            fresh = _author_row(latest[key], key[0], now)
            if any(fresh[c] is not None and fresh[c] != row[c] for c in _AUTHOR_FIELDS):
                merged = {c: fresh[c] if fresh[c] is not None else row[c] for c in _AUTHOR_FIELDS}
                changed.append({"_id": row["id"], **merged, "updated_at": now})
    missing = [k for k in keys if k not in ids]
    if missing:
        # A plain executemany then one SELECT: SQLite would run a RETURNING insert row by row.
        new = [{**_author_row(latest[k], k[0], now), "first_seen_at": now} for k in missing]
        execute_many(conn, authors.insert(), authors, new)
        for platform, chunk in _by_platform(missing):
            query = select(authors.c.id, authors.c.platform, authors.c.handle).where(
                authors.c.platform == platform, one_of(conn, authors.c.handle, chunk)
            )
            ids.update({(r.platform, r.handle): r.id for r in conn.execute(query)})
    if changed:
        values = {c: bindparam(c) for c in (*_AUTHOR_FIELDS, "updated_at")}
        stmt = update(authors).where(authors.c.id == bindparam("_id")).values(values)
        conn.execute(stmt, changed)
    return ids


_AUTHOR_FIELDS = ("native_id", "display_name", "followers", "following", "location", "verified")


def _author_row(author: Any, platform: str, now: datetime) -> dict[str, Any]:
    return {
        "platform": platform,
        "handle": author.handle,
        "native_id": author.native_id,
        "display_name": author.display_name,
        "followers": author.followers,
        "following": author.following,
        "location": author.location,
        "verified": author.verified,
        "updated_at": now,
    }


def _stored_posts(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[Any, dict[str, Any]]:
    found: dict[Any, dict[str, Any]] = {}
    columns = [posts.c.id, posts.c.platform, posts.c.native_id, posts.c.created_at]
    columns += [posts.c.author_id, *(posts.c[c] for c in MUTABLE)]
    for platform, chunk in _by_platform(keys):
        query = select(*columns).where(
            posts.c.platform == platform, one_of(conn, posts.c.native_id, chunk)
        )
        for row in conn.execute(query).mappings():
            found[(row["platform"], row["native_id"])] = dict(row)
    if found:
        by_id = {row["id"]: row for row in found.values()}
        for row in by_id.values():
            row["memberships"] = set()
        for chunk in _chunks(list(by_id)):
            query = select(post_brands).where(one_of(conn, post_brands.c.post_id, chunk))
            for m in conn.execute(query):
                by_id[m.post_id]["memberships"].add((m.workspace, m.brand))
        # The team's corrections outrank the batch's labels (store/corrections.py).
        for pid, labels in corrected_labels(conn, list(by_id)).items():
            by_id[pid]["corrected"] = labels
    return found


@dataclass(slots=True)
class _Outcome:
    result: WriteResult
    ids: list[int]
    fresh: list[int] = field(default_factory=list)  # indexes in the batch of inserted posts
    changed: list[int] = field(default_factory=list)  # ... and of updated ones


def _write_terms(
    conn: Connection,
    workspace: str,
    batch: Sequence[Post],
    indexed: Sequence[Indexed],
    outcome: _Outcome,
) -> None:
    """Terms of new and changed posts, and the queries every post of the batch matched."""
    ids = outcome.ids
    for positions, fresh in ((outcome.fresh, True), (outcome.changed, False)):
        replace_terms(
            conn, [ids[i] for i in positions], [indexed[i].terms for i in positions], fresh
        )
    add_queries(
        conn, workspace, [(ids[i], q) for i, post in enumerate(batch) for q in post.queries]
    )


def _write_posts(
    conn: Connection,
    workspace: str,
    batch: Sequence[Post],
    rows: list[dict[str, Any]],
    stored: dict[Any, dict[str, Any]],
    found: Sequence[frozenset[Facet]] | None = None,
) -> tuple[_Outcome, dict[int, _State], dict[int, _State]]:
    result = WriteResult()
    ids: list[int | None] = [None] * len(batch)
    before: dict[int, _State] = {}
    after: dict[int, _State] = {}
    fresh, changed, member_adds, member_drops = [], [], [], []
    outcome_changed: list[int] = []
    for i, (post, row) in enumerate(zip(batch, rows, strict=True)):
        old = stored.get(post.key)
        brands = {(workspace, b) for b in (post.brands or [""])}
        if old is None:
            fresh.append(i)
            continue
        ids[i] = pid = old["id"]
        for task in LABEL_TASKS:  # a batch without a model's answer keeps the stored one
            if row[task] is None:
                row[task] = old[task]
        row.update(old.get("corrected", {}))
        mine = {m for m in old["memberships"] if m[0] == workspace}
        differs = [c for c in MUTABLE if row[c] != old[c]]
        if not differs and mine == brands:
            result.unchanged += 1
            continue
        result.updated += 1
        if differs:
            outcome_changed.append(i)
        before[pid] = was = _state(old, old["memberships"])
        merged = {**old, **{c: row[c] for c in MUTABLE}}
        kept = None if any(c in FACET_COLUMNS for c in differs) else was.facets
        after[pid] = _state(merged, (old["memberships"] - mine) | brands, kept)
        if differs:
            changed.append(
                {"_id": pid, **{c: row[c] for c in MUTABLE}, "updated_at": row["updated_at"]}
            )
        member_adds += [{"post_id": pid, "workspace": w, "brand": b} for w, b in brands - mine]
        member_drops += [(pid, w, b) for w, b in mine - brands]
    if fresh:
        insert_rows(conn, posts, [rows[i] for i in fresh])
        new_ids = _post_ids(conn, [batch[i].key for i in fresh])
        for i in fresh:
            ids[i] = pid = new_ids[batch[i].key]
            brands = {(workspace, b) for b in (batch[i].brands or [""])}
            known = None if found is None else with_author(found[i], rows[i]["author_id"])
            after[pid] = _state(rows[i], brands, known)
            member_adds += [{"post_id": pid, "workspace": w, "brand": b} for w, b in brands]
        result.inserted = len(fresh)
    if changed:
        values = {c: bindparam(c) for c in (*MUTABLE, "updated_at")}
        conn.execute(update(posts).where(posts.c.id == bindparam("_id")).values(values), changed)
    if member_drops:
        key = tuple_(post_brands.c.post_id, post_brands.c.workspace, post_brands.c.brand)
        conn.execute(delete(post_brands).where(key.in_(member_drops)))
    upsert(conn, post_brands, member_adds, ["post_id", "workspace", "brand"])
    outcome = _Outcome(result, [i for i in ids if i is not None], fresh, outcome_changed)
    return outcome, before, after


def _post_ids(conn: Connection, keys: Sequence[tuple[str, str]]) -> dict[Any, int]:
    found = {}
    for platform, chunk in _by_platform(keys):
        query = select(posts.c.id, posts.c.platform, posts.c.native_id).where(
            posts.c.platform == platform, one_of(conn, posts.c.native_id, chunk)
        )
        found.update({(r.platform, r.native_id): r.id for r in conn.execute(query)})
    return found


def _state(
    row: dict[str, Any],
    memberships: Iterable[tuple[str, str]],
    post_facets: frozenset[Facet] | None = None,
) -> _State:
    """`row` holds a post's columns; `post_facets` spares recomputing facets that are known."""
    created = row["created_at"]
    if post_facets is None:
        post_facets = facets(
            row["text"], row["title"], row["hashtags"], row["mentions"], row["links"],
            row["author_id"],
        )  # fmt: skip
    return _State(
        hour=created.replace(minute=0, second=0, microsecond=0),
        platform=row["platform"],
        sentiment=row["sentiment"] or UNKNOWN,
        language=row["language"] or UNKNOWN,
        emotion=row["emotion"] or UNKNOWN,
        reason=row["reason"] or NO_REASON,
        engagement=engagement_of(row),
        author_id=row["author_id"],
        created_at=created,
        facets=post_facets,
        views=int(row.get("views") or 0),
        memberships=frozenset(memberships),
    )


HOURLY_KEY = (
    "workspace", "hour", "brand", "platform", "sentiment", "language", "emotion", "reason",
)  # fmt: skip
FACET_KEY = ("workspace", "kind", "day", "reason", "value")
FACET_DAY_KEY = ("workspace", "kind", "day", "value")


def _apply_rollups(conn: Connection, before: dict[int, _State], after: dict[int, _State]) -> None:
    by_author: dict[tuple[str, int], list[Any]] = defaultdict(lambda: [0, 0, None])
    for sign, states in ((-1, before), (1, after)):
        for state in states.values():
            for ws in state.workspaces():
                acc = by_author[(ws, state.author_id)]
                acc[0] += sign
                acc[1] += sign * state.engagement
                if sign > 0 and (acc[2] is None or state.created_at > acc[2]):
                    acc[2] = state.created_at
    upsert_sums(conn, rollups_hourly, HOURLY_KEY, hourly_deltas(before, after))
    # The day in the driver's form from the start: each of some 100,000 keys a batch sums is
    # then written as it is, instead of converted key by key (0.1 s of an airline import).
    facet_sums = facet_deltas(before, after, driver_value(conn, facet_rollups.c.day))
    upsert_sums(conn, facet_rollups, FACET_KEY, facet_sums, converted=True)
    upsert_sums(conn, facet_days, FACET_DAY_KEY, day_deltas(facet_sums), converted=True)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    author_rows = [
        {
            "workspace": ws,
            "author_id": a,
            "posts": n,
            "engagement": e,
            "last_post_at": last or epoch,
        }
        for (ws, a), (n, e, last) in by_author.items()
        if n or e or last
    ]
    upsert(
        conn,
        author_rollups,
        author_rows,
        ["workspace", "author_id"],
        lambda new: {
            "posts": author_rollups.c.posts + new.posts,
            "engagement": author_rollups.c.engagement + new.engagement,
            "last_post_at": greatest(conn, author_rollups.c.last_post_at, new.last_post_at),
        },
    )


def hourly_deltas(
    before: dict[int, _State], after: dict[int, _State]
) -> dict[tuple[Any, ...], list[int]]:
    """(workspace, hour, brand, platform, sentiment, language, emotion, reason) -> deltas."""
    deltas: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for sign, states in ((-1, before), (1, after)):
        for state in states.values():
            # ALL counts each post once per workspace, however many brands it names.
            alls = [(ws, ALL) for ws in state.workspaces()]
            for ws, brand in [*state.memberships, *alls]:
                key = (ws, state.hour, brand, state.platform, state.sentiment, state.language,
                       state.emotion, state.reason)  # fmt: skip
                acc = deltas[key]
                acc[0] += sign
                acc[1] += sign * state.engagement
    return deltas


def facet_deltas(
    before: dict[int, _State],
    after: dict[int, _State],
    form: Callable[[datetime], Any] | None = None,
) -> dict[tuple[Any, ...], list[int]]:
    """(workspace, kind, day, reason, value) -> [posts, engagement] deltas; `form` gives the
    day as the keys should hold it (the driver's form: `bulk.driver_value`)."""
    deltas: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    # A relabelled sentiment, or a new brand in the same workspace, moves no facet row: skip
    # such posts rather than add and take away the same dozens of keys.
    same = {
        pid for pid, old in before.items()
        if (new := after.get(pid)) is not None and old.facet_part() == new.facet_part()
    }  # fmt: skip
    for sign, states in ((-1, before), (1, after)):
        for pid, state in states.items():
            if pid in same:
                continue
            day = state.hour.replace(hour=0)
            if form is not None:
                day = form(day)
            e = sign * state.engagement
            for ws in state.workspaces():
                for kind, value in state.facets:
                    acc = deltas[(ws, kind, day, state.reason, value)]
                    acc[0] += sign
                    acc[1] += e
    return deltas


def day_deltas(facet_sums: dict[tuple[Any, ...], list[int]]) -> dict[tuple[Any, ...], list[int]]:
    """`facet_rollups` deltas summed over the reasons: the deltas of `facet_days`, so that both
    tables move together (a post moved to another reason leaves `facet_days` as it was)."""
    deltas: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for (ws, kind, day, _reason, value), (n, e) in facet_sums.items():
        acc = deltas[(ws, kind, day, value)]
        acc[0] += n
        acc[1] += e
    return deltas


def upsert_sums(
    conn: Connection,
    table: Any,
    names: Sequence[str],
    sums: dict[tuple[Any, ...], list[int]],
    converted: bool = False,
) -> None:
    """Add summed (posts, engagement) deltas to `table`, one row per key, in one statement.
    `converted`: the keys hold the driver's values already."""
    convert = None if converted else driver_key(conn, table, names)
    if convert is None:
        rows = [(*key, n, e) for key, (n, e) in sums.items() if n or e]
    else:
        rows = [(*convert(key), n, e) for key, (n, e) in sums.items() if n or e]
    upsert_values(
        conn,
        table,
        [*names, "posts", "engagement"],
        rows,
        names,
        lambda new: {
            "posts": table.c.posts + new.posts,
            "engagement": table.c.engagement + new.engagement,
        },
        converted=True,
    )


def _write_enrichments(
    conn: Connection,
    batch: Sequence[Post],
    results: Sequence[EnrichmentResult],
    ids: list[int],
    now: datetime,
) -> None:
    rows = [
        {"post_id": ids[i], "task": label.task, "model": label.origin,
         "version": SOURCE_VERSION, "label": label.label, "score": label.score, "created_at": now}
        for i, post in enumerate(batch)
        for label in post.labels
    ]  # fmt: skip
    upsert_enrichments(conn, rows + model_rows(ids, results, now))


def model_rows(
    ids: Sequence[int], results: Sequence[EnrichmentResult], now: datetime
) -> list[dict[str, Any]]:
    """An `enrichments` row per post and model answer; "no answer" ("") gives none."""
    return [
        {"post_id": pid, "task": r.task, "model": r.model, "version": r.version,
         "label": r.label(i), "score": r.score(i), "created_at": now}
        for r in results
        for i, pid in enumerate(ids)
        if r.label(i)
    ]  # fmt: skip


def upsert_enrichments(conn: Connection, rows: list[dict[str, Any]]) -> None:
    upsert(
        conn,
        enrichments,
        rows,
        ["post_id", "task", "model", "version"],
        lambda new: {"label": new.label, "score": new.score},
    )


def _write_rejected(
    conn: Connection, workspace: str, rejects: Sequence[Rejected], now: datetime
) -> int:
    # One row per (source, line): a network may name two items alike, and one statement may
    # not update a row twice.
    keyed: dict[tuple[str, int], dict[str, Any]] = {}
    for reject in rejects:
        row = _rejected_row(reject, workspace, now)
        keyed[(row["source"], row["line"])] = row
    rows = list(keyed.values())
    upsert(
        conn,
        rejected,
        rows,
        ["workspace", "source", "line"],
        lambda new: {"field": new.field, "reason": new.reason, "raw": new.raw},
    )
    return len(rows)


def _rejected_row(reject: Rejected, workspace: str, now: datetime) -> dict[str, Any]:
    """A rejected row as any store holds it, whatever bytes it had: kept whole, escaped where
    PostgreSQL would refuse a character (a NUL, a lone surrogate, an undecodable byte)."""
    raw, escaped = storable(reject.raw)
    reason = storable(reject.reason)[0]
    if escaped:
        reason += " (raw text escaped: \\\\ for \\, \\xNN for a NUL or undecodable byte)"
    return {
        "source": fitted(reject.source, SOURCE_LENGTH),
        "workspace": workspace,
        "line": reject.line or 0,
        "field": fitted(reject.field, FIELD_LENGTH),
        "reason": reason,
        "raw": raw,
        "created_at": now,
    }


def _write_cursor(
    conn: Connection, workspace: str, cursor: CursorUpdate, items: int, now: datetime
) -> None:
    row = {
        "source": cursor.source,
        "workspace": workspace,
        "cursor": cursor.cursor,
        "items": items,
        "updated_at": now,
        "last_error": None,
        "last_error_at": None,
    }
    upsert(
        conn,
        source_cursors,
        [row],
        ["source"],
        lambda new: {
            "cursor": new.cursor,
            "items": source_cursors.c["items"] + new["items"],
            "updated_at": new.updated_at,
            "last_error": None,
            "last_error_at": None,
        },
    )
