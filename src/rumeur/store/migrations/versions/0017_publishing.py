"""Publishing (issue #18): the composer's master messages and their items, one per owned
account, each expanded, checked and scheduled (store/publishing.py, docs/publish.md).

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.limits import HANDLE_LENGTH, ID_LENGTH, PLATFORM_LENGTH
from rumeur.store.schema import Id, UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publish_messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("author", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("variants", sa.JSON, nullable=False),
        sa.Column("content_type", sa.String(64)),
        sa.Column("template", sa.String(64)),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_publish_messages_workspace", "publish_messages", ["workspace", "created_at"]
    )
    op.create_table(
        "publish_items",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column(
            "message_id",
            Id,
            sa.ForeignKey(
                "publish_messages.id",
                ondelete="CASCADE",
                name="fk_publish_items_message_id_publish_messages",
            ),
            nullable=False,
        ),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(PLATFORM_LENGTH), nullable=False),
        sa.Column("handle", sa.String(HANDLE_LENGTH), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("title", sa.String(300)),
        sa.Column("media", sa.JSON, nullable=False),
        sa.Column("visibility", sa.String(16)),
        sa.Column("spoiler", sa.String(500)),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("native_id", sa.String(ID_LENGTH)),
        sa.Column("native_url", sa.Text),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("error", sa.String(500)),
        sa.Column("author", sa.String(64)),
        sa.Column("approved_by", sa.String(64)),
        sa.Column("approved_at", UTCDateTime),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_publish_items_idempotency_key"),
    )
    op.create_index("ix_publish_items_workspace_at", "publish_items", ["workspace", "at"])
    op.create_index("ix_publish_items_status_at", "publish_items", ["status", "at"])
    op.create_index("ix_publish_items_message_id", "publish_items", ["message_id"])


def downgrade() -> None:
    op.drop_table("publish_items")
    op.drop_table("publish_messages")
