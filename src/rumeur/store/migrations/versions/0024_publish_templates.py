"""Saved publishing templates (issue #18, docs/publish.md, "Templates"): `publish_templates`, a
workspace's messages kept by name to start from, with their dialogue format (a plain message, a
poll, a "battle" of two products, an open question) and its options.

A new table only: nothing to recount.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publish_templates",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
        sa.Column("author", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("workspace", "name", name="uq_publish_templates_name"),
    )


def downgrade() -> None:
    op.drop_table("publish_templates")
