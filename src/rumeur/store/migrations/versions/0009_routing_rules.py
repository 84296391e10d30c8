"""The routing rules edited in the web app (issue #15): read after the settings file's own.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_rules",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("department", sa.String(64)),
        sa.Column("priority", sa.String(16)),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("assignee", sa.String(64)),
        sa.Column("stop", sa.Boolean, nullable=False),
        sa.Column("updated_by", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("workspace", "name", name="uq_routing_rules_workspace"),
    )
    op.create_index("ix_routing_rules_workspace", "routing_rules", ["workspace", "position"])


def downgrade() -> None:
    op.drop_table("routing_rules")
