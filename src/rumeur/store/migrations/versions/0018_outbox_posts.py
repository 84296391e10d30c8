"""The outbox carries scheduled posts too (issue #18, docs/publish.md "Sending"): a row may
belong to no conversation (`conversation_id` null) and name the publishing item it sends
(`item_id`), so that the inbox's one sender sends replies and posts alike.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import Id

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("conversation_id", existing_type=Id, nullable=True)
        batch.add_column(sa.Column("item_id", Id))
        batch.create_foreign_key(
            "fk_outbox_item_id_publish_items",
            "publish_items",
            ["item_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_outbox_item_id", ["item_id"])


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE conversation_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_item_id")
        batch.drop_constraint("fk_outbox_item_id_publish_items", type_="foreignkey")
        batch.drop_column("item_id")
        batch.alter_column("conversation_id", existing_type=Id, nullable=False)
