"""The workspace settings edited in the app (issue #16): every change is a new version, the
whole workspace as JSON, with who made it, when, and the difference from the version before.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_settings",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("changed_at", UTCDateTime, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.UniqueConstraint("workspace", "version", name="uq_workspace_settings_workspace"),
    )


def downgrade() -> None:
    op.drop_table("workspace_settings")
