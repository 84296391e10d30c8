"""The dashboard's rollups and the web app's sign-in tables.

`rollups_hourly` gains emotion and reason in its key, and `facet_rollups` counts hashtags,
mentions, sites, links, words and authors per UTC day. Both are recounted from the stored
posts. A primary key cannot be altered in SQLite, so `rollups_hourly` is dropped and created
again in both dialects: its rows are recounted anyway.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("rollups_hourly")
    op.create_table(
        "rollups_hourly",
        sa.Column("workspace", sa.String(64)),
        sa.Column("hour", UTCDateTime),
        sa.Column("brand", sa.String(255)),
        sa.Column("platform", sa.String(32)),
        sa.Column("sentiment", sa.String(16)),
        sa.Column("language", sa.String(16)),
        sa.Column("emotion", sa.String(16)),
        sa.Column("reason", sa.String(64)),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("engagement", sa.BigInteger, nullable=False),
        # On PostgreSQL the key also holds the counts: a period is read from the index alone.
        sa.PrimaryKeyConstraint(
            "workspace",
            "hour",
            "brand",
            "platform",
            "sentiment",
            "language",
            "emotion",
            "reason",
            postgresql_include=["posts", "engagement"],
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "facet_rollups",
        sa.Column("workspace", sa.String(64)),
        sa.Column("kind", sa.String(8)),
        sa.Column("day", UTCDateTime),
        sa.Column("reason", sa.String(64)),
        sa.Column("value", sa.String(255)),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("engagement", sa.BigInteger, nullable=False),
        # On PostgreSQL the key also holds the counts: a period is read from the index alone.
        sa.PrimaryKeyConstraint(
            "workspace",
            "kind",
            "day",
            "reason",
            "value",
            postgresql_include=["posts", "engagement"],
        ),
        # Clustered on the key in SQLite: a period's rows are read in place, with no lookups.
        sqlite_with_rowid=False,
    )
    _web_tables()
    # Imported here: the rebuild counts with the writer's code, which knows the new columns.
    from rumeur.store.rebuild import rebuild_rollups

    rebuild_rollups(op.get_bind())


def _web_tables() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(8)))
        batch.create_index("ix_users_api_token_hash", ["api_token_hash"], unique=True)
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            Id,
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_web_sessions_user_id_users"),
            nullable=False,
        ),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("last_seen_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "signin_failures",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_at", UTCDateTime, nullable=False),
        sa.Column("locked_until", UTCDateTime),
    )


def downgrade() -> None:
    op.drop_table("signin_failures")
    op.drop_table("web_sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_api_token_hash")
        batch.drop_column("language")
    op.drop_table("facet_rollups")
    # The old key is the new one without emotion and reason: sum them away.
    op.rename_table("rollups_hourly", "rollups_hourly_0005")
    if op.get_bind().dialect.name == "postgresql":  # constraint names are per schema there
        op.execute("ALTER INDEX pk_rollups_hourly RENAME TO pk_rollups_hourly_0005")
    op.create_table(
        "rollups_hourly",
        *(sa.Column(name, type_, primary_key=True) for name, type_ in _OLD_KEY),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("engagement", sa.BigInteger, nullable=False),
    )
    op.execute(
        "INSERT INTO rollups_hourly (workspace, hour, brand, platform, sentiment, language, "
        "posts, engagement) SELECT workspace, hour, brand, platform, sentiment, language, "
        "SUM(posts), SUM(engagement) FROM rollups_hourly_0005 "
        "GROUP BY workspace, hour, brand, platform, sentiment, language"
    )
    op.drop_table("rollups_hourly_0005")


_OLD_KEY = (
    ("workspace", sa.String(64)),
    ("hour", UTCDateTime),
    ("brand", sa.String(255)),
    ("platform", sa.String(32)),
    ("sentiment", sa.String(16)),
    ("language", sa.String(16)),
)
