"""A workspace's own models, learnt from its team's corrections by `rumeur models adapt` (issue
#17): one row per version of a workspace's model of a task (the sentiment and emotion adapters,
the complaint-reason model), its weights as bytes (never a pickle) and its cross-validated
figures. The newest version of each task is the one used.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from rumeur.limits import MODEL_LENGTH
from rumeur.store.schema import Id, UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_adapters",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("task", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("examples", sa.Integer, nullable=False),
        sa.Column("base_model", sa.String(MODEL_LENGTH), nullable=False),
        sa.Column("base_version", sa.String(64), nullable=False),
        sa.Column("weights", sa.LargeBinary, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.UniqueConstraint("workspace", "task", "version", name="uq_model_adapters_workspace"),
    )


def downgrade() -> None:
    op.drop_table("model_adapters")
