"""`Store`: one database, migrated on open, with the reads the rest of rumeur needs."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from rumeur.errors import StoreError
from rumeur.model import EnrichmentResult, Post, Quota, Rejected
from rumeur.query.document import Document
from rumeur.store.budget import bounded
from rumeur.store.bulk import upsert
from rumeur.store.engine import WRITE_OPTION, make_engine, redact_url
from rumeur.store.facets import Facet
from rumeur.store.migrate import upgrade
from rumeur.store.relabel import posts_after, relabel
from rumeur.store.schema import posts, rate_limits, rejected, source_cursors
from rumeur.store.terms import Indexed
from rumeur.store.writer import CursorUpdate, WriteResult, write_batch

# The tables a bulk load grows, whose statistics the planner reads.
ANALYZED = (
    "posts", "authors", "post_terms", "post_brands", "post_queries", "enrichments",
    "rollups_hourly", "facet_rollups", "facet_days", "author_rollups", "author_days",
)  # fmt: skip
WRITER_LOCK = 0x72756D65  # "rume": the advisory lock that serialises writers on PostgreSQL
# Taken with the lock, for the transaction only: psycopg prepares a statement after 5 runs and
# PostgreSQL then may keep a generic plan made while the tables were empty (a sequential scan
# of `authors` for `handle = ANY(...)`, a second per batch at 140,000 posts). A writer's
# statements are few and big: planning each for its values costs little.
# A writer's SQLite page cache: with the default 2 MB, the rate at a million posts was 2,809/s
# (0.63 of the rate at 10,000), with 64 MB 3,127/s (0.75).
WRITER_CACHE_KIB = 65536
# A writer lets the WAL grow to 65,536 pages (256 MB) before copying it into the database: with
# SQLite's 1,000, each batch of an import was checkpointed (and synced) at its commit, the same
# rollup and index pages copied again batch after batch (commits 0.29 s of the airline import,
# 0.11 s with 16,384 pages). As the store grows, the pages a batch dirties in its randomly placed
# indexes (the terms, the posts' unique key) spread out, and each checkpoint copied more of
# them: over 10,000 posts at 150,000 posts stored, the commits took 1.85 s of wall clock with
# 16,384 pages and 1.08 s with 65,536 (256 MB), where a page dirtied by several batches is
# copied once (0.35 s and 0.37 s at 10,000 posts).
WRITER_WAL_PAGES = 65536
# FTS5 merges its index segments 4 at a time by default: on a million posts each post's entry
# was rewritten at about six levels, and the index's cost per 10,000 posts grew from 0.099 to
# 0.145 CPU s; merged 8 at a time, 0.093 to 0.102 (fewer levels), with searches as quick
# (benchmarks in docs/architecture.md, "The write path, measured"). A setting of the index
# itself, kept in its config table: a writer sets it once if a store does not have it yet.
FTS_AUTOMERGE = 8
LOCK_SQL = (
    "SELECT pg_advisory_xact_lock(:key), set_config('plan_cache_mode', 'force_custom_plan', true)"
)


@dataclass(slots=True)
class Growth:
    """When a writer refreshes the planner's statistics: each time the posts it has inserted
    since the last refresh reach `factor - 1` times what the store held then (and at least
    `floor`), so that a load of a million posts analyzes about log2(1000) times, not at every
    batch, and never plans on statistics of a table many times smaller."""

    factor: float = 2.0
    floor: int = 1000
    size: int | None = None  # posts in the store at the last refresh (or when first seen)
    written: int = 0  # posts inserted since

    def due(self, inserted: int) -> bool:
        """Count `inserted` new posts; True when the statistics should be refreshed now."""
        assert self.size is not None, "the store's size must be known first"
        self.written += inserted
        if self.written < max(self.floor, self.size * (self.factor - 1)):
            return False
        self.size += self.written
        self.written = 0
        return True


def _tune_fts(conn: Connection) -> None:
    """Give the FTS5 index its merge setting (FTS_AUTOMERGE) unless it has it already."""
    found = conn.exec_driver_sql("SELECT v FROM posts_fts_config WHERE k = 'automerge'").first()
    if found is None or found[0] != FTS_AUTOMERGE:
        conn.exec_driver_sql(
            "INSERT INTO posts_fts(posts_fts, rank) VALUES ('automerge', ?)", (FTS_AUTOMERGE,)
        )


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.growth = Growth()
        self._fts_tuned = False  # whether this store's FTS5 merge setting was checked

    @classmethod
    def open(cls, target: str) -> Store:
        """Open (and create or migrate) the database at a path or URL."""
        engine = make_engine(target)
        upgrade(engine)
        return cls(engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def where(self) -> str:
        """The database location, safe to print (no password)."""
        if self.dialect == "sqlite":
            return self.engine.url.database or ""
        return redact_url(self.engine.url.render_as_string(hide_password=False))

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self, budget_s: float | None = None) -> Iterator[Connection]:
        """A connection for the reads of one request, held to a time budget (store/budget.py):
        past `budget_s` seconds (default RUMEUR_READ_BUDGET, else 10) the statement running is
        interrupted and QueryTooCostly raised."""
        with self.engine.connect() as conn, bounded(conn, budget_s):
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: it holds the write lock from its start (SQLite) and runs alone
        among writers (PostgreSQL advisory lock), so rollup deltas are computed on what is
        really stored."""
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{WRITE_OPTION: True})
                with conn.begin():
                    if self.dialect == "postgresql":
                        conn.execute(text(LOCK_SQL), {"key": WRITER_LOCK})
                    else:  # the indexes a write touches outgrow SQLite's 2 MB default
                        conn.exec_driver_sql(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
                        conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {WRITER_WAL_PAGES}")
                        if not self._fts_tuned:
                            _tune_fts(conn)
                            self._fts_tuned = True
                    yield conn
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0]
            raise StoreError(f"{self.where}: {reason}", permanent=False) from None

    def write(
        self,
        workspace: str,
        batch: Sequence[Post],
        results: Sequence[EnrichmentResult] = (),
        rejects: Sequence[Rejected] = (),
        cursor: CursorUpdate | None = None,
        documents: Sequence[Document] | None = None,
        indexed: Sequence[Indexed] | None = None,
        found: Sequence[frozenset[Facet]] | None = None,
    ) -> WriteResult:
        """Store a batch, its rejected rows and the source's new cursor atomically.
        `documents` (one per post) spare the index from reading the posts again; `indexed`
        (their index entries, `terms.index_document`) spare it from reading the documents;
        `found` (their `facets.text_facets`) spare the rollups from reading their texts."""
        with self.transaction() as conn:
            written = write_batch(
                conn, workspace, batch, results, rejects, cursor, documents, indexed, found
            )
        self._analyze_on_growth(written.inserted)
        return written

    def _analyze_on_growth(self, inserted: int) -> None:
        """ANALYZE once the posts table has grown by `growth.factor` since the last time: a
        bulk load (and PostgreSQL without autovacuum all the time) otherwise plans its lookups
        on statistics of a far smaller table."""
        if not inserted:
            return
        if self.growth.size is None:
            self.growth.size = self.count_posts() - inserted
        if self.growth.due(inserted):
            self.analyze()

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk load: PostgreSQL plans the stream's
        page from them (about 1 s a page on stale ones, 7 ms after ANALYZE); SQLite's ANALYZE
        reads a bounded sample (`analysis_limit`)."""
        try:
            with self.engine.begin() as conn:
                if self.dialect == "postgresql":
                    conn.execute(text(f"ANALYZE {', '.join(ANALYZED)}"))
                else:  # a sample per index, so that it stays quick on a big file
                    conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
                    for table in ANALYZED:
                        conn.exec_driver_sql(f"ANALYZE {table}")
        except DBAPIError as exc:
            reason = str(exc.orig).strip().splitlines()[0]
            raise StoreError(f"{self.where}: {reason}", permanent=False) from None

    def relabel(
        self,
        workspace: str,
        ids: Sequence[int],
        results: Sequence[EnrichmentResult],
        cursor: CursorUpdate | None = None,
    ) -> int:
        """Store newer model answers for stored posts, with the cursor, atomically."""
        with self.transaction() as conn:
            return relabel(conn, workspace, ids, results, cursor)

    def posts_after(
        self, workspace: str, after_id: int, limit: int, kept: Sequence[str] = ()
    ) -> list[tuple[int, Post]]:
        with self.engine.connect() as conn:
            return posts_after(conn, workspace, after_id, limit, kept)

    def cursor(self, source: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            query = select(source_cursors.c.cursor).where(source_cursors.c.source == source)
            return conn.execute(query).scalar_one_or_none()

    def forget_source(self, source: str, workspace: str, rejects_under: str) -> None:
        """Start a source over: its cursor and the rows it had rejected go."""
        with self.transaction() as conn:
            conn.execute(source_cursors.delete().where(source_cursors.c.source == source))
            conn.execute(
                rejected.delete().where(
                    rejected.c.workspace == workspace, rejected.c.source == rejects_under
                )
            )

    def record_error(self, source: str, workspace: str, message: str, now: datetime) -> None:
        """Remember a source's last failure next to its cursor, which stays as it was."""
        row = {
            "source": source,
            "workspace": workspace,
            "cursor": {},
            "items": 0,
            "updated_at": now,
            "last_error": message,
            "last_error_at": now,
        }
        with self.transaction() as conn:
            upsert(
                conn,
                source_cursors,
                [row],
                ["source"],
                lambda new: {"last_error": new.last_error, "last_error_at": new.last_error_at},
            )

    def quota(self, key: str) -> Quota | None:
        """The last rate-limit quota any process saved for `key`."""
        with self.engine.connect() as conn:
            row = conn.execute(select(rate_limits).where(rate_limits.c.key == key)).first()
        if row is None:
            return None
        return Quota(row.quota_limit, row.remaining, row.reset_at)

    def save_quota(self, key: str, quota: Quota) -> None:
        row = {
            "key": key,
            "quota_limit": quota.limit,
            "remaining": quota.remaining,
            "reset_at": quota.reset_at,
            "updated_at": datetime.now(UTC),
        }
        with self.transaction() as conn:
            upsert(
                conn,
                rate_limits,
                [row],
                ["key"],
                lambda new: {
                    "quota_limit": new.quota_limit,
                    "remaining": new.remaining,
                    "reset_at": new.reset_at,
                    "updated_at": new.updated_at,
                },
            )

    def quotas(self) -> dict[str, Quota]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(rate_limits)).all()
        return {r.key: Quota(r.quota_limit, r.remaining, r.reset_at) for r in rows}

    def count_posts(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(posts)).scalar_one()

    def rejected_rows(self, source: str | None = None) -> list[dict[str, Any]]:
        query = select(rejected).order_by(rejected.c.source, rejected.c.line)
        if source is not None:
            query = query.where(rejected.c.source == source)
        with self.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]
