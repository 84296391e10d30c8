"""The stream's saved views (issue #16), and the index that `brand:` reads.

`stream_views`: a user's filters of the mention stream in a workspace, by name; the name ''
holds the last filters the user searched with, which the stream opens with next time.

`ix_post_brands_workspace_lower_brand`: the posts attributed to a brand, found by the name
lowered (`brand:` ignores case) without reading the workspace's other attributions; `post_id`
in the index so that the lookup never reads the table.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stream_views",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "user_id",
            Id,
            sa.ForeignKey("users.id", ondelete="CASCADE", name="fk_stream_views_user_id_users"),
            nullable=False,
        ),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("saved_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("user_id", "workspace", "name", name="uq_stream_views_user_id"),
    )
    op.create_index(
        "ix_post_brands_workspace_lower_brand",
        "post_brands",
        ["workspace", sa.text("lower(brand)"), "post_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_post_brands_workspace_lower_brand", table_name="post_brands")
    op.drop_table("stream_views")
