"""Archive search: a parsed query compiled to SQL (`store/compiler.py`), and the stream of posts for
export.

When the compiled clause is exact, the database alone answers. When it only narrows the posts
down (a superset: `{ExactCase}`, a mid-word wildcard...), candidates are read newest first, a
page at a time, and kept when the reference evaluator (`evaluate.matches`) accepts them. Posts
flagged `search_overflow` (too big for the index) are always checked that way.

On SQLite, newest first over a million posts is a question of plan: reading every match of a
common word to sort them costs seconds, testing the newest posts one by one costs nothing when
the word is common and a full scan when it is rare. So the search first tests the newest
`WINDOW` posts row by row (`compile_query(probe=True)`); only when they hold fewer than `limit`
matches, which means the query is rare, does the full-text index drive over the older posts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    func,
    not_,
    or_,
    select,
    text,
    true,
)

from rumeur.metrics import engagement_of, engagement_sql
from rumeur.query.ast import And, Node, Phrase, Query, Term
from rumeur.query.document import from_mapping
from rumeur.query.evaluate import matches
from rumeur.query.tokens import folded
from rumeur.store import budget
from rumeur.store.compiler import Compiled, compile_query
from rumeur.store.rollups import ALL
from rumeur.store.schema import authors, enrichments, post_brands, posts, rollups_hourly

COLUMNS = (
    posts.c.id, posts.c.platform, posts.c.native_id, posts.c.url, posts.c.created_at,
    authors.c.handle.label("author"), posts.c.title, posts.c.text, posts.c.language,
    posts.c.sentiment, posts.c.emotion, posts.c.reason, posts.c.likes, posts.c.reposts,
    posts.c.replies, posts.c.quotes, posts.c.views, posts.c.mentions, posts.c.hashtags,
    posts.c.links,
)  # fmt: skip
# What the evaluator needs beyond COLUMNS; read under private names and dropped from results.
CHECK_COLUMNS = (
    posts.c.location.label("_location"), authors.c.location.label("_author_location"),
    authors.c.followers.label("_followers"), authors.c.verified.label("_verified"),
    posts.c.reply_to.label("_reply_to"), posts.c.quote_of.label("_quote_of"),
    posts.c.search_overflow.label("_overflow"),
)  # fmt: skip
PAGE = 500  # candidates read at a time when the SQL is a superset
WINDOW = 5_000  # SQLite: newest posts scanned first, before the full-text index drives
NEWEST = (posts.c.created_at.desc(), posts.c.id.desc())
ENGAGED = engagement_sql(posts.c.likes, posts.c.reposts, posts.c.replies, posts.c.quotes)
MOST_ENGAGED = (ENGAGED.desc(), *NEWEST)  # the newest first among equals
SORTS = ("date", "engagement")  # the stream's orders: newest first, most engagement first


@dataclass(slots=True)
class Period:
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Keyset:
    """Where a newest-first page ended: the next page starts strictly below it."""

    created_at: datetime
    id: int

    def condition(self) -> ColumnElement[bool]:
        # The range on created_at comes first and alone, so that SQLite walks its index from
        # there; an OR of the two cases would make it test and sort the whole window.
        return and_(
            posts.c.created_at <= self.created_at,
            or_(posts.c.created_at < self.created_at, posts.c.id < self.id),
        )


@dataclass(frozen=True, slots=True)
class Ranked:
    """Where a most-engaged-first page ended: the next page starts strictly below it."""

    engagement: int
    created_at: datetime
    id: int

    def condition(self) -> ColumnElement[bool]:
        engaged = ENGAGED
        later = Keyset(self.created_at, self.id).condition()
        return or_(engaged < self.engagement, and_(engaged == self.engagement, later))


Conditions = Sequence[ColumnElement[bool]]  # on `posts` columns only: filters, a page's keyset


def search(
    conn: Connection,
    workspace: str,
    query: Query | Node | str,
    limit: int = 20,
    period: Period | None = None,
    where: Conditions = (),
    sort: str = "date",
) -> list[dict[str, Any]]:
    """Posts of `workspace` that `query` matches (and `where` allows), newest first (or the
    most engaged first, `sort="engagement"`). A plain string (until every caller parses its
    query) is the conjunction of its words."""
    node = as_node(query)
    if node is None or limit <= 0:
        return []
    base = _base(workspace, period, checked=True).where(*where)
    # The few posts the index cannot hold whole: every one is a candidate.
    flagged = _flagged(conn)
    found = []
    if flagged:
        candidates = _rows(conn, base.where(posts.c.id.in_(flagged)))
        found = [r for r in _branded(conn, workspace, candidates) if _accepts(node, r)]
    if sort == "engagement":
        # Every match is read to be ranked, whatever the plan: the index drives.
        compiled = compile_query(node, conn.dialect.name, workspace=workspace)
        found += _matching(conn, base, node, compiled, limit, workspace, sort)
        return _first(found, limit, sort)
    older: ColumnElement[bool] = true()
    if conn.dialect.name == "sqlite":
        probed = compile_query(node, "sqlite", probe=True, workspace=workspace)
        cutoff = None if probed.reads_all else _cutoff(conn, period, where)
        if cutoff is not None:
            # First the newest posts only, each tested in turn: enough when the query is
            # common, and then far cheaper than reading all its matches to sort them. (Not when a
            # condition reads all its matches anyway: both steps would read them.)
            recent = base.where(posts.c.created_at >= cutoff)
            window = _matching(conn, recent, node, probed, limit, workspace)
            found += window
            if len(window) >= limit:
                return _first(found, limit, sort)
            older = posts.c.created_at < cutoff
    compiled = compile_query(node, conn.dialect.name, workspace=workspace)
    found += _matching(conn, base.where(older), node, compiled, limit, workspace)
    return _first(found, limit, sort)


def count(
    conn: Connection,
    workspace: str,
    query: Query | Node | None,
    period: Period | None = None,
    where: Conditions = (),
) -> int:
    """How many posts `search` (or `latest`, without a query) would find with no limit: the
    stream's result count. The database counts when the SQL is exact; otherwise every
    candidate is checked, within the read's time budget."""
    node = None if query is None else as_node(query)
    stmt = select(posts.c.id).where(
        exists().where(post_brands.c.post_id == posts.c.id, post_brands.c.workspace == workspace)
    )
    stmt = _in_period(stmt, period).where(*where)
    if node is None:
        return _count_of(conn, stmt)
    compiled = compile_query(node, conn.dialect.name, workspace=workspace)
    if compiled.exact:
        stmt = stmt.join(authors, authors.c.id == posts.c.author_id)
        exact = _count_of(conn, stmt.where(compiled.clause, not_(posts.c.search_overflow)))
        flagged = _flagged(conn)
        if not flagged:
            return exact
        base = _base(workspace, period, checked=True).where(*where, posts.c.id.in_(flagged))
        rows = _branded(conn, workspace, _rows(conn, base))
        return exact + sum(1 for r in rows if _accepts(node, r))
    main = (
        _base(workspace, period, checked=True)
        .where(*where, or_(compiled.clause, posts.c.search_overflow))
        .order_by(*NEWEST)
    )
    return len(_verified(conn, main, node, None, workspace))


@dataclass(frozen=True, slots=True)
class Tally:
    """Filters that the hourly rollups can count: the brand (lower case, `brand_key`), label
    values as the rollups write them, and reason sets (each one narrows)."""

    brand: str = ""
    platform: str = ""
    sentiment: str = ""
    emotion: str = ""
    language: str = ""
    reasons: tuple[tuple[str, ...], ...] = ()


def rollup_count(
    conn: Connection, workspace: str, period: Period | None, tally: Tally
) -> int | None:
    """`count` without a query, read from `rollups_hourly` rather than from the posts (a
    brand's month on a million posts is a few hundred rows there, not a scan of its posts);
    None when the period does not fall on whole hours, which the rollups cannot cut."""
    r = rollups_hourly.c
    since, until = (period.since, period.until) if period else (None, None)
    if not all(t is None or _on_the_hour(t) for t in (since, until)):
        return None
    if since is None and until is None and tally.brand and tally == Tally(tally.brand):
        return _attributions(conn, workspace, tally.brand)
    where = [r.workspace == workspace]
    where += [r.hour >= since] if since is not None else []
    where += [r.hour < until] if until is not None else []
    where.append(func.lower(r.brand) == tally.brand if tally.brand else r.brand == ALL)
    for column, value in ((r.platform, tally.platform), (r.sentiment, tally.sentiment),
                          (r.emotion, tally.emotion), (r.language, tally.language)):  # fmt: skip
        if value:
            where.append(column == value)
    where += [r.reason.in_(reasons) for reasons in tally.reasons]
    return int(conn.execute(select(func.coalesce(func.sum(r.posts), 0)).where(*where)).scalar())


def _attributions(conn: Connection, workspace: str, brand: str) -> int:
    """A brand's posts of all time (`brand` as `brand_key` writes it): its rows of
    `post_brands`, what its hourly rows sum to, counted on the index that `brand:` reads
    (`ix_post_brands_workspace_lower_brand`, migration 0011) rather than summed over every
    hour of the store (on PostgreSQL at a million posts, 18 ms of CPU against 196)."""
    if conn.dialect.name == "sqlite":
        # SQLite prefers the covering (workspace, brand) index, every attribution of the
        # workspace read: ten times slower than the brand's own entries.
        indexed = text(
            "SELECT count(*) FROM post_brands INDEXED BY ix_post_brands_workspace_lower_brand"
            " WHERE workspace = :workspace AND lower(brand) = :brand"
        )
        return int(conn.execute(indexed, {"workspace": workspace, "brand": brand}).scalar_one())
    b = post_brands.c
    named = [b.workspace == workspace, func.lower(b.brand) == brand]
    return int(conn.execute(select(func.count()).where(*named)).scalar_one())


def _on_the_hour(moment: datetime) -> bool:
    return moment.minute == 0 and moment.second == 0 and moment.microsecond == 0


def _count_of(conn: Connection, stmt: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


def _matching(
    conn: Connection,
    base: Select[Any],
    node: Node,
    compiled: Compiled,
    limit: int,
    workspace: str,
    sort: str = "date",
) -> list[dict[str, Any]]:
    order = MOST_ENGAGED if sort == "engagement" else NEWEST
    main = base.where(compiled.clause, not_(posts.c.search_overflow)).order_by(*order)
    if compiled.exact:
        return _rows(conn, main.limit(limit))
    return _verified(conn, main, node, limit, workspace, sort)


def _flagged(conn: Connection) -> list[int]:
    # Spelled as the partial index's own condition, so that the index answers.
    flag = text("posts.search_overflow")
    return list(conn.execute(select(posts.c.id).where(flag)).scalars())


def latest(
    conn: Connection,
    workspace: str,
    limit: int = 20,
    period: Period | None = None,
    where: Conditions = (),
    sort: str = "date",
) -> list[dict[str, Any]]:
    """The newest (or most engaged) posts of `workspace` that `where` allows, without a query."""
    order = MOST_ENGAGED if sort == "engagement" else NEWEST
    stmt = _base(workspace, period).where(*where).order_by(*order).limit(limit)
    return _rows(conn, stmt)


def _cutoff(conn: Connection, period: Period | None, where: Conditions = ()) -> datetime | None:
    """The date of the WINDOW-th newest post of the period, if there are that many."""
    stmt = select(posts.c.created_at).where(*where).order_by(*NEWEST).offset(WINDOW).limit(1)
    stmt = _in_period(stmt, period)
    return conn.execute(stmt).scalar()


def _first(rows: list[dict[str, Any]], limit: int, sort: str) -> list[dict[str, Any]]:
    rows.sort(key=lambda r: (_rank(r, sort), r["id"]), reverse=True)
    return [_public(r) for r in rows[:limit]]


def _rank(row: Mapping[str, Any], sort: str) -> Any:
    if sort == "engagement":
        return engagement_of(row), row["created_at"]
    return row["created_at"]


def as_node(query: Query | Node | str) -> Node | None:
    if isinstance(query, Query):
        return query.root
    if not isinstance(query, str):
        return query
    words = folded(query)
    if not words:
        return None
    return And(tuple(Phrase((Term("word", w),)) for w in words))


def _verified(
    conn: Connection,
    main: Select[Any],
    node: Node,
    limit: int | None,
    workspace: str,
    sort: str = "date",
) -> list[dict[str, Any]]:
    """Candidates in `main`'s order, a page at a time (keyset), kept when the evaluator
    agrees; all of them when `limit` is None."""
    kept: list[dict[str, Any]] = []
    stmt = main.limit(PAGE)
    while limit is None or len(kept) < limit:
        budget.check(conn)  # the evaluator runs here, in Python, out of the database's reach
        page = _rows(conn, stmt)
        kept += [r for r in _branded(conn, workspace, page) if _accepts(node, r)]
        if len(page) < PAGE:
            break
        stmt = main.where(_below(page[-1], sort)).limit(PAGE)
    return kept if limit is None else kept[:limit]


def _below(row: Mapping[str, Any], sort: str) -> ColumnElement[bool]:
    """The rows after `row` in the order of `sort`."""
    if sort == "engagement":
        return Ranked(engagement_of(row), row["created_at"], row["id"]).condition()
    return or_(
        posts.c.created_at < row["created_at"],
        and_(posts.c.created_at == row["created_at"], posts.c.id < row["id"]),
    )


def _rows(conn: Connection, stmt: Select[Any]) -> list[dict[str, Any]]:
    return [dict(row) for row in conn.execute(stmt).mappings()]


def _accepts(node: Node, row: Mapping[str, Any]) -> bool:
    return matches(node, from_mapping(checkable(row)))


def checkable(row: Mapping[str, Any]) -> dict[str, Any]:
    """A stored row as `document.from_mapping` reads it."""
    return {
        **row,
        "location": row["_location"],
        "author_location": row["_author_location"],
        "followers": row["_followers"],
        "verified": bool(row["_verified"]),
        "reply_to": row["_reply_to"],
        "quote_of": row["_quote_of"],
        "brands": row.get("_brands", row.get("brands")),
    }


def _branded(conn: Connection, workspace: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows`, each with the brands it was attributed to in `workspace` (`_brands`), which the
    evaluator reads for `brand:`."""
    found = brands_of(conn, workspace, [r["id"] for r in rows])
    for row in rows:
        row["_brands"] = found[row["id"]]
    return rows


def brands_of(conn: Connection, workspace: str, ids: Sequence[int]) -> dict[int, list[str]]:
    """The brands of each post (by name, in order) in `workspace`; [] for a post of none."""
    brands: dict[int, list[str]] = {i: [] for i in ids}
    for start in range(0, len(ids), PAGE):
        chunk = ids[start : start + PAGE]
        for pid, brand in conn.execute(
            select(post_brands.c.post_id, post_brands.c.brand)
            .where(post_brands.c.post_id.in_(chunk), post_brands.c.workspace == workspace)
            .order_by(post_brands.c.brand)
        ):
            if brand:
                brands[pid].append(brand)
    return brands


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def export_rows(
    conn: Connection,
    workspace: str,
    period: Period | None = None,
    batch: int = 1000,
    query: Query | Node | None = None,
    where: Conditions = (),
) -> Iterator[dict[str, Any]]:
    """Every post of `workspace` in the period (that `query` matches and `where` allows, if
    given), oldest first, with its brands and model results."""
    stmt = _base(workspace, period, checked=query is not None).where(*where)
    node = None if query is None else as_node(query)
    exact = True
    if node is not None:
        compiled = compile_query(node, conn.dialect.name, workspace=workspace)
        stmt = stmt.where(or_(compiled.clause, posts.c.search_overflow))
        exact = compiled.exact
    stmt = stmt.order_by(posts.c.created_at, posts.c.id)
    # Options for this statement only: set on the connection, they would stay and turn a later
    # INSERT in the same transaction into a server-side cursor on PostgreSQL.
    result = conn.execute(stmt, execution_options={"stream_results": True, "yield_per": batch})
    parts = result.mappings().partitions()
    while True:
        budget.renew(conn)  # the budget bounds each batch, not a long export nor a slow client
        part = next(parts, None)
        if part is None:
            return
        rows = [dict(r) for r in part]
        _attach(conn, workspace, rows)
        if node is not None:
            rows = [_public(r) for r in rows if (exact and not r["_overflow"]) or _accepts(node, r)]
        yield from rows


def _base(workspace: str, period: Period | None, checked: bool = False) -> Select[Any]:
    stmt = (
        select(*COLUMNS, *(CHECK_COLUMNS if checked else ()))
        .join(authors, authors.c.id == posts.c.author_id)
        .where(
            exists().where(
                post_brands.c.post_id == posts.c.id, post_brands.c.workspace == workspace
            )
        )
    )
    return _in_period(stmt, period)


def _in_period(stmt: Select[Any], period: Period | None) -> Select[Any]:
    if period and period.since:
        stmt = stmt.where(posts.c.created_at >= period.since)
    if period and period.until:
        stmt = stmt.where(posts.c.created_at < period.until)
    return stmt


def _attach(conn: Connection, workspace: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    ids = [r["id"] for r in rows]
    brands = brands_of(conn, workspace, ids)
    models: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for e in conn.execute(
        select(enrichments).where(enrichments.c.post_id.in_(ids)).order_by(enrichments.c.task)
    ).mappings():
        models[e["post_id"]].append(
            {k: e[k] for k in ("task", "label", "score", "model", "version")}
        )
    for row in rows:
        row["brands"] = brands[row["id"]]
        row["enrichments"] = models[row["id"]]
