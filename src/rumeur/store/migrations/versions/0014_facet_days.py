"""`facet_days`: `facet_rollups` summed over the reasons, for the dashboard's top lists and
opinion leaders (issue #16: a 30-day dashboard on a million posts grouped a month of rows per
reason at each request).

Filled from `facet_rollups` by one grouped INSERT: the writer keeps both from the same deltas
(`writer.day_deltas`), so the sums of today's rows are what it would have written.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_FILL = (
    "INSERT INTO facet_days (workspace, kind, day, value, posts, engagement) "
    "SELECT workspace, kind, day, value, SUM(posts), SUM(engagement) FROM facet_rollups "
    "GROUP BY workspace, kind, day, value HAVING SUM(posts) <> 0 OR SUM(engagement) <> 0"
)


def upgrade() -> None:
    op.create_table(
        "facet_days",
        sa.Column("workspace", sa.String(64)),
        sa.Column("kind", sa.String(8)),
        sa.Column("day", UTCDateTime),
        sa.Column("value", sa.String(255)),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("engagement", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint(
            "workspace", "kind", "day", "value", postgresql_include=["posts", "engagement"]
        ),
        sqlite_with_rowid=False,
    )
    # Filled before the index is made: one sort instead of an index insertion per row.
    op.execute(_FILL)
    op.create_index(
        "ix_facet_days_posts",
        "facet_days",
        ["workspace", "kind", "day", "posts"],
        postgresql_include=["value"],
    )


def downgrade() -> None:
    op.drop_index("ix_facet_days_posts", table_name="facet_days")
    op.drop_table("facet_days")
