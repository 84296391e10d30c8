"""Initial schema: posts, authors, brands, enrichments, rollups, cursors, rejected rows, search.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authors",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("handle", sa.String(255), nullable=False),
        sa.Column("native_id", sa.String(128)),
        sa.Column("display_name", sa.Text),
        sa.Column("followers", sa.Integer),
        sa.Column("following", sa.Integer),
        sa.Column("location", sa.Text),
        sa.Column("verified", sa.Boolean, nullable=False),
        sa.Column("first_seen_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("platform", "handle", name="uq_authors_platform"),
    )
    op.create_table(
        "posts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("native_id", sa.String(128), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column(
            "author_id",
            Id,
            sa.ForeignKey("authors.id", name="fk_posts_author_id_authors"),
            nullable=False,
        ),
        sa.Column("language", sa.String(16)),
        sa.Column("sentiment", sa.String(16)),
        sa.Column("emotion", sa.String(16)),
        sa.Column("reason", sa.String(64)),
        sa.Column("likes", sa.Integer, nullable=False),
        sa.Column("reposts", sa.Integer, nullable=False),
        sa.Column("replies", sa.Integer, nullable=False),
        sa.Column("quotes", sa.Integer, nullable=False),
        sa.Column("views", sa.BigInteger),
        sa.Column("reply_to", sa.String(128)),
        sa.Column("quote_of", sa.String(128)),
        sa.Column("mentions", sa.JSON, nullable=False),
        sa.Column("hashtags", sa.JSON, nullable=False),
        sa.Column("links", sa.JSON, nullable=False),
        sa.Column("media", sa.JSON, nullable=False),
        sa.Column("location", sa.Text),
        sa.Column("raw", sa.JSON, nullable=False),
        sa.Column("first_seen_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("platform", "native_id", name="uq_posts_platform"),
    )
    op.create_index("ix_posts_created_at", "posts", ["created_at"])
    op.create_index("ix_posts_author_id", "posts", ["author_id"])
    op.create_table(
        "post_brands",
        sa.Column(
            "post_id",
            Id,
            sa.ForeignKey("posts.id", ondelete="CASCADE", name="fk_post_brands_post_id_posts"),
            primary_key=True,
        ),
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("brand", sa.String(255), primary_key=True),
    )
    op.create_index("ix_post_brands_workspace_brand", "post_brands", ["workspace", "brand"])
    op.create_table(
        "enrichments",
        sa.Column(
            "post_id",
            Id,
            sa.ForeignKey("posts.id", ondelete="CASCADE", name="fk_enrichments_post_id_posts"),
            primary_key=True,
        ),
        sa.Column("task", sa.String(32), primary_key=True),
        sa.Column("model", sa.String(128), primary_key=True),
        sa.Column("version", sa.String(64), primary_key=True),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "rollups_hourly",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column("hour", UTCDateTime, primary_key=True),
        sa.Column("brand", sa.String(255), primary_key=True),
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("sentiment", sa.String(16), primary_key=True),
        sa.Column("language", sa.String(16), primary_key=True),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("engagement", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "author_rollups",
        sa.Column("workspace", sa.String(64), primary_key=True),
        sa.Column(
            "author_id",
            Id,
            sa.ForeignKey("authors.id", name="fk_author_rollups_author_id_authors"),
            primary_key=True,
        ),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("engagement", sa.BigInteger, nullable=False),
        sa.Column("last_post_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_author_rollups_workspace_posts", "author_rollups", ["workspace", "posts"])
    op.create_table(
        "source_cursors",
        sa.Column("source", sa.String(512), primary_key=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("cursor", sa.JSON, nullable=False),
        sa.Column("items", sa.BigInteger, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("last_error_at", UTCDateTime),
    )
    op.create_table(
        "rejected",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(512), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("field", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("workspace", "source", "line", name="uq_rejected_workspace"),
    )
    _create_search()


def _create_search() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE posts ADD COLUMN search tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', coalesce(title, '') || ' ' || text)) STORED"
        )
        op.execute("CREATE INDEX ix_posts_search ON posts USING gin (search)")
        return
    # External-content FTS5 table: the text lives once, in `posts`; triggers keep the index true.
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


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE posts_fts")
    for table in (
        "rejected",
        "source_cursors",
        "author_rollups",
        "rollups_hourly",
        "enrichments",
        "post_brands",
        "posts",
        "authors",
    ):
        op.drop_table(table)
