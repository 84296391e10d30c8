"""`store_transfers`, the progress of `rumeur migrate-store` (store/transfer.py) in the store it
copies into: one row per table, the last key copied and the rows copied so far, written in the
same transaction as each batch, so that a copy killed half-way resumes without duplicates or
gaps.

A new table only: nothing to recount.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.store.schema import UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_transfers",
        sa.Column("table_name", sa.String(64), primary_key=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("last_key", sa.JSON),
        sa.Column("copied", sa.BigInteger, nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("store_transfers")
