"""Publishing's approvals (issue #18, docs/publish.md "Approvals"): every approval and
rejection of an item, kept forever, with the hash of the text it was given on; an item's step
in its workflow and its round (a change of text or a rejection starts a new one); a master
message's `locked` flag.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id, UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE, never a batch copy: recreating publish_messages on SQLite would drop
    # it, and its items with it (ON DELETE CASCADE).
    op.add_column("publish_items", sa.Column("step", sa.Integer))
    op.add_column(
        "publish_items", sa.Column("round", sa.Integer, nullable=False, server_default="1")
    )
    op.add_column(
        "publish_messages",
        sa.Column("locked", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "publish_approvals",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "item_id",
            Id,
            sa.ForeignKey(
                "publish_items.id",
                ondelete="CASCADE",
                name="fk_publish_approvals_item_id_publish_items",
            ),
            nullable=False,
        ),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("approver", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500)),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.UniqueConstraint(
            "item_id", "round", "step", "approver", name="uq_publish_approvals_once"
        ),
    )


def downgrade() -> None:
    op.drop_table("publish_approvals")
    op.drop_column("publish_messages", "locked")  # SQLite 3.35's DROP COLUMN: no copy
    op.drop_column("publish_items", "round")
    op.drop_column("publish_items", "step")
