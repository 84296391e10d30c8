"""`author_days`: each author's statistics per workspace, UTC day and brand, for the
influencers (issue #19): posts, interactions, reach, positive and negative posts, posts that
matched a saved query, and the follower count seen that day.

Filled from the stored posts by `store.author_stats.rebuild_author_days`, the writer's own
counting, so that an existing store ranks its authors at once; the writer keeps the table from
then on.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.limits import BRAND_LENGTH
from rumeur.store.schema import Id, UTCDateTime

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "author_days",
        sa.Column("workspace", sa.String(64)),
        sa.Column("brand", sa.String(BRAND_LENGTH)),
        sa.Column("day", UTCDateTime),
        sa.Column("author_id", Id),
        sa.Column("posts", sa.Integer, nullable=False),
        sa.Column("engagement", sa.BigInteger, nullable=False),
        sa.Column("views", sa.BigInteger, nullable=False),
        sa.Column("positive", sa.Integer, nullable=False),
        sa.Column("negative", sa.Integer, nullable=False),
        sa.Column("matched", sa.Integer, nullable=False),
        sa.Column("followers", sa.Integer),
        sa.PrimaryKeyConstraint(
            "workspace", "brand", "day", "author_id", postgresql_include=["posts", "engagement"]
        ),
        sqlite_with_rowid=False,
    )
    # Imported here: the backfill counts with the writer's code, which knows the new table.
    from rumeur.store.author_stats import rebuild_author_days

    rebuild_author_days(op.get_bind())
    # Made after the fill: one sort instead of an index insertion per row.
    op.create_index("ix_author_days_author", "author_days", ["author_id", "workspace", "day"])


def downgrade() -> None:
    op.drop_index("ix_author_days_author", table_name="author_days")
    op.drop_table("author_days")
