"""Query index: the tokenizer's words per stream, full-text indexes over them, post terms and the
queries each post matched. Existing posts are indexed here, in batches.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STREAMS = ("title", "text", "place")
BATCH = 1000

# PostgreSQL: a tsvector built from our own tokens, never from PostgreSQL's parser. The words
# are already folded and space-separated (store/terms.py); position i of the tsvector is token
# i - 1, by construction, whatever the server's locale thinks of œ, ß, CJK or `emoji1f525`,
# and `to_tsvector`'s parser could not promise that (it reads `1.5`, `a/b`, `x@y.fr` as units
# and classifies letters by locale). Lexemes over 60 bytes and positions over tsvector's 16383
# are left out (the writer marks such posts `search_overflow`), so that the input always fits
# the type's limits and never raises. IMMUTABLE, so it can feed generated columns.
TSVECTOR_FUNCTION = r"""
CREATE FUNCTION rumeur_tsvector(words text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(string_agg(
           '''' || replace(replace(w, '\', '\\'), '''', '''''') || ''':' || p, ' '), '')::tsvector
  FROM unnest(string_to_array(words, ' ')) WITH ORDINALITY AS t(w, p)
  WHERE w <> '' AND p <= 16383 AND octet_length(w) <= 60
$$
"""

FTS_INSERT = (
    "INSERT INTO posts_fts(rowid, search_title, search_text, search_place) "
    "VALUES (new.id, new.search_title, new.search_text, new.search_place);"
)
FTS_DELETE = (
    "INSERT INTO posts_fts(posts_fts, rowid, search_title, search_text, search_place) "
    "VALUES ('delete', old.id, old.search_title, old.search_text, old.search_place);"
)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_posts_search")
        op.execute("ALTER TABLE posts DROP COLUMN IF EXISTS search")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS posts_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS posts_fts")
    for stream in STREAMS:
        op.add_column(
            "posts", sa.Column(f"search_{stream}", sa.Text, nullable=False, server_default="")
        )
    op.add_column(
        "posts",
        sa.Column("search_overflow", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    _create_tables()
    _backfill()
    if dialect == "postgresql":
        _create_postgresql_search()
    else:
        _create_sqlite_search()


def _create_tables() -> None:
    op.create_index(
        "ix_posts_search_overflow",
        "posts",
        ["id"],
        sqlite_where=sa.text("search_overflow"),
        postgresql_where=sa.text("search_overflow"),
    )
    op.create_table(
        "post_terms",
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("term", sa.Text, primary_key=True),
        sa.Column(
            "post_id",
            Id,
            sa.ForeignKey("posts.id", ondelete="CASCADE", name="fk_post_terms_post_id_posts"),
            primary_key=True,
        ),
    )
    op.create_index("ix_post_terms_post_id", "post_terms", ["post_id"])
    op.create_table(
        "post_queries",
        sa.Column(
            "post_id",
            Id,
            sa.ForeignKey("posts.id", ondelete="CASCADE", name="fk_post_queries_post_id_posts"),
            primary_key=True,
        ),
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("query", sa.String(255), primary_key=True),
    )
    op.create_index("ix_post_queries_workspace_query", "post_queries", ["workspace", "query"])


def _backfill() -> None:
    """Index every stored post with the tokenizer, a batch of ids at a time."""
    from rumeur.store.terms import index_values

    conn = op.get_bind()
    posts = sa.table(
        "posts",
        *(sa.column(c) for c in ("id", "title", "text", "location", "url", "links", "author_id")),
        *(sa.column(f"search_{s}") for s in STREAMS),
        sa.column("search_overflow"),
    )
    terms = sa.table("post_terms", sa.column("post_id"), sa.column("kind"), sa.column("term"))
    update = (
        posts.update()
        .where(posts.c.id == sa.bindparam("_id"))
        .values(
            {c: sa.bindparam(c) for c in (*(f"search_{s}" for s in STREAMS), "search_overflow")}
        )
    )
    for rows in _batches(conn):
        indexed = [(row, _index(index_values, row)) for row in rows]
        conn.execute(update, [{"_id": row["id"], **ix.columns} for row, ix in indexed])
        found = [
            {"post_id": row["id"], "kind": kind, "term": term}
            for row, ix in indexed
            for kind, term in ix.terms
        ]
        if found:
            conn.execute(terms.insert(), found)


def _batches(conn: sa.Connection) -> Iterator[list[dict[str, Any]]]:
    query = sa.text(
        "SELECT p.id, p.title, p.text, p.location, p.url, p.links, a.handle, "
        "a.location AS author_location FROM posts p JOIN authors a ON a.id = p.author_id "
        "WHERE p.id > :after ORDER BY p.id LIMIT :n"
    ).columns(links=sa.JSON)
    after = 0
    while True:
        rows = [dict(r) for r in conn.execute(query, {"after": after, "n": BATCH}).mappings()]
        if not rows:
            return
        yield rows
        after = rows[-1]["id"]


def _index(index_values: Any, row: dict[str, Any]) -> Any:
    return index_values(
        title=row["title"],
        text=row["text"],
        location=row["location"] or row["author_location"],
        url=row["url"],
        links=row["links"] or (),
        handle=row["handle"],
    )


def _create_postgresql_search() -> None:
    op.execute(TSVECTOR_FUNCTION)
    for stream in STREAMS:
        # Generated columns: every write (and this migration's backfill) keeps them true.
        op.execute(
            f"ALTER TABLE posts ADD COLUMN tsv_{stream} tsvector "
            f"GENERATED ALWAYS AS (rumeur_tsvector(search_{stream})) STORED"
        )
        op.execute(f"CREATE INDEX ix_posts_tsv_{stream} ON posts USING gin (tsv_{stream})")


def _create_sqlite_search() -> None:
    # External content: the words live once, in `posts`. The `ascii` tokenizer splits only at
    # ASCII non-alphanumerics and keeps every other character inside its token, so it splits
    # our space-joined folded words exactly at the spaces: FTS positions are token positions.
    # `prefix='2 3'` indexes short prefixes, the costly ones to scan (`co*`).
    op.execute(
        "CREATE VIRTUAL TABLE posts_fts USING fts5(search_title, search_text, search_place, "
        "content='posts', content_rowid='id', tokenize='ascii', prefix='2 3')"
    )
    op.execute("CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN " + FTS_INSERT + " END")
    op.execute("CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN " + FTS_DELETE + " END")
    op.execute(
        "CREATE TRIGGER posts_fts_update AFTER UPDATE OF search_title, search_text, "
        "search_place ON posts BEGIN " + FTS_DELETE + " " + FTS_INSERT + " END"
    )
    op.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for stream in STREAMS:
            op.execute(f"ALTER TABLE posts DROP COLUMN tsv_{stream}")
        op.execute("DROP FUNCTION rumeur_tsvector(text)")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER posts_fts_{trigger}")
        op.execute("DROP TABLE posts_fts")
    op.drop_table("post_queries")
    op.drop_table("post_terms")
    op.drop_index("ix_posts_search_overflow", "posts")
    with op.batch_alter_table("posts") as batch:
        for column in (*(f"search_{s}" for s in STREAMS), "search_overflow"):
            batch.drop_column(column)
    _restore_0001_search(dialect)


def _restore_0001_search(dialect: str) -> None:
    """0001's plain-text index, as 0001 defined it."""
    if dialect == "postgresql":
        op.execute(
            "ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', coalesce(title, '') || ' ' || text)) STORED"
        )
        op.execute("CREATE INDEX ix_posts_search ON posts USING gin (search)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE posts_fts USING fts5(title, text, content='posts', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        "CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN "
        "INSERT INTO posts_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN "
        "INSERT INTO posts_fts(posts_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER posts_fts_update AFTER UPDATE OF title, text ON posts BEGIN "
        "INSERT INTO posts_fts(posts_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO posts_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute("INSERT INTO posts_fts(posts_fts) VALUES ('rebuild')")
