"""The shared inbox: conversations, their messages and the outbox of replies (issue #15).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("account", sa.String(255), nullable=False),
        sa.Column("customer", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("thread", sa.String(128)),
        sa.Column("root_id", sa.String(128), nullable=False),
        sa.Column("department", sa.String(64)),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("assignee", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("route", sa.JSON, nullable=False),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("opened_at", UTCDateTime, nullable=False),
        sa.Column("last_at", UTCDateTime, nullable=False),
        sa.Column("last_in_at", UTCDateTime),
        sa.Column("last_out_at", UTCDateTime),
        sa.Column("first_response_at", UTCDateTime),
        sa.Column("due_at", UTCDateTime),
        sa.Column("resolved_at", UTCDateTime),
        sa.Column("locked_by", sa.String(64)),
        sa.Column("locked_until", UTCDateTime),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index(
        "ix_conversations_workspace_status", "conversations", ["workspace", "status", "last_at"]
    )
    op.create_index(
        "ix_conversations_workspace_customer",
        "conversations",
        ["workspace", "platform", "customer"],
    )
    op.create_index(
        "ix_conversations_workspace_thread", "conversations", ["workspace", "platform", "thread"]
    )

    op.create_table(
        "messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            Id,
            sa.ForeignKey(
                "conversations.id",
                ondelete="CASCADE",
                name="fk_messages_conversation_id_conversations",
            ),
            nullable=False,
        ),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("native_id", sa.String(128), nullable=False),
        sa.Column("local_id", sa.String(128)),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("reply_to", sa.String(128)),
        sa.Column("visibility", sa.String(16)),
        sa.Column("url", sa.Text),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("sentiment", sa.String(16)),
        sa.Column("language", sa.String(16)),
        sa.Column("outbox_id", Id),
        sa.Column("extra", sa.JSON, nullable=False),
        sa.Column("first_seen_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("workspace", "platform", "native_id", name="uq_messages_workspace"),
    )
    op.create_index("ix_messages_conversation_id", "messages", ["conversation_id", "at"])
    op.create_index(
        "ix_messages_workspace_local_id", "messages", ["workspace", "platform", "local_id"]
    )

    op.create_table(
        "outbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column(
            "conversation_id",
            Id,
            sa.ForeignKey(
                "conversations.id",
                ondelete="CASCADE",
                name="fk_outbox_conversation_id_conversations",
            ),
            nullable=False,
        ),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("account", sa.String(255), nullable=False),
        sa.Column("author", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("reply_to", sa.String(128)),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("request", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(128)),
        sa.Column("claimed_at", UTCDateTime),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", UTCDateTime),
        sa.Column("native_id", sa.String(128)),
        sa.Column("url", sa.Text),
        sa.Column("error", sa.String(500)),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_state_next_at", "outbox", ["state", "next_at"])
    op.create_index("ix_outbox_conversation_id", "outbox", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("messages")
    op.drop_table("conversations")
